"""One ``[smtp] rate`` for every worker sending a step, kept by the database they share.

A worker takes its send slots in stretches of about :data:`STRETCH` seconds: one
update of the step's ``audiences`` row (locked ``FOR UPDATE`` on PostgreSQL, so
two workers never take the same stretch) moves ``paced_until`` on by the
stretch, and the worker's threads then send at one slot each, ``1/rate`` apart.
However many workers share the step, the stretches follow each other, so
together they keep the one rate; a worker that cannot use its slots in time lets
them go rather than catch up in a burst. Clocks: a stretch starts at the
database's ``paced_until`` or the worker's own clock, whichever is later, so
workers on several machines need their clocks in step (NTP), as any mail host does.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from datetime import timedelta

from sqlalchemy import Engine, select, update

from ..store.db import now
from ..store.guard import database_guard
from ..store.schema import audiences

STRETCH = 0.25  # seconds of slots taken at a time: one database update per stretch per worker
GRACE = 0.5  # a slot this late (s) is let go: sending it now would add to a burst


class SharedPace:
    """The send slots of one worker on one step (``rate`` messages per second, shared with every other worker)."""

    def __init__(self, engine: Engine, campaign: str, step: int, rate: float | None) -> None:
        self.engine, self.campaign, self.step = engine, campaign, step
        self.rate = rate
        self.interval = 1.0 / rate if rate else 0.0
        self.size = max(1, math.ceil(rate * STRETCH)) if rate else 0
        self._slots: collections.deque[float] = collections.deque()  # monotonic times
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until this thread's next slot."""
        if not self.interval:
            return
        with self._lock:
            slot = self._next_slot()
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _next_slot(self) -> float:
        late = time.monotonic() - GRACE
        while self._slots and self._slots[0] < late:
            self._slots.popleft()
        if not self._slots:
            self._take()
        return self._slots.popleft()

    def _take(self) -> None:
        """Take the next stretch of slots from the step's row; its start in wall time becomes monotonic times here."""
        where = (audiences.c.campaign == self.campaign, audiences.c.step == self.step)
        with database_guard(self.engine, "taking send slots"), self.engine.begin() as conn:
            stamp = now()
            until = conn.execute(select(audiences.c.paced_until).where(*where).with_for_update()).scalar_one_or_none()
            start = max(stamp, until) if until is not None else stamp
            end = start + timedelta(seconds=self.interval * self.size)
            conn.execute(update(audiences).where(*where).values(paced_until=end))
        first = time.monotonic() + (start - stamp).total_seconds()
        self._slots.extend(first + i * self.interval for i in range(self.size))

