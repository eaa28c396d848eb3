"""A subscriber's own settings beside their lists: the topics they follow and a pause.

Each function works inside the caller's transaction, so a change and its audit row
(written by the caller, with its source) commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import Connection, delete, select, update

from .schema import subscriber_topics, subscribers
from .upsert import insert_ignore


def topics_of(conn: Connection, subscriber_id: int) -> list[str]:
    """The topic ids the subscriber follows, sorted."""
    return sorted(conn.execute(select(subscriber_topics.c.topic).where(subscriber_topics.c.subscriber_id == subscriber_id)).scalars())


def add_topics(conn: Connection, subscriber_id: int, topics: Iterable[str]) -> list[str]:
    """Follow ``topics`` as well (never dropping any); the ones newly added, sorted."""
    wanted = sorted(set(topics) - set(topics_of(conn, subscriber_id)))
    insert_ignore(conn, subscriber_topics, [{"subscriber_id": subscriber_id, "topic": t} for t in wanted], ["subscriber_id", "topic"])
    return wanted


def set_topics(conn: Connection, subscriber_id: int, topics: Iterable[str]) -> tuple[list[str], list[str]]:
    """Follow exactly ``topics``; the (added, removed) topic ids, each sorted."""
    wanted, held = set(topics), set(topics_of(conn, subscriber_id))
    removed = sorted(held - wanted)
    if removed:
        conn.execute(delete(subscriber_topics).where(subscriber_topics.c.subscriber_id == subscriber_id, subscriber_topics.c.topic.in_(removed)))
    return add_topics(conn, subscriber_id, wanted), removed


def pause(conn: Connection, subscriber_id: int, until: datetime | None) -> None:
    """No campaign mail to this subscriber before ``until`` (None lifts a pause)."""
    conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id).values(paused_until=until))
