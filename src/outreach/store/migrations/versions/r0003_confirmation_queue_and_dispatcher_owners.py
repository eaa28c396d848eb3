"""Confirmation mail leaves the request path; a step knows which dispatcher runs it.

- ``outgoing_mail``: the double opt-in confirmations that ``outreach serve``
  queues and sends from a background worker (no addresses in it).
- ``steps.owner`` and ``dispatchers.host``/``pid``: so a step held by a
  dispatcher that died can be taken over.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outgoing_mail",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("token_key", sa.String(32), nullable=False),
        sa.Column("list", sa.String(100), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["token_key"], ["subscribers.token_key"], ondelete="CASCADE", name="outgoing_mail_token_key_fkey"),
        sa.PrimaryKeyConstraint("id", name="outgoing_mail_pkey"),
    )
    op.create_index("ix_outgoing_mail_work", "outgoing_mail", ["state", "not_before"])
    op.create_index("ix_outgoing_mail_recent", "outgoing_mail", ["token_key", "created_at"])
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("owner", sa.String(300), nullable=True))
    with op.batch_alter_table("dispatchers") as batch:
        batch.add_column(sa.Column("host", sa.String(255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dispatchers") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("owner")
    op.drop_index("ix_outgoing_mail_recent", table_name="outgoing_mail")
    op.drop_index("ix_outgoing_mail_work", table_name="outgoing_mail")
    op.drop_table("outgoing_mail")
