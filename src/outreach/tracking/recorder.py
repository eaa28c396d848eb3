"""One writer for every click: group commit, so a redirect is sent only after its click is committed.

Requests hand their click to :meth:`ClickRecorder.record` and wait. A single task
takes everything that arrived (a few milliseconds' worth, or whatever came in while
the last batch was being written), commits it in one transaction on a worker thread
(the event loop never waits on SQLite or PostgreSQL), and then releases the waiting
requests. A click whose batch fails raises :class:`NotRecorded` in its request, which
answers 503: the person can click again, and no count is lost without anyone knowing.

The burst rule (see :mod:`outreach.tracking.machine`) runs here, in arrival order: an
earlier click still waiting is written as a machine's straight away; one already
committed is moved from person to machine in the next batch.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Hashable

from sqlalchemy import Engine

from ..store.click_store import ClickRow, Move, write_batch
from .machine import BurstWindow, MachineReason

log = logging.getLogger("outreach.web.clicks")

PAUSE_SECONDS = 0.002  # how long the writer waits for more clicks before committing a batch
MAX_BATCH = 5000
# A click waits at most this long for its commit, then is answered 503 (a hung database must not
# hold every request open); a queue this long is refused at once.
COMMIT_TIMEOUT = 10.0
MAX_QUEUE = 50_000

Writer = Callable[[Engine, list[ClickRow], list[Move]], list[int | None]]


class NotRecorded(Exception):
    """The click could not be committed (the database failed, or the server is stopping)."""


@dataclass(eq=False)
class _Pending:
    row: ClickRow
    future: "asyncio.Future[None]"
    taken: bool = False  # handed to a batch (its row is fixed from then on)
    moved: bool = False  # part of a burst found before it was taken: written as a machine's
    recorded: bool = False
    click_row: int | None = None


class ClickRecorder:
    """Collects clicks from requests and commits them in batches, one batch at a time."""

    def __init__(self, engine: Engine, *, pause: float = PAUSE_SECONDS, max_batch: int = MAX_BATCH, writer: Writer = write_batch,
                 timeout: float = COMMIT_TIMEOUT) -> None:
        self.engine, self.pause, self.max_batch, self.writer, self.timeout = engine, pause, max_batch, writer, timeout
        self.window: BurstWindow[_Pending] = BurstWindow()
        self._queue: list[_Pending] = []
        self._moves: list[_Pending] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._executor: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Start the writer task (in the app's lifespan)."""
        self._wake, self._closing = asyncio.Event(), False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="click-writer")
        self._task = asyncio.create_task(self._run(), name="click-recorder")

    async def stop(self) -> None:
        """Commit what is waiting, then stop; later clicks raise :class:`NotRecorded`."""
        if self._task is None or self._wake is None:
            return
        self._closing = True
        self._wake.set()
        try:
            await self._task
        finally:
            self._task = None
            if self._executor is not None:
                self._executor.shutdown(wait=False)  # idle after a normal stop; never wait on a stuck database

    async def record(self, link_id: int, now: float, reason: MachineReason | None, *, message: Hashable,
                     individual: bool = False, delivery_id: int | None = None) -> None:
        """Count one click arriving at ``now`` (epoch seconds); return once it is committed, else raise :class:`NotRecorded`."""
        if self._task is None or self._closing or self._wake is None:
            raise NotRecorded("the click recorder is not running")
        if len(self._queue) >= MAX_QUEUE:
            raise NotRecorded("too many clicks are waiting for the database")
        at = datetime.fromtimestamp(now, timezone.utc)
        pending = _Pending(ClickRow(link_id, at, reason.value if reason else None, individual, delivery_id if individual else None),
                           asyncio.get_running_loop().create_future())
        seen = self.window.observe(message, link_id, now, reason is None, pending)
        if seen.repeat:
            return  # counted once already: nothing to write, nothing to wait for
        if seen.burst and reason is None:
            pending.row = replace(pending.row, machine_reason=MachineReason.BURST.value)
        for other in seen.moved:
            if other.taken:
                self._moves.append(other)
            else:
                other.moved = True
        self._queue.append(pending)
        self._wake.set()
        try:  # the commit may still land after the timeout: counted, answered 503, never the reverse
            await asyncio.wait_for(asyncio.shield(pending.future), self.timeout)
        except asyncio.TimeoutError:
            raise NotRecorded(f"no commit within {self.timeout:g} s") from None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.pause and not self._closing:
                await asyncio.sleep(self.pause)  # let a burst of requests join this batch
            while self._queue or self._moves:
                batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                await self._write(batch)
            if self._closing:
                return

    async def _write(self, batch: list[_Pending]) -> None:
        for pending in batch:
            pending.taken = True
        rows = [replace(p.row, machine_reason=MachineReason.BURST.value) if p.moved else p.row for p in batch]
        # every move names a click of an earlier batch, which has finished: committed or failed
        moves = [Move(p.row.link_id, p.row.at, p.click_row) for p in self._moves if p.recorded]
        self._moves = []
        try:
            ids = await asyncio.get_running_loop().run_in_executor(self._executor, self.writer, self.engine, rows, moves)
        except Exception as exc:  # noqa: BLE001  (any database failure: these clicks are answered 503)
            log.error("clicks not recorded (%d clicks, %d moves): %s", len(rows), len(moves), exc.__class__.__name__)
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(NotRecorded(exc.__class__.__name__))
            return
        for pending, click_row in zip(batch, ids):
            pending.recorded, pending.click_row = True, click_row
            if not pending.future.done():
                pending.future.set_result(None)
