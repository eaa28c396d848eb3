"""Signed links name a random per-subscriber key instead of the reusable row id.

Existing subscribers get a fresh random key each; links in mail sent by the
first release (which named the row id) stop working, and lead to the
"this link does not work" page: they could act on the wrong person.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import NAMING_CONVENTION

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("token_key", sa.String(32), nullable=True))
    bind = op.get_bind()
    subscribers = sa.table("subscribers", sa.column("id", sa.BigInteger), sa.column("token_key", sa.String))
    ids = [row.id for row in bind.execute(sa.select(subscribers.c.id))]
    for start in range(0, len(ids), 1000):
        bind.execute(sa.update(subscribers).where(subscribers.c.id == sa.bindparam("sid")).values(token_key=sa.bindparam("key")),
                     [{"sid": sid, "key": secrets.token_urlsafe(16)} for sid in ids[start:start + 1000]])
    # On SQLite this copies the table; the convention names the first release's unnamed UNIQUE(email) on the way.
    with op.batch_alter_table("subscribers", naming_convention=NAMING_CONVENTION) as batch:
        batch.alter_column("token_key", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint("subscribers_token_key_key", ["token_key"])


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_constraint("subscribers_token_key_key", type_="unique")
        batch.drop_column("token_key")
