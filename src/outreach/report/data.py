"""Everything ``outreach report`` shows, gathered once into frozen values (the SQL is in :mod:`outreach.store.report_queries`).

The terminal, HTML, JSON and CSV outputs all read this one :class:`Report`, so
they cannot disagree about a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Mapping

from sqlalchemy import Engine

from ..channels.outbox import is_outbox_id
from ..channels.reactions import REACTION_NAMES
from ..errors import OutreachError
from ..store import report_queries as q
from ..store.db import now
from ..store.ledger_queries import WENT_OUT, late_counts

REACTIONS = REACTION_NAMES


class TrackingMode(StrEnum):
    """``[tracking] clicks``: what the click counts can say."""

    AGGREGATE = "aggregate"
    INDIVIDUAL = "individual"
    OFF = "off"


# The query rows are the report's values where they already say exactly what the report shows.
Audience = q.AudienceRow  # an email step's list and how many addresses it held when the step was enqueued
HourClicks = q.HourRow  # clicks on all links in one UTC hour


@dataclass(frozen=True)
class EmailSummary:
    """What happened to the campaign's email (all email steps together)."""

    audiences: tuple[Audience, ...]
    sent: int  # went out: sent, bounced, complained or unknown (ledger_queries.WENT_OUT)
    states: Mapping[str, int]  # every ledger state of the campaign's email deliveries
    bounced_hard: int
    bounced_soft: int
    complaints: int
    unsubscribes: int  # last touch on the list (report_queries.unsubscribed_addresses)

    @property
    def audience_total(self) -> int:
        """Addresses in every email step's audience together."""
        return sum(a.total for a in self.audiences)


@dataclass(frozen=True)
class LinkClicks:
    """One tracked link and its clicks."""

    position: int
    url: str
    label: str | None
    human: int
    machine: int
    unique: int | None  # people who clicked; None unless clicks are tracked individually


@dataclass(frozen=True)
class Clicks:
    """Clicks on the campaign's email links."""

    mode: TrackingMode
    links: tuple[LinkClicks, ...]
    hours: tuple[HourClicks, ...]
    unique_total: int | None  # None unless individual mode
    note: str  # one line saying what the numbers can and cannot tell

    @property
    def human(self) -> int:
        """Clicks by people on every link."""
        return sum(link.human for link in self.links)

    @property
    def machine(self) -> int:
        """Clicks by machines (HEAD requests, link scanners, clicks too soon after delivery) on every link."""
        return sum(link.machine for link in self.links)


@dataclass(frozen=True)
class Reading:
    """A post's reactions at one time (None: the platform does not expose the count, or the read failed)."""

    taken_at: datetime
    checkpoint: str
    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    bookmarks: int | None
    impressions: int | None
    error: str | None

    def count(self, name: str) -> int | None:
        """One reaction count by name (one of :data:`REACTIONS`)."""
        return getattr(self, name) if name in REACTIONS else None


@dataclass(frozen=True)
class Post:
    """One part of a post step and its reactions over time."""

    step: int
    part: int
    channel: str
    state: str
    url: str | None
    outbox: bool  # written to the outbox: no platform, so no reactions
    readings: tuple[Reading, ...]

    @property
    def latest(self) -> Reading | None:
        """The newest successful reading."""
        return next((r for r in reversed(self.readings) if r.error is None), None)

    @property
    def failed(self) -> Reading | None:
        """The newest reading when it failed (it is tried again later)."""
        return self.readings[-1] if self.readings and self.readings[-1].error is not None else None

    @property
    def measures(self) -> tuple[str, ...]:
        """The reaction counts this post's platform gave at least once."""
        return tuple(name for name in REACTIONS if any(r.count(name) is not None for r in self.readings if r.error is None))

    @property
    def note(self) -> str | None:
        """Why no reactions are shown, or what went wrong last, in one line."""
        if self.outbox:
            return "written to the outbox, not published: no reactions"
        if self.state != "sent":
            return f"not published ({self.state}): no reactions"
        if self.failed is not None:
            return f"last read failed at {self.failed.taken_at:%Y-%m-%d %H:%M} UTC: {self.failed.error} (tried again later)"
        if not self.readings:
            return "no reactions read yet (outreach metrics reads them; the dispatcher does 1 h, 24 h and 7 d after the post)"
        return None


@dataclass(frozen=True)
class Report:
    """The campaign report: email, clicks and posts."""

    campaign: str
    generated_at: datetime
    email: EmailSummary | None  # None: the campaign has no email step in the database
    clicks: Clicks
    posts: tuple[Post, ...]


class UnknownCampaign(OutreachError):
    """The database holds nothing of this campaign."""


def gather(engine: Engine, campaign: str, mode: str, step_channels: Mapping[int, str] | None = None) -> Report:
    """Read everything the report shows for ``campaign``; ``mode`` is ``[tracking] clicks``.

    ``step_channels`` names the channel of post steps that were posted by hand (the schedule knows the others).
    """
    if not q.campaign_known(engine, campaign):
        raise UnknownCampaign(f"no campaign {campaign!r} in the database: nothing of it was sent or scheduled")
    return Report(campaign, now(), _email(engine, campaign), _clicks(engine, campaign, TrackingMode(mode)),
                  _posts(engine, campaign, step_channels or {}))


def _email(engine: Engine, campaign: str) -> EmailSummary | None:
    audiences = tuple(q.audience_rows(engine, campaign))
    states = q.email_states(engine, campaign)
    if not audiences and not any(states.values()):
        return None
    late = late_counts(engine, campaign)
    return EmailSummary(audiences, sum(states[s.value] for s in WENT_OUT), states, late.hard_bounces, late.soft_bounces,
                        late.complaints, len(q.unsubscribed_addresses(engine, campaign)))


def _clicks(engine: Engine, campaign: str, mode: TrackingMode) -> Clicks:
    rows = q.link_rows(engine, campaign)
    sent_aggregate = mode == TrackingMode.INDIVIDUAL and not all(r.individual for r in rows)
    if sent_aggregate:  # today's setting cannot make clicks counted in aggregate name anybody
        mode = TrackingMode.AGGREGATE
    per_link, total = q.unique_clickers(engine, campaign) if mode == TrackingMode.INDIVIDUAL else ({}, None)
    individual = mode == TrackingMode.INDIVIDUAL
    links = tuple(LinkClicks(r.position, r.url, r.label, r.human, r.machine, per_link.get(r.id, 0) if individual else None) for r in rows)
    hours = tuple(q.click_hours(engine, campaign))
    note = _clicks_note(mode, bool(rows))
    if sent_aggregate:
        note = ("the email went out with aggregate click tracking (in part at least), so unique clickers are not known, "
                "whatever [tracking] clicks says now")
    return Clicks(mode, links, hours, total, note)


def _clicks_note(mode: TrackingMode, any_links: bool) -> str:
    if mode == TrackingMode.OFF:
        return ("click tracking is off ([tracking] clicks = \"off\"): links were left as written, so no clicks are counted"
                + ("; the counts below are from when it was on" if any_links else ""))
    if not any_links:
        return "no tracked links: the email was not sent with click tracking (or not sent yet)"
    if mode == TrackingMode.AGGREGATE:
        return "clicks are counted per link and hour only: unique clickers are not known, by design (aggregate mode)"
    return "clicks are recorded per subscriber (individual mode): unique clickers are the people who clicked, machines left out"


def _posts(engine: Engine, campaign: str, step_channels: Mapping[int, str]) -> tuple[Post, ...]:
    readings: dict[int, list[Reading]] = {}
    for m in q.metric_rows(engine, campaign):
        readings.setdefault(m.delivery_id, []).append(Reading(m.taken_at, m.checkpoint, m.likes, m.reposts, m.replies, m.quotes,
                                                              m.bookmarks, m.impressions, m.error))
    return tuple(Post(p.step, p.part, p.channel or step_channels.get(p.step, "unknown"), p.state, p.remote_url,
                      is_outbox_id(p.remote_id), tuple(readings.get(p.delivery_id, ())))
                 for p in q.post_rows(engine, campaign))
