"""What comes back: ``inbound_messages``, the ``undone`` event kind, and finding sends by address.

- ``inbound_messages``: every bounce, complaint, auto-reply, mailto unsubscribe,
  ESP event and unrecognised mail, kept raw (cut at a size cap) with its
  classification, reason, what outreach did and what an undo must reverse;
  ``receipt`` is unique, so a replayed webhook or a mail read twice is refused;
- ``delivery_events.kind`` admits ``undone`` (a person lifted a suppression);
- ``ix_deliveries_target``: an address's last sends, for the soft-bounce rule;
- ``archive.listed``: a test send publishes its page and cover unlisted, so its links work.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OLD_KINDS = "('bounced_hard', 'bounced_soft', 'complained', 'unsubscribed', 'resolved')"
NEW_KINDS = "('bounced_hard', 'bounced_soft', 'complained', 'unsubscribed', 'resolved', 'undone')"
INBOUND_KINDS = "('hard_bounce', 'soft_bounce', 'complaint', 'auto_reply', 'unsubscribe', 'unknown')"


def upgrade() -> None:
    with op.batch_alter_table("delivery_events") as batch:
        batch.drop_constraint("delivery_events_kind_check", type_="check")
        batch.create_check_constraint("delivery_events_kind_check", f"kind IN {NEW_KINDS}")
    op.create_index("ix_deliveries_target", "deliveries", ["target", "id"])
    with op.batch_alter_table("archive") as batch:
        batch.add_column(sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "inbound_messages",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("address", sa.String(320), nullable=True),
        sa.Column("delivery_id", Id, nullable=True),
        sa.Column("receipt", sa.String(255), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("effects", sa.JSON(), nullable=True),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
        sa.Column("undone_by", sa.String(200), nullable=True),
        sa.CheckConstraint(f"kind IN {INBOUND_KINDS}", name="inbound_messages_kind_check"),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], ondelete="SET NULL", name="inbound_messages_delivery_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="inbound_messages_pkey"),
        sa.UniqueConstraint("receipt", name="inbound_messages_receipt_key"),
    )
    op.create_index("ix_inbound_messages_received", "inbound_messages", ["received_at", "id"])
    op.create_index("ix_inbound_messages_delivery_id", "inbound_messages", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_inbound_messages_delivery_id", table_name="inbound_messages")
    op.drop_index("ix_inbound_messages_received", table_name="inbound_messages")
    op.drop_table("inbound_messages")
    op.execute("DELETE FROM archive WHERE NOT listed")
    with op.batch_alter_table("archive") as batch:
        batch.drop_column("listed")
    op.drop_index("ix_deliveries_target", table_name="deliveries")
    op.execute("DELETE FROM delivery_events WHERE kind = 'undone'")
    with op.batch_alter_table("delivery_events") as batch:
        batch.drop_constraint("delivery_events_kind_check", type_="check")
        batch.create_check_constraint("delivery_events_kind_check", f"kind IN {OLD_KINDS}")
