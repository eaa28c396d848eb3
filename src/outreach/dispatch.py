"""What every dispatch path shares (``send``, ``post``, the scheduler): approval and timing checks, and running a scheduled step."""

from __future__ import annotations

import threading
from datetime import datetime

from .approval import require_approval
from .config import Config
from .errors import OutreachError, ScheduleError
from .plan import Plan
from .store.db import now, open_db
from .store.steps import claim_step, list_steps, set_state


def guard_dispatch(config: Config, plan: Plan, *, now_requested: bool, step_field: str) -> None:
    """Refuse an unapproved or changed campaign, and a step that is not yet due unless ``--now``."""
    if config.require_approval:
        require_approval(open_db(config), plan)
    step = next((s for s in plan.steps if s.field == step_field), None)
    if step is not None and step.due_utc > now() and not now_requested:
        raise ScheduleError(
            f"{plan.campaign.slug}: {step.field} is due {step.due_local:%Y-%m-%d %H:%M} {plan.campaign.timezone}; "
            f"use --now to send it now, or 'outreach schedule {plan.campaign.slug}' to send it on time"
        )


# -- running scheduled steps (called by APScheduler jobs in ``outreach run``) -----------

_BOUND: dict[str, object] = {}
_RUNNING: set[tuple[str, int]] = set()
_RUNNING_LOCK = threading.Lock()


def bind(config: Config, stop: threading.Event) -> None:
    """Give scheduled jobs the dispatcher's config and stop signal."""
    _BOUND["config"], _BOUND["stop"] = config, stop


def running() -> bool:
    """True while a step runs in this process."""
    with _RUNNING_LOCK:
        return bool(_RUNNING)


def run_scheduled_step(campaign: str, number: int) -> None:
    """Run one step, once, through the same functions as ``send`` and ``post``."""
    config: Config = _BOUND["config"]  # type: ignore[assignment]
    stop: threading.Event = _BOUND["stop"]  # type: ignore[assignment]
    engine = open_db(config)
    if stop.is_set() or not claim_step(engine, campaign, number):
        return  # another dispatcher has it, it was cancelled, or we are stopping
    with _RUNNING_LOCK:
        _RUNNING.add((campaign, number))
    try:
        state, detail, again = _run(config, engine, campaign, number, stop)
    except OutreachError as exc:
        state, detail, again = "failed", str(exc), None
    except Exception as exc:  # noqa: BLE001  (a bug must show in status, not vanish in a thread)
        state, detail, again = "failed", f"internal error: {type(exc).__name__}: {exc}", None
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard((campaign, number))
    set_state(engine, campaign, number, state, detail)
    if again is not None:
        from .scheduler import put_jobs

        put_jobs(config, campaign, {number: again})


def _run(config: Config, engine, campaign: str, number: int, stop: threading.Event) -> tuple[str, str | None, datetime | None]:  # type: ignore[no-untyped-def]
    from .campaign import load_campaign
    from .errors import CampaignErrors
    from .mail.send import send_email
    from .posting import post_step
    from .store.ledger import next_retry
    from .validate import check

    path = next(r["campaign_path"] for r in list_steps(engine, campaign) if r["step"] == number)
    checked = check(load_campaign(path), config)
    if checked.errors:
        raise CampaignErrors(checked.errors)
    plan = checked.plan
    step = plan.step(number)
    guard_dispatch(config, plan, now_requested=True, step_field=step.field)  # due: the scheduler says so
    if step.kind == "email":
        result = send_email(config, plan, stop=stop, wait_for_retries=False)
        ledger = result.ledger
        if stop.is_set() and ledger["queued"]:
            return "scheduled", f"interrupted by shutdown with {ledger['queued']} messages queued; resumes when a dispatcher runs", now()
        if ledger["queued"]:
            due = next_retry(engine, campaign, number) or now()
            return "scheduled", f"{ledger['sent']} sent; {ledger['queued']} waiting to retry", due
        summary = f"{ledger['sent']} sent, {ledger['bounced']} bounced, {ledger['failed']} failed, {ledger['unknown']} unknown, {ledger['suppressed']} suppressed"
        return ("partly done" if ledger["failed"] or ledger["unknown"] else "done"), summary, None
    outcome = post_step(config, plan, step)
    posted = sum(p.state == "sent" for p in outcome.parts)
    if outcome.done:
        return "done", " ".join(p.url or "" for p in outcome.parts), None
    waiting = next((p for p in outcome.parts if p.state == "queued"), None)
    if waiting is not None and not any(p.state in ("unknown", "failed") for p in outcome.parts):
        due = next_retry(engine, campaign, number) or now()
        return "scheduled", f"{posted} of {len(outcome.parts)} posted; {outcome.halted}", due
    return ("partly done" if posted else "failed"), outcome.halted, None
