"""``schedule``, ``run``, ``cancel``, ``reschedule``: putting campaigns on the clock."""

from __future__ import annotations

import argparse
from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..approval import require_approval
from .base import command, err, load_checked, out, resolve_campaign
from ..config import Config
from ..errors import ScheduleError
from ..scheduler import Dispatcher, drop_jobs, put_jobs
from ..store.db import now, open_db
from ..store.steps import done_steps, list_steps, save_schedule, set_state
from ..display import cell, visible


def _schedule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--now", action="store_true", help="steps whose time has passed run as soon as a dispatcher picks them up")


@command("schedule", _schedule_args)
def schedule(args: argparse.Namespace, config: Config) -> int:
    """Write one job per step; steps already done are left alone."""
    plan = load_checked(config, args.campaign).plan
    engine = open_db(config)
    if config.require_approval:
        require_approval(config, engine, plan)
    done = done_steps(engine, plan.campaign.slug)
    current = now()
    due = {s.number: s.due_utc for s in plan.steps if s.number not in done}
    past = [s for s in plan.steps if s.number in due and s.due_utc <= current]
    if past and not args.now:
        names = ", ".join(f"step {s.number} ({s.field}, {s.due_local:%Y-%m-%d %H:%M} {plan.campaign.timezone})" for s in past)
        raise ScheduleError(f"{plan.campaign.slug}: {names} is in the past; edit the time or use --now to send it as soon as possible")
    for s in past:
        due[s.number] = current
    save_schedule(engine, plan, plan.campaign.path, due)
    put_jobs(config, plan.campaign.slug, due, replace_all=True)
    table = Table("step", "what", escape(visible(plan.campaign.timezone)), "UTC", title=cell(f"{plan.campaign.slug} scheduled"))
    for s in plan.steps:
        if s.number in due:
            local = due[s.number].astimezone(plan.campaign.tz)
            table.add_row(cell(s.number), cell(f"{s.channel}: {s.summary}"), cell(f"{local:%a %d %b %Y %H:%M}"), cell(f"{due[s.number]:%Y-%m-%d %H:%M}"))
    Console().print(table)
    if done:
        out(f"left alone (already ran): steps {', '.join(map(str, sorted(done)))}")
    out("a dispatcher must be running to send them: outreach run")
    return 0


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--until-idle", action="store_true", help="exit when no scheduled step is left (for cron, CI and demos)")


@command("run", _run_args)
def run(args: argparse.Namespace, config: Config) -> int:
    """Run the dispatcher."""
    out(f"dispatcher started ({'until idle' if args.until_idle else 'until stopped'}); database {open_db(config).url.render_as_string(hide_password=True)}")
    code = Dispatcher(config, say=err).run(until_idle=args.until_idle)
    out("dispatcher stopped")
    return code


def _cancel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--step", type=int, action="append", metavar="N", help="only this step (repeatable)")


@command("cancel", _cancel_args)
def cancel(args: argparse.Namespace, config: Config) -> int:
    """Remove jobs and mark the steps cancelled."""
    slug = resolve_campaign(args.campaign).slug
    engine = open_db(config)
    removed = drop_jobs(config, slug, args.step)
    cancelled = 0
    for row in list_steps(engine, slug):
        if row.state == "scheduled" and (not args.step or row.step in args.step):
            cancelled += set_state(engine, slug, row.step, "cancelled", "cancelled by a person", only_from=("scheduled",))
    out(f"{slug}: {cancelled} steps cancelled ({removed} jobs removed)")
    return 0 if cancelled else 1


def _reschedule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--step", type=int, required=True, metavar="N")
    p.add_argument("--at", required=True, metavar="TIME", help="local time in the campaign's timezone, e.g. 2027-01-12T14:30")


@command("reschedule", _reschedule_args)
def reschedule(args: argparse.Namespace, config: Config) -> int:
    """Move one step."""
    plan = load_checked(config, args.campaign).plan
    try:
        local = datetime.fromisoformat(args.at)
    except ValueError:
        raise ScheduleError(f"--at {args.at!r}: not a date-time like 2027-01-12T14:30") from None
    if local.tzinfo is not None:
        raise ScheduleError(f"--at {args.at!r}: give the local time in {plan.campaign.timezone}, without an offset")
    try:
        plan.step(args.step)
    except KeyError:
        raise ScheduleError(f"{plan.campaign.slug}: no step {args.step}") from None
    when = plan.campaign.to_utc(local, "--at")
    if when <= now():
        raise ScheduleError(f"--at {args.at}: that is in the past")
    engine = open_db(config)
    row = next((r for r in list_steps(engine, plan.campaign.slug) if r.step == args.step), None)
    if row is None or row.state not in ("scheduled", "missed", "cancelled"):
        raise ScheduleError(f"{plan.campaign.slug}: step {args.step} is {row.state if row else 'not scheduled'}; schedule the campaign first")
    if not set_state(engine, plan.campaign.slug, args.step, "scheduled", f"rescheduled to {local:%Y-%m-%d %H:%M} {plan.campaign.timezone}", due=when,
                     only_from=("scheduled", "missed", "cancelled")):
        raise ScheduleError(f"{plan.campaign.slug}: step {args.step} started meanwhile; it cannot be moved now")
    put_jobs(config, plan.campaign.slug, {args.step: when})
    out(f"{plan.campaign.slug} step {args.step} now at {local:%Y-%m-%d %H:%M} {plan.campaign.timezone} ({when:%Y-%m-%d %H:%M} UTC)")
    return 0
