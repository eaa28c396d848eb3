"""The ``links`` table: each trackable link of a campaign's email, stored before its first message is built.

A click token names a row here, and ``/c/<token>`` redirects to the row's ``url``,
never to anything a request says. Storing is idempotent and safe when two runs
store at once (a resumed send, the dispatcher, a second ``send``, a test copy): rows
are keyed by campaign and the SHA-256 of the URL, inserted with ``ON CONFLICT DO
NOTHING`` and read back, so every run gets the same id for the same link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import Engine, select, update

from .db import now
from .schema import links
from .upsert import insert_ignore


@dataclass(frozen=True)
class LinkRow:
    """One link to store: the URL as written (with its UTM tags), its visible text, its place in the email."""

    url: str
    label: str | None
    position: int


def url_hash(url: str) -> str:
    """The key of a link within its campaign: SHA-256 of the URL, hex."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def store_links(engine: Engine, campaign: str, rows: Sequence[LinkRow], *, test_copy: bool = False, individual: bool = False) -> dict[str, int]:
    """Store the campaign's links (the ones already stored are kept as they are); return url -> link id.

    A [Test] copy's links are marked ``test_only`` until the real send stores the same link. A link is
    ``individual`` only while every real send that carried it tracked clicks individually.
    """
    if not rows:
        return {}
    stamp = now()
    values = [{"campaign": campaign, "url": r.url, "url_hash": url_hash(r.url), "label": r.label, "position": r.position,
               "created_at": stamp, "test_only": test_copy, "individual": individual and not test_copy} for r in rows]
    by_hash = {v["url_hash"]: v["url"] for v in values}
    with engine.begin() as conn:
        insert_ignore(conn, links, values, ["campaign", "url_hash"])
        if not test_copy:
            ours = (links.c.campaign == campaign, links.c.url_hash.in_(list(by_hash)))
            conn.execute(update(links).where(*ours, links.c.test_only).values(test_only=False, individual=individual))
            if not individual:
                conn.execute(update(links).where(*ours, links.c.individual).values(individual=False))
        found = conn.execute(select(links.c.id, links.c.url, links.c.url_hash)
                             .where(links.c.campaign == campaign, links.c.url_hash.in_(list(by_hash)))).all()
    ids = {row.url: row.id for row in found if by_hash.get(row.url_hash) == row.url}
    missing = [r.url for r in rows if r.url not in ids]
    if missing:  # only a SHA-256 collision gets here
        raise RuntimeError(f"{len(missing)} links of {campaign} could not be stored")
    return ids


def links_of(engine: Engine, campaign: str) -> list[dict]:
    """Every stored link of ``campaign``, in email order."""
    with engine.connect() as conn:
        rows = conn.execute(select(links).where(links.c.campaign == campaign).order_by(links.c.position, links.c.id))
        return [dict(r._mapping) for r in rows]
