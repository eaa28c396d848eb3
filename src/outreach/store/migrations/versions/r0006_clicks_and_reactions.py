"""What happened after sending: the campaign's links, click counts, clicks and post reactions.

- ``links``: each trackable link of a campaign's email, stored at send time; the
  click endpoint redirects only to these (``test_only``: so far only a [Test] copy had it);
- ``click_counts``: clicks per link and per hour, human and machine (all that
  aggregate mode keeps);
- ``clicks``: one row per click with its delivery, only in individual mode;
- ``post_metrics``: each post's reaction counts over time, or why a read failed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
REASONS = "('head', 'scanner', 'too-soon', 'burst')"


def upgrade() -> None:
    op.create_table(
        "links",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("test_only", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("individual", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="links_pkey"),
        sa.UniqueConstraint("campaign", "url_hash", name="links_campaign_url_hash_key"),
    )
    op.create_table(
        "click_counts",
        sa.Column("link_id", Id, nullable=False),
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("human", sa.Integer(), nullable=False),
        sa.Column("machine", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], ondelete="CASCADE", name="click_counts_link_id_fkey"),
        sa.PrimaryKeyConstraint("link_id", "hour", name="click_counts_pkey"),
    )
    op.create_table(
        "clicks",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("link_id", Id, nullable=False),
        sa.Column("delivery_id", Id, nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("machine_reason", sa.String(20), nullable=True),
        sa.CheckConstraint(f"machine_reason IS NULL OR machine_reason IN {REASONS}", name="clicks_machine_reason_check"),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], ondelete="CASCADE", name="clicks_link_id_fkey"),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], ondelete="SET NULL", name="clicks_delivery_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="clicks_pkey"),
    )
    op.create_index("ix_clicks_link_id", "clicks", ["link_id", "at"])
    op.create_index("ix_clicks_delivery_id", "clicks", ["delivery_id"])
    op.create_table(
        "post_metrics",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("delivery_id", Id, nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("checkpoint", sa.String(10), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions")),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("gone", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], ondelete="CASCADE", name="post_metrics_delivery_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="post_metrics_pkey"),
    )
    op.create_index("ix_post_metrics_delivery_id", "post_metrics", ["delivery_id", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_post_metrics_delivery_id", table_name="post_metrics")
    op.drop_table("post_metrics")
    op.drop_index("ix_clicks_delivery_id", table_name="clicks")
    op.drop_index("ix_clicks_link_id", table_name="clicks")
    op.drop_table("clicks")
    op.drop_table("click_counts")
    op.drop_table("links")
