"""Reads and writes of ``inbound_messages``: every bounce, complaint, auto-reply, mailto unsubscribe or ESP event kept.

A row is inserted first, before anything it causes, so the ``receipt`` unique key
settles a replay (or two receivers with the same message) before any effect is
applied; the row is completed with what was done in the same transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, Engine, Row, insert, select, update

from .db import now
from .schema import inbound_messages


@dataclass(frozen=True)
class NewInbound:
    """What is known of an inbound message before it is acted on."""

    received_at: datetime
    source: str
    kind: str
    reason: str
    status: str | None
    address: str | None
    receipt: str | None
    raw: bytes
    raw_size: int


@dataclass(frozen=True)
class InboundRow:
    """One kept inbound message, as stored."""

    id: int
    received_at: datetime
    source: str
    kind: str
    reason: str
    status: str | None
    address: str | None
    delivery_id: int | None
    receipt: str | None
    raw: bytes
    raw_size: int
    action: str
    effects: dict[str, Any]
    undone_at: datetime | None
    undone_by: str | None


def _row(r: Row) -> InboundRow:
    m = r._mapping
    return InboundRow(int(m["id"]), m["received_at"], m["source"], m["kind"], m["reason"], m["status"], m["address"],
                      m["delivery_id"], m["receipt"], bytes(m["raw"]), int(m["raw_size"]), m["action"], dict(m["effects"] or {}),
                      m["undone_at"], m["undone_by"])


def insert_pending(conn: Connection, rows: Sequence[NewInbound]) -> list[int]:
    """Insert ``rows`` (action still empty), in order; their ids. A repeated receipt raises the driver's IntegrityError."""
    ids = []
    for new in rows:
        values = {**asdict(new), "action": "", "effects": None}
        ids.append(int(conn.execute(insert(inbound_messages).returning(inbound_messages.c.id), [values]).scalar_one()))
    return ids


def complete(conn: Connection, inbound_id: int, *, address: str | None, delivery_id: int | None, action: str, effects: dict[str, Any]) -> None:
    """Write what was done about a pending row."""
    conn.execute(update(inbound_messages).where(inbound_messages.c.id == inbound_id)
                 .values(address=address, delivery_id=delivery_id, action=action, effects=effects or None))


def existing_receipts(engine: Engine, receipts: Sequence[str]) -> list[str]:
    """Which of ``receipts`` are already kept."""
    if not receipts:
        return []
    with engine.connect() as conn:
        return sorted(conn.execute(select(inbound_messages.c.receipt).where(inbound_messages.c.receipt.in_(list(receipts)))).scalars())


def get(engine: Engine, inbound_id: int) -> InboundRow | None:
    """One kept message, or None."""
    with engine.connect() as conn:
        return get_in(conn, inbound_id)


def get_in(conn: Connection, inbound_id: int) -> InboundRow | None:
    """:func:`get` on the caller's connection."""
    r = conn.execute(select(inbound_messages).where(inbound_messages.c.id == inbound_id)).first()
    return _row(r) if r is not None else None


def recent(engine: Engine, kind: str | None = None, limit: int = 50) -> list[InboundRow]:
    """The newest kept messages (of one kind), newest first."""
    q = select(inbound_messages).order_by(inbound_messages.c.received_at.desc(), inbound_messages.c.id.desc()).limit(limit)
    if kind is not None:
        q = q.where(inbound_messages.c.kind == kind)
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(q)]


def standing_suppressors(conn: Connection, address: str, excluding: int) -> list[int]:
    """Ids of other kept messages, not undone, whose effects suppressed ``address`` on every list."""
    rows = conn.execute(select(inbound_messages.c.id, inbound_messages.c.effects)
                        .where(inbound_messages.c.address == address, inbound_messages.c.undone_at.is_(None),
                               inbound_messages.c.id != excluding)).all()
    return [int(i) for i, effects in rows if (effects or {}).get("suppressed")]


def mark_undone(conn: Connection, inbound_id: int, by: str) -> bool:
    """Set ``undone_at``/``undone_by`` once (a conditional update: of two simultaneous undos one wins); True if this one did."""
    return bool(conn.execute(update(inbound_messages).where(inbound_messages.c.id == inbound_id, inbound_messages.c.undone_at.is_(None))
                             .values(undone_at=now(), undone_by=by)).rowcount)


def set_action(conn: Connection, inbound_id: int, action: str) -> None:
    """Replace the one-line account of what was done (an undo adds to it)."""
    conn.execute(update(inbound_messages).where(inbound_messages.c.id == inbound_id).values(action=action))


def clear_content(conn: Connection, inbound_id: int, reason: str) -> None:
    """Keep that a message came, not what it said or whom it named (it is about a person who was forgotten)."""
    conn.execute(update(inbound_messages).where(inbound_messages.c.id == inbound_id).values(raw=b"", address=None, reason=reason, status=None))
