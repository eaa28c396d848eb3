"""The database side of ``/c/<token>``: the stored link a click goes to, and one transaction per batch of clicks.

Counts go to ``click_counts`` per link, UTC hour and kind (person or machine) with an
atomic ``INSERT … ON CONFLICT DO UPDATE`` that adds to what is there, so any number of
writers (server processes) can count the same hour at once. Only clicks recorded in
``individual`` mode also get a ``clicks`` row; nothing else about a click is stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update

from .schema import click_counts, clicks, deliveries, links
from .upsert import dialect_insert

_MAX_ID = 2**63 - 1  # BIGINT; a signed token may still carry a larger number


@dataclass(frozen=True)
class ClickRow:
    """One click to count: its link, when, why it is a machine (None: a person) and, individually, its delivery."""

    link_id: int
    at: datetime
    machine_reason: str | None
    individual: bool = False
    delivery_id: int | None = None


@dataclass(frozen=True)
class Move:
    """An earlier click, counted as a person's, that turned out to be part of a burst."""

    link_id: int
    at: datetime
    click_row: int | None  # its ``clicks`` row, in individual mode


def hour_of(at: datetime) -> datetime:
    """The UTC hour ``at`` falls in (the ``click_counts`` key)."""
    return at.replace(minute=0, second=0, microsecond=0)


def link_url(engine: Engine, link_id: int) -> str | None:
    """The stored target of link ``link_id``, or None when there is no such link."""
    if not 0 < link_id <= _MAX_ID:
        return None
    with engine.connect() as conn:
        return conn.execute(select(links.c.url).where(links.c.id == link_id)).scalar_one_or_none()


def write_batch(engine: Engine, rows: list[ClickRow], moves: list[Move]) -> list[int | None]:
    """Count ``rows`` and apply ``moves`` in one transaction; return each row's ``clicks`` id (None in aggregate mode)."""
    with engine.begin() as conn:
        ids = _insert_clicks(conn, rows)
        deltas: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            deltas[(row.link_id, hour_of(row.at))][0 if row.machine_reason is None else 1] += 1
        for move in moves:
            delta = deltas[(move.link_id, hour_of(move.at))]
            delta[0] -= 1
            delta[1] += 1
        _add_counts(conn, deltas)
        moved_rows = [m.click_row for m in moves if m.click_row is not None]
        if moved_rows:
            conn.execute(update(clicks).where(clicks.c.id.in_(moved_rows), clicks.c.machine_reason.is_(None)).values(machine_reason="burst"))
    return ids


def _insert_clicks(conn: Connection, rows: list[ClickRow]) -> list[int | None]:
    individual = [row for row in rows if row.individual]
    if not individual:
        return [None] * len(rows)
    wanted = {row.delivery_id for row in individual if row.delivery_id is not None and 0 < row.delivery_id <= _MAX_ID}
    known = set(conn.execute(select(deliveries.c.id).where(deliveries.c.id.in_(wanted))).scalars()) if wanted else set()
    values = [{"link_id": row.link_id, "delivery_id": row.delivery_id if row.delivery_id in known else None,
               "at": row.at, "machine_reason": row.machine_reason} for row in individual]
    new_ids = iter(conn.execute(insert(clicks).returning(clicks.c.id, sort_by_parameter_order=True), values).scalars().all())
    return [next(new_ids) if row.individual else None for row in rows]


def _add_counts(conn: Connection, deltas: dict[tuple[int, datetime], list[int]]) -> None:
    """Add to each (link, hour)'s counts, creating the row when it is the hour's first click; one statement, no race."""
    if not deltas:
        return
    stmt = dialect_insert(conn, click_counts)
    stmt = stmt.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=["link_id", "hour"],
        set_={"human": click_counts.c.human + stmt.excluded.human, "machine": click_counts.c.machine + stmt.excluded.machine})
    # in key order, so two writers lock the rows of one hour in the same order (no deadlock on PostgreSQL)
    conn.execute(stmt, [{"link_id": link_id, "hour": hour, "human": h, "machine": m}
                        for (link_id, hour), (h, m) in sorted(deltas.items()) if h or m])


def count_totals(engine: Engine, link_ids: list[int] | None = None) -> tuple[int, int]:
    """(people, machines) counted over all hours, for ``link_ids`` or every link."""
    query = select(click_counts.c.human, click_counts.c.machine)
    if link_ids is not None:
        query = query.where(click_counts.c.link_id.in_(link_ids))
    with engine.connect() as conn:
        found = conn.execute(query).all()
    return sum(r.human for r in found), sum(r.machine for r in found)
