"""Late events: what comes back after a message went out (bounces, complaints, unsubscribes by mail, a person's undo), and forgetting a person.

Each is kept in ``delivery_events`` next to the state it caused; a hard bounce or a
complaint also suppresses the address on every list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import Connection, Engine, insert, or_, select, update

from ..errors import OutreachError
from .db import now
from .delivery import DeliveryState, EventKind
from .ledger_queries import standing_events
from .schema import deliveries, delivery_events

def keep_event(conn: Connection, delivery_id: int, kind: EventKind, detail: str | None, source: str, at: datetime) -> None:
    """Keep an event against a delivery; a hard bounce or a complaint also suppresses its address on every list."""
    conn.execute(insert(delivery_events), [{"delivery_id": delivery_id, "kind": kind.value, "detail": detail, "source": source, "occurred_at": at}])
    if kind in (EventKind.BOUNCED_HARD, EventKind.COMPLAINED):
        # a hard bounce or a complaint: no list sends to this address again (the first reason stays)
        from .subscribers import ALL_LISTS, suppress  # here: store.subscribers imports this module

        target = conn.execute(select(deliveries.c.target).where(deliveries.c.id == delivery_id, deliveries.c.part.is_(None))).scalar_one_or_none()
        if target is not None:
            suppress(conn, target, ALL_LISTS, "bounced" if kind == EventKind.BOUNCED_HARD else "complained", source, detail)


def _late(engine: Engine, delivery_id: int, kind: EventKind, to: DeliveryState, from_states: tuple[DeliveryState, ...],
          detail: str | None, source: str, occurred_at: datetime | None) -> DeliveryState:
    """Keep the event, and move the row to ``to`` if it is in ``from_states``; return the row's state now."""
    with engine.begin() as conn:
        return _late_in(conn, delivery_id, kind, to, from_states, detail, source, occurred_at)


def _late_in(conn: Connection, delivery_id: int, kind: EventKind, to: DeliveryState, from_states: tuple[DeliveryState, ...],
             detail: str | None, source: str, occurred_at: datetime | None) -> DeliveryState:
    """:func:`_late` inside the caller's transaction."""
    at = occurred_at or now()
    state = conn.execute(select(deliveries.c.state).where(deliveries.c.id == delivery_id)).scalar_one_or_none()
    if state is None:
        raise OutreachError(f"delivery {delivery_id} is not in the ledger")
    moved = conn.execute(update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.state.in_(from_states))
                         .values(state=to, detail=detail, updated_at=now())).rowcount
    keep_event(conn, delivery_id, kind, detail, source, at)
    return to if moved else DeliveryState(state)


def record_bounce(engine: Engine, delivery_id: int, *, hard: bool, detail: str | None, source: str = "bounce",
                  occurred_at: datetime | None = None) -> DeliveryState:
    """A bounce came back for a delivery: ``sent`` (or ``unknown``: it did go out) → ``bounced``, the event kept.

    A hard bounce also suppresses the address on every list; a soft one only records what happened.
    A row in any other state keeps its state; the event is kept all the same. Returns the state now.
    """
    kind = EventKind.BOUNCED_HARD if hard else EventKind.BOUNCED_SOFT
    return _late(engine, delivery_id, kind, DeliveryState.BOUNCED, (DeliveryState.SENT, DeliveryState.UNKNOWN), detail, source, occurred_at)


def record_complaint(engine: Engine, delivery_id: int, *, detail: str | None, source: str = "complaint",
                     occurred_at: datetime | None = None) -> DeliveryState:
    """A recipient reported the message as spam: ``sent``, ``unknown`` or ``bounced`` → ``complained``.

    The address is suppressed on every list and the event kept. Returns the state now.
    """
    return _late(engine, delivery_id, EventKind.COMPLAINED, DeliveryState.COMPLAINED,
                 (DeliveryState.SENT, DeliveryState.UNKNOWN, DeliveryState.BOUNCED), detail, source, occurred_at)


_BOUNCE_FROM = (DeliveryState.SENT, DeliveryState.UNKNOWN)
_STATE_EVENTS = (EventKind.BOUNCED_HARD, EventKind.BOUNCED_SOFT, EventKind.COMPLAINED)  # what moves a row to bounced or complained
_COMPLAINT_FROM = (DeliveryState.SENT, DeliveryState.UNKNOWN, DeliveryState.BOUNCED)


def record_bounce_in(conn: Connection, delivery_id: int, *, hard: bool, detail: str | None, source: str,
                     occurred_at: datetime | None = None) -> DeliveryState:
    """:func:`record_bounce` inside the caller's transaction (the inbound recorder keeps a batch in one)."""
    kind = EventKind.BOUNCED_HARD if hard else EventKind.BOUNCED_SOFT
    return _late_in(conn, delivery_id, kind, DeliveryState.BOUNCED, _BOUNCE_FROM, detail, source, occurred_at)


def record_complaint_in(conn: Connection, delivery_id: int, *, detail: str | None, source: str,
                        occurred_at: datetime | None = None) -> DeliveryState:
    """:func:`record_complaint` inside the caller's transaction."""
    return _late_in(conn, delivery_id, EventKind.COMPLAINED, DeliveryState.COMPLAINED, _COMPLAINT_FROM, detail, source, occurred_at)


def record_unsubscribed_in(conn: Connection, delivery_id: int, *, detail: str | None, source: str) -> None:
    """Keep an unsubscribe by mail against the delivery it answers (the row's state stays: it was delivered)."""
    keep_event(conn, delivery_id, EventKind.UNSUBSCRIBED, detail, source, now())


def undone_detail(kind: EventKind, inbound_id: int, by: str) -> str:
    """The detail of an ``undone`` event: it starts with the kind it lifts, which is how counts leave it out."""
    return f"{kind.value} undone: inbound message {inbound_id}, by {by}"


def record_undone_in(conn: Connection, delivery_id: int, kind: EventKind, inbound_id: int, by: str) -> DeliveryState:
    """A person lifted a ``kind`` event (the event stays; an ``undone`` event is added next to it).

    When no bounce or complaint is left standing on the row, a ``bounced`` or ``complained``
    row goes back to ``sent``: it was delivered. Returns the row's state now.
    """
    keep_event(conn, delivery_id, EventKind.UNDONE, undone_detail(kind, inbound_id, by), "cli", now())
    state = DeliveryState(conn.execute(select(deliveries.c.state).where(deliveries.c.id == delivery_id)).scalar_one())
    left = standing_events(conn, [delivery_id]).get(delivery_id, {})
    if state in (DeliveryState.BOUNCED, DeliveryState.COMPLAINED) and not any(left.get(k) for k in _STATE_EVENTS):
        conn.execute(update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.state == state)
                     .values(state=DeliveryState.SENT, detail=f"{kind.value} undone by {by}", updated_at=now()))
        return DeliveryState.SENT
    return state


# -- forgetting a person (store.privacy.forget) ---------------------------------------------------

FORGOTTEN_TARGET = "forgotten-"  # the target of a delivery made anonymous: forgotten-<delivery id>

def forget_recipient_in(conn: Connection, subscriber_id: int | None, address: str, scrub: Callable[[str | None], str | None]) -> list[int]:
    """Make a forgotten person's email deliveries anonymous; their ids.

    The counts stay (each row keeps its campaign, step and state; a queued one becomes
    suppressed), but nothing names the person: the target becomes ``forgotten-<id>``, the
    subscriber, Message-ID, envelope sender and remote id are cleared (a mail log could tie
    them to the address), and ``scrub`` takes the address out of every detail.
    """
    mine = or_(deliveries.c.target == address, deliveries.c.subscriber_id == subscriber_id) if subscriber_id is not None else deliveries.c.target == address
    rows = conn.execute(select(deliveries.c.id, deliveries.c.state, deliveries.c.detail).where(deliveries.c.part.is_(None), mine)).all()
    for r in rows:
        state = DeliveryState.SUPPRESSED.value if r.state == DeliveryState.QUEUED.value else r.state
        detail = "forgotten" if r.state == DeliveryState.QUEUED.value else scrub(r.detail)
        conn.execute(update(deliveries).where(deliveries.c.id == r.id).values(
            target=f"{FORGOTTEN_TARGET}{r.id}", subscriber_id=None, state=state, detail=detail, message_id=None, envelope_sender=None,
            remote_id=None, remote_url=None, payload=None))
    ids = [int(r.id) for r in rows]
    for event in conn.execute(select(delivery_events.c.id, delivery_events.c.detail).where(delivery_events.c.delivery_id.in_(ids))).all():
        conn.execute(update(delivery_events).where(delivery_events.c.id == event.id).values(detail=scrub(event.detail)))
    return ids
