"""The schema of the first release, exactly as it created it.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table("meta", sa.Column("key", sa.String(64), nullable=False), sa.Column("value", sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint("key", name="meta_pkey"))
    op.create_table(
        "subscribers",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("display_email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("attrs", sa.JSON(), nullable=False),
        _when("created_at"), _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name="subscribers_pkey"),
        sa.UniqueConstraint("email", name="subscribers_email_key"),
    )
    op.create_table(
        "memberships",
        sa.Column("subscriber_id", Id, nullable=False),
        sa.Column("list", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscribers.id"], ondelete="CASCADE", name="memberships_subscriber_id_fkey"),
        sa.PrimaryKeyConstraint("subscriber_id", "list", name="memberships_pkey"),
    )
    op.create_index("ix_memberships_list_status", "memberships", ["list", "status", "subscriber_id"])
    op.create_table(
        "suppressions",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("list", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        _when("created_at"),
        sa.PrimaryKeyConstraint("email", "list", name="suppressions_pkey"),
    )
    op.create_table(
        "runs",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        _when("started_at"), _when("heartbeat_at"), _when("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="runs_pkey"),
    )
    op.create_table(
        "audiences",
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("list", sa.String(100), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _when("enqueued_at"),
        sa.PrimaryKeyConstraint("campaign", "step", name="audiences_pkey"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(320), nullable=False),
        sa.Column("subscriber_id", Id, nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("not_before", nullable=True),
        sa.Column("run_id", Id, nullable=True),
        sa.Column("remote_id", sa.String(255), nullable=True),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscribers.id"], ondelete="SET NULL", name="deliveries_subscriber_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="deliveries_pkey"),
        sa.UniqueConstraint("campaign", "step", "target", name="uq_deliveries_target"),
    )
    op.create_index("ix_deliveries_work", "deliveries", ["campaign", "step", "state", "id"])
    op.create_table(
        "audit",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        _when("at"),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("list", sa.String(100), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="audit_pkey"),
    )
    op.create_table(
        "approvals",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        _when("approved_at"),
        sa.PrimaryKeyConstraint("id", name="approvals_pkey"),
    )
    op.create_index("ix_approvals_campaign", "approvals", ["campaign", "id"])
    op.create_table(
        "steps",
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("campaign_path", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        _when("due_utc"),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("campaign", "step", name="steps_pkey"),
    )
    op.create_table(
        "dispatchers",
        sa.Column("id", sa.String(300), nullable=False),
        _when("started_at"), _when("heartbeat_at"),
        sa.PrimaryKeyConstraint("id", name="dispatchers_pkey"),
    )
    op.create_table(
        "archive",
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("preheader", sa.Text(), nullable=False),
        sa.Column("list", sa.String(100), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("cover_name", sa.String(100), nullable=True),
        sa.Column("cover", sa.LargeBinary(), nullable=True),
        _when("sent_at"),
        sa.PrimaryKeyConstraint("campaign", name="archive_pkey"),
    )


def downgrade() -> None:
    for table in ("archive", "dispatchers", "steps", "approvals", "audit", "deliveries", "audiences", "runs", "suppressions", "memberships", "subscribers", "meta"):
        op.drop_table(table)
