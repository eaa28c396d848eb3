"""Work ``outreach serve`` does beside answering requests: a round in a thread, at start, when woken, and every few seconds.

The confirmation mail (:mod:`outreach.web.confirmation`) and the owners' notices of requests for
changes (:mod:`outreach.review.notice`) are both queues in the database that a request only adds to;
a :class:`BackgroundWorker` drains one off the request path. Several servers may share a database, so
each round looks at the database again rather than trusting what this process queued.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("outreach.web")


class BackgroundWorker:
    """Runs :meth:`round` in a worker thread at start, whenever :meth:`wake` is called, and every ``poll`` seconds."""

    name = "background work"  # for the log

    def __init__(self, poll: float) -> None:
        self.poll = poll
        self._wake: asyncio.Event | None = None  # made in run(), on the server's event loop

    def round(self) -> None:
        """One pass over the work that is due (runs in a thread; may raise: the next round tries again)."""
        raise NotImplementedError

    def wake(self) -> None:
        """Look now (a request just queued something); call it on the server's event loop."""
        if self._wake is not None:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Do rounds until ``stop`` is set; never raises (a failing database or relay is retried next round)."""
        self._wake = wake = asyncio.Event()
        while not stop.is_set():
            wake.clear()  # before looking, so work queued while we look is seen next round
            try:
                await asyncio.to_thread(self.round)
            except Exception as exc:  # noqa: BLE001  (the worker outlives any one failure)
                log.error("%s: %s; retrying", self.name, exc.__class__.__name__)
            waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
