"""Send a campaign's email to its list: exactly once per subscriber, crash-safe, fast.

The sequence (``outreach send`` and the scheduler both call :func:`send_email`):

0. checks: the sender address, the headers, the signing key, and one SMTP
   connection logged in; nothing is frozen or published before they pass;
1. recover: rows a dead run left in ``sending`` become ``unknown``;
2. freeze the audience once (one conflict-safe ``INSERT … SELECT``: active, unsuppressed members);
3. a reader streams queued rows in keyset-paginated batches into a bounded queue;
4. one thread per SMTP connection claims a row (commit; the claim itself checks
   the suppression list, so an unsubscribe that committed first wins), builds
   its bytes (string replacement and a quoted-printable encode, no MJML, no
   ``EmailMessage``), sends it, and records the outcome (commit);
5. temporary failures wait out their backoff and go again, within the run.

A run stops, leaving the rest queued, when the server refuses the sender, when
:data:`BREAKER` messages in a row get no answer, or when the database fails
(:class:`DatabaseUnavailable`, one line); no thread dies before the queue drains.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Protocol

from sqlalchemy import Engine, func, literal, select

from ..campaign import Campaign
from ..config import Config
from ..errors import AuthFailed, OutcomeUnknown, OutreachError, RenderError, Unavailable
from ..plan import Plan
from ..store.archive import store_archive
from ..store.db import now, open_db
from ..store.ledger import (DatabaseUnavailable, Ledger, Outcome, counts, database_guard, insert_ignoring, next_retry, recover,
                             requeue_unknown)
from ..store.schema import audiences, deliveries, memberships, subscribers
from ..tokens import Keyring
from ..store.subscribers import ALL_LISTS, active_clause, suppress, suppressed_clause
from .compose import campaign_factory, recipient, signing_keys, unsubscribe_links
from .message import MessageFactory, Recipient, UnsafeAddress
from .transport import (DataTimeout, MailConnection, MailTransport, RateLimiter, ReplyTimeout, SenderRefused, SmtpRejected, UnsafeEnvelope,
                        mail_transport)

EMAIL_STEP = 1
READ_BATCH = 1000
BACKOFF = (30.0, 120.0, 600.0, 1800.0)
MAX_ATTEMPTS = 5
BREAKER = 3  # this many timeouts in a row, on any connections, stop the run: the server is not answering


class Progress(Protocol):
    """What the send loop reports as it goes (the CLI draws it)."""

    def start(self, total: int, already_done: int) -> None: ...
    def advance(self, state: str) -> None: ...
    def note(self, message: str) -> None: ...


class NoProgress:
    """Progress that shows nothing."""

    def start(self, total: int, already_done: int) -> None:
        """Ignore."""

    def advance(self, state: str) -> None:
        """Ignore."""

    def note(self, message: str) -> None:
        """Ignore."""


@dataclass
class SendResult:
    """What one ``send`` run did, and what the ledger holds now."""

    campaign: str
    transport: str
    audience: int
    this_run: dict[str, int]
    ledger: dict[str, int]
    recovered_unknown: int
    elapsed: float
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Messages sent per second in this run."""
        return self.this_run.get("sent", 0) / self.elapsed if self.elapsed > 0 else 0.0


def freeze_audience(engine: Engine, campaign: str, list_name: str, step: int = EMAIL_STEP) -> int:
    """Queue one delivery per active, unsuppressed member, once; later runs reuse the frozen audience.

    Two runs starting at once both insert, conflict-free: each row and the audience exist once,
    and both return the total the first one recorded.
    """
    where = (audiences.c.campaign == campaign, audiences.c.step == step)
    with engine.begin() as conn:
        found = conn.execute(select(audiences.c.total).where(*where)).scalar_one_or_none()
        if found is not None:
            return int(found)
        stamp = now()
        source = (
            select(literal(campaign), literal(step), subscribers.c.email, subscribers.c.id, literal("queued"), literal(0), literal(stamp))
            .select_from(memberships.join(subscribers))
            .where(active_clause(list_name))
            .order_by(subscribers.c.id)
        )
        columns = ["campaign", "step", "target", "subscriber_id", "state", "attempts", "updated_at"]
        conn.execute(insert_ignoring(conn, deliveries, ["campaign", "step", "target"]).from_select(columns, source))
        total = conn.execute(select(func.count()).where(deliveries.c.campaign == campaign, deliveries.c.step == step)).scalar_one()
        conn.execute(insert_ignoring(conn, audiences, ["campaign", "step"]), [{"campaign": campaign, "step": step, "list": list_name, "total": total, "enqueued_at": stamp}])
        total = conn.execute(select(audiences.c.total).where(*where)).scalar_one()
    return int(total)


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    subscriber_id: int | None
    subscriber_key: str | None
    email: str | None
    name: str | None
    suppressed: bool


def _reader(engine: Engine, campaign: str, list_name: str, jobs: "queue.Queue[_Job | None]", workers: int, stop: threading.Event,
            fail: "Callable[[OutreachError], None]") -> None:
    last = 0
    try:
        while not stop.is_set():
            with database_guard(engine, "reading the queue"), engine.connect() as conn:
                rows = conn.execute(
                    select(deliveries.c.id, deliveries.c.subscriber_id, subscribers.c.token_key, subscribers.c.display_email, subscribers.c.name, suppressed_clause(list_name).label("suppressed"))
                    .select_from(deliveries.outerjoin(subscribers, subscribers.c.id == deliveries.c.subscriber_id))
                    .where(deliveries.c.campaign == campaign, deliveries.c.step == EMAIL_STEP, deliveries.c.state == "queued", deliveries.c.id > last)
                    .where((deliveries.c.not_before.is_(None)) | (deliveries.c.not_before <= now()))
                    .order_by(deliveries.c.id)
                    .limit(READ_BATCH)
                ).all()
            if not rows:
                break
            for r in rows:
                while not stop.is_set():
                    try:
                        jobs.put(_Job(r.id, r.subscriber_id, r.token_key, r.display_email, r.name, bool(r.suppressed)), timeout=0.2)
                        break
                    except queue.Full:
                        continue
            last = rows[-1].id
    except DatabaseUnavailable as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001  (a bug: end the run in one line rather than hang it)
        fail(OutreachError(f"internal error while reading the queue: {type(exc).__name__}: {exc}"))
    finally:
        for _ in range(workers):  # the senders drain the queue until they see these: this never blocks for long
            jobs.put(None)


class _Sender:
    """The shared state of one run's sending threads."""

    def __init__(self, config: Config, campaign: Campaign, list_name: str, factory: MessageFactory, transport: MailTransport,
                 ledger: Ledger, key: Keyring, progress: Progress, stop: threading.Event, backoff: tuple[float, ...], max_attempts: int) -> None:
        self.config, self.campaign, self.list_name, self.factory = config, campaign, list_name, factory
        self.transport, self.ledger, self.key, self.progress, self.stop = transport, ledger, key, progress, stop
        self.backoff, self.max_attempts = backoff, max_attempts
        self.limiter = RateLimiter(config.smtp.rate if config.smtp else None)
        self.tally: dict[str, int] = {}
        self.errors: list[str] = []
        self.auth_error: AuthFailed | None = None
        self.fatal: OutreachError | None = None  # ends the run with this one line (database gone, a bug)
        self.spare: list[MailConnection] = []  # the connection opened by the checks before the run
        self._timeouts = 0
        self._tally_lock = threading.Lock()

    def count(self, state: str) -> None:
        with self._tally_lock:
            self.tally[state] = self.tally.get(state, 0) + 1
        self.progress.advance(state)

    def fail_run(self, message: str) -> None:
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
        delay = 1.0
        for _ in range(4):
            if self.stop.is_set():
                return None
            try:
                return self.transport.open()
            except AuthFailed as exc:
                self.auth_error = exc
                self.fail_run(str(exc))
                return None
            except Unavailable as exc:
                self.progress.note(f"{exc}; retrying in {delay:.0f}s")
                self.stop.wait(delay)
                delay *= 4
        self.fail_run(f"{self.transport.description}: unreachable; the remaining messages stay queued")
        return None

    def work(self, jobs: "queue.Queue[_Job | None]") -> None:
        """One sending thread: claim, build, send, record; one ledger commit per message.

        It never dies before the reader's ``None``: on a database error or a bug it ends the
        run (``fatal``) and drains the queue, so no thread waits for ever on another.
        """
        state: dict = {"conn": None, "done": None}
        try:
            self._work(jobs, state)
        except DatabaseUnavailable as exc:
            state["done"] = None  # its commit failed: the row stays 'sending' and the next run marks it unknown
            self.fatal_error(exc)
        except Exception as exc:  # noqa: BLE001
            self.fatal_error(OutreachError(f"internal error while sending: {type(exc).__name__}: {exc}"))
        finally:
            self._wind_up(jobs, state)

    def _wind_up(self, jobs: "queue.Queue[_Job | None]", state: dict) -> None:
        if state["done"] is not None:
            try:
                self.ledger.finish(state["done"])
            except DatabaseUnavailable as exc:
                self.fatal_error(exc)
        if state["conn"] is not None:
            state["conn"].close()
        if not state.get("eof"):
            while jobs.get() is not None:  # drain: the rows stay queued
                pass

    def _work(self, jobs: "queue.Queue[_Job | None]", state: dict) -> None:
        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                if state["done"] is not None:  # nothing to pair it with: commit it now
                    done, state["done"] = state["done"], None
                    self.ledger.finish(done)
                job = jobs.get()
            if job is None:
                state["eof"] = True
                return
            if self.stop.is_set():
                return
            if job.suppressed or job.email is None:
                self.ledger.skip(job.delivery_id, "suppressed" if job.email else "subscriber removed")
                self.count("suppressed")
                continue
            if state["conn"] is None:
                state["conn"] = self._connect()
                if state["conn"] is None:
                    continue
            done, state["done"] = state["done"], None
            claimed = self.ledger.advance(done, job.delivery_id)
            if claimed is None:
                continue  # another run took it
            if claimed.state == "suppressed":  # unsubscribed after the batch was read: caught by the claim
                self.count("suppressed")
                continue
            state["done"], state["conn"] = self._send_one(state["conn"], job, claimed.attempts)

    def _send_one(self, conn: MailConnection, job: _Job, attempts: int) -> tuple[Outcome, MailConnection | None]:
        to = recipient(self.config, self.campaign.slug, self.list_name, self.key, job.subscriber_key or "", job.email or "", job.name)
        self.limiter.wait()
        try:
            data = self.factory.build(to, now())
            reply = conn.send(self.config.email.sender_address, job.email or "", data, name=f"{job.subscriber_id:09d}")
        except SenderRefused as exc:  # the server refuses us, not the subscriber: stop, and keep every row queued
            conn.close()
            self.fail_run(f"{self.transport.description}: {exc}; stopped, nothing was marked failed: fix the sender and run send again")
            return Outcome(job.delivery_id, "queued", str(exc)), None
        except (UnsafeAddress, UnsafeEnvelope) as exc:
            return self._counted(Outcome(job.delivery_id, "failed", str(exc))), conn
        except SmtpRejected as exc:
            self._timed_out(False)
            address, reply = job.email or "", str(exc)
            return self._counted(Outcome(job.delivery_id, "bounced", reply, also=lambda c: suppress(c, address, ALL_LISTS, "bounced", "bounce", reply))), conn
        except OutcomeUnknown as exc:
            conn.close()
            self._timed_out(isinstance(exc, DataTimeout))
            return self._counted(Outcome(job.delivery_id, "unknown", str(exc))), None
        except Unavailable as exc:
            conn.close()
            self._timed_out(isinstance(exc, ReplyTimeout))
            return self._temporary(job.delivery_id, attempts, str(exc)), None
        except Exception as exc:  # noqa: BLE001  (a bug must not leave the row in 'sending')
            conn.close()
            return self._counted(Outcome(job.delivery_id, "unknown", f"internal error while sending: {type(exc).__name__}: {exc}")), None
        self._timed_out(False)
        return self._counted(Outcome(job.delivery_id, "sent", reply)), conn

    def _counted(self, outcome: Outcome) -> Outcome:
        self.count(outcome.state)
        return outcome

    def _temporary(self, delivery_id: int, attempts: int, detail: str) -> Outcome:
        if attempts >= self.max_attempts:
            return self._counted(Outcome(delivery_id, "failed", f"gave up after {attempts} attempts: {detail}"))
        wait = self.backoff[min(attempts - 1, len(self.backoff) - 1)]
        self.count("retry")
        return Outcome(delivery_id, "queued", f"attempt {attempts}: {detail}", not_before=now() + timedelta(seconds=wait))


def _open_first(transport: MailTransport, progress: Progress) -> MailConnection:
    """Open (and log in to) one connection before any work starts; raise the reason if that cannot be done."""
    delay = 1.0
    for attempt in range(4):
        try:
            return transport.open()
        except Unavailable as exc:
            if attempt == 3:
                raise Unavailable(f"{exc}; nothing was sent or queued") from None
            progress.note(f"{exc}; retrying in {delay:.0f}s")
            time.sleep(delay)
            delay *= 4
    raise AssertionError("unreachable")


def _checks(config: Config, plan: Plan, engine: Engine, transport: MailTransport, progress: Progress) -> tuple[MessageFactory, Keyring, MailConnection]:
    """Every check a send needs, before the audience is frozen or the archive published (issue 9, items 16, 17)."""
    from ..config import checked_mailbox
    from ..errors import ConfigError

    try:
        checked_mailbox(config.email.from_)
    except ValueError as exc:
        raise ConfigError(f"email.from: {exc}") from None
    factory = campaign_factory(config, plan.campaign, plan.email)
    with database_guard(engine, "reading the signing key"):
        key = signing_keys(config, engine)
    return factory, key, _open_first(transport, progress)


def send_email(
    config: Config,
    plan: Plan,
    *,
    retry_unknown: bool = False,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    backoff: tuple[float, ...] = BACKOFF,
    max_attempts: int = MAX_ATTEMPTS,
    wait_for_retries: bool = True,
    transport: MailTransport | None = None,
) -> SendResult:
    """Send the plan's email to its list; safe to run again at any time.

    Raises :class:`DatabaseUnavailable` (one line) when the database fails mid-run: rows
    in flight become ``unknown`` on the next run, every other row is queued or done.
    """
    campaign = plan.campaign
    if campaign.email is None or plan.email is None:
        raise RenderError(f"{campaign.path}: the campaign has no [email] section to send")
    progress = progress or NoProgress()
    stop = stop or threading.Event()
    engine = open_db(config)
    started = time.monotonic()
    transport = transport or mail_transport(config, campaign.slug)
    factory, key, first = _checks(config, plan, engine, transport, progress)
    try:
        with database_guard(engine, "preparing the send"):
            audience, recovered = _prepare(config, plan, engine, retry_unknown, progress)
            before = counts(engine, campaign.slug, EMAIL_STEP)
        progress.start(audience, audience - before["queued"] - before["sending"])
        ledger = Ledger(engine, campaign.slug, EMAIL_STEP, suppression_list=campaign.email.list)
    except BaseException:
        first.close()
        raise
    sender = _Sender(config, campaign, campaign.email.list, factory, transport, ledger, key, progress, stop, backoff, max_attempts)
    sender.spare.append(first)
    try:
        _run(sender, engine, campaign.slug, stop, wait_for_retries, progress)
    finally:
        ledger.close()
        for conn in sender.spare:
            conn.close()
    if sender.fatal is not None:
        raise sender.fatal
    if sender.auth_error is not None:
        raise sender.auth_error
    with database_guard(engine, "counting the results"):
        ledger_counts = counts(engine, campaign.slug, EMAIL_STEP)
    return SendResult(campaign.slug, transport.description, audience, dict(sender.tally), ledger_counts,
                      recovered, time.monotonic() - started, sender.errors)


def _prepare(config: Config, plan: Plan, engine: Engine, retry_unknown: bool, progress: Progress) -> tuple[int, int]:
    """Recover a dead run's rows, freeze the audience, publish the archive: only after every check passed."""
    campaign = plan.campaign
    assert campaign.email is not None and plan.email is not None
    recovered = recover(engine, campaign.slug, EMAIL_STEP)
    if recovered:
        progress.note(f"{recovered} messages were in flight when an earlier run stopped: marked unknown (see outreach status; resend with --retry-unknown)")
    if retry_unknown:
        n = requeue_unknown(engine, campaign.slug, EMAIL_STEP)
        progress.note(f"{n} unknown messages queued again on request")
    audience = freeze_audience(engine, campaign.slug, campaign.email.list)
    store_archive(engine, campaign.slug, plan.email, f"{config.web.base_url}/archive/")
    return audience, recovered


def _run(sender: _Sender, engine: Engine, slug: str, stop: threading.Event, wait_for_retries: bool, progress: Progress) -> None:
    """Reader and sender threads until the queue is empty, waiting out retries when asked."""
    connections = sender.transport.connections
    while not stop.is_set():
        jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=connections * 64)
        threads = [threading.Thread(target=_reader, args=(engine, slug, sender.list_name, jobs, connections, stop, sender.fatal_error), name="ledger-reader", daemon=True)]
        threads += [threading.Thread(target=sender.work, args=(jobs,), name=f"sender-{i}", daemon=True) for i in range(connections)]
        for t in threads:
            t.start()
        try:
            for t in threads:
                t.join()
        except KeyboardInterrupt:  # Ctrl-C: let each connection finish its message, leave the rest queued
            stop.set()
            for t in threads:
                t.join()
            raise
        if stop.is_set():
            break
        with database_guard(engine, "reading the retry queue"):
            due = next_retry(engine, slug, EMAIL_STEP)
        if due is None or not wait_for_retries:
            break
        delay = (due - now()).total_seconds()
        if delay > 0:
            progress.note(f"waiting {delay:.0f}s to retry temporary failures")
            stop.wait(delay)


def send_test(config: Config, plan: Plan, addresses: list[str], transport: MailTransport | None = None) -> list[tuple[str, str]]:
    """Send a "[Test]" copy to ``addresses`` only; nothing is recorded against the campaign."""
    from ..store.subscribers import normalise_email

    campaign = plan.campaign
    if plan.email is None:
        raise RenderError(f"{campaign.path}: the campaign has no [email] section to send")
    valid = []
    for addr in addresses:
        try:
            valid.append(normalise_email(addr)[1])
        except ValueError as exc:
            raise OutreachError(f"--to {addr}: {exc}") from None
    transport = transport or mail_transport(config, f"test-{campaign.slug}")
    factory = campaign_factory(config, campaign, plan.email, subject_prefix="[Test] ")
    # a test copy carries no real token: its unsubscribe link leads to the "link does not work" page
    url, mailto = unsubscribe_links(config, "test-message-no-real-token")
    conn = transport.open()
    results = []
    try:
        for i, addr in enumerate(valid):
            to = Recipient(addr, None, url, mailto, f"<test.{campaign.slug}.{time.time_ns()}.{i}@{config.email.sender_domain}>")
            results.append((addr, conn.send(config.email.sender_address, addr, factory.build(to, now()), name=f"test-{i:03d}-{addr}")))
    finally:
        conn.close()
    return results
