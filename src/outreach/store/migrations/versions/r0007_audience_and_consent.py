"""Audience: subscribers' language, country, topics and pause, consent records, frozen segments.

- ``subscribers`` gains ``language``, ``country`` and ``paused_until``;
- ``subscriber_topics``: the [topics] each subscriber follows;
- ``consents``: how each membership was consented to, kept after an unsubscribe. Every
  membership that exists when this runs (active or unsubscribed) gets a record with method
  ``before-records``: it was imported or signed up before records were kept;
- ``audiences`` gains ``description`` and ``filter``: the segment a step was frozen to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
METHODS = "('double-opt-in', 'import', 'preferences', 'cli', 'before-records')"
BEFORE_RECORDS = "imported or signed up before consent records were kept (revision 0007)"


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("language", sa.String(35), nullable=True))
        batch.add_column(sa.Column("country", sa.String(2), nullable=True))
        batch.add_column(sa.Column("paused_until", UTCDateTime(), nullable=True))
    with op.batch_alter_table("audiences") as batch:
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("filter", sa.JSON(), nullable=True))
    op.create_table(
        "subscriber_topics",
        sa.Column("subscriber_id", Id, nullable=False),
        sa.Column("topic", sa.String(63), nullable=False),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscribers.id"], ondelete="CASCADE", name="subscriber_topics_subscriber_id_fkey"),
        sa.PrimaryKeyConstraint("subscriber_id", "topic", name="subscriber_topics_pkey"),
    )
    op.create_index("ix_subscriber_topics_topic", "subscriber_topics", ["topic", "subscriber_id"])
    consents = op.create_table(
        "consents",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", Id, nullable=False),
        sa.Column("list", sa.String(100), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=True),
        sa.Column("given_at", UTCDateTime(), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("user_agent", sa.String(400), nullable=True),
        sa.Column("form_version", sa.String(64), nullable=True),
        sa.Column("source_file", sa.String(255), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("collected_by", sa.String(200), nullable=True),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(20), nullable=True),
        sa.CheckConstraint(f"method IN {METHODS}", name="consents_method_check"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscribers.id"], ondelete="CASCADE", name="consents_subscriber_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="consents_pkey"),
    )
    op.create_index("ix_consents_subscriber_id", "consents", ["subscriber_id", "list"])
    _records_for_existing_memberships(consents)


def _records_for_existing_memberships(consents: sa.Table) -> None:
    """One ``before-records`` consent per active or unsubscribed membership (pending ones never consented)."""
    meta = sa.MetaData()
    memberships = sa.Table("memberships", meta, sa.Column("subscriber_id", Id), sa.Column("list", sa.String(100)),
                           sa.Column("status", sa.String(20)), sa.Column("source", sa.String(20)), sa.Column("updated_at", UTCDateTime()))
    subscribers = sa.Table("subscribers", meta, sa.Column("id", Id), sa.Column("created_at", UTCDateTime()))
    unsubscribed = memberships.c.status == "unsubscribed"
    rows = (sa.select(memberships.c.subscriber_id, memberships.c.list, sa.literal("before-records"), subscribers.c.created_at,
                      sa.literal(BEFORE_RECORDS),
                      sa.case((unsubscribed, memberships.c.updated_at), else_=sa.null()),
                      sa.case((unsubscribed, memberships.c.source), else_=sa.null()))
            .select_from(memberships.join(subscribers, subscribers.c.id == memberships.c.subscriber_id))
            .where(memberships.c.status.in_(("active", "unsubscribed")))
            .order_by(memberships.c.subscriber_id, memberships.c.list))
    op.execute(consents.insert().from_select(["subscriber_id", "list", "method", "given_at", "basis", "withdrawn_at", "withdrawn_by"], rows))


def downgrade() -> None:
    op.drop_index("ix_consents_subscriber_id", table_name="consents")
    op.drop_table("consents")
    op.drop_index("ix_subscriber_topics_topic", table_name="subscriber_topics")
    op.drop_table("subscriber_topics")
    with op.batch_alter_table("audiences") as batch:
        batch.drop_column("filter")
        batch.drop_column("description")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("paused_until")
        batch.drop_column("country")
        batch.drop_column("language")
