"""Issue 11: with ``[email.dkim]`` every message that leaves is signed, and the signed bytes are what leaves.

Campaign mail (signed in the sender threads, where OpenSSL signs in parallel),
test copies, the web server's confirmation mail (the same transport) and
outbox ``.eml`` files. Verified with dkimpy against a stubbed DNS answer.
E1's tests in test_dkim.py cover the signer itself.
"""

from __future__ import annotations

import threading

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from outreach.campaign import load_campaign
from outreach.config import Config, DkimConfig
from outreach.errors import ConfigError
from outreach.mail.dkim import DkimSigner
from outreach.mail.send import send_email, send_test
from outreach.plan import build_plan
from outreach.store.archive import archive_entry
from outreach.store.db import open_db
from outreach.store.ledger_queries import counts
from tests.mail.test_send import FAST, subscribe

SELECTOR = "wire2026"
DOMAIN = "outreach.invalid"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def lookup_for(key: rsa.RSAPrivateKey):  # type: ignore[no-untyped-def]
    txt = DkimSigner(key, DOMAIN, SELECTOR).info.txt_value.encode("ascii")

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return txt if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None
    return lookup


def with_dkim(config: Config, tmp_path, key) -> Config:  # type: ignore[no-untyped-def]
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    table = DkimConfig(selector=SELECTOR, domain=DOMAIN, private_key_file=pem)
    return config.model_copy(update={"email": config.email.model_copy(update={"dkim": table})})


def assert_signed_once_and_verifies(data: bytes, key) -> None:  # type: ignore[no-untyped-def]
    assert data.startswith(b"DKIM-Signature: ") and data.count(b"DKIM-Signature:") == 1
    assert dkim.verify(data, dnsfunc=lookup_for(key))


@pytest.fixture
def signing_threads(monkeypatch) -> list[str]:
    """The name of the thread each signature was made in."""
    seen: list[str] = []
    real = DkimSigner.sign

    def recording(self, message: bytes, timestamp: int | None = None) -> bytes:  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return real(self, message, timestamp)

    monkeypatch.setattr(DkimSigner, "sign", recording)
    return seen


def test_campaign_mail_is_signed_in_the_sender_threads_and_verifies(smtp_config, smtp_server, campaign_copy, tmp_path, key, signing_threads):
    config = with_dkim(smtp_config, tmp_path, key)
    plan = build_plan(load_campaign(campaign_copy()), config)
    subscribe(config, tmp_path, 9, [("aase@example.dk", "Åse \"Ærø\" 😀 " * 4)])
    smtp_server.when("reader003@example.org", "451 4.7.1 try later")  # a retried message is signed afresh, still once
    result = send_email(config, plan, **FAST)
    assert result.ledger["sent"] == 10 and "DKIM-signed d=outreach.invalid" in result.transport
    assert len(smtp_server.deliveries) == 10
    for delivery in smtp_server.deliveries:
        assert_signed_once_and_verifies(delivery.data, key)
    assert signing_threads and all(name.startswith("sender-") for name in signing_threads), set(signing_threads)


def test_a_test_copy_is_signed(smtp_config, smtp_server, campaign_copy, tmp_path, key):
    config = with_dkim(smtp_config, tmp_path, key)
    send_test(config, build_plan(load_campaign(campaign_copy()), config), ["checker@example.org"])
    [delivery] = smtp_server.deliveries
    assert_signed_once_and_verifies(delivery.data, key)


def test_outbox_files_are_signed(campaign_copy, db_config, tmp_path, key, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "k")
    config = with_dkim(db_config.model_copy(update={"require_approval": False}), tmp_path, key)
    plan = build_plan(load_campaign(campaign_copy()), config)
    subscribe(config, tmp_path, 3)
    send_email(config, plan, **FAST)
    files = sorted((config.outbox / "email" / plan.campaign.slug).glob("*.eml"))
    assert len(files) == 3
    for path in files:
        assert_signed_once_and_verifies(path.read_bytes(), key)


def test_confirmation_mail_through_the_same_transport_is_signed(smtp_config, smtp_server, tmp_path, key):
    from outreach.mail.compose import signing_keys
    from outreach.store.membership import request_sign_up
    from outreach.web.confirmation import ConfirmationWorker

    config = with_dkim(smtp_config, tmp_path, key)
    engine = open_db(config)
    request_sign_up(engine, "new@example.org", None, "research")
    assert ConfirmationWorker(config, engine, signing_keys(config, engine)).send_due() == 1
    [delivery] = smtp_server.deliveries
    assert delivery.rcpt == "new@example.org"
    assert_signed_once_and_verifies(delivery.data, key)


def test_a_bad_key_stops_the_send_before_anything_happens(smtp_config, smtp_server, campaign_copy, tmp_path):
    (tmp_path / "dkim.pem").write_text("not a key", encoding="utf-8")
    table = DkimConfig(selector=SELECTOR, domain=DOMAIN, private_key_file=tmp_path / "dkim.pem")
    config = smtp_config.model_copy(update={"email": smtp_config.email.model_copy(update={"dkim": table})})
    plan = build_plan(load_campaign(campaign_copy()), config)
    subscribe(config, tmp_path, 2)
    with pytest.raises(ConfigError, match="private_key_file"):
        send_email(config, plan, **FAST)
    with pytest.raises(ConfigError, match="private_key_file"):
        send_test(config, plan, ["checker@example.org"])
    engine = open_db(config)
    assert not smtp_server.deliveries and sum(counts(engine, plan.campaign.slug).values()) == 0
    assert archive_entry(engine, plan.campaign.slug) is None
