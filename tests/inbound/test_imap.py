"""The IMAP poller against a real Dovecot: recognised mail is recorded and moved, everything else is left
exactly as it was (folder, flags, bytes), nothing is expunged that the poller did not move, and a message
that could not be recorded stays for the next poll. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from outreach.config import Config, InboundImapConfig
from outreach.errors import ConfigError, DatabaseUnavailable
from outreach.inbound import imap as inbound_imap
from outreach.inbound.imap import check_settings, poll_once
from outreach.mail.compose import signing_keys
from outreach.store.db import open_db
from outreach.store.delivery import DeliveryState
from outreach.store.ledger_queries import deliveries_in
from outreach.store.membership import membership_status
from outreach.store.schema import inbound_messages, subscribers
from outreach.store.subscribers import suppression_list
from tests.inbound.conftest import SLUG, assert_outcomes, fixture_mail, foreground_inbound, real_formats, send_to
from tests.inbound.dovecot import PASSWORD, USER, Dovecot

pytestmark = pytest.mark.slow
PROCESSED = "outreach-processed"


def _with_imap(config: Config, server: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    imap = InboundImapConfig(host="127.0.0.1", port=server.port, security="none", username=USER,
                             password_env="TEST_IMAP_PASSWORD", processed_folder=PROCESSED, timeout=10)
    return config.model_copy(update={"inbound": config.inbound.model_copy(update={"imap": imap})})


def _poll(config: Config):  # type: ignore[no-untyped-def]
    engine = open_db(config)
    return poll_once(engine, config, signing_keys(config, engine))


def _kinds(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(conn.execute(select(inbound_messages.c.kind)).scalars())


def _states(engine: Engine) -> dict[str, DeliveryState]:
    return {r.target: r.state for r in deliveries_in(engine, SLUG, list(DeliveryState))}


def _token_key(engine: Engine, address: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == address)).scalar_one()


ADDRESSES = ["r0@example.org", "r1@example.org", "r2@example.org", "r3@example.org"]


def _fill(server: Dovecot, sent: dict) -> None:
    """Recognised mail unseen; unrelated mail seen, unseen, flagged; one more flagged \\Deleted by somebody else."""
    server.append(fixture_mail("unrelated_seen.eml"), flags="\\Seen")
    server.append(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))
    server.append(fixture_mail("deleted_by_someone.eml"), flags="\\Seen \\Deleted")
    server.append(fixture_mail("complaint.eml", sent["r1@example.org"]))
    server.append(fixture_mail("unrelated_unseen.eml"))
    server.append(fixture_mail("auto_reply.eml", sent["r2@example.org"]))
    server.append(fixture_mail("unrelated_flagged.eml"), flags="\\Flagged")
    server.append(fixture_mail("unsubscribe.eml", sent["r3@example.org"]))


@pytest.mark.parametrize("mover", ["MOVE", "COPY+UID EXPUNGE"])
def test_a_poll_moves_what_it_recognises_and_leaves_the_rest_exactly_as_it_was(inbound_config, dovecot, tmp_path, monkeypatch, mover):
    if mover != "MOVE":  # a server without MOVE: copy, flag that one UID, UID EXPUNGE that one UID
        real = inbound_imap.capabilities
        monkeypatch.setattr(inbound_imap, "capabilities", lambda imap: real(imap) - {"MOVE"})
    config = _with_imap(inbound_config, dovecot, monkeypatch)
    sent = send_to(config, tmp_path, ADDRESSES)
    _fill(dovecot, sent)
    before = dovecot.mailbox()
    unrelated = [before[i] for i in (0, 2, 4, 6)]
    recognised = [before[i] for i in (1, 3, 5, 7)]

    result = _poll(config)

    assert (result.recorded, result.moved, result.left, result.failed) == (7, 4, 3, 0)
    assert dovecot.mailbox() == unrelated  # same messages, same bytes, same flags (no \Seen added), in order
    assert dovecot.mailbox(PROCESSED) == recognised  # moved whole, still unseen: read with PEEK
    engine = open_db(config)
    assert _kinds(engine) == Counter(hard_bounce=1, complaint=1, auto_reply=1, unsubscribe=1, unknown=3)
    states = _states(engine)
    assert (states["r0@example.org"], states["r1@example.org"], states["r2@example.org"]) == (
        DeliveryState.BOUNCED, DeliveryState.COMPLAINED, DeliveryState.SENT)
    everywhere = sorted((s["email"], s["reason"]) for s in suppression_list(engine) if s["list"] == "*")
    assert everywhere == [("r0@example.org", "bounced"), ("r1@example.org", "complained")]
    assert membership_status(engine, _token_key(engine, "r3@example.org"), "research") == "unsubscribed"
    assert membership_status(engine, _token_key(engine, "r2@example.org"), "research") == "active"

    again = _poll(config)  # the unknown mail is known now: recorded once, still left alone

    assert (again.recorded, again.moved, again.left, again.failed) == (0, 0, 3, 0)
    assert dovecot.mailbox() == unrelated and dovecot.mailbox(PROCESSED) == recognised
    assert sum(_kinds(engine).values()) == 7


def test_every_kind_in_real_formats_reaches_the_subscriber_by_imap(inbound_config, dovecot, tmp_path, monkeypatch):
    config = _with_imap(inbound_config, dovecot, monkeypatch)
    formats = real_formats()
    send_to(config, tmp_path, [f.address for f in formats], {f.address: f.message_id for f in formats})
    for f in formats:
        dovecot.append(f.raw)
    before = dovecot.mailbox()
    result = _poll(config)
    assert (result.recorded, result.moved, result.left, result.failed) == (len(formats), len(formats), 0, 0)
    assert dovecot.mailbox() == [] and dovecot.mailbox(PROCESSED) == before
    assert_outcomes(open_db(config), formats)


@contextmanager
def _inserts_fail(engine: Engine) -> Iterator[None]:
    """Every insert into inbound_messages fails inside the database (a trigger), reads still work."""
    if engine.dialect.name == "sqlite":
        create = ["CREATE TRIGGER inbound_down BEFORE INSERT ON inbound_messages BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"]
        drop = ["DROP TRIGGER inbound_down"]
    else:
        create = ["CREATE FUNCTION inbound_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
                  "CREATE TRIGGER inbound_down BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION inbound_down()"]
        drop = ["DROP TRIGGER inbound_down ON inbound_messages", "DROP FUNCTION inbound_down()"]
    with engine.begin() as conn:
        for sql in create:
            conn.execute(text(sql))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for sql in drop:
                conn.execute(text(sql))


def test_a_message_that_could_not_be_recorded_stays_where_it_was_for_the_next_poll(inbound_config, dovecot, tmp_path, monkeypatch):
    config = _with_imap(inbound_config, dovecot, monkeypatch)
    sent = send_to(config, tmp_path, ADDRESSES[:1])
    dovecot.append(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))
    before = dovecot.mailbox()
    engine = open_db(config)

    with _inserts_fail(engine):
        failed = _poll(config)
    assert (failed.recorded, failed.moved, failed.failed) == (0, 0, 1)
    assert dovecot.mailbox() == before and PROCESSED not in dovecot.folders()
    assert _kinds(engine) == Counter() and _states(engine)["r0@example.org"] is DeliveryState.SENT

    with engine.begin() as conn:  # the whole table gone: the poll stops before reading anything
        conn.execute(text("ALTER TABLE inbound_messages RENAME TO inbound_messages_away"))
    try:
        with pytest.raises(DatabaseUnavailable, match="stays where it is"):
            _poll(config)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE inbound_messages_away RENAME TO inbound_messages"))
    assert dovecot.mailbox() == before

    later = _poll(config)
    assert (later.recorded, later.moved, later.failed) == (1, 1, 0)
    assert dovecot.mailbox() == [] and dovecot.mailbox(PROCESSED) == before
    assert _states(engine)["r0@example.org"] is DeliveryState.BOUNCED


def test_a_poll_is_bounded_and_the_next_one_carries_on(inbound_config, dovecot, tmp_path, monkeypatch):
    config = _with_imap(inbound_config, dovecot, monkeypatch)
    for i in range(5):
        dovecot.append(fixture_mail("unrelated_seen.eml").replace(b"<lunch-", f"<lunch{i}-".encode()), flags="\\Seen")
    engine = open_db(config)
    keys = signing_keys(config, engine)
    first = poll_once(engine, config, keys, limit=2)
    second = poll_once(engine, config, keys, limit=2)
    third = poll_once(engine, config, keys, limit=2)
    assert [r.recorded for r in (first, second, third)] == [2, 2, 1]
    assert sum(_kinds(engine).values()) == 5 and len(dovecot.mailbox()) == 5


@pytest.mark.parametrize("host", ["imap.example.org", "192.0.2.7", "10.0.0.1"])
def test_imap_without_tls_is_refused_for_any_host_but_loopback(host):
    with pytest.raises(ConfigError, match="loopback"):
        check_settings(InboundImapConfig(host=host, port=143, security="none", username="u", password_env="P"))
    for loopback in ("127.0.0.1", "localhost", "::1"):
        check_settings(InboundImapConfig(host=loopback, port=143, security="none", username="u", password_env="P"))
    check_settings(InboundImapConfig(host=host, port=993, security="tls", username="u", password_env="P"))


def test_a_wrong_password_is_one_line_without_the_password(inbound_config, dovecot, monkeypatch):
    config = _with_imap(inbound_config, dovecot, monkeypatch)
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "not-the-password-s3cr3t")
    with pytest.raises(Exception) as caught:
        _poll(config)
    message = str(caught.value)
    assert "login" in message and "s3cr3t" not in message and "\n" not in message


def _imap_toml(server: Dovecot, poll_seconds: float = 60) -> str:
    return (f'[inbound.imap]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\nusername = "{USER}"\n'
            f'password_env = "TEST_IMAP_PASSWORD"\nprocessed_folder = "{PROCESSED}"\npoll_seconds = {poll_seconds}\n')


def test_outreach_inbound_imap_once_polls_once_and_exits(inbound_config, dovecot, tmp_path, monkeypatch, cli):
    from tests.inbound.test_receiver import _config_file

    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    sent = send_to(inbound_config, tmp_path, ADDRESSES[:1])
    dovecot.append(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))
    dovecot.append(fixture_mail("unrelated_seen.eml"), flags="\\Seen")
    path = _config_file(tmp_path, inbound_config, _imap_toml(dovecot))
    done = cli("--config", path, "inbound", "--imap-once")
    assert done.code == 0, done.err
    assert "2 recorded, 1 moved, 1 left in place, 0 failed" in done.out
    assert len(dovecot.mailbox()) == 1 and len(dovecot.mailbox(PROCESSED)) == 1


def test_outreach_inbound_also_polls_imap_while_it_listens(inbound_config, dovecot, tmp_path, monkeypatch):
    import os
    import time

    from tests.inbound.test_receiver import _config_file

    sent = send_to(inbound_config, tmp_path, ADDRESSES[:1])
    path = _config_file(tmp_path, inbound_config, _imap_toml(dovecot, poll_seconds=0.2))
    env = {**os.environ, "TEST_IMAP_PASSWORD": PASSWORD}
    with foreground_inbound(path, tmp_path, env) as run:
        assert "polling IMAP 127.0.0.1" in run.first, run.first
        dovecot.append(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))  # arrives while it runs
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (PROCESSED in dovecot.folders() and dovecot.mailbox(PROCESSED)):
            time.sleep(0.1)  # polling a condition with a deadline
    proc, out, err = run.proc, run.out, run.err
    assert proc.returncode == 0 and "stopped" in out, err
    assert len(dovecot.mailbox(PROCESSED)) == 1 and dovecot.mailbox() == []
    assert _states(open_db(inbound_config))["r0@example.org"] is DeliveryState.BOUNCED
    assert "1 recorded, 1 moved" in err and PASSWORD not in err


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_tls_verifies_the_server_certificate(inbound_config, dovecot_tls, tmp_path, monkeypatch, security):
    from outreach.errors import OutreachError

    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    port = dovecot_tls.tls_port if security == "tls" else dovecot_tls.port
    imap = InboundImapConfig(host="127.0.0.1", port=port, security=security, username=USER,
                             password_env="TEST_IMAP_PASSWORD", processed_folder=PROCESSED, timeout=10)
    config = inbound_config.model_copy(update={"inbound": inbound_config.inbound.model_copy(update={"imap": imap})})
    with pytest.raises(OutreachError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        _poll(config)  # self-signed: not trusted by the system's CAs

    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_tls.cert_file))  # now the system trusts it (OpenSSL reads this)
    sent = send_to(config, tmp_path, ADDRESSES[:1])
    dovecot_tls.append(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))
    result = _poll(config)
    assert (result.recorded, result.moved) == (1, 1)
    assert _states(open_db(config))["r0@example.org"] is DeliveryState.BOUNCED
