"""Audience: subscribers' language, country, topics and pause, consent records, frozen segments.

- ``subscribers`` gains ``language``, ``country`` and ``paused_until``;
- ``subscriber_topics``: the [topics] each subscriber follows;
- ``consents``: how each membership was consented to, kept after an unsubscribe. Every
  membership that exists when this runs (active or unsubscribed) gets a record with method
  ``before-records``: it was imported or signed up before records were kept;
- ``audiences`` gains ``description`` and ``filter``: the segment a step was frozen to;
- before this revision an import kept every column but the address and name in
  ``subscribers.attrs`` as text. An old row's ``language`` (or ``lang``, ``locale``),
  ``country`` and ``topics`` (or ``interests``) move to the new columns and
  ``subscriber_topics``, normalised, so segments see them; a value that does not
  normalise stays in attrs as it was.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

from outreach.locale import normalise_country, normalise_language
from outreach.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
METHODS = "('double-opt-in', 'import', 'preferences', 'cli', 'before-records')"
BEFORE_RECORDS = "imported or signed up before consent records were kept (revision 0007)"
BATCH = 500
# attrs keys (as the old import lower-cased the headers) in order of preference, per new column
LEGACY_KEYS = {"language": ("language", "lang", "locale"), "country": ("country",), "topics": ("topics", "interests")}
TOPIC_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TOPIC_SPLIT = re.compile(r"[;,|]")


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
    _move_legacy_attributes()


def _move_legacy_attributes() -> None:
    """Old rows' language, country and topics out of attrs, a batch of subscribers at a time (keyset on id)."""
    meta = sa.MetaData()
    subscribers = sa.Table("subscribers", meta, sa.Column("id", Id), sa.Column("attrs", sa.JSON()),
                           sa.Column("language", sa.String(35)), sa.Column("country", sa.String(2)))
    topics = sa.Table("subscriber_topics", meta, sa.Column("subscriber_id", Id), sa.Column("topic", sa.String(63)))
    change = (sa.update(subscribers).where(subscribers.c.id == sa.bindparam("sid"))
              .values(attrs=sa.bindparam("new_attrs", type_=sa.JSON()), language=sa.bindparam("new_language"),
                      country=sa.bindparam("new_country")))
    conn = op.get_bind()
    last = None
    while True:
        query = sa.select(subscribers.c.id, subscribers.c.attrs).order_by(subscribers.c.id).limit(BATCH)
        rows = conn.execute(query if last is None else query.where(subscribers.c.id > last)).all()
        if not rows:
            return
        last = rows[-1].id
        moved = [(row.id, _moved(row.attrs)) for row in rows]
        moved = [(sid, found) for sid, found in moved if found is not None]
        if moved:
            conn.execute(change, [{"sid": sid, "new_attrs": f["attrs"], "new_language": f["language"], "new_country": f["country"]}
                                  for sid, f in moved])
            followed = [{"subscriber_id": sid, "topic": topic} for sid, f in moved for topic in f["topics"]]
            if followed:
                conn.execute(topics.insert(), followed)


def _moved(attrs: Any) -> dict[str, Any] | None:
    """The row's new attrs, language, country and topics; None when nothing in attrs moves.

    Per column the first key (in LEGACY_KEYS order) whose value normalises moves and leaves
    attrs; a value that does not normalise, and any other key for the same column, stays as
    it was. A blank value says nothing and is dropped (the import never stores one now).
    Topics move when every part is an id; labels cannot be mapped here (the config's
    [topics] is not known to a migration), so a value with any other part stays whole.
    """
    if not isinstance(attrs, dict):
        return None
    found: dict[str, Any] = {"attrs": dict(attrs), "language": None, "country": None, "topics": ()}
    for target, keys in LEGACY_KEYS.items():
        for key in (k for k in keys if isinstance(attrs.get(k), str)):
            value = _normalised(target, attrs[key])
            if value is not None:
                del found["attrs"][key]
                if value:
                    found[target] = value
                    break
    return None if found["attrs"] == attrs else found


def _normalised(target: str, text: str) -> Any:
    """The normal form of an old attrs value for ``target``; ``""``/``()`` for a blank one; None when it does not normalise."""
    if not text.strip():
        return "" if target != "topics" else ()
    if target == "topics":
        parts = [p.strip().lower() for p in TOPIC_SPLIT.split(text) if p.strip()]
        return tuple(dict.fromkeys(parts)) if parts and all(TOPIC_ID.match(p) for p in parts) else None
    try:
        return (normalise_language if target == "language" else normalise_country)(text)
    except ValueError:
        return None


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
