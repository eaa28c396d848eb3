"""``status`` and ``calendar``: what is due, what went out, what needs a person."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from typing import TYPE_CHECKING

from .base import command, out, resolve_campaign
from ..config import Config
from ..errors import OutreachError
from ..status import ReviewStatus, gather, review_status, write_calendar
from ..store.db import now, open_db
from ..display import cell, lines, visible

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..campaign import Campaign


def _status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", nargs="?", metavar="CAMPAIGN", help="one campaign (file or slug); default: all")
    p.add_argument("--json", action="store_true", help="machine-readable output")


@command("status", _status_args)
def status(args: argparse.Namespace, config: Config) -> int:
    """Print the status table (or JSON)."""
    campaign = resolve_campaign(args.campaign) if args.campaign else None
    engine = open_db(config)
    report = gather(engine, campaign.slug if campaign else None)
    if campaign is not None:
        report.review = _review(config, engine, campaign)
    if args.json:
        out(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0
    console = Console(width=160)
    table = Table("campaign", "step", "local", "UTC", "channel", "state", "counts / URLs", title="outreach status")
    for s in report.steps:
        numbers = ", ".join(f"{k} {v}" for k, v in s.counts.items())
        late = ", ".join(f"{k} {v}" for k, v in s.late.items())
        detail = s.detail if s.state not in ("done",) else None
        table.add_row(cell(s.campaign), cell(s.step), cell(f"{s.due_local or '-'} {s.timezone or ''}".strip()), cell((s.due_utc or "-")[:16].replace("T", " ")),
                      cell(s.channel), cell(s.state), lines(numbers, late, *s.urls, detail))
    console.print(table)
    if report.came_back:
        back = Table("campaign", "hard bounces", "soft bounces", "complaints", "unsubscribes by mail", title="came back (email)")
        for c in report.came_back:
            back.add_row(cell(c.campaign), cell(c.hard_bounces), cell(c.soft_bounces), cell(c.complaints), cell(c.unsubscribes_by_mail))
        console.print(back)
    if report.attention:
        loose = Table("campaign", "step", "target", "state", "detail", "text", title="needs a person")
        for a in report.attention:
            loose.add_row(cell(a.campaign), cell(a.step), cell(a.target), cell(a.state), cell(a.detail), cell((a.text or "")[:80]))
        console.print(loose)
        out("resolve: outreach send CAMPAIGN --retry-unknown (email) or outreach post CAMPAIGN --resolve --step N --part K --posted URL|--resend")
    if report.next_due:
        n = report.next_due
        out(visible(f"next due: {n.campaign} step {n.step} ({n.channel}) at {n.due_local} {n.timezone} / {n.due_utc[:16].replace('T', ' ')} UTC"))
    else:
        out("next due: nothing scheduled")
    out(visible(f"dispatcher: {'running: ' + ', '.join(report.dispatchers) if report.dispatchers else 'not running (start one with: outreach run)'}"))
    if report.review is not None:
        _print_review(console, report.review)
    return 0


def _review(config: Config, engine: Engine, campaign: Campaign) -> ReviewStatus:
    """The review section, against the campaign as it renders now (or why that cannot be told)."""
    from ..validate import check

    try:
        checked = check(campaign, config)
    except OutreachError as exc:
        return review_status(config, engine, campaign.slug, None, f"it does not render ({str(exc).splitlines()[0]})")
    if checked.errors:
        return review_status(config, engine, campaign.slug, None, f"it does not validate ({checked.errors[0]})")
    return review_status(config, engine, campaign.slug, checked.plan)


def _print_review(console: Console, review: ReviewStatus) -> None:
    """Who was asked, who decided what (comments escaped), untold requests, what is missing."""
    if review.asked:
        asked = Table("reviewer", "round", "link", title=f"review of {visible(review.campaign)}: asked")
        for a in review.asked:
            asked.add_row(cell(f"{a.name} <{a.address}>"), cell(a.round), cell(a.link))
        console.print(asked)
    else:
        out("review: nobody was asked (outreach review CAMPAIGN --reviewer \"Name <addr>\")")
    if review.decisions:
        said = Table("who", "decision", "when (UTC)", "method", "content", "comment", title="review decisions")
        for d in review.decisions:
            content = f"{d.content_hash[:12]} ({'current' if d.current else 'earlier'})"
            decision = f"{d.decision} (void: link revoked)" if d.void else d.decision
            said.add_row(cell(d.by), cell(decision), cell(d.at[:16].replace("T", " ")), cell(d.method), cell(content), cell(d.comment or ""))
        console.print(said)
    for u in review.untold:
        whom = f"{u.owner} not told yet" if u.owner else "nobody is set to be told ([review] owner or outreach review --owner)"
        out(visible(f"request for changes by {u.by} at {u.at[:16].replace('T', ' ')} UTC: {whom}"))
    if review.note:
        out(visible(review.note))
    if review.ready is not None:
        out(visible("before dispatch: nothing is missing" if review.ready else f"still missing before dispatch: {review.missing}"))


def _calendar_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("outreach.ics"), metavar="FILE", help="where to write the .ics (default: outreach.ics)")


@command("calendar", _calendar_args)
def calendar(args: argparse.Namespace, config: Config) -> int:
    """Write the calendar file."""
    n = write_calendar(gather(open_db(config)), args.out, now())
    out(f"{args.out}: {n} scheduled steps")
    return 0
