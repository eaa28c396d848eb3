"""Inbound fixtures: a real Dovecot, a receiver on a real socket, sent deliveries with VERP return paths."""

from __future__ import annotations

import asyncio
import imaplib
import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from outreach.config import Config
from outreach.mail.compose import signing_keys
from outreach.store.db import open_db
from outreach.store.delivery import Delivery, DeliveryState
from outreach.store.ledger import Ledger, Outcome, enqueue_audience
from outreach.store.ledger_queries import deliveries_in
from outreach.store.subscribers import import_csv
from outreach.tokens import Keyring, make_return_token, make_token, verp_address
from tests.conftest import require
from tests.inbound.dovecot import DOVECOT, Dovecot
from tests.mail.conftest import write_csv

FIXTURES = Path(__file__).parent / "fixtures" / "imap"
BOUNCE = "bounces@news.example.org"
UNSUBSCRIBE = "unsubscribe@news.example.org"
SLUG = "inbound-test"


@pytest.fixture
def inbound_config(db_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    """The test database with a bounce address (VERP) and a mailto unsubscribe address."""
    monkeypatch.setenv("OUTREACH_SECRET", "inbound-test-signing-key")
    email = db_config.email.model_copy(update={"bounce_address": BOUNCE, "unsubscribe_mailto": UNSUBSCRIBE})
    return db_config.model_copy(update={"email": email})


@dataclass(frozen=True)
class Sent:
    """One delivery that went out, and what a mail about it needs: its VERP address and unsubscribe token."""

    row: Delivery
    verp: str
    unsubscribe_token: str


def send_to(config: Config, tmp_path: Path, addresses: list[str], message_ids: dict[str, str] | None = None) -> dict[str, Sent]:
    """Subscribe ``addresses`` to ``research`` and take one delivery each to ``sent``, with its VERP envelope sender
    (and the Message-ID ``message_ids`` gives for its address, else a made-up one)."""
    engine = open_db(config)
    keys = signing_keys(config, engine)
    import_csv(engine, write_csv(tmp_path / "inbound.csv", [(a, a.split("@")[0]) for a in addresses]), "research")
    assert enqueue_audience(engine, SLUG, "research", 1) == len(addresses)
    ledger = Ledger(engine, SLUG, 1, suppression_list="research")
    try:
        for row in deliveries_in(engine, SLUG, [DeliveryState.QUEUED]):
            sender = verp_address(BOUNCE, make_return_token(keys, row.id))
            mid = (message_ids or {}).get(row.target, f"<m{row.id}.inbound@news.example.org>")
            ledger.address([(row.id, mid, sender)])
            assert ledger.advance(None, row.id) is not None
            ledger.finish(Outcome(row.id, DeliveryState.SENT, "250 ok"))
    finally:
        ledger.close()
    return {r.target: Sent(r, verp_address(BOUNCE, make_return_token(keys, r.id)), _unsubscribe_token(engine, keys, r.target))
            for r in deliveries_in(engine, SLUG, [DeliveryState.SENT])}


def _unsubscribe_token(engine, keys: Keyring, address: str) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from outreach.store.schema import subscribers

    with engine.connect() as conn:
        key = conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == address)).scalar_one()
    return make_token(keys, "unsubscribe", key, "research")


def fixture_mail(name: str, sent: Sent | None = None, **extra: str) -> bytes:
    """A mail from tests/inbound/fixtures/imap with its placeholders filled in, CRLF line ends."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    values = {"BOUNCE": BOUNCE, "UNSUBSCRIBE": UNSUBSCRIBE, **extra}
    if sent is not None:
        values.update(VERP=sent.verp, ADDRESS=sent.row.target, MESSAGE_ID=sent.row.message_id or "", TOKEN=sent.unsubscribe_token)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    assert "{{" not in text, f"{name}: a placeholder was not filled"
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


@dataclass(frozen=True)
class RealFormat:
    """One of helper A's classifier fixtures (real MTAs' and feedback loops' formats) and what it must lead to."""

    name: str
    raw: bytes  # CRLF line ends, as SMTP and IMAP carry it
    address: str
    message_id: str
    state: DeliveryState
    suppressed_as: str | None  # the reason on every list ("*"), or None


def real_formats() -> list[RealFormat]:
    """Every fixture in tests/inbound/fixtures/mail that names the message it is about: bounces, complaints, auto-replies.

    Their VERP tokens were signed with another key, so the recorder finds the delivery by the quoted Message-ID.
    """
    from outreach.inbound.events import InboundKind
    from tests.inbound.test_classify import EXPECTED, MAIL

    outcome = {InboundKind.HARD_BOUNCE: (DeliveryState.BOUNCED, "bounced"), InboundKind.SOFT_BOUNCE: (DeliveryState.BOUNCED, None),
               InboundKind.COMPLAINT: (DeliveryState.COMPLAINED, "complained"), InboundKind.AUTO_REPLY: (DeliveryState.SENT, None)}
    found = []
    for name, want in sorted(EXPECTED.items()):
        if want.kind in outcome and want.message_id:
            raw = (MAIL / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            address = want.address or f"{Path(name).stem.replace('_', '-')}@example.org"
            found.append(RealFormat(name, raw, address, want.message_id, *outcome[want.kind]))
    return found


def assert_outcomes(engine, formats: list[RealFormat]) -> None:  # type: ignore[no-untyped-def]
    """Each fixture's delivery is in the state its kind leads to, and exactly the hard bounces and complaints are suppressed."""
    from outreach.store.subscribers import suppression_list

    states = {r.target: r.state for r in deliveries_in(engine, SLUG, list(DeliveryState))}
    assert {f.name: states[f.address] for f in formats} == {f.name: f.state for f in formats}
    everywhere = {s["email"]: s["reason"] for s in suppression_list(engine) if s["list"] == "*"}
    assert everywhere == {f.address: f.suppressed_as for f in formats if f.suppressed_as}


# -- Dovecot -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dovecot_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    """One Dovecot per test module (started and stopped here)."""
    if not os.access(DOVECOT, os.X_OK):
        require("dovecot", "apt-get install dovecot-imapd")
    with Dovecot(tmp_path_factory.mktemp("dovecot")) as server:
        yield server


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Dovecot:
    """The module's Dovecot with an empty INBOX and no other folder."""
    imap = dovecot_server.client()
    try:
        for name in dovecot_server.folders() - {"INBOX"}:
            imap.delete(f'"{name}"')
        imap.select("INBOX")
        imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
        imap.expunge()  # the test's own cleanup between tests, not the poller
    except imaplib.IMAP4.error:
        pass
    finally:
        imap.logout()
    assert dovecot_server.mailbox() == []
    return dovecot_server


# -- the receiver on a real socket ---------------------------------------------------------------

@contextmanager
def running_receiver(config: Config, *, lmtp: bool = False) -> Iterator[int]:
    """``receiver.serve`` on 127.0.0.1, a port the OS chose, in a thread; yields the port, stops it at the end."""
    from outreach.inbound.receiver import serve

    engine = open_db(config)
    keys = signing_keys(config, engine)
    loop = asyncio.new_event_loop()
    stop: list[asyncio.Event] = []
    bound = threading.Event()
    port: list[int] = []
    failure: list[BaseException] = []

    async def main() -> None:
        stop.append(asyncio.Event())
        await serve(config, engine, keys, host="127.0.0.1", port=0, lmtp=lmtp, stop=stop[0],
                    ready=lambda h, p: (port.append(p), bound.set()))

    def run() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # noqa: BLE001  (shown by the test below)
            failure.append(exc)
            bound.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="inbound-receiver", daemon=True)
    thread.start()
    assert bound.wait(20), "the receiver did not start"
    assert not failure, failure
    try:
        yield port[0]
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(20)
        assert not thread.is_alive(), "the receiver did not stop"


@pytest.fixture(scope="module")
def dovecot_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    """A Dovecot with IMAPS and STARTTLS under a self-signed certificate (``cert_file``)."""
    if not os.access(DOVECOT, os.X_OK):
        require("dovecot", "apt-get install dovecot-imapd")
    with Dovecot(tmp_path_factory.mktemp("dovecot-tls"), tls=True) as server:
        yield server


@dataclass
class Foreground:
    """``outreach inbound`` running as a real process: its first line, and what it printed once stopped."""

    proc: subprocess.Popen
    first: str = ""
    out: str = ""
    err: str = ""


@contextmanager
def foreground_inbound(config_path: Path, cwd: Path, env: dict[str, str]) -> Iterator[Foreground]:
    """Run ``outreach inbound --port 0``; yield once it printed its first line, then stop it with SIGTERM."""
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "--config", str(config_path), "inbound", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    run = Foreground(proc)
    try:
        run.first = proc.stdout.readline()  # printed once the socket is bound
        yield run
        proc.send_signal(signal.SIGTERM)
        run.out, run.err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
