"""Send a campaign's email to its list: exactly once per subscriber, crash-safe, fast.

The sequence (``outreach send`` and the scheduler both call :func:`send_email`):

0. checks: over SMTP a ``web.base_url`` subscribers can reach (https, a public
   host), the sender address, the headers, the signing keys (links, DKIM), and
   one SMTP connection logged in; nothing is frozen or published before they pass;
1. recover: rows a dead run left in ``sending`` become ``unknown``;
2. freeze the audience once (:func:`outreach.store.ledger.enqueue_audience`): the members of the
   audience's list matching its filter (:mod:`outreach.store.segments`), with the filter and its words;
   with ``[tracking] clicks`` on, store the email's trackable links (the same ids on
   every run) and build the messages from a wrapped copy of the approved email
   (:mod:`outreach.tracking.wrap`: each link becomes ``{base_url}/c/<token>``);
3. a reader streams queued rows in keyset-paginated batches into a bounded queue;
4. one thread per SMTP connection claims a row (commit; the claim itself checks
   the suppression list, so an unsubscribe that committed first wins; the reader
   kept each batch's Message-IDs and envelope sender first), builds its bytes (string replacement and
   a quoted-printable encode, no MJML, no ``EmailMessage``), sends it from its
   own VERP envelope sender (DKIM-signed by the connection when configured), and
   records the outcome (commit) — the threads are in :mod:`.worker`;
5. temporary failures wait out their backoff and go again, within the run.

A run stops, leaving the rest queued, when the server refuses the sender, when
:data:`BREAKER` messages in a row get no answer, or when the database fails
(:class:`DatabaseUnavailable`, one line); no thread dies before the queue drains.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from ..audience import audience_filter, describe
from ..config import Config
from ..errors import OutreachError, RenderError, Unavailable
from ..plan import Plan
from ..store.archive import store_archive
from ..store.db import now, open_db
from ..store.delivery import DeliveryState
from ..store.guard import database_guard
from ..store.holds import recover
from ..store.ledger import Ledger, enqueue_audience, requeue_unknown
from ..store.ledger_queries import QueuedEmail, counts, free_and_due, next_retry, unfinished
from ..store.segments import audience_clause
from ..render.email import render_email
from ..tokens import Keyring, archive_preview_key
from ..tracking.links import tracked_email
from .compose import (campaign_factory, envelope_sender_of_test_copy, require_live_links, signing_keys,
                      unsubscribe_links_of_test_copy)
from .dkim import DkimSigner
from .message import MessageFactory, Recipient
from .transport import BACKOFF, MAX_ATTEMPTS, MailConnection, MailTransport, open_with_retries, plain_transport, signing
from .worker import EMAIL_STEP, READ_BATCH, Progress, Reader, Sender, read_queue



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
    left: int = 0  # queued or sending rows at the end that no other worker holds (queued for a retry, or left by a stop)
    held_elsewhere: int = 0  # queued or sending rows other workers hold at the end of this run

    @property
    def rate(self) -> float:
        """Messages sent per second in this run."""
        return self.this_run.get("sent", 0) / self.elapsed if self.elapsed > 0 else 0.0


def _outgoing(config: Config, subfolder: str, transport: MailTransport | None) -> MailTransport:
    """The transport a run sends through, DKIM-signing every message when ``[email.dkim]`` is set (a bad key: ConfigError now)."""
    return signing(transport or plain_transport(config, subfolder), DkimSigner.from_config(config))


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
    try:
        first = open_with_retries(transport, progress.note)
    except Unavailable as exc:
        raise Unavailable(f"{exc}; nothing was sent or queued") from None
    return factory, key, first


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
    allow_insecure_links: bool = False,
) -> SendResult:
    """Send the plan's email to its list; safe to run again at any time.

    Over SMTP, a ``web.base_url`` whose links cannot work for subscribers is a
    :class:`ConfigError` before anything else, unless ``allow_insecure_links``.
    Raises :class:`DatabaseUnavailable` (one line) when the database fails mid-run: rows
    in flight become ``unknown`` on the next run, every other row is queued or done.
    """
    campaign = plan.campaign
    if campaign.email is None or plan.email is None:
        raise RenderError(f"{campaign.path}: the campaign has no [email] section to send")
    if config.smtp is not None and not allow_insecure_links:
        require_live_links(config)
    progress = progress or NoProgress()
    stop = stop or threading.Event()
    engine = open_db(config)
    started = time.monotonic()
    transport = _outgoing(config, campaign.slug, transport)
    factory, key, first = _checks(config, plan, engine, transport, progress)
    try:
        with database_guard(engine, "preparing the send"):
            audience, recovered = _prepare(config, plan, engine, retry_unknown, progress)
            before = counts(engine, campaign.slug, EMAIL_STEP)
            # after the approval and the checks, before the first message: the links are stored, the email wrapped
            email, clicks = tracked_email(config, engine, key, campaign.slug, plan.email)
        if clicks is not None:
            factory = campaign_factory(config, campaign, email, clicks=clicks)
        progress.start(audience, audience - before["queued"] - before["sending"])
        ledger = Ledger(engine, campaign.slug, EMAIL_STEP, suppression_list=campaign.email.list)
    except BaseException:
        first.close()
        raise
    sender = Sender(config, campaign, campaign.email.list, factory, transport, ledger, key, progress, stop, backoff, max_attempts)
    sender.spare.append(first)
    try:
        _run(sender, engine, campaign.slug, stop, wait_for_retries, progress)
    finally:
        ledger.close()
        for conn in sender.spare:
            conn.close()
    return _result(sender, engine, campaign.slug, transport, audience, recovered, started)


def _result(sender: Sender, engine: Engine, slug: str, transport: MailTransport, audience: int, recovered: int,
            started: float) -> SendResult:
    """What the run did, or the error that ended it."""
    if sender.fatal is not None:
        raise sender.fatal
    if sender.auth_error is not None:
        raise sender.auth_error
    with database_guard(engine, "counting the results"):
        ledger_counts = counts(engine, slug, EMAIL_STEP)
        left, others = unfinished(engine, slug, EMAIL_STEP, sender.ledger.run_id)
    return SendResult(slug, transport.description, audience, dict(sender.tally), ledger_counts,
                      recovered, time.monotonic() - started, sender.errors, left, others)


def totals_after_workers(config: Config, result: SendResult) -> SendResult:
    """``result`` with the ledger as every worker of ``send --workers`` left it (this worker's own tally unchanged)."""
    engine = open_db(config)
    with database_guard(engine, "counting the results"):
        ledger = counts(engine, result.campaign, EMAIL_STEP)
    left = ledger.get(DeliveryState.QUEUED.value, 0) + ledger.get(DeliveryState.SENDING.value, 0)
    return replace(result, ledger=ledger, left=left, held_elsewhere=0)


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
    spec = campaign.email.audience
    audience = enqueue_audience(engine, campaign.slug, spec.list, EMAIL_STEP, members=audience_clause(spec, config, engine.dialect.name, now()),
                                description=describe(spec, config), filter=audience_filter(spec, config))
    store_archive(engine, campaign.slug, plan.email, f"{config.web.base_url}/unsubscribe",  # the page that says how
                  preferences_url=f"{config.web.base_url}/preferences")
    return audience, recovered


def batch_size(connections: int, rate: float | None) -> int:
    """How many rows a worker reserves at a time: enough to keep its connections busy, few enough to leave other workers a share.

    Under a rate, about half a second of the shared rate: a worker holds no more than it may send soon.
    """
    size = min(READ_BATCH, max(100, connections * 32))
    return min(size, max(connections * 2, math.ceil(rate / 2))) if rate else size


def _run(sender: Sender, engine: Engine, slug: str, stop: threading.Event, wait_for_retries: bool, progress: Progress) -> None:
    """Reader and sender threads until the queue is empty, waiting out retries when asked."""
    connections = sender.transport.connections
    while not stop.is_set():
        done_before = sum(sender.tally.values())
        reader = Reader(engine, slug, sender.list_name, sender.ledger.run_id, batch_size(connections, sender.limiter.rate))
        # about one batch waits here: a worker holds what it will send soon, and leaves the rest to others
        jobs: queue.Queue[QueuedEmail | None] = queue.Queue(maxsize=reader.batch)
        threads = [threading.Thread(target=read_queue, args=(reader, jobs, connections, stop, sender.fatal_error, sender.address),
                                   name="ledger-reader", daemon=True)]
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
            progressed = sum(sender.tally.values()) > done_before
            again = progressed and free_and_due(engine, slug, EMAIL_STEP) > 0
            due = next_retry(engine, slug, EMAIL_STEP)
        if again:  # rows let go in this pass (a connection the relay refused): another pass sends them
            continue
        if due is None or not wait_for_retries:
            break
        delay = (due - now()).total_seconds()
        if delay <= 0 and not progressed:  # due, yet this pass found nothing to send: another run has it; never spin
            break
        if delay > 0:
            progress.note(f"waiting {delay:.0f}s to retry temporary failures")
            stop.wait(delay)


def send_test(config: Config, plan: Plan, addresses: list[str], transport: MailTransport | None = None) -> list[tuple[str, str]]:
    """Send a "[Test]" copy to ``addresses`` only; nothing is recorded against the campaign.

    The copy is the real message apart from its subject prefix, its recipient and an
    unsubscribe link that names nobody. Its "view in browser" link and cover work at
    once: the archive entry is published, unlisted until the real send lists it.
    """
    campaign = plan.campaign
    if plan.email is None:
        raise RenderError(f"{campaign.path}: the campaign has no [email] section to send")
    valid = _test_addresses(addresses)
    transport = _outgoing(config, f"test-{campaign.slug}", transport)
    engine = open_db(config)
    # links to the unlisted web page carry its key: before the real send, nobody opens it by guessing
    keys = signing_keys(config, engine)
    rendered = render_email(campaign, config, archive_key=archive_preview_key(keys, campaign.slug))
    url, mailto = unsubscribe_links_of_test_copy(config)
    sender = envelope_sender_of_test_copy(config)
    conn = transport.open()
    results = []
    try:
        with database_guard(engine, "publishing the test copy's web page"):
            store_archive(engine, campaign.slug, rendered, f"{config.web.base_url}/unsubscribe", listed=False,
                          preferences_url=f"{config.web.base_url}/preferences")
            # its links redirect like the real ones, but its tokens (mode TEST) count nothing
            email, clicks = tracked_email(config, engine, keys, campaign.slug, rendered, test_copy=True)
        factory = campaign_factory(config, campaign, email, subject_prefix="[Test] ", clicks=clicks)
        for i, addr in enumerate(valid):
            to = Recipient(addr, None, url, mailto, f"<test.{campaign.slug}.{time.time_ns()}.{i}@{config.email.sender_domain}>")
            results.append((addr, conn.send(sender, addr, factory.build(to, now()), name=f"test-{i:03d}-{addr}")))
    finally:
        conn.close()
    return results


def _test_addresses(addresses: list[str]) -> list[str]:
    """The ``--to`` addresses, normalised; a bad one is a one-line error naming it."""
    from ..store.subscribers import normalise_email

    valid = []
    for addr in addresses:
        try:
            valid.append(normalise_email(addr)[1])
        except ValueError as exc:
            raise OutreachError(f"--to {addr}: {exc}") from None
    return valid
