"""The threads of one send run: a reader that reserves queued rows, and one sender per SMTP connection.

The reader reserves due rows in batches for this run (:func:`outreach.store.holds.reserve_emails`:
on PostgreSQL several workers share a step, each row held by one of them) and keeps each
batch's Message-IDs and envelope senders in the ledger (one commit per batch); with
``[email] bounce_address`` each message's envelope sender is its own VERP address (one
HMAC, made once by the reader and handed to the sender thread). When it runs out it
takes over what dead workers held (:func:`outreach.store.holds.recover`) before it ends.

Each sender drives its connection in rounds (:mod:`.pipeline`): the content of one
message and the envelope of the next go out together, and while the replies travel the
thread records the last outcome and claims the next row in one commit (the claim itself
checks the suppression list) and builds its bytes. No thread dies before the reader's end
marker: a database failure or a bug ends the run (:attr:`Sender.fatal`) and the queue is drained.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Iterator, Protocol

from sqlalchemy import Engine

from ..campaign import Campaign
from ..config import Config
from ..errors import AuthFailed, DatabaseUnavailable, OutcomeUnknown, OutreachError, Unavailable
from ..store.db import now
from ..store.delivery import DeliveryState
from ..store.guard import database_guard
from ..store.holds import recover, reserve_emails
from ..store.ledger import Ledger, Outcome
from ..store.ledger_queries import QueuedEmail
from ..tokens import Keyring
from .compose import envelope_sender, message_id, recipient
from .message import MessageFactory, UnsafeAddress
from .pipeline import Envelope, NotAnswered, Pipeline, Settled, pipeline_for
from .pacing import SharedPace
from .transport import DataTimeout, MailTransport, ReplyTimeout, SenderRefused, SmtpRejected, UnsafeEnvelope, open_with_retries

EMAIL_STEP = 1
READ_BATCH = 1000
BREAKER = 3  # this many timeouts in a row, on any connections, stop the run: the server is not answering
LINGER = 0.05  # how long a connection with a message ready waits for the next one before sending it alone (s)

class Progress(Protocol):
    """What the send loop reports as it goes (the CLI draws it)."""

    def start(self, total: int, already_done: int) -> None: ...
    def advance(self, state: str) -> None: ...
    def note(self, message: str) -> None: ...


@dataclass(frozen=True)
class Reader:
    """Where the reader reserves rows: the step, its list, this run, and how many at a time."""

    engine: Engine
    campaign: str
    list_name: str
    run_id: int
    batch: int


def read_queue(reader: Reader, jobs: "queue.Queue[QueuedEmail | None]", workers: int, stop: threading.Event,
               fail: Callable[[OutreachError], None], address: Callable[[list[QueuedEmail]], None]) -> None:
    """The reader thread: reserved, due rows in batches (each ``address``-ed first), then one ``None`` per sender."""
    try:
        for batch in _batches(reader, stop):
            address(batch)
            for job in batch:
                while not stop.is_set():
                    try:
                        jobs.put(job, timeout=0.2)
                        break
                    except queue.Full:
                        continue
    except DatabaseUnavailable as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001  (a bug: end the run in one line rather than hang it)
        fail(OutreachError(f"internal error while reading the queue: {type(exc).__name__}: {exc}"))
    finally:
        for _ in range(workers):  # the senders drain the queue until they see these: this never blocks for long
            jobs.put(None)


def _batches(reader: Reader, stop: threading.Event) -> Iterator[list[QueuedEmail]]:
    """Batches of reserved rows until none is free, even after taking over what dead workers held."""
    last, rescued = 0, False
    while not stop.is_set():
        with database_guard(reader.engine, "reading the queue"):
            batch = reserve_emails(reader.engine, reader.campaign, EMAIL_STEP, reader.list_name, reader.run_id, last, reader.batch)
        if batch:
            yield batch
            last, rescued = batch[-1].delivery_id, False
            continue
        if last == 0 and rescued:
            return
        if last == 0:  # nothing free: rows held by a worker that died are free once recovered
            with database_guard(reader.engine, "taking over a stopped worker's rows"):
                recover(reader.engine, reader.campaign, EMAIL_STEP)
            rescued = True
        last = 0  # rows freed behind us (a retry now due, a dead worker's share) are found from the start


@dataclass(frozen=True)
class _InFlight:
    """A claimed message whose envelope the server accepted: its row, its attempt and its bytes."""

    job: QueuedEmail
    attempts: int
    content: bytes


@dataclass
class _Thread:
    """One sender thread's own state: its connection, what it has in flight, the outcomes not yet committed."""

    pipe: Pipeline | None = None
    pending: _InFlight | None = None
    done: list[Outcome] = field(default_factory=list)
    eof: bool = False


_IDLE = object()  # no next job at hand: send what is ready alone


class Sender:
    """The shared state of one run's sending threads."""

    def __init__(self, config: Config, campaign: Campaign, list_name: str, factory: MessageFactory, transport: MailTransport,
                 ledger: Ledger, key: Keyring, progress: Progress, stop: threading.Event, backoff: tuple[float, ...], max_attempts: int) -> None:
        self.config, self.campaign, self.list_name, self.factory = config, campaign, list_name, factory
        self.transport, self.ledger, self.key, self.progress, self.stop = transport, ledger, key, progress, stop
        self.backoff, self.max_attempts = backoff, max_attempts
        self.slug = campaign.slug  # read per message: Campaign.slug is a property over a Path
        self.limiter = SharedPace(ledger.engine, self.slug, EMAIL_STEP, config.smtp.rate if config.smtp else None)
        self._envelopes: dict[int, str] = {}  # delivery id -> envelope sender, made by the reader for the senders
        self.tally: dict[str, int] = {}
        self.errors: list[str] = []
        self.auth_error: AuthFailed | None = None
        self.fatal: OutreachError | None = None  # ends the run with this one line (database gone, a bug)
        self.spare: list = []  # the connection opened by the checks before the run
        self._timeouts = 0
        self._live = 0  # connections open now: a thread refused one while others work just leaves
        self._refused = False  # whether that was said
        self._tally_lock = threading.Lock()

    def count(self, state: str) -> None:
        """Add one to this run's tally of ``state`` and tell the progress display."""
        with self._tally_lock:
            self.tally[state] = self.tally.get(state, 0) + 1
        self.progress.advance(state)

    def fail_run(self, message: str) -> None:
        """Stop the run with an error line; the rows left stay queued."""
        with self._tally_lock:
            self.errors.append(message)
        self.stop.set()

    def fatal_error(self, exc: OutreachError) -> None:
        """End the run with ``exc``: the first one wins, the threads drain the queue and stop."""
        with self._tally_lock:
            if self.fatal is None:
                self.fatal = exc
        self.stop.set()

    def _timed_out(self, timed_out: bool) -> None:
        """The circuit breaker: count timeouts in a row, across connections; any answer resets it."""
        with self._tally_lock:
            self._timeouts = self._timeouts + 1 if timed_out else 0
            tripped = self._timeouts == BREAKER
        if tripped:
            timeout = self.config.smtp.timeout if self.config.smtp else 0
            self.fail_run(f"{self.transport.description}: {BREAKER} messages in a row got no answer within {timeout:g}s; stopped "
                          "(the timed-out ones are unknown, the rest stay queued)")

    def address(self, batch: list[QueuedEmail]) -> None:
        """Keep each message's Message-ID and its own envelope sender in the ledger before any of the batch is claimed."""
        ids = []
        for job in batch:
            if job.email is not None:
                sender = self._envelopes[job.delivery_id] = envelope_sender(self.config, self.key, job.delivery_id)
                ids.append((job.delivery_id, message_id(self.config, self.slug, job.subscriber_key or ""), sender))
        self.ledger.address(ids)

    # -- connections ------------------------------------------------------------------------
    def _connect(self) -> Pipeline | None:
        """A connection for this thread; None when there is none to be had (the run fails only if no thread has one)."""
        with self._tally_lock:
            conn = self.spare.pop() if self.spare else None
        if conn is None:
            try:
                conn = open_with_retries(self.transport, self.progress.note, self.stop, enough=lambda: self._live > 0)
            except AuthFailed as exc:
                self.auth_error = exc
                self.fail_run(str(exc))
                return None
            except Unavailable as exc:
                with self._tally_lock:
                    others, first = self._live, not self._refused
                    self._refused = self._refused or bool(others)
                if others:  # the relay takes fewer connections than configured: carry on with those it took (said once)
                    if first:
                        self.progress.note(f"{exc}; carrying on with the connections the relay took")
                    return None
                if not self.stop.is_set():
                    self.fail_run(f"{self.transport.description}: unreachable; the remaining messages stay queued")
                return None
        with self._tally_lock:
            self._live += 1
        return pipeline_for(conn)

    def _disconnect(self, state: _Thread) -> None:
        if state.pipe is not None:
            state.pipe.close()
            state.pipe = None
            with self._tally_lock:
                self._live -= 1

    # -- one sending thread -------------------------------------------------------------------
    def work(self, jobs: "queue.Queue[QueuedEmail | None]") -> None:
        """One sending thread: rounds of (content, next envelope), one ledger commit per message.

        It never dies before the reader's ``None``: on a database error or a bug it ends the
        run (``fatal``) and drains the queue, so no thread waits for ever on another.
        """
        state = _Thread()
        try:
            self._work(jobs, state)
        except DatabaseUnavailable as exc:
            state.done = []  # its commit failed: the rows stay 'sending' and the next run marks them unknown
            state.pending = None
            self.fatal_error(exc)
        except Exception as exc:  # noqa: BLE001
            self.fatal_error(OutreachError(f"internal error while sending: {type(exc).__name__}: {exc}"))
        finally:
            self._wind_up(jobs, state)

    def _wind_up(self, jobs: "queue.Queue[QueuedEmail | None]", state: _Thread) -> None:
        if state.pending is not None:  # claimed, its envelope accepted, its content never sent: back in the queue
            state.done.append(Outcome(state.pending.job.delivery_id, DeliveryState.QUEUED, "not sent: the run stopped first"))
            state.pending = None
        if state.done:
            try:
                self.ledger.finish_all(state.done)
            except DatabaseUnavailable as exc:
                self.fatal_error(exc)
        self._disconnect(state)
        if not state.eof and (self.stop.is_set() or self.fatal is not None):
            while jobs.get() is not None:  # drain: the rows stay queued
                pass

    def _next(self, jobs: "queue.Queue[QueuedEmail | None]", state: _Thread) -> object:
        """The next job, or ``_IDLE`` when a message is ready and none follows soon; outcomes waiting alone are committed first."""
        try:
            return jobs.get_nowait()
        except queue.Empty:
            pass
        if state.pending is not None:
            try:
                return jobs.get(timeout=LINGER)
            except queue.Empty:
                return _IDLE
        if state.done:
            done, state.done = state.done, []
            self.ledger.finish_all(done)
        return jobs.get()

    def _work(self, jobs: "queue.Queue[QueuedEmail | None]", state: _Thread) -> None:
        while True:
            job = self._next(jobs, state)
            if job is None:
                state.eof = True
                if state.pipe is not None and state.pending is not None and not self.stop.is_set():
                    self._round(state, None)  # the last one goes alone; after a stop it goes back to the queue instead
                return
            if self.stop.is_set():
                return
            if job is _IDLE:
                assert state.pipe is not None
                self._round(state, None)
                continue
            assert isinstance(job, QueuedEmail)
            kept = self._envelopes.pop(job.delivery_id, None)  # popped on every path: the map holds only rows in flight
            if job.suppressed or job.email is None:
                self.ledger.skip(job.delivery_id, "suppressed" if job.email else "subscriber removed")
                self.count(DeliveryState.SUPPRESSED.value)
                continue
            if state.pipe is not None and state.pending is not None and not state.pipe.overlaps:
                self._round(state, None)  # one at a time: the ready message goes alone, so one row per connection is in flight
            if state.pipe is None:
                state.pipe = self._connect()
                if state.pipe is None:
                    if self.stop.is_set():
                        continue
                    self.ledger.release([job.delivery_id])  # the run's next pass sends it
                    state.eof = True  # others carry the queue: leave without draining it
                    return
            sender = kept if kept is not None else envelope_sender(self.config, self.key, job.delivery_id)
            self._round(state, job, sender)

    def _round(self, state: _Thread, job: QueuedEmail | None, sender: str = "") -> None:
        """Send what is ready and open ``job``'s envelope; while the replies travel, commit and claim ``job``."""
        pipe = state.pipe
        assert pipe is not None
        if state.pending is not None:
            self.limiter.wait()  # before the message leaves state: a database error here leaves it pending, not in flight
        current, state.pending = state.pending, None
        claimed: list[_InFlight] = []

        def meanwhile() -> None:
            done, state.done = state.done, []
            if job is not None:
                self._claim(pipe, job, done, claimed)
            elif done:
                self.ledger.finish_all(done)

        following = Envelope(sender, job.email or "", f"{job.subscriber_id:09d}") if job is not None else None
        result = pipe.exchange(current.content if current else None, following, meanwhile)
        if current is not None and result.content is not None:
            state.done.append(self._outcome(current, result.content))
        if job is not None and result.envelope is not None:
            self._opened(state, claimed, result.envelope)
        if not result.usable:
            if state.pending is not None:  # accepted, then the connection went: its content never left
                state.done.append(Outcome(state.pending.job.delivery_id, DeliveryState.QUEUED, "not sent: the connection closed first"))
                state.pending = None
            self._disconnect(state)

    def _claim(self, pipe: Pipeline, job: QueuedEmail, done: list[Outcome], claimed: list[_InFlight]) -> None:
        """Commit ``done`` and claim ``job`` in one transaction, then build its bytes (all while the replies travel)."""
        row = self.ledger.advance(done, job.delivery_id)
        if row is None:
            return  # another run took it
        if row.state == DeliveryState.SUPPRESSED:  # unsubscribed after the batch was read: caught by the claim
            self.count(DeliveryState.SUPPRESSED.value)
            return
        to = recipient(self.config, self.slug, self.list_name, self.key, job.subscriber_key or "", job.email or "", job.name)
        try:
            content = pipe.prepare(self.factory.build(to, now(), job.delivery_id))
        except Exception as exc:  # noqa: BLE001  (an unsafe address, or a bug building or signing it: nothing went out, so not unknown)
            detail = str(exc) if isinstance(exc, UnsafeAddress) else f"internal error building the message: {type(exc).__name__}: {exc}"
            self.ledger.finish(self._counted(Outcome(job.delivery_id, DeliveryState.FAILED, detail)))
            return
        claimed.append(_InFlight(job, row.attempts, content))

    def _opened(self, state: _Thread, claimed: list[_InFlight], envelope: Settled) -> None:
        """The next message's envelope was answered: it waits for its content, or is settled now, or is given up."""
        if not claimed:  # not ours to send after all: the server must not be left waiting for it
            if envelope.error is None and state.pipe is not None and not state.pipe.withdraw():
                self._disconnect(state)
            return
        if envelope.error is None:
            state.pending = claimed[0]
        else:
            state.done.append(self._outcome(claimed[0], envelope))

    def _outcome(self, sent: _InFlight, settled: Settled) -> Outcome:
        """What the server's answer (or its silence) means for the message's row."""
        delivery_id, exc = sent.job.delivery_id, settled.error
        if exc is None:
            self._timed_out(False)
            return self._counted(Outcome(delivery_id, DeliveryState.SENT, settled.reply))
        if isinstance(exc, SenderRefused):  # the server refuses us, not the subscriber: stop, and keep every row queued
            self.fail_run(f"{self.transport.description}: {exc}; stopped, nothing was marked failed: fix the sender and run send again")
            return Outcome(delivery_id, DeliveryState.QUEUED, str(exc))
        if isinstance(exc, UnsafeEnvelope):
            return self._counted(Outcome(delivery_id, DeliveryState.FAILED, str(exc)))
        if isinstance(exc, SmtpRejected):  # the ledger keeps the refusal as a hard bounce and suppresses the address
            self._timed_out(False)
            return self._counted(Outcome(delivery_id, DeliveryState.BOUNCED, str(exc)))
        if isinstance(exc, OutcomeUnknown):
            self._timed_out(isinstance(exc, DataTimeout))
            return self._counted(Outcome(delivery_id, DeliveryState.UNKNOWN, str(exc)))
        if isinstance(exc, Unavailable):
            if not isinstance(exc, NotAnswered):  # the breaker counts what the server did, not what an earlier failure cost
                self._timed_out(isinstance(exc, ReplyTimeout))
            return self._temporary(delivery_id, sent.attempts, str(exc))
        return self._counted(Outcome(delivery_id, DeliveryState.UNKNOWN, f"internal error while sending: {type(exc).__name__}: {exc}"))

    def _counted(self, outcome: Outcome) -> Outcome:
        self.count(outcome.state.value)
        return outcome

    def _temporary(self, delivery_id: int, attempts: int, detail: str) -> Outcome:
        """Queued again after its backoff, or failed once the attempts are spent."""
        if attempts >= self.max_attempts:
            return self._counted(Outcome(delivery_id, DeliveryState.FAILED, f"gave up after {attempts} attempts: {detail}"))
        wait = self.backoff[min(attempts - 1, len(self.backoff) - 1)]
        self.count("retry")
        return Outcome(delivery_id, DeliveryState.QUEUED, f"attempt {attempts}: {detail}", not_before=now() + timedelta(seconds=wait))
