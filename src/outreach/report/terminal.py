"""The report on the terminal (rich tables). Every value from the database is shown with its control characters escaped."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..display import cell, lines
from .data import Clicks, EmailSummary, Post, Report

MAX_HOURS = 48  # the terminal shows the latest hours; the HTML, JSON and CSV have them all


def print_report(report: Report, console: Console) -> None:
    """Print the email, clicks and posts sections."""
    console.print(cell(f"outreach report: {report.campaign} (made {report.generated_at:%Y-%m-%d %H:%M} UTC)"))
    if report.email is None:
        console.print("email: this campaign sent no email")
    else:
        console.print(_email_table(report.email))
    _print_clicks(report.clicks, console)
    if report.posts:
        console.print(_posts_table(report.posts))
    else:
        console.print("posts: none published (or the campaign has none)")


def _email_table(e: EmailSummary) -> Table:
    table = Table("measure", "value", title="email")
    lists = ", ".join(f"{a.description or 'list ' + a.list_name} ({a.total})" for a in e.audiences) or "list not recorded"
    table.add_row("audience", lines(e.audience_total, lists))
    for name, value in (("sent", e.sent), ("hard bounces", e.bounced_hard), ("soft bounces", e.bounced_soft),
                        ("complaints", e.complaints), ("unsubscribes (last touch)", e.unsubscribes)):
        table.add_row(name, cell(value))
    if e.states.get("unknown"):
        table.add_row("outcome unknown", cell(e.states["unknown"]))
    return table


def _print_clicks(c: Clicks, console: Console) -> None:
    console.print(cell(f"clicks: {c.note}"))
    if not c.links:
        return
    individual = c.unique_total is not None
    table = Table("#", "link", "people", "machines", *(["unique clickers"] if individual else []), title="clicks per link")
    for link in c.links:
        unique = [cell(link.unique)] if individual else []
        table.add_row(cell(link.position), lines(link.label, link.url), cell(link.human), cell(link.machine), *unique)
    table.add_row("", "all links", cell(c.human), cell(c.machine), *([cell(c.unique_total)] if individual else []))
    console.print(table)
    if c.hours:
        hours = Table("hour (UTC)", "people", "machines", title="clicks per hour" + (f" (latest {MAX_HOURS})" if len(c.hours) > MAX_HOURS else ""))
        for h in c.hours[-MAX_HOURS:]:
            hours.add_row(f"{h.hour:%Y-%m-%d %H:00}", cell(h.human), cell(h.machine))
        console.print(hours)


def _posts_table(posts: tuple[Post, ...]) -> Table:
    table = Table("channel", "step", "part", "URL", "latest reactions", "readings", title="posts")
    for p in posts:
        latest = p.latest
        counts = ", ".join(f"{name} {latest.count(name)}" for name in p.measures if latest.count(name) is not None) if latest else ""
        when = f"{latest.taken_at:%Y-%m-%d %H:%M} ({latest.checkpoint})" if latest else ""
        table.add_row(cell(p.channel), cell(p.step), cell(p.part), cell(p.url or "-"), lines(counts, when, p.note), cell(len(p.readings)))
    return table
