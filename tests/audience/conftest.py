"""Fixtures for the audience tests: people put straight into the store (every field the filter reads), a config file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from outreach.store.schema import memberships, subscriber_topics, subscribers, suppressions

NOW = datetime.now(timezone.utc)


@dataclass(frozen=True)
class Person:
    """Someone to put in the database; ``lists`` maps a list to the membership's status."""

    email: str
    lists: dict[str, str] = field(default_factory=lambda: {"research": "active"})
    topics: tuple[str, ...] = ()
    language: str | None = None
    country: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    paused_until: datetime | None = None
    suppressed: str | None = None  # the suppression list ("*" or a list name)


def add_people(engine: Engine, people: list[Person]) -> dict[str, int]:
    """Insert ``people``; their ids by address."""
    ids = {}
    with engine.begin() as conn:
        for p in people:
            sid = conn.execute(insert(subscribers).returning(subscribers.c.id), [{
                "email": p.email, "display_email": p.email, "name": p.email.split("@")[0].title(), "attrs": p.attrs,
                "created_at": NOW, "updated_at": NOW, "language": p.language, "country": p.country, "paused_until": p.paused_until}]).scalar_one()
            ids[p.email] = int(sid)
            for name, status in p.lists.items():
                conn.execute(insert(memberships), [{"subscriber_id": sid, "list": name, "status": status, "source": "cli", "updated_at": NOW}])
            if p.topics:
                conn.execute(insert(subscriber_topics), [{"subscriber_id": sid, "topic": t} for t in p.topics])
            if p.suppressed:
                conn.execute(insert(suppressions), [{"email": p.email, "list": p.suppressed, "reason": "manual", "created_at": NOW}])
    return ids


def token_key_of(engine: Engine, email: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == email)).scalar_one())


# The done-when population: one person per way of not being in the segment, and the ones who are.
SEGMENT = '{ list = "research", topics = { any = ["asia", "peace"] }, language = "en" }'
EVERYONE = [
    Person("asia@example.org", topics=("asia",), language="en"),
    Person("peace@example.org", topics=("peace", "climate"), language="en-gb"),
    Person("both@example.org", topics=("asia", "peace"), language="en", lists={"research": "active", "briefing": "active"}),
    Person("other-list@example.org", topics=("asia",), language="en", lists={"briefing": "active"}),
    Person("other-topic@example.org", topics=("africa",), language="en"),
    Person("no-topic@example.org", language="en"),
    Person("danish@example.org", topics=("asia",), language="da"),
    Person("unsubscribed@example.org", topics=("asia",), language="en", lists={"research": "unsubscribed"}),
    Person("pending@example.org", topics=("asia",), language="en", lists={"research": "pending"}),
    Person("suppressed-all@example.org", topics=("asia",), language="en", suppressed="*"),
    Person("suppressed-list@example.org", topics=("peace",), language="en", suppressed="research"),
    Person("paused@example.org", topics=("asia",), language="en", paused_until=NOW + timedelta(days=30)),
    Person("pause-over@example.org", topics=("peace",), language="en", paused_until=NOW - timedelta(days=1)),
]
MATCHING = {"asia@example.org", "peace@example.org", "both@example.org", "pause-over@example.org"}
# active, unsuppressed members of research, paused or not
RESEARCH_ACTIVE = MATCHING | {"other-topic@example.org", "no-topic@example.org", "danish@example.org", "paused@example.org"}


@pytest.fixture
def audience_config(db_config, tmp_path):
    """Write ``outreach.toml`` on the test database (outbox, approval off, lists research and briefing); returns its path."""

    def write(extra: str = "") -> Path:
        text = (f'database = "{db_config.database}"\noutbox = "{tmp_path / "outbox"}"\nrequire_approval = false\n'
                '[lists.research]\ntitle = "DIIS research newsletter"\n[lists.briefing]\ntitle = "DIIS policy briefing"\n' + extra)
        path = tmp_path / "outreach.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
