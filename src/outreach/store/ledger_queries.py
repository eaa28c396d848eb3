"""Reading the ledger: typed rows and counts for sends, posts, status and reports (nothing here writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import Connection, Engine, Row, and_, func, or_, select

from .db import now
from .delivery import Delivery, DeliveryEvent, DeliveryState, EventKind
from .schema import audiences, deliveries, delivery_events, subscribers


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


def unfinished(engine: Engine, campaign: str, step: int, run_id: int) -> tuple[int, int]:
    """Queued or sending rows of a step, read at one moment: (nobody's or this run's, held by another run: other workers' share)."""
    elsewhere = and_(deliveries.c.run_id.is_not(None), deliveries.c.run_id != run_id)
    q = (select(elsewhere.label("elsewhere"), func.count())
         .where(deliveries.c.campaign == campaign, deliveries.c.step == step,
                deliveries.c.state.in_([DeliveryState.QUEUED, DeliveryState.SENDING]))
         .group_by(elsewhere))
    with engine.connect() as conn:
        found = {bool(k): int(n) for k, n in conn.execute(q).all()}
    return found.get(False, 0), found.get(True, 0)


def free_and_due(engine: Engine, campaign: str, step: int) -> int:
    """Queued rows of a step that are due now and that no run holds."""
    q = select(func.count()).where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == DeliveryState.QUEUED,
                                   deliveries.c.run_id.is_(None), or_(deliveries.c.not_before.is_(None), deliveries.c.not_before <= now()))
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def next_retry(engine: Engine, campaign: str, step: int) -> datetime | None:
    """When the earliest queued-for-retry delivery of a step that no run holds may go (a held one is its holder's to send)."""
    with engine.connect() as conn:
        return conn.execute(
            select(func.min(deliveries.c.not_before)).where(and_(deliveries.c.campaign == campaign, deliveries.c.step == step,
                                                                 deliveries.c.state == DeliveryState.QUEUED, deliveries.c.run_id.is_(None)))
        ).scalar_one_or_none()


def emails_of(conn: Connection, list_name: str, ids: Sequence[int]) -> list[QueuedEmail]:
    """The email deliveries ``ids`` (in id order) with what building their messages needs."""
    from .subscribers import suppressed_clause  # here: store.subscribers imports store.ledger, which imports this module

    rows = conn.execute(
        select(deliveries.c.id, deliveries.c.subscriber_id, subscribers.c.token_key, subscribers.c.display_email, subscribers.c.name,
               suppressed_clause(list_name).label("suppressed"))
        .select_from(deliveries.outerjoin(subscribers, subscribers.c.id == deliveries.c.subscriber_id))
        .where(deliveries.c.id.in_(list(ids)))
        .order_by(deliveries.c.id)
    ).all()
    return [QueuedEmail(r.id, r.subscriber_id, r.token_key, r.display_email, r.name, bool(r.suppressed)) for r in rows]


def find_by_message_id(engine: Engine, message_id: str) -> Delivery | None:
    """The email delivery that went out with this Message-ID (for a bounce or complaint that quotes it)."""
    with engine.connect() as conn:
        return find_by_message_id_in(conn, message_id)


def find_by_message_id_in(conn: Connection, message_id: str) -> Delivery | None:
    """:func:`find_by_message_id` on the caller's connection (inside its transaction)."""
    row = conn.execute(select(deliveries).where(deliveries.c.message_id == message_id).order_by(deliveries.c.id.desc()).limit(1)).first()
    return _delivery(row) if row is not None else None


def events_of(engine: Engine, delivery_id: int) -> list[DeliveryEvent]:
    """What happened to a delivery after it left, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(delivery_events).where(delivery_events.c.delivery_id == delivery_id).order_by(delivery_events.c.id)).all()
    return [DeliveryEvent(r.id, r.delivery_id, EventKind(r.kind), r.detail, r.source, r.occurred_at) for r in rows]


# -- what the inbound recorder reads, on its own transaction's connection -------------------------
# A delivery that went out (or may have): the sends a bounce can answer and the soft-bounce rule counts.
WENT_OUT = (DeliveryState.SENT, DeliveryState.BOUNCED, DeliveryState.COMPLAINED, DeliveryState.UNKNOWN)
# The late events an ``undone`` event can lift, by the prefix of its detail (see late_events.undone_detail).
LIFTABLE = (EventKind.BOUNCED_HARD, EventKind.BOUNCED_SOFT, EventKind.COMPLAINED, EventKind.UNSUBSCRIBED)


def delivery_in(conn: Connection, delivery_id: int) -> Delivery | None:
    """One ledger row by id, or None."""
    row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
    return _delivery(row) if row is not None else None


def latest_sent_email(conn: Connection, address: str) -> Delivery | None:
    """The newest email delivery to ``address`` (normalised) that went out."""
    row = conn.execute(select(deliveries).where(deliveries.c.target == address, deliveries.c.part.is_(None), deliveries.c.state.in_(WENT_OUT))
                       .order_by(deliveries.c.id.desc()).limit(1)).first()
    return _delivery(row) if row is not None else None


def recent_sends(conn: Connection, address: str, window: int) -> list[int]:
    """The ids of the last ``window`` email deliveries to ``address`` that went out, newest first."""
    return [int(i) for i in conn.execute(
        select(deliveries.c.id).where(deliveries.c.target == address, deliveries.c.part.is_(None), deliveries.c.state.in_(WENT_OUT))
        .order_by(deliveries.c.id.desc()).limit(window)).scalars()]


def standing_events(conn: Connection, delivery_ids: Sequence[int]) -> dict[int, dict[EventKind, int]]:
    """Per delivery, how many bounce, complaint and unsubscribe events stand (kept, minus those a person undid)."""
    if not delivery_ids:
        return {}
    return _net(conn.execute(select(delivery_events.c.delivery_id, delivery_events.c.kind, delivery_events.c.detail)
                             .where(delivery_events.c.delivery_id.in_(list(delivery_ids)),
                                    delivery_events.c.kind.in_([k.value for k in (*LIFTABLE, EventKind.UNDONE)]))).all())


def _net(rows: Iterable[tuple[int, str, str | None]]) -> dict[int, dict[EventKind, int]]:
    """Events per delivery and kind, each ``undone`` event taking one off the kind it names."""
    found: dict[int, dict[EventKind, int]] = {}
    for delivery_id, kind, detail in rows:
        lifted = _lifted_kind(detail) if kind == EventKind.UNDONE else EventKind(kind)
        if lifted is not None:
            per = found.setdefault(int(delivery_id), {k: 0 for k in LIFTABLE})
            per[lifted] += -1 if kind == EventKind.UNDONE else 1
    return found


def _lifted_kind(detail: str | None) -> EventKind | None:
    head = (detail or "").split(" ", 1)[0]
    return next((k for k in LIFTABLE if head == k.value), None)


def soft_bounced_sends(conn: Connection, address: str, window: int) -> int:
    """Among the address's last ``window`` sends, how many got a (standing) soft bounce: each send counts once."""
    standing = standing_events(conn, recent_sends(conn, address, window))
    return sum(1 for per in standing.values() if per[EventKind.BOUNCED_SOFT] > 0)


def list_of(conn: Connection, delivery: Delivery) -> str | None:
    """The subscriber list a delivery's step was sent to (None for posts and unknown steps)."""
    return conn.execute(select(audiences.c.list).where(audiences.c.campaign == delivery.campaign, audiences.c.step == delivery.step)).scalar_one_or_none()


def latest_on_list(conn: Connection, address: str, list_name: str) -> Delivery | None:
    """The newest delivery to ``address`` that went out from a step sent to ``list_name``."""
    row = conn.execute(select(deliveries).select_from(deliveries.join(audiences, and_(audiences.c.campaign == deliveries.c.campaign,
                                                                                    audiences.c.step == deliveries.c.step)))
                       .where(deliveries.c.target == address, deliveries.c.part.is_(None), audiences.c.list == list_name,
                              deliveries.c.state.in_(WENT_OUT))
                       .order_by(deliveries.c.id.desc()).limit(1)).first()
    return _delivery(row) if row is not None else None


def campaigns_of(engine: Engine, delivery_ids: Iterable[int]) -> dict[int, str]:
    """The campaign of each delivery id (for tables that show one)."""
    ids = sorted(set(delivery_ids))
    if not ids:
        return {}
    with engine.connect() as conn:
        return {int(i): c for i, c in conn.execute(select(deliveries.c.id, deliveries.c.campaign).where(deliveries.c.id.in_(ids)))}


@dataclass(frozen=True)
class LateCounts:
    """How many of a campaign's emails got each kind of answer (each send counts once per kind; undone events left out)."""

    hard_bounces: int = 0
    soft_bounces: int = 0
    complaints: int = 0
    unsubscribes_by_mail: int = 0

    def as_dict(self) -> dict[str, int]:
        """The non-zero counts, by their printed name."""
        named = {"hard bounces": self.hard_bounces, "soft bounces": self.soft_bounces, "complaints": self.complaints,
                 "unsubscribes by mail": self.unsubscribes_by_mail}
        return {k: v for k, v in named.items() if v}


def late_counts(engine: Engine, campaign: str, step: int | None = None) -> LateCounts:
    """Sends of a campaign (or one step) with a standing hard bounce, soft bounce, complaint or unsubscribe by mail.

    Read from ``delivery_events``, which only hold what came back (a few rows per hundred sends).
    """
    q = (select(delivery_events.c.delivery_id, delivery_events.c.kind, delivery_events.c.detail)
         .select_from(delivery_events.join(deliveries, deliveries.c.id == delivery_events.c.delivery_id))
         .where(deliveries.c.campaign == campaign, delivery_events.c.kind.in_([k.value for k in (*LIFTABLE, EventKind.UNDONE)])))
    if step is not None:
        q = q.where(deliveries.c.step == step)
    with engine.connect() as conn:
        per = _net(conn.execute(q).all()).values()
    n = {k: sum(1 for d in per if d[k] > 0) for k in LIFTABLE}
    return LateCounts(n[EventKind.BOUNCED_HARD], n[EventKind.BOUNCED_SOFT], n[EventKind.COMPLAINED], n[EventKind.UNSUBSCRIBED])


def email_deliveries_of(conn: Connection, subscriber_id: int | None, address: str) -> list[tuple[Delivery, list[DeliveryEvent]]]:
    """A person's email deliveries (by subscriber or by address), oldest first, each with its late events (``subscribers show``)."""
    mine = deliveries.c.target == address
    if subscriber_id is not None:
        mine = mine | (deliveries.c.subscriber_id == subscriber_id)
    found = [_delivery(r) for r in conn.execute(select(deliveries).where(deliveries.c.part.is_(None), mine).order_by(deliveries.c.id))]
    events: dict[int, list[DeliveryEvent]] = {d.id: [] for d in found}
    for r in conn.execute(select(delivery_events).where(delivery_events.c.delivery_id.in_(list(events))).order_by(delivery_events.c.id)):
        events[r.delivery_id].append(DeliveryEvent(r.id, r.delivery_id, EventKind(r.kind), r.detail, r.source, r.occurred_at))
    return [(d, events[d.id]) for d in found]
