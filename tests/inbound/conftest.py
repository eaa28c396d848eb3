"""Inbound fixtures: a real Dovecot, a receiver on a real socket, sent deliveries with VERP return paths."""

from __future__ import annotations

import asyncio
import imaplib
import os
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


def send_to(config: Config, tmp_path: Path, addresses: list[str]) -> dict[str, Sent]:
    """Subscribe ``addresses`` to ``research`` and take one delivery each to ``sent``, with its VERP envelope sender."""
    engine = open_db(config)
    keys = signing_keys(config, engine)
    import_csv(engine, write_csv(tmp_path / "inbound.csv", [(a, a.split("@")[0]) for a in addresses]), "research")
    assert enqueue_audience(engine, SLUG, "research", 1) == len(addresses)
    ledger = Ledger(engine, SLUG, 1, suppression_list="research")
    try:
        for row in deliveries_in(engine, SLUG, [DeliveryState.QUEUED]):
            sender = verp_address(BOUNCE, make_return_token(keys, row.id))
            ledger.address([(row.id, f"<m{row.id}.inbound@news.example.org>", sender)])
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
