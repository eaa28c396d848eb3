"""``status`` and ``calendar``: what is due, what went out, what needs a person."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .base import command, out, resolve_campaign
from ..config import Config
from ..status import gather, write_calendar
from ..store.db import now, open_db
from ..display import cell, lines, visible


def _status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", nargs="?", metavar="CAMPAIGN", help="one campaign (file or slug); default: all")
    p.add_argument("--json", action="store_true", help="machine-readable output")


@command("status", _status_args)
def status(args: argparse.Namespace, config: Config) -> int:
    """Print the status table (or JSON)."""
    slug = resolve_campaign(args.campaign).slug if args.campaign else None
    report = gather(open_db(config), slug)
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
    return 0


def _calendar_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("outreach.ics"), metavar="FILE", help="where to write the .ics (default: outreach.ics)")


@command("calendar", _calendar_args)
def calendar(args: argparse.Namespace, config: Config) -> int:
    """Write the calendar file."""
    n = write_calendar(gather(open_db(config)), args.out, now())
    out(f"{args.out}: {n} scheduled steps")
    return 0
