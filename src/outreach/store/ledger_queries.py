"""Reading the ledger: typed rows and counts for sends, posts, status and reports (nothing here writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import Engine, Row, and_, func, select

from .db import now
from .delivery import Delivery, DeliveryEvent, DeliveryState, EventKind
from .schema import deliveries, delivery_events, subscribers


@dataclass(frozen=True)
class QueuedEmail:
    """A queued email delivery with what building its message needs (None: the subscriber was deleted)."""

    delivery_id: int
    subscriber_id: int | None
    subscriber_key: str | None
    email: str | None
    name: str | None
    suppressed: bool


def _delivery(row: Row) -> Delivery:
    m = row._mapping
    return Delivery(
        id=int(m["id"]), campaign=m["campaign"], step=int(m["step"]), target=m["target"], state=DeliveryState(m["state"]),
        attempts=int(m["attempts"]), updated_at=m["updated_at"], subscriber_id=m["subscriber_id"], part=m["part"],
        not_before=m["not_before"], run_id=m["run_id"], detail=m["detail"], message_id=m["message_id"],
        envelope_sender=m["envelope_sender"], remote_id=m["remote_id"], remote_url=m["remote_url"], payload=m["payload"],
    )


def counts(engine: Engine, campaign: str, step: int | None = None) -> dict[str, int]:
    """Deliveries per state for a campaign (or one step); every state is a key."""
    q = select(deliveries.c.state, func.count()).where(deliveries.c.campaign == campaign).group_by(deliveries.c.state)
    if step is not None:
        q = q.where(deliveries.c.step == step)
    with engine.connect() as conn:
        found = dict(conn.execute(q).all())
    return {state.value: int(found.get(state.value, 0)) for state in DeliveryState}


def deliveries_in(engine: Engine, campaign: str, states: Iterable[str], step: int | None = None, limit: int = 1000) -> list[Delivery]:
    """Ledger rows of a campaign in the given states, in step and id order."""
    q = (select(deliveries).where(deliveries.c.campaign == campaign, deliveries.c.state.in_([str(s) for s in states]))
         .order_by(deliveries.c.step, deliveries.c.id).limit(limit))
    if step is not None:
        q = q.where(deliveries.c.step == step)
    with engine.connect() as conn:
        return [_delivery(r) for r in conn.execute(q)]


def post_parts(engine: Engine, campaign: str, step: int) -> dict[int, Delivery]:
    """A post step's parts in the ledger, by part number."""
    with engine.connect() as conn:
        found = conn.execute(select(deliveries).where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.part.is_not(None)))
        return {int(r.part): _delivery(r) for r in found}


def step_kinds(engine: Engine, campaign: str | None = None) -> dict[tuple[str, int], str]:
    """Each step in the ledger, ``"post"`` or ``"email"``, by (campaign, step)."""
    q = select(deliveries.c.campaign, deliveries.c.step, func.max(deliveries.c.part)).group_by(deliveries.c.campaign, deliveries.c.step)
    if campaign:
        q = q.where(deliveries.c.campaign == campaign)
    with engine.connect() as conn:
        return {(name, int(number)): ("post" if part is not None else "email") for name, number, part in conn.execute(q)}


def next_retry(engine: Engine, campaign: str, step: int) -> datetime | None:
    """When the earliest queued-for-retry delivery of a step may go."""
    with engine.connect() as conn:
        return conn.execute(
            select(func.min(deliveries.c.not_before)).where(and_(deliveries.c.campaign == campaign, deliveries.c.step == step,
                                                                 deliveries.c.state == DeliveryState.QUEUED))
        ).scalar_one_or_none()


def queued_emails(engine: Engine, campaign: str, step: int, list_name: str, after: int, limit: int) -> list[QueuedEmail]:
    """The next ``limit`` queued, due email deliveries after id ``after`` (keyset pagination), with their subscriber."""
    from .subscribers import suppressed_clause  # here: store.subscribers imports store.ledger, which imports this module

    with engine.connect() as conn:
        rows = conn.execute(
            select(deliveries.c.id, deliveries.c.subscriber_id, subscribers.c.token_key, subscribers.c.display_email, subscribers.c.name,
                   suppressed_clause(list_name).label("suppressed"))
            .select_from(deliveries.outerjoin(subscribers, subscribers.c.id == deliveries.c.subscriber_id))
            .where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == DeliveryState.QUEUED, deliveries.c.id > after)
            .where((deliveries.c.not_before.is_(None)) | (deliveries.c.not_before <= now()))
            .order_by(deliveries.c.id)
            .limit(limit)
        ).all()
    return [QueuedEmail(r.id, r.subscriber_id, r.token_key, r.display_email, r.name, bool(r.suppressed)) for r in rows]


def find_by_message_id(engine: Engine, message_id: str) -> Delivery | None:
    """The email delivery that went out with this Message-ID (for a bounce or complaint that quotes it)."""
    with engine.connect() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.message_id == message_id).order_by(deliveries.c.id.desc()).limit(1)).first()
    return _delivery(row) if row is not None else None


def events_of(engine: Engine, delivery_id: int) -> list[DeliveryEvent]:
    """What happened to a delivery after it left, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(delivery_events).where(delivery_events.c.delivery_id == delivery_id).order_by(delivery_events.c.id)).all()
    return [DeliveryEvent(r.id, r.delivery_id, EventKind(r.kind), r.detail, r.source, r.occurred_at) for r in rows]
