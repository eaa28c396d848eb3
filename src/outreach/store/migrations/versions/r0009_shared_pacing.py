"""Several workers on one email step: one pace for all of them.

- ``audiences.paced_until``: the end of the last stretch of send slots a worker took
  for this step (``[smtp] rate``). Each worker takes its next slots with one update of
  this row, so however many workers share the step, together they keep one rate.
  NULL: no slot taken yet (every existing row).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audiences") as batch:
        batch.add_column(sa.Column("paced_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audiences") as batch:
        batch.drop_column("paced_until")
