"""The SMTP/LMTP receiver over a real socket: only the return path and the unsubscribe address are taken,
oversize mail is refused, 250 comes only after the record committed (451 when the database fails), LMTP
answers once per recipient; ``outreach inbound`` runs it in the foreground and stops on SIGTERM. SQLite and
PostgreSQL."""

from __future__ import annotations

import logging
import os
import smtplib
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from outreach.config import Config
from outreach.store.db import open_db
from outreach.store.delivery import DeliveryState
from outreach.store.ledger_queries import deliveries_in
from outreach.store.schema import inbound_messages
from outreach.store.subscribers import suppression_list
from outreach.store.membership import membership_status
from tests.inbound.conftest import (BOUNCE, SLUG, UNSUBSCRIBE, assert_outcomes, fixture_mail, foreground_inbound, real_formats, running_receiver,
                                   send_to)
from tests.inbound.test_imap import _inserts_fail

pytestmark = pytest.mark.slow


def _kinds(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(conn.execute(select(inbound_messages.c.kind)).scalars())


def _state(engine: Engine, address: str) -> DeliveryState:
    return {r.target: r.state for r in deliveries_in(engine, SLUG, list(DeliveryState))}[address]


def _client(port: int) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=20)
    client.ehlo("mx.example.net")
    return client


def test_only_the_return_path_and_the_unsubscribe_address_are_taken(inbound_config):
    with running_receiver(inbound_config) as port:
        client = _client(port)
        try:
            assert client.mail("<>")[0] == 250
            for stranger in ("someone@example.com", "bounces@other.example", "bounces+abc@news.example.org.evil.example",
                             "xbounces+abc@news.example.org", "postmaster@news.example.org", "bounces+@news.example.org"):
                code, _ = client.rcpt(stranger)
                assert code == 550, stranger
            for ours in (BOUNCE, "Bounces+Anything-Here@News.Example.Org", UNSUBSCRIBE):
                assert client.rcpt(ours)[0] == 250, ours
        finally:
            client.quit()
        with _client(port) as relay:  # an open relay would take this
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                relay.sendmail("spammer@example.com", ["victim@example.com"], b"Subject: hi\r\n\r\nbuy\r\n")
    assert _kinds(open_db(inbound_config)) == Counter()


def test_a_dsn_to_a_verp_address_bounces_the_delivery_and_suppresses_the_address(inbound_config, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="outreach.inbound")
    sent = send_to(inbound_config, tmp_path, ["r0@example.org", "r1@example.org"])
    mail = fixture_mail("hard_bounce.eml", sent["r0@example.org"])
    engine = open_db(inbound_config)
    with running_receiver(inbound_config) as port:
        with _client(port) as client:
            client.mail("<>")
            client.rcpt(sent["r0@example.org"].verp)
            code, reply = client.data(mail)
            assert code == 250 and b"hard_bounce" in reply
            assert _state(engine, "r0@example.org") is DeliveryState.BOUNCED  # committed before the 250 came
            client.mail("<>")  # the MTA did not see our 250 and delivers again: already have it
            client.rcpt(sent["r0@example.org"].verp)
            code, reply = client.data(mail)
            assert code == 250 and b"Already" in reply
    assert _kinds(engine) == Counter(hard_bounce=1)
    assert _state(engine, "r1@example.org") is DeliveryState.SENT
    assert [(s["email"], s["list"], s["reason"]) for s in suppression_list(engine)] == [("r0@example.org", "*", "bounced")]
    logged = caplog.text
    assert "hard_bounce" in logged and "r0@example.org" not in logged and "Undelivered" not in logged


@pytest.mark.parametrize("lmtp", [False, True], ids=["smtp", "lmtp"])
def test_every_kind_in_real_formats_reaches_the_subscriber(inbound_config, tmp_path, lmtp):
    formats = real_formats()
    sent = send_to(inbound_config, tmp_path, [f.address for f in formats] + ["r3@example.org"], {f.address: f.message_id for f in formats})
    with running_receiver(inbound_config, lmtp=lmtp) as port:
        client = smtplib.LMTP("127.0.0.1", port, timeout=20) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=20)
        try:
            client.ehlo("mx.example.net")
            for f in formats:
                client.mail("<>")
                assert client.rcpt(BOUNCE)[0] == 250
                assert client.data(f.raw)[0] == 250, f.name
            client.mail("<r3@example.org>")
            assert client.rcpt(UNSUBSCRIBE)[0] == 250
            assert client.data(fixture_mail("unsubscribe.eml", sent["r3@example.org"]))[0] == 250
        finally:
            client.close()
    engine = open_db(inbound_config)
    assert_outcomes(engine, formats)
    assert _kinds(engine)["unsubscribe"] == 1
    assert _membership(engine, "r3@example.org") == "unsubscribed"


def _membership(engine: Engine, address: str) -> str | None:
    from outreach.store.schema import subscribers

    with engine.connect() as conn:
        key = conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == address)).scalar_one()
    return membership_status(engine, key, "research")


def test_oversize_mail_is_refused_552_and_nothing_is_recorded(inbound_config):
    smtp = inbound_config.inbound.smtp.model_copy(update={"max_message_bytes": 2048})
    config = inbound_config.model_copy(update={"inbound": inbound_config.inbound.model_copy(update={"smtp": smtp})})
    big = b"Subject: big\r\nMessage-ID: <big@example.net>\r\n\r\n" + (b"y" * 76 + b"\r\n") * 60
    with running_receiver(config) as port:
        with _client(port) as client:
            client.mail("<>")
            client.rcpt(BOUNCE)
            code, _ = client.data(big)
            assert code == 552
            assert client.noop()[0] == 250  # the session carries on
    assert _kinds(open_db(config)) == Counter()


def test_a_database_failure_answers_451_and_the_retry_is_recorded(inbound_config, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="outreach.inbound")
    sent = send_to(inbound_config, tmp_path, ["r0@example.org"])
    mail = fixture_mail("hard_bounce.eml", sent["r0@example.org"])
    engine = open_db(inbound_config)
    with running_receiver(inbound_config) as port:
        with _client(port) as client:
            with _inserts_fail(engine):
                client.mail("<>")
                client.rcpt(sent["r0@example.org"].verp)
                code, reply = client.data(mail)
            assert code == 451 and b"Traceback" not in reply and b"disk" not in reply
            assert _state(engine, "r0@example.org") is DeliveryState.SENT and _kinds(engine) == Counter()
            client.mail("<>")
            client.rcpt(sent["r0@example.org"].verp)
            assert client.data(mail)[0] == 250
    assert _state(engine, "r0@example.org") is DeliveryState.BOUNCED
    assert "database unavailable" in caplog.text and "Traceback" not in caplog.text


def test_lmtp_answers_data_once_per_recipient(inbound_config, tmp_path):
    smtp = inbound_config.inbound.smtp.model_copy(update={"max_message_bytes": 2048})
    config = inbound_config.model_copy(update={"inbound": inbound_config.inbound.model_copy(update={"smtp": smtp})})
    sent = send_to(config, tmp_path, ["r0@example.org"])
    with running_receiver(config, lmtp=True) as port:
        client = smtplib.LMTP("127.0.0.1", port, timeout=20)
        try:
            assert client.docmd("EHLO", "mx.example.net")[0] == 500  # LMTP wants LHLO
            assert client.ehlo("mx.example.net")[0] == 250  # smtplib.LMTP sends LHLO
            client.mail("<>")
            assert client.rcpt("stranger@example.com")[0] == 550
            assert client.rcpt(sent["r0@example.org"].verp)[0] == 250
            assert client.rcpt(BOUNCE)[0] == 250
            code, _ = client.data(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))
            assert code == 250 and client.getreply()[0] == 250  # one reply per accepted recipient
            client.mail("<>")
            client.rcpt(BOUNCE)
            client.rcpt(UNSUBSCRIBE)
            assert client.data(b"Subject: big\r\n\r\n" + (b"z" * 76 + b"\r\n") * 60)[0] == 552
            assert client.getreply()[0] == 552
            assert client.noop() == (250, b"OK")  # nothing left over in the stream
        finally:
            client.close()
    assert _state(open_db(config), "r0@example.org") is DeliveryState.BOUNCED


# -- the command ----------------------------------------------------------------------------------

def _config_file(tmp_path: Path, config: Config, extra: str = "") -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text(f'database = "{config.database}"\noutbox = "{tmp_path / "outbox"}"\n'
                    f'[email]\nbounce_address = "{BOUNCE}"\nunsubscribe_mailto = "{UNSUBSCRIBE}"\n{extra}', encoding="utf-8")
    return path


def test_outreach_inbound_runs_in_the_foreground_and_stops_on_sigterm(inbound_config, tmp_path):
    sent = send_to(inbound_config, tmp_path, ["r0@example.org"])
    path = _config_file(tmp_path, inbound_config)
    env = {**os.environ, "OUTREACH_SECRET": os.environ["OUTREACH_SECRET"]}
    with foreground_inbound(path, tmp_path, env) as run:
        assert run.first.startswith("listening on 127.0.0.1:") and "(SMTP)" in run.first, run.first + run.proc.stderr.read()
        port = int(run.first.split(":")[1].split()[0])
        with _client(port) as client:
            client.mail("<>")
            client.rcpt(sent["r0@example.org"].verp)
            assert client.data(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))[0] == 250
    proc, out, err = run.proc, run.out, run.err
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err
    assert _state(open_db(inbound_config), "r0@example.org") is DeliveryState.BOUNCED


def test_outreach_inbound_file_records_one_mail_and_says_what_it_did(inbound_config, tmp_path, cli):
    sent = send_to(inbound_config, tmp_path, ["r0@example.org"])
    mail = tmp_path / "bounce.eml"
    mail.write_bytes(fixture_mail("hard_bounce.eml", sent["r0@example.org"]))
    path = _config_file(tmp_path, inbound_config)
    first = cli("--config", path, "inbound", "--file", mail)
    assert first.code == 0, first.err
    assert "hard_bounce" in first.out and "5.1.1" in first.out and "recorded" in first.out
    again = cli("--config", path, "inbound", "--file", mail)
    assert again.code == 0 and "already recorded" in again.out
    engine = open_db(inbound_config)
    assert _state(engine, "r0@example.org") is DeliveryState.BOUNCED
    with engine.connect() as conn:
        assert list(conn.execute(select(inbound_messages.c.source))) == [("cli",)]
    missing = cli("--config", path, "inbound", "--file", tmp_path / "nope.eml")
    assert missing.code == 1 and "nope.eml" in missing.err and "Traceback" not in missing.err
