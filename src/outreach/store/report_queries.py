"""Reading what happened after a campaign went out, for ``outreach report`` (nothing here writes).

Every query takes the campaign's slug and returns typed rows. The numbers are
defined here, once:

- the audience: each email step's frozen ``audiences`` row (list, total and the audience in words);
- sent: email deliveries that went out (``sent``, ``bounced``, ``complained``,
  ``unknown``: :data:`~outreach.store.ledger_queries.WENT_OUT`);
- bounces and complaints: :func:`~outreach.store.ledger_queries.late_counts`, as ``status`` counts them;
- unsubscribes attributed to the campaign (last touch on the list): see :func:`unsubscribed_addresses`;
- clicks: ``click_counts`` per link and hour in every mode; unique clickers from ``clicks``
  (written only in individual mode);
- reactions: every ``post_metrics`` row of the campaign's post parts, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, distinct, exists, false, func, select
from sqlalchemy.orm import aliased

from .delivery import DeliveryState, EventKind
from .ledger_queries import WENT_OUT, standing_events
from .schema import audiences, audit, click_counts, clicks, deliveries, delivery_events, links, post_metrics, steps


@dataclass(frozen=True)
class AudienceRow:
    """One email step's audience as frozen when it was enqueued."""

    step: int
    list_name: str
    total: int
    enqueued_at: datetime
    description: str | None = None  # the audience in words (NULL for steps frozen before revision 0007)


@dataclass(frozen=True)
class LinkRow:
    """A tracked link of the campaign's email, with its clicks (all hours together)."""

    id: int
    position: int
    url: str
    label: str | None
    human: int
    machine: int
    individual: bool  # every send that carried it tracked clicks individually


@dataclass(frozen=True)
class HourRow:
    """Clicks on every link of the campaign in one UTC hour."""

    hour: datetime
    human: int
    machine: int


@dataclass(frozen=True)
class PostRow:
    """One published (or attempted) part of a post step."""

    delivery_id: int
    step: int
    part: int
    channel: str | None  # from the schedule; None when the step was posted by hand
    state: str
    remote_id: str | None
    remote_url: str | None


@dataclass(frozen=True)
class MetricRow:
    """One reading of a post's reactions (counts None: not exposed by the platform, or the read failed)."""

    delivery_id: int
    taken_at: datetime
    checkpoint: str
    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    bookmarks: int | None
    impressions: int | None
    error: str | None


def campaign_known(engine: Engine, campaign: str) -> bool:
    """Whether the database holds anything of ``campaign`` (a delivery, a scheduled step, an audience, a link)."""
    with engine.connect() as conn:
        return any(conn.execute(select(t.c.campaign).where(t.c.campaign == campaign).limit(1)).first() is not None
                   for t in (deliveries, steps, audiences, links))


def audience_rows(engine: Engine, campaign: str) -> list[AudienceRow]:
    """The campaign's email steps and the audience each was frozen to, in step order."""
    with engine.connect() as conn:
        rows = conn.execute(select(audiences).where(audiences.c.campaign == campaign).order_by(audiences.c.step)).all()
    return [AudienceRow(int(r.step), r.list, int(r.total), r.enqueued_at, r.description) for r in rows]


def email_states(engine: Engine, campaign: str) -> dict[str, int]:
    """The campaign's email deliveries per state (every state a key)."""
    q = (select(deliveries.c.state, func.count()).where(deliveries.c.campaign == campaign, deliveries.c.part.is_(None))
         .group_by(deliveries.c.state))
    with engine.connect() as conn:
        found = dict(conn.execute(q).all())
    return {state.value: int(found.get(state.value, 0)) for state in DeliveryState}


def unsubscribed_addresses(engine: Engine, campaign: str) -> set[str]:
    """The addresses whose unsubscribe is attributed to this campaign (each counts once).

    Last touch on the list: an address counts when this campaign's email to it went out and
    - a standing ``unsubscribed`` event answers that email (an unsubscribe by mail, or an ESP's event), or
    - it left the list the email was sent to (``audit`` action ``unsubscribed``: the one-click page, mailto,
      an ESP) at or after the step was enqueued and before any later step sent to it on that list was.
    An unsubscribe that a complaint caused (source ``complaint``) counts as the complaint, not here.
    """
    return _event_unsubscribes(engine, campaign) | _audit_unsubscribes(engine, campaign)


def _event_unsubscribes(engine: Engine, campaign: str) -> set[str]:
    q = (select(deliveries.c.id, deliveries.c.target).select_from(deliveries.join(delivery_events, delivery_events.c.delivery_id == deliveries.c.id))
         .where(deliveries.c.campaign == campaign, deliveries.c.part.is_(None), delivery_events.c.kind == EventKind.UNSUBSCRIBED.value))
    with engine.connect() as conn:
        targets = dict(conn.execute(q).all())
        standing = standing_events(conn, list(targets))
    return {targets[i] for i, per in standing.items() if per[EventKind.UNSUBSCRIBED] > 0}


def _audit_unsubscribes(engine: Engine, campaign: str) -> set[str]:
    later_step, later = aliased(audiences), aliased(deliveries)
    touched_again = exists().where(  # a later step on the same list went out to the address before it left
        later.c.target == deliveries.c.target, later.c.part.is_(None), later.c.state.in_([s.value for s in WENT_OUT]),
        later_step.c.campaign == later.c.campaign, later_step.c.step == later.c.step, later_step.c.list == audiences.c.list,
        later_step.c.enqueued_at > audiences.c.enqueued_at, later_step.c.enqueued_at <= audit.c.at)
    q = (select(deliveries.c.target).distinct()
         .select_from(deliveries.join(audiences, and_(audiences.c.campaign == deliveries.c.campaign, audiences.c.step == deliveries.c.step))
                      .join(audit, and_(audit.c.email == deliveries.c.target, audit.c.list == audiences.c.list)))
         .where(deliveries.c.campaign == campaign, deliveries.c.part.is_(None), deliveries.c.state.in_([s.value for s in WENT_OUT]),
                audit.c.action == "unsubscribed", audit.c.source != "complaint", audit.c.at >= audiences.c.enqueued_at, ~touched_again))
    with engine.connect() as conn:
        return {str(t) for t in conn.execute(q).scalars()}


def link_rows(engine: Engine, campaign: str) -> list[LinkRow]:
    """The campaign's tracked links in the order they appear in the email, with their click totals (not a [Test] copy's own)."""
    totals = (select(click_counts.c.link_id, func.sum(click_counts.c.human).label("human"), func.sum(click_counts.c.machine).label("machine"))
              .group_by(click_counts.c.link_id).subquery())
    q = (select(links.c.id, links.c.position, links.c.url, links.c.label, totals.c.human, totals.c.machine, links.c.individual)
         .select_from(links.outerjoin(totals, totals.c.link_id == links.c.id))
         .where(links.c.campaign == campaign, links.c.test_only.is_(false())).order_by(links.c.position, links.c.id))
    with engine.connect() as conn:
        return [LinkRow(int(r.id), int(r.position), r.url, r.label, int(r.human or 0), int(r.machine or 0), bool(r.individual))
                for r in conn.execute(q)]


def click_hours(engine: Engine, campaign: str) -> list[HourRow]:
    """Clicks on the campaign's links per UTC hour (hours with none are left out), oldest first."""
    q = (select(click_counts.c.hour, func.sum(click_counts.c.human), func.sum(click_counts.c.machine))
         .select_from(click_counts.join(links, links.c.id == click_counts.c.link_id))
         .where(links.c.campaign == campaign).group_by(click_counts.c.hour).order_by(click_counts.c.hour))
    with engine.connect() as conn:
        return [HourRow(hour, int(h or 0), int(m or 0)) for hour, h, m in conn.execute(q)]


def unique_clickers(engine: Engine, campaign: str) -> tuple[dict[int, int], int]:
    """People (deliveries) who clicked, per link id and over all links; machine clicks left out (individual mode only)."""
    person = and_(links.c.campaign == campaign, clicks.c.machine_reason.is_(None), clicks.c.delivery_id.is_not(None))
    joined = clicks.join(links, links.c.id == clicks.c.link_id)
    with engine.connect() as conn:
        per = dict(conn.execute(select(clicks.c.link_id, func.count(distinct(clicks.c.delivery_id))).select_from(joined)
                                .where(person).group_by(clicks.c.link_id)).all())
        total = conn.execute(select(func.count(distinct(clicks.c.delivery_id))).select_from(joined).where(person)).scalar_one()
    return {int(k): int(v) for k, v in per.items()}, int(total or 0)


def post_rows(engine: Engine, campaign: str) -> list[PostRow]:
    """Every post part of the campaign in the ledger, in step and part order, with its channel when scheduled."""
    q = (select(deliveries.c.id, deliveries.c.step, deliveries.c.part, deliveries.c.state, deliveries.c.remote_id, deliveries.c.remote_url,
                steps.c.channel)
         .select_from(deliveries.outerjoin(steps, and_(steps.c.campaign == deliveries.c.campaign, steps.c.step == deliveries.c.step)))
         .where(deliveries.c.campaign == campaign, deliveries.c.part.is_not(None)).order_by(deliveries.c.step, deliveries.c.part))
    with engine.connect() as conn:
        return [PostRow(int(r.id), int(r.step), int(r.part), r.channel, r.state, r.remote_id, r.remote_url) for r in conn.execute(q)]


def metric_rows(engine: Engine, campaign: str) -> list[MetricRow]:
    """Every reading of the campaign's post reactions, per post in time order."""
    m = post_metrics.c
    q = (select(m.delivery_id, m.taken_at, m.checkpoint, m.likes, m.reposts, m.replies, m.quotes, m.bookmarks, m.impressions, m.error)
         .select_from(post_metrics.join(deliveries, deliveries.c.id == m.delivery_id))
         .where(deliveries.c.campaign == campaign).order_by(m.delivery_id, m.taken_at, m.id))
    with engine.connect() as conn:
        return [MetricRow(*r) for r in conn.execute(q)]
