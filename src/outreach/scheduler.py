"""The dispatcher, and APScheduler wiring: one date job per dispatch step, in the ledger's database.

Jobs live in APScheduler's SQLAlchemy job store next to the ledger, so
``schedule``, ``cancel`` and ``reschedule`` (short-lived processes) and
``run`` (the long-lived dispatcher) share them. A job only says which step
is due (:func:`outreach.dispatch.run_scheduled_step`); the dispatcher that
ran it claims the step and runs it in its own threads, then re-arms it if
the step asks to run again. Which step runs once is decided by the ``steps``
table (a conditional update), not by APScheduler (it has no locking).

Every ``poll_seconds`` the dispatcher says it is alive, wakes its scheduler
(to see jobs other processes added), takes over a running step whose
dispatcher died, and runs a due step whose job is gone (a dispatcher killed
between taking the job and claiming the step). Database errors there are
one line and a retry; an outage longer than ``DB_OUTAGE_LIMIT`` stops it.

Every ``METRICS_EVERY`` it also reads the reactions that are due
(:mod:`outreach.metrics`) in a thread of its own, one round at a time, so a
slow or failing platform never delays a step; whatever goes wrong there is one
line, never the dispatcher's end.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor as StepPool
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from sqlalchemy.exc import SQLAlchemyError

from .config import Config
from .dispatch import DB_RETRIES, StepOutcome, database_trouble, run_step
from .metrics import Poller, ReactionRounds
from .store.db import now, open_db
from .store.steps import (claim_step, finish_step, forget_dispatcher, heartbeat, open_steps, overdue_steps, set_state, stranded_steps,
                          take_over)

JOB_FUNC = "outreach.dispatch:run_scheduled_step"
TABLE = "apscheduler_jobs"
DB_OUTAGE_LIMIT = timedelta(minutes=5)
STEP_WORKERS = 4
METRICS_EVERY = timedelta(minutes=1)  # how often the dispatcher looks for due reaction reads
METRICS_STOP_WAIT = 10.0  # seconds a stopping dispatcher waits for a reactions read under way


def job_id(campaign: str, step: int) -> str:
    """The APScheduler job id of a step."""
    return f"{campaign}:{step}"


class _StoreEditor(BaseScheduler):
    """A scheduler with no thread: it edits the shared job store and never runs a job.

    (A paused BackgroundScheduler would run one round of due jobs as it shuts down.)
    """

    def wakeup(self) -> None:
        """Nothing to wake."""

    def shutdown(self, wait: bool = True) -> None:
        """Close the job store and executor."""
        super().shutdown(wait=False)


def _options(config: Config, workers: int) -> dict:
    store = SQLAlchemyJobStore(engine=open_db(config), tablename=TABLE)
    return {"jobstores": {"default": store}, "executors": {"default": ThreadPoolExecutor(workers)},
            "timezone": timezone.utc,
            "job_defaults": {"coalesce": True, "max_instances": 1, "misfire_grace_time": config.scheduler.misfire_grace_seconds}}


@contextmanager
def job_store(config: Config) -> Iterator[BaseScheduler]:
    """A thread-less scheduler for editing the stored jobs from a short-lived process."""
    scheduler = _StoreEditor(**_options(config, workers=1))
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


def put_jobs(config: Config, campaign: str, due: dict[int, datetime], replace_all: bool = False) -> None:
    """Add or move the jobs of ``campaign`` (``replace_all``: drop its other jobs first)."""
    with job_store(config) as scheduler:
        if replace_all:
            for job in scheduler.get_jobs(jobstore="default"):
                if job.id.startswith(f"{campaign}:"):
                    job.remove()
        for number, when in due.items():
            scheduler.add_job(JOB_FUNC, "date", run_date=when, id=job_id(campaign, number), args=[campaign, number],
                              jobstore="default", replace_existing=True, name=f"{campaign} step {number}")


def drop_jobs(config: Config, campaign: str, numbers: list[int] | None = None) -> int:
    """Remove the stored jobs of a campaign (or of some of its steps); return how many."""
    removed = 0
    with job_store(config) as scheduler:
        for job in scheduler.get_jobs(jobstore="default"):
            if job.id.startswith(f"{campaign}:") and (numbers is None or int(job.id.rsplit(":", 1)[1]) in numbers):
                job.remove()
                removed += 1
    return removed


def stored_jobs(config: Config) -> dict[str, datetime]:
    """Job id -> next run time, for every stored job."""
    with job_store(config) as scheduler:
        return {job.id: job.next_run_time for job in scheduler.get_jobs(jobstore="default")}


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _describe(exc: BaseException) -> str:
    """One line about a database error, without SQL or its parameters (they may hold personal data)."""
    return database_trouble(exc) or f"database error: {type(exc).__name__}"


class _Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler, made safe to share a job store and to stop.

    APScheduler lets two errors kill its thread: a job another dispatcher already
    removed (``JobLookupError``) and a database error while it updates the store.
    And once shutdown began, a due job would be handed to a closed executor.
    """

    def __init__(self, say: Callable[[str], None], database_down: Callable[[SQLAlchemyError], None], **options: object) -> None:
        super().__init__(**options)
        self._say = say
        self._database_down = database_down

    def _process_jobs(self) -> float | None:
        with self._jobstores_lock:  # shutdown takes the same lock: never process after it
            if self.state == STATE_STOPPED:
                return None
            try:
                return super()._process_jobs()
            except JobLookupError:
                return 0  # another dispatcher took the job first: look again
            except SQLAlchemyError as exc:
                self._database_down(exc)  # said once per outage, with the dispatcher's own failures
                return None  # the dispatcher wakes us on its next tick
            except Exception as exc:  # noqa: BLE001  (a bad stored job must not stop every other job)
                self._say(f"dispatcher: job store: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}; retrying")
                return None


class _OneLine(logging.Handler):
    """APScheduler's warnings as one line each on stderr, never a traceback.

    Its "Error getting due jobs" comes on every tick of a database outage, which
    the dispatcher already reports once; it is left out.
    """

    def emit(self, record: logging.LogRecord) -> None:
        """Print the message alone."""
        message = record.getMessage()
        if not message.startswith("Error getting due jobs from job store"):
            _stderr(f"dispatcher: {message.splitlines()[0] if message else record.levelname}")


def _quiet_apscheduler() -> None:
    logger = logging.getLogger("apscheduler")
    if not any(isinstance(h, _OneLine) for h in logger.handlers):
        handler = _OneLine(logging.WARNING)
        logger.addHandler(handler)
        logger.propagate = False


class Dispatcher:
    """The long-running process behind ``outreach run`` (several may run at once, even in one process)."""

    def __init__(self, config: Config, say: Callable[[str], None] = _stderr, outage_limit: timedelta = DB_OUTAGE_LIMIT,
                 metrics_every: timedelta = METRICS_EVERY) -> None:
        self.config = config
        self.say = say
        self.outage_limit = outage_limit
        self.stop = threading.Event()
        self.reactions = ReactionRounds(Poller(config, say=lambda line: say(f"dispatcher: {line}")), self.stop, metrics_every)
        self.ident = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.started = now()
        self.failure: str | None = None
        self._pool = StepPool(STEP_WORKERS, thread_name_prefix="step")
        self._lock = threading.Lock()
        self._active: set[tuple[str, int]] = set()  # steps this dispatcher runs (or is about to)
        self._unsaved: dict[tuple[str, int], StepOutcome] = {}  # outcomes the database refused: written on a later tick
        self._db_failures: dict[tuple[str, int], int] = {}
        self._db_down_since: datetime | None = None
        self.scheduler = _Scheduler(say, self._database_down, **_options(config, workers=2))
        self.scheduler.add_listener(self._listen, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)

    # -- the loop ---------------------------------------------------------------
    def run(self, until_idle: bool = False) -> int:
        """Dispatch until SIGTERM/SIGINT (or, with ``until_idle``, until nothing is left to do); 1 after a long database outage."""
        _quiet_apscheduler()
        previous = self._trap_signals()
        try:
            while True:
                self._tick()
                if self.failure or (until_idle and not self._busy()) or self.stop.wait(self.config.scheduler.poll_seconds):
                    break
        finally:
            self._shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.failure:
            self.say(f"dispatcher stopped: {self.failure}")
        return 1 if self.failure else 0

    def _trap_signals(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}  # a dispatcher in a thread is stopped through ``stop``
        return {sig: signal.signal(sig, self._signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def _signal(self, signum: int, frame: object) -> None:
        self.stop.set()

    def _tick(self) -> None:
        """Heartbeat, write what could not be written, take over stranded steps, run orphaned due ones."""
        engine = open_db(self.config)
        try:
            heartbeat(engine, self.ident, self.started)
            if not self.scheduler.running:
                self.scheduler.start()  # here, not in run(): the database may be away when the dispatcher starts
            self._flush()
            if not self.stop.is_set():
                self._adopt(engine)
                self._sweep(engine)
        except SQLAlchemyError as exc:
            self._database_down(exc)
        else:
            if self._db_down_since is not None:
                self.say("dispatcher: the database is back")
            self._db_down_since = None
        if self.scheduler.running:
            self.scheduler.wakeup()
        self.reactions.tick()

    def _database_down(self, exc: SQLAlchemyError) -> None:
        if self._db_down_since is None:
            self._db_down_since = now()
            self.say(f"dispatcher: {_describe(exc)}; retrying every {self.config.scheduler.poll_seconds:g} s")
        elif now() - self._db_down_since > self.outage_limit:
            self.failure = f"the database was unreachable for more than {self.outage_limit.total_seconds():.0f} s ({_describe(exc)})"

    def _busy(self) -> bool:
        with self._lock:
            if self._active or self._unsaved:
                return True
        try:
            return bool(open_steps(open_db(self.config))) or bool(self.scheduler.get_jobs(jobstore="default"))
        except SQLAlchemyError:
            return True  # cannot tell: the next tick retries

    def _shutdown(self) -> None:
        self.stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._pool.shutdown(wait=True)  # steps see ``stop`` and end soon, leaving the rest queued
        self.reactions.join(METRICS_STOP_WAIT)  # a read under way ends by its own timeout; it holds no step
        try:
            self._flush()
            forget_dispatcher(open_db(self.config), self.ident)
        except SQLAlchemyError as exc:
            self.say(f"dispatcher: {_describe(exc)} while stopping; another dispatcher will take its steps over")

    # -- jobs and steps ---------------------------------------------------------------
    def _listen(self, event: JobExecutionEvent) -> None:
        campaign, _, number = event.job_id.rpartition(":")
        if event.code == EVENT_JOB_MISSED:
            self._missed(campaign, int(number), event.scheduled_run_time)
        elif not self.stop.is_set():
            self._launch(campaign, int(number), adopted=False)

    def _missed(self, campaign: str, number: int, due: datetime) -> None:
        late = (now() - due).total_seconds()
        grace = self.config.scheduler.misfire_grace_seconds
        try:
            set_state(open_db(self.config), campaign, number, "missed",
                      f"the dispatcher was not running at {due:%Y-%m-%d %H:%M} UTC; {late / 60:.0f} min late is beyond the "
                      f"{grace // 60} min grace. Run 'outreach schedule {campaign} --now' to send it anyway", only_from=("scheduled",))
        except SQLAlchemyError as exc:
            self.say(f"dispatcher: {campaign} step {number}: {_describe(exc)}; it is marked missed on a later tick")

    def _launch(self, campaign: str, number: int, adopted: bool) -> None:
        with self._lock:
            if (campaign, number) in self._active:
                return
            self._active.add((campaign, number))
        try:
            self._pool.submit(self._execute, campaign, number, adopted)
        except RuntimeError:  # shutting down: the step stays for the next dispatcher
            with self._lock:
                self._active.discard((campaign, number))

    def _execute(self, campaign: str, number: int, adopted: bool) -> None:
        key = (campaign, number)
        try:
            if adopted or claim_step(open_db(self.config), campaign, number, self.ident):
                self._record(key, run_step(self.config, campaign, number, self.stop))
        except SQLAlchemyError as exc:  # the claim itself: the step stays scheduled and a later tick finds it
            self.say(f"dispatcher: {campaign} step {number}: {_describe(exc)}; trying again on a later tick")
        finally:
            with self._lock:
                self._active.discard(key)

    def _record(self, key: tuple[str, int], outcome: StepOutcome) -> None:
        earlier = self._db_failures.pop(key, 0)
        failures = earlier + 1 if outcome.database_error else 0
        if failures > DB_RETRIES:
            outcome = StepOutcome("failed", f"{outcome.detail} (gave up after {DB_RETRIES} tries)")
        elif failures:
            self._db_failures[key] = failures
        if outcome.database_error:
            self.say(f"dispatcher: {key[0]} step {key[1]}: {outcome.detail}")
        with self._lock:
            self._unsaved[key] = outcome
        try:
            self._flush()
        except SQLAlchemyError as exc:
            self.say(f"dispatcher: {key[0]} step {key[1]}: cannot record '{outcome.state}' ({_describe(exc)}); trying again on the next tick")

    def _flush(self) -> None:
        """Write the outcomes not written yet (a database error leaves the rest for the next tick)."""
        engine = open_db(self.config)
        while True:
            with self._lock:  # take one, so two threads never write the same outcome
                if not self._unsaved:
                    return
                key, outcome = next(iter(self._unsaved.items()))
                del self._unsaved[key]
            try:
                finished = finish_step(engine, key[0], key[1], self.ident, outcome.state, outcome.detail, due=outcome.again)
            except SQLAlchemyError:
                with self._lock:
                    self._unsaved.setdefault(key, outcome)
                raise
            if not finished:
                self.say(f"dispatcher: {key[0]} step {key[1]}: another dispatcher took it over; its outcome is theirs to record")
            elif outcome.again is not None:
                put_jobs(self.config, key[0], {key[1]: outcome.again})  # if this fails, the sweep runs it once overdue

    def _adopt(self, engine) -> None:  # type: ignore[no-untyped-def]
        """Take over running steps whose dispatcher is gone (the ledger makes sure nothing goes twice)."""
        for campaign, number, previous in stranded_steps(engine):
            with self._lock:
                mine = (campaign, number) in self._active or (campaign, number) in self._unsaved
            if mine or previous == self.ident:
                continue
            if take_over(engine, campaign, number, previous, self.ident):
                self.say(f"dispatcher: {campaign} step {number}: its dispatcher ({previous or 'unknown'}) stopped mid-step; taking it over")
                self._launch(campaign, number, adopted=True)

    def _sweep(self, engine) -> None:  # type: ignore[no-untyped-def]
        """Run (or mark missed) due steps that have no job left: the job fired but no dispatcher claimed the step."""
        slack = timedelta(seconds=max(10.0, 5 * self.config.scheduler.poll_seconds))
        orphans = overdue_steps(engine, slack)
        if not orphans:
            return
        jobs = {job.id for job in self.scheduler.get_jobs(jobstore="default")}
        grace = timedelta(seconds=self.config.scheduler.misfire_grace_seconds)
        for row in orphans:
            campaign, number = row.campaign, row.step
            if job_id(campaign, number) in jobs:
                continue
            if now() - row.due_utc > grace:
                self._missed(campaign, number, row.due_utc)
            else:
                self._launch(campaign, number, adopted=False)
