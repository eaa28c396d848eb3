"""The threads of one send run: a reader that streams queued rows, and one sender per SMTP connection.

The reader keeps each batch's Message-IDs and envelope senders in the ledger
(one commit per batch); with ``[email] bounce_address`` each message's
envelope sender is its own VERP address (one HMAC, made once by the reader and
handed to the sender thread). Each sender claims a row (commit; the claim itself
checks the suppression list), builds the message bytes, sends them and records
the outcome together with the next claim (one commit per message). No thread dies before the reader's end marker: a database failure
or a bug ends the run (:attr:`Sender.fatal`) and the queue is drained.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Protocol

from sqlalchemy import Engine

from ..campaign import Campaign
from ..config import Config
from ..errors import AuthFailed, DatabaseUnavailable, OutcomeUnknown, OutreachError, Unavailable
from ..store.db import now
from ..store.delivery import DeliveryState
from ..store.guard import database_guard
from ..store.ledger import Ledger, Outcome
from ..store.ledger_queries import QueuedEmail, queued_emails
from ..tokens import Keyring
from .compose import envelope_sender, message_id, recipient
from .message import MessageFactory, UnsafeAddress
from .transport import (DataTimeout, MailConnection, MailTransport, RateLimiter, ReplyTimeout, SenderRefused, SmtpRejected, UnsafeEnvelope,
                        open_with_retries)

EMAIL_STEP = 1
READ_BATCH = 1000
BREAKER = 3  # this many timeouts in a row, on any connections, stop the run: the server is not answering

class Progress(Protocol):
    """What the send loop reports as it goes (the CLI draws it)."""

    def start(self, total: int, already_done: int) -> None: ...
    def advance(self, state: str) -> None: ...
    def note(self, message: str) -> None: ...


def read_queue(engine: Engine, campaign: str, list_name: str, jobs: "queue.Queue[QueuedEmail | None]", workers: int, stop: threading.Event,
               fail: Callable[[OutreachError], None], address: Callable[[list[QueuedEmail]], None]) -> None:
    """The reader thread: queued, due rows in keyset-paginated batches (each ``address``-ed first), then one ``None`` per sender."""
    last = 0
    try:
        while not stop.is_set():
            with database_guard(engine, "reading the queue"):
                batch = queued_emails(engine, campaign, EMAIL_STEP, list_name, last, READ_BATCH)
            if not batch:
                break
            address(batch)
            for job in batch:
                while not stop.is_set():
                    try:
                        jobs.put(job, timeout=0.2)
                        break
                    except queue.Full:
                        continue
            last = batch[-1].delivery_id
    except DatabaseUnavailable as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001  (a bug: end the run in one line rather than hang it)
        fail(OutreachError(f"internal error while reading the queue: {type(exc).__name__}: {exc}"))
    finally:
        for _ in range(workers):  # the senders drain the queue until they see these: this never blocks for long
            jobs.put(None)


@dataclass
class _Thread:
    """One sender thread's own state: its connection, the outcome not yet committed, whether it saw the end."""

    conn: MailConnection | None = None
    done: Outcome | None = None
    eof: bool = False


class Sender:
    """The shared state of one run's sending threads."""

    def __init__(self, config: Config, campaign: Campaign, list_name: str, factory: MessageFactory, transport: MailTransport,
                 ledger: Ledger, key: Keyring, progress: Progress, stop: threading.Event, backoff: tuple[float, ...], max_attempts: int) -> None:
        self.config, self.campaign, self.list_name, self.factory = config, campaign, list_name, factory
        self.transport, self.ledger, self.key, self.progress, self.stop = transport, ledger, key, progress, stop
        self.backoff, self.max_attempts = backoff, max_attempts
        self.slug = campaign.slug  # read per message: Campaign.slug is a property over a Path
        self.limiter = RateLimiter(config.smtp.rate if config.smtp else None)
        self._envelopes: dict[int, str] = {}  # delivery id -> envelope sender, made by the reader for the senders
        self.tally: dict[str, int] = {}
        self.errors: list[str] = []
        self.auth_error: AuthFailed | None = None
        self.fatal: OutreachError | None = None  # ends the run with this one line (database gone, a bug)
        self.spare: list[MailConnection] = []  # the connection opened by the checks before the run
        self._timeouts = 0
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

    def _connect(self) -> MailConnection | None:
        with self._tally_lock:
            if self.spare:
                return self.spare.pop()
        try:
            return open_with_retries(self.transport, self.progress.note, self.stop)
        except AuthFailed as exc:
            self.auth_error = exc
            self.fail_run(str(exc))
        except Unavailable:
            if not self.stop.is_set():
                self.fail_run(f"{self.transport.description}: unreachable; the remaining messages stay queued")
        return None

    def work(self, jobs: "queue.Queue[QueuedEmail | None]") -> None:
        """One sending thread: claim, build, send, record; one ledger commit per message.

        It never dies before the reader's ``None``: on a database error or a bug it ends the
        run (``fatal``) and drains the queue, so no thread waits for ever on another.
        """
        state = _Thread()
        try:
            self._work(jobs, state)
        except DatabaseUnavailable as exc:
            state.done = None  # its commit failed: the row stays 'sending' and the next run marks it unknown
            self.fatal_error(exc)
        except Exception as exc:  # noqa: BLE001
            self.fatal_error(OutreachError(f"internal error while sending: {type(exc).__name__}: {exc}"))
        finally:
            self._wind_up(jobs, state)

    def address(self, batch: list[QueuedEmail]) -> None:
        """Keep each message's Message-ID and its own envelope sender in the ledger before any of the batch is claimed."""
        ids = []
        for job in batch:
            if job.email is not None:
                sender = self._envelopes[job.delivery_id] = envelope_sender(self.config, self.key, job.delivery_id)
                ids.append((job.delivery_id, message_id(self.config, self.slug, job.subscriber_key or ""), sender))
        self.ledger.address(ids)

    def _wind_up(self, jobs: "queue.Queue[QueuedEmail | None]", state: _Thread) -> None:
        if state.done is not None:
            try:
                self.ledger.finish(state.done)
            except DatabaseUnavailable as exc:
                self.fatal_error(exc)
        if state.conn is not None:
            state.conn.close()
        if not state.eof:
            while jobs.get() is not None:  # drain: the rows stay queued
                pass

    def _next(self, jobs: "queue.Queue[QueuedEmail | None]", state: _Thread) -> QueuedEmail | None:
        """The next job; an outcome still waiting for a claim to share its commit is committed alone first."""
        try:
            return jobs.get_nowait()
        except queue.Empty:
            if state.done is not None:
                done, state.done = state.done, None
                self.ledger.finish(done)
            return jobs.get()

    def _work(self, jobs: "queue.Queue[QueuedEmail | None]", state: _Thread) -> None:
        while True:
            job = self._next(jobs, state)
            if job is None:
                state.eof = True
                return
            if self.stop.is_set():
                return
            kept = self._envelopes.pop(job.delivery_id, None)  # popped on every path: the map holds only rows in flight
            if job.suppressed or job.email is None:
                self.ledger.skip(job.delivery_id, "suppressed" if job.email else "subscriber removed")
                self.count(DeliveryState.SUPPRESSED.value)
                continue
            if state.conn is None:
                state.conn = self._connect()
                if state.conn is None:
                    continue
            done, state.done = state.done, None
            claimed = self.ledger.advance(done, job.delivery_id)
            if claimed is None:
                continue  # another run took it
            if claimed.state == DeliveryState.SUPPRESSED:  # unsubscribed after the batch was read: caught by the claim
                self.count(DeliveryState.SUPPRESSED.value)
                continue
            sender = kept if kept is not None else envelope_sender(self.config, self.key, job.delivery_id)
            state.done, state.conn = self._send_one(state.conn, job, claimed.attempts, sender)

    def _send_one(self, conn: MailConnection, job: QueuedEmail, attempts: int, sender: str) -> tuple[Outcome, MailConnection | None]:
        to = recipient(self.config, self.slug, self.list_name, self.key, job.subscriber_key or "", job.email or "", job.name)
        self.limiter.wait()
        try:
            data = self.factory.build(to, now(), job.delivery_id)
            reply = conn.send(sender, job.email or "", data, name=f"{job.subscriber_id:09d}")
        except SenderRefused as exc:  # the server refuses us, not the subscriber: stop, and keep every row queued
            conn.close()
            self.fail_run(f"{self.transport.description}: {exc}; stopped, nothing was marked failed: fix the sender and run send again")
            return Outcome(job.delivery_id, DeliveryState.QUEUED, str(exc)), None
        except (UnsafeAddress, UnsafeEnvelope) as exc:
            return self._counted(Outcome(job.delivery_id, DeliveryState.FAILED, str(exc))), conn
        except SmtpRejected as exc:  # the ledger keeps the refusal as a hard bounce and suppresses the address
            self._timed_out(False)
            return self._counted(Outcome(job.delivery_id, DeliveryState.BOUNCED, str(exc))), conn
        except OutcomeUnknown as exc:
            conn.close()
            self._timed_out(isinstance(exc, DataTimeout))
            return self._counted(Outcome(job.delivery_id, DeliveryState.UNKNOWN, str(exc))), None
        except Unavailable as exc:
            conn.close()
            self._timed_out(isinstance(exc, ReplyTimeout))
            return self._temporary(job.delivery_id, attempts, str(exc)), None
        except Exception as exc:  # noqa: BLE001  (a bug must not leave the row in 'sending')
            conn.close()
            return self._counted(Outcome(job.delivery_id, DeliveryState.UNKNOWN, f"internal error while sending: {type(exc).__name__}: {exc}")), None
        self._timed_out(False)
        return self._counted(Outcome(job.delivery_id, DeliveryState.SENT, reply)), conn

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
