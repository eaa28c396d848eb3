"""What every dispatch path shares (``send``, ``post``, the scheduler): approval and timing checks, and running a scheduled step."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from .approval import guard_dispatch
from .config import Config
from .errors import DatabaseUnavailable, OutreachError
from .plan import Plan, Step
from .store.db import now, open_db
from .store.steps import list_steps


# -- running scheduled steps (for the dispatcher in ``scheduler.py``) --------------------

# A database that is briefly away (a PostgreSQL restart, a full disk being cleared) does not
# fail a step: it runs again this much later, at most DB_RETRIES times in a row.
DB_RETRY = timedelta(seconds=30)
DB_RETRIES = 5


@dataclass(frozen=True)
class StepOutcome:
    """How one run of a scheduled step ended; ``again``: when to run it again (None: it is over)."""

    state: str
    detail: str | None
    again: datetime | None = None
    database_error: bool = False


def run_scheduled_step(campaign: str, number: int) -> tuple[str, int]:
    """The APScheduler job of a step, stored by this reference: it only says which step is due.

    The dispatcher whose scheduler ran the job receives the returned value and
    runs the step itself (:class:`outreach.scheduler.Dispatcher`), so nothing
    here is bound to one process or one dispatcher.
    """
    return campaign, number


def database_trouble(exc: BaseException) -> str | None:
    """One line about a transient database error in ``exc`` (or what caused it); None if it is not one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DatabaseUnavailable):  # the ledger's own "the database failed mid-run" error
            return str(seen).splitlines()[0]
        if isinstance(seen, OperationalError) or (isinstance(seen, DBAPIError) and seen.connection_invalidated):
            first = str(seen.orig if seen.orig is not None else seen).strip().splitlines()
            return f"database error: {type(seen.orig or seen).__name__}: {first[0] if first else ''}".rstrip(": ")
        seen = seen.__cause__ or seen.__context__
    return None


def run_step(config: Config, campaign: str, number: int, stop: threading.Event) -> StepOutcome:
    """Run one claimed step through the same functions as ``send`` and ``post``; never raises."""
    try:
        return _run(config, open_db(config), campaign, number, stop)
    except Exception as exc:  # noqa: BLE001  (a bug must show in status, not vanish in a thread)
        trouble = database_trouble(exc)
        if trouble is not None:
            return StepOutcome("scheduled", f"{trouble}; trying again", now() + DB_RETRY, database_error=True)
        if isinstance(exc, OutreachError):
            return StepOutcome("failed", str(exc))
        if isinstance(exc, SQLAlchemyError):  # the message would carry SQL parameters: personal data
            return StepOutcome("failed", f"internal error: {type(exc).__name__} (database)")
        return StepOutcome("failed", f"internal error: {type(exc).__name__}: {exc}")


def _run(config: Config, engine: Engine, campaign: str, number: int, stop: threading.Event) -> StepOutcome:
    from .campaign import load_campaign
    from .errors import CampaignErrors
    from .validate import check

    path = next(r.campaign_path for r in list_steps(engine, campaign) if r.step == number)
    checked = check(load_campaign(path), config)
    if checked.errors:
        raise CampaignErrors(checked.errors)
    plan = checked.plan
    step = plan.step(number)
    guard_dispatch(config, plan, now_requested=True, step_field=step.field)  # due: the scheduler says so
    if step.kind == "email":
        return _email(config, engine, plan, campaign, number, stop)
    return _post(config, engine, plan, step, campaign, number)


def _email(config: Config, engine: Engine, plan: Plan, campaign: str, number: int, stop: threading.Event) -> StepOutcome:
    from .mail.send import send_email
    from .store.ledger_queries import next_retry

    ledger = send_email(config, plan, stop=stop, wait_for_retries=False).ledger
    if stop.is_set() and ledger["queued"]:
        return StepOutcome("scheduled", f"interrupted by shutdown with {ledger['queued']} messages queued; resumes when a dispatcher runs", now())
    if ledger["queued"]:
        due = next_retry(engine, campaign, number) or now()
        return StepOutcome("scheduled", f"{ledger['sent']} sent; {ledger['queued']} waiting to retry", due)
    summary = f"{ledger['sent']} sent, {ledger['bounced']} bounced, {ledger['failed']} failed, {ledger['unknown']} unknown, {ledger['suppressed']} suppressed"
    return StepOutcome("partly done" if ledger["failed"] or ledger["unknown"] else "done", summary)


def _post(config: Config, engine: Engine, plan: Plan, step: Step, campaign: str, number: int) -> StepOutcome:
    from .posting import post_step
    from .store.ledger_queries import next_retry

    outcome = post_step(config, plan, step)
    posted = sum(p.state == "sent" for p in outcome.parts)
    if outcome.done:
        return StepOutcome("done", " ".join(p.url or "" for p in outcome.parts))
    waiting = next((p for p in outcome.parts if p.state == "queued"), None)
    if waiting is not None and not any(p.state in ("unknown", "failed") for p in outcome.parts):
        due = next_retry(engine, campaign, number) or now()
        return StepOutcome("scheduled", f"{posted} of {len(outcome.parts)} posted; {outcome.halted}", due)
    return StepOutcome("partly done" if posted else "failed", outcome.halted)
