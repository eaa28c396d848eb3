"""APScheduler wiring only: one date job per dispatch step, in the ledger's database.

Jobs live in APScheduler's SQLAlchemy job store next to the ledger, so
``schedule``, ``cancel`` and ``reschedule`` (short-lived processes) and
``run`` (the long-lived dispatcher) share them. The dispatcher wakes every
``poll_seconds`` to look for jobs other processes added. What a job does is
in :func:`outreach.dispatch.run_scheduled_step`; which step runs once is
decided by the ``steps`` table, not by APScheduler (it has no locking).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from .config import Config
from .store.db import now, open_db
from .store.steps import forget_dispatcher, heartbeat, open_steps, set_state

JOB_FUNC = "outreach.dispatch:run_scheduled_step"
TABLE = "apscheduler_jobs"


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
    return {"jobstores": {"default": store, "internal": MemoryJobStore()}, "executors": {"default": ThreadPoolExecutor(workers)},
            "timezone": timezone.utc,
            "job_defaults": {"coalesce": True, "max_instances": 1, "misfire_grace_time": config.scheduler.misfire_grace_seconds}}


def _scheduler(config: Config, workers: int = 4) -> BackgroundScheduler:
    return BackgroundScheduler(**_options(config, workers))


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


class Dispatcher:
    """The long-running process behind ``outreach run``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.stop = threading.Event()
        self.ident = f"{socket.gethostname()}:{os.getpid()}"
        self.started = now()
        self.scheduler = _scheduler(config)
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED)
        # waking up often is what makes jobs added by other processes visible
        self.scheduler.add_job(self._tick, "interval", seconds=config.scheduler.poll_seconds, id="wakeup", jobstore="internal")

    def _tick(self) -> None:
        heartbeat(open_db(self.config), self.ident, self.started)

    def _missed(self, event: JobExecutionEvent) -> None:
        campaign, _, number = event.job_id.rpartition(":")
        late = (now() - event.scheduled_run_time).total_seconds()
        set_state(open_db(self.config), campaign, int(number), "missed",
                  f"the dispatcher was not running at {event.scheduled_run_time:%Y-%m-%d %H:%M} UTC; {late / 60:.0f} min late is beyond the "
                  f"{self.config.scheduler.misfire_grace_seconds // 60} min grace. Run 'outreach schedule {campaign} --now' to send it anyway")

    def run(self, until_idle: bool = False) -> int:
        """Dispatch until SIGTERM/SIGINT (or, with ``until_idle``, until nothing is left to do)."""
        from . import dispatch

        dispatch.bind(self.config, self.stop)
        previous = {sig: signal.signal(sig, self._signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        engine = open_db(self.config)
        heartbeat(engine, self.ident, self.started)
        self.scheduler.start()
        try:
            while not self.stop.wait(self.config.scheduler.poll_seconds):
                if until_idle and not self._busy():
                    break
        finally:
            self.stop.set()
            deadline = time.monotonic() + 9
            while dispatch.running() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.scheduler.shutdown(wait=False)
            forget_dispatcher(engine, self.ident)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _busy(self) -> bool:
        from . import dispatch

        if dispatch.running():
            return True
        if any(s["state"] == "running" for s in open_steps(open_db(self.config))):
            return True
        return bool(self.scheduler.get_jobs(jobstore="default"))

    def _signal(self, signum: int, frame: object) -> None:
        self.stop.set()
