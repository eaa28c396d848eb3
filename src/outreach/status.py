"""What ``outreach status`` and ``outreach calendar`` report: every step, its state, counts and loose ends, and a campaign's review."""

from __future__ import annotations

import zoneinfo
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from .store.ledger_queries import counts, deliveries_in, late_counts, step_kinds
from .store.steps import list_steps, live_dispatchers

if TYPE_CHECKING:
    from .config import Config
    from .plan import Plan

@dataclass
class StepStatus:
    """One step of one campaign."""

    campaign: str
    step: int
    channel: str
    field: str
    state: str
    due_utc: str | None
    due_local: str | None
    timezone: str | None
    counts: dict[str, int] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    detail: str | None = None
    # email: what came back (hard bounces, soft bounces, complaints, unsubscribes by mail), undone events left out
    late: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CameBack:
    """What came back for one campaign's email, all steps together (from ``delivery_events``)."""

    campaign: str
    hard_bounces: int
    soft_bounces: int
    complaints: int
    unsubscribes_by_mail: int


@dataclass
class Loose:
    """A delivery a person must look at (unknown outcome, failure)."""

    campaign: str
    step: int
    target: str
    state: str
    detail: str | None
    text: str | None = None


@dataclass(frozen=True)
class AskedReviewer:
    """One review link: who was asked, in which round, and whether the link still opens."""

    name: str
    address: str
    round: int
    link: str  # "usable until …", "expired …", "revoked …"


@dataclass(frozen=True)
class DecisionLine:
    """One approval or request for changes, as status shows it."""

    by: str
    decision: str  # "approved" | "changes-requested"
    at: str  # UTC, ISO 8601
    method: str  # "link" | "cli"
    content_hash: str
    current: bool  # about the content as it renders now (False when that cannot be told)
    comment: str | None = None
    void: bool = False  # made with a link revoked since: it counts for nothing


@dataclass(frozen=True)
class UntoldRequest:
    """A request for changes whose owner was not told yet, and who should be (None: nobody is set)."""

    by: str
    at: str
    owner: str | None


@dataclass
class ReviewStatus:
    """The review section of ``outreach status CAMPAIGN``."""

    campaign: str
    asked: list[AskedReviewer] = field(default_factory=list)
    decisions: list[DecisionLine] = field(default_factory=list)
    untold: list[UntoldRequest] = field(default_factory=list)
    ready: bool | None = None  # None: the campaign could not be rendered, so nobody can tell
    missing: str | None = None  # what is still missing before dispatch, in words
    note: str | None = None  # why ready/missing could not be told, or that approval is not required


@dataclass
class Status:
    """Everything ``outreach status`` prints."""

    steps: list[StepStatus]
    attention: list[Loose]
    next_due: StepStatus | None
    dispatchers: list[str]
    came_back: list[CameBack] = field(default_factory=list)
    review: ReviewStatus | None = None  # with one campaign only

    def as_json(self) -> dict:
        """A JSON-ready dict."""
        data = {"steps": [asdict(s) for s in self.steps], "attention": [asdict(a) for a in self.attention],
                "next_due": asdict(self.next_due) if self.next_due else None, "dispatchers": self.dispatchers,
                "came_back": [asdict(c) for c in self.came_back]}
        if self.review is not None:
            data["review"] = asdict(self.review)
        return data


def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The campaign's zone as recorded when it was scheduled (steps scheduled by release 1 have none: UTC only)."""
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def gather(engine: Engine, campaign: str | None = None) -> Status:
    """Collect the status of one campaign, or of every campaign the database knows."""
    scheduled = list_steps(engine, campaign)
    kinds = step_kinds(engine, campaign)
    out: list[StepStatus] = []
    seen: set[tuple[str, int]] = set()
    for row in scheduled:
        tz = _zone(row.timezone)
        local = row.due_utc.astimezone(tz) if tz else None
        out.append(StepStatus(row.campaign, row.step, row.channel, row.field, row.state, row.due_utc.isoformat(),
                              local.strftime("%Y-%m-%d %H:%M") if local else None, str(tz) if tz else None, detail=row.detail))
        seen.add((row.campaign, row.step))
    for name, number in sorted(set(kinds) - seen):
        out.append(StepStatus(name, number, kinds[(name, number)], "", "sent by hand", None, None, None))
    attention: list[Loose] = []
    for s in out:
        ledger = counts(engine, s.campaign, s.step)
        social = s.channel != "email"
        # one ledger for both: a delivered post is stored as "sent" and shown as "posted"
        s.counts = {("posted" if social and k == "sent" else k): v for k, v in ledger.items() if v}
        if social:
            s.urls = [r.remote_url for r in deliveries_in(engine, s.campaign, ["sent"], step=s.step) if r.remote_url]
        else:
            s.late = late_counts(engine, s.campaign, s.step).as_dict()
        for r in deliveries_in(engine, s.campaign, ["unknown", "failed", "sending"], step=s.step, limit=50):
            attention.append(Loose(s.campaign, s.step, r.target, r.state.value, r.detail, r.text))
    upcoming = [s for s in out if s.state == "scheduled" and s.due_utc]
    next_due = min(upcoming, key=lambda s: s.due_utc) if upcoming else None  # ISO strings in UTC sort in time order
    live = [f"{d.id} (since {d.started_at:%Y-%m-%d %H:%M})" for d in live_dispatchers(engine)]
    return Status(out, attention, next_due, live, _came_back(engine, out))


def review_status(config: "Config", engine: Engine, campaign: str, plan: "Plan | None", reason: str | None = None) -> ReviewStatus:
    """Who was asked to review ``campaign``, every decision, untold requests, and what dispatch still needs.

    ``plan`` is the campaign as it renders now; without it (``reason`` says why) the decisions are listed
    but whether they cover the current content cannot be told.
    """
    from .approval import approval_state
    from .review.links import link_state
    from .review.notice import owner_of
    from .store.reviews import decisions_of, reviewers_of, revoked_ids, rounds_of, unnotified_requests
    from .store.db import now

    stamp = now()
    numbers = {r.id: r.number for r in rounds_of(engine, campaign)}
    found = ReviewStatus(campaign)
    found.asked = [AskedReviewer(link.name, link.address, numbers.get(link.round_id, 0), link_state(link, stamp))
                   for link in reviewers_of(engine, campaign)]
    current = plan.content_hash if plan is not None else None
    revoked = revoked_ids(reviewers_of(engine, campaign))
    found.decisions = [DecisionLine(_who(d), d.kind.value,
                                    d.at.isoformat(), d.method.value, d.content_hash, d.content_hash == current, d.comment,
                                    d.reviewer_id in revoked)
                       for d in decisions_of(engine, campaign)]
    found.untold = [UntoldRequest(d.by, d.at.isoformat(), owner_of(config, engine, d)) for d in unnotified_requests(engine, campaign)]
    if plan is None:
        found.note = f"cannot tell what is missing before dispatch: {reason or 'the campaign does not render'}"
        return found
    if not config.require_approval:  # dispatch does not wait for decisions: nothing is missing
        found.ready, found.note = True, "approval is not required (require_approval = false)"
        return found
    state = approval_state(config, engine, plan)
    found.ready, found.missing = state.ready, state.missing()
    return found


def _who(decision) -> str:  # type: ignore[no-untyped-def]
    """A link decision by name and address; a CLI one by its --by and the OS user who ran it."""
    if decision.reviewer_address is not None:
        return f"{decision.by} <{decision.reviewer_address}>"
    return f"{decision.by} (OS user {decision.os_user or 'unknown'})"


def _came_back(engine: Engine, steps: list[StepStatus]) -> list[CameBack]:
    """Per campaign with an email step, its bounces, complaints and unsubscribes by mail."""
    found = []
    for name in sorted({s.campaign for s in steps if s.channel == "email"}):
        c = late_counts(engine, name)
        found.append(CameBack(name, c.hard_bounces, c.soft_bounces, c.complaints, c.unsubscribes_by_mail))
    return found


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar(status: Status, stamp: datetime) -> str:
    """An iCalendar (RFC 5545) document with one event per scheduled step."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//outreach//campaign schedule//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for s in status.steps:
        if s.state not in ("scheduled", "running") or not s.due_utc:
            continue
        start = datetime.fromisoformat(s.due_utc).astimezone(timezone.utc)
        summary = f"{s.campaign}: step {s.step} ({s.channel})"
        description = f"{s.field} of {s.campaign}, due {s.due_local or s.due_utc} {s.timezone or 'UTC'}"
        lines += ["BEGIN:VEVENT", f"UID:{s.campaign}-step-{s.step}@outreach", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART:{start:%Y%m%dT%H%M%SZ}", "DURATION:PT15M",
                  _fold("SUMMARY:" + _ics_escape(summary)), _fold("DESCRIPTION:" + _ics_escape(description)),
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def write_calendar(status: Status, path: Path, stamp: datetime) -> int:
    """Write the .ics file; return how many events it holds."""
    text = calendar(status, stamp)
    path.write_text(text, encoding="utf-8", newline="")
    return text.count("BEGIN:VEVENT")

