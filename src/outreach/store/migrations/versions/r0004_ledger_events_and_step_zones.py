"""What later events need to find a delivery, the events themselves, and each step's timezone.

- ``deliveries.part`` (a post's part number, read from the old ``part-N``
  target), ``message_id`` and ``envelope_sender`` (email: how a bounce or a
  complaint finds its row), an index on ``message_id``;
- ``delivery_events``: the bounce, complaint or person's decision behind a
  late state change;
- ``steps.timezone``: so ``status`` shows local times without reading the
  campaign files (steps scheduled before this revision show UTC only).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KINDS = "('bounced_hard', 'bounced_soft', 'complained', 'unsubscribed', 'resolved')"


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("part", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("message_id", sa.String(998), nullable=True))
        batch.add_column(sa.Column("envelope_sender", sa.String(320), nullable=True))
    op.create_index("ix_deliveries_message_id", "deliveries", ["message_id"])
    deliveries = sa.table("deliveries", sa.column("target", sa.String), sa.column("part", sa.Integer))
    op.execute(deliveries.update().where(deliveries.c.target.like("part-%"))
               .values(part=sa.cast(sa.func.substr(deliveries.c.target, 6), sa.Integer)))
    op.create_table(
        "delivery_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("delivery_id", Id, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN {KINDS}", name="delivery_events_kind_check"),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], ondelete="CASCADE", name="delivery_events_delivery_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="delivery_events_pkey"),
    )
    op.create_index("ix_delivery_events_delivery_id", "delivery_events", ["delivery_id"])
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("timezone")
    op.drop_index("ix_delivery_events_delivery_id", table_name="delivery_events")
    op.drop_table("delivery_events")
    op.drop_index("ix_deliveries_message_id", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("envelope_sender")
        batch.drop_column("message_id")
        batch.drop_column("part")
