"""The four endpoints end to end: verify, record through the real recorder, refuse replays; refusals write nothing.

Each test builds a Starlette app from ``webhook_routes`` on a fresh database
(SQLite, and PostgreSQL when it is there) with sent deliveries to the
documented payloads' addresses, so a recorded event has a real effect.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from outreach.config import Config, InboundConfig
from outreach.store.db import open_db
from outreach.store.schema import inbound_messages
from outreach.store.subscribers import suppression_list
from outreach.web.webhooks import webhook_routes
from tests.inbound.test_record import KEYS, send

from .conftest import (MAILGUN_KEY, NOW, POSTMARK_PASSWORD, basic_auth, fixture, forger_key, mailgun_signed, sns_confirmation,
                       sns_notification)

ADDRESSES = ["jane@example.com", "richard@example.com", "alice@example.com", "john@example.com", "example@test.com", "spam@test.com"]


class Hooks:
    """A test client on the webhook routes, and what the database holds."""

    def __init__(self, config: Config, engine, client: TestClient) -> None:  # type: ignore[no-untyped-def]
        self.config, self.engine, self.client = config, engine, client

    def rows(self) -> list[tuple[str, str, str | None, str | None]]:
        with self.engine.connect() as conn:
            found = conn.execute(select(inbound_messages.c.source, inbound_messages.c.kind, inbound_messages.c.address,
                                        inbound_messages.c.receipt).order_by(inbound_messages.c.id))
            return [tuple(r) for r in found]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(inbound_messages)).scalar_one()

    def suppressed(self) -> list[str]:
        return sorted(s["email"] for s in suppression_list(self.engine) if s["list"] == "*")

    def post(self, provider: str, body: bytes, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(f"/webhooks/{provider}", content=body, headers=headers or {"Content-Type": "application/json"})


def build(db_config: Config, settings, transport, tmp_path) -> Hooks:  # type: ignore[no-untyped-def]
    config = db_config.model_copy(update={"inbound": InboundConfig(webhooks=settings)})
    engine = open_db(config)
    send(engine, tmp_path, "c1", "research", ADDRESSES)
    app = Starlette(routes=webhook_routes(config, engine, KEYS, transport=transport, clock=lambda: NOW))
    return Hooks(config, engine, TestClient(app))


@pytest.fixture
def env(monkeypatch, sendgrid_signer):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MAILGUN_KEY", MAILGUN_KEY)
    monkeypatch.setenv("SENDGRID_KEY", sendgrid_signer.public)
    monkeypatch.setenv("POSTMARK_PASSWORD", POSTMARK_PASSWORD)


@pytest.fixture
def hooks(db_config, settings, sns_emulator, env, tmp_path) -> Hooks:  # type: ignore[no-untyped-def]
    return build(db_config, settings, sns_emulator.transport(), tmp_path)


def refused_and_nothing_written(hooks: Hooks, response, status: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert hooks.count() == 0 and hooks.suppressed() == []


# -- SES ----------------------------------------------------------------------------------
def test_ses_bounce_is_recorded_and_its_replay_refused(hooks, sns_emulator):
    body = json.dumps(sns_emulator.sign(sns_notification(fixture("ses_bounce.json")))).encode()
    response = hooks.post("ses", body, {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"})
    assert response.status_code == 200, response.text
    assert hooks.rows() == [("ses", "hard_bounce", "jane@example.com", "ses:22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324:0")]
    assert hooks.suppressed() == ["jane@example.com"]
    assert hooks.post("ses", body).status_code == 409
    assert hooks.count() == 1


def test_ses_complaint_suppresses(hooks, sns_emulator):
    body = json.dumps(sns_emulator.sign(sns_notification(fixture("ses_complaint.json")), version="1")).encode()
    assert hooks.post("ses", body).status_code == 200
    assert hooks.rows()[0][:3] == ("ses", "complaint", "richard@example.com") and hooks.suppressed() == ["richard@example.com"]


def test_ses_subscription_is_confirmed_and_nothing_recorded(hooks, sns_emulator):
    assert hooks.post("ses", json.dumps(sns_emulator.sign(sns_confirmation())).encode()).status_code == 200
    assert len(sns_emulator.confirmed) == 1 and hooks.count() == 0


@pytest.mark.parametrize("forgery", ["forged", "altered", "unsigned", "stale", "topic", "host", "http"])
def test_ses_forgeries_are_refused_and_write_nothing(hooks, sns_emulator, forgery):
    ses = fixture("ses_bounce.json")
    when = NOW - timedelta(seconds=hooks.config.inbound.webhooks.max_age_seconds + 1) if forgery == "stale" else NOW
    message = sns_notification(ses, when=when)
    if forgery == "topic":
        message["TopicArn"] += "-other"
    message = sns_emulator.sign(message, key=forger_key() if forgery == "forged" else None)
    if forgery == "altered":
        message["Message"] = message["Message"].replace("Permanent", "Transient")
    elif forgery == "unsigned":
        del message["Signature"]
    elif forgery == "host":
        message["SigningCertURL"] = message["SigningCertURL"].replace("amazonaws.com", "amazonaws.com.evil.org")
    elif forgery == "http":
        message["SigningCertURL"] = message["SigningCertURL"].replace("https:", "http:")
    refused_and_nothing_written(hooks, hooks.post("ses", json.dumps(message).encode()))


# -- Mailgun ------------------------------------------------------------------------------
def test_mailgun_failure_is_recorded_and_its_token_is_single_use(hooks):
    payload = fixture("mailgun_failed_permanent.json")
    body = mailgun_signed(payload)
    assert hooks.post("mailgun", body).status_code == 200
    assert hooks.rows() == [("mailgun", "hard_bounce", "alice@example.com", f"mailgun:{payload['signature']['token']}")]
    assert hooks.post("mailgun", body).status_code == 409
    swapped = json.loads(body)  # Mailgun signs timestamp + token only: another event under a seen token is a replay
    swapped["event-data"]["recipient"] = "john@example.com"
    assert hooks.post("mailgun", json.dumps(swapped).encode()).status_code == 409
    assert hooks.count() == 1 and hooks.suppressed() == ["alice@example.com"]


@pytest.mark.parametrize("forgery", ["wrong key", "unsigned", "stale", "malformed"])
def test_mailgun_forgeries_are_refused_and_write_nothing(hooks, forgery, caplog):
    payload = fixture("mailgun_failed_permanent.json")
    if forgery == "wrong key":
        body = mailgun_signed(payload, key="key-someone-else")
    elif forgery == "unsigned":
        body = json.dumps({"event-data": payload["event-data"]}).encode()
    elif forgery == "stale":
        body = mailgun_signed(payload, when=NOW - timedelta(hours=1))
    else:
        body = mailgun_signed(payload)[:-2]
    with caplog.at_level(logging.INFO):
        response = hooks.post("mailgun", body)
    refused_and_nothing_written(hooks, response, 400 if forgery == "malformed" else None)
    assert MAILGUN_KEY not in caplog.text and MAILGUN_KEY not in response.text


# -- SendGrid -----------------------------------------------------------------------------
def test_sendgrid_batch_is_recorded_in_one_go_and_a_replay_writes_nothing(hooks, sendgrid_signer):
    body = json.dumps(fixture("sendgrid_events.json")).encode()
    assert hooks.post("sendgrid", body, sendgrid_signer.headers(body)).status_code == 200
    kinds = {(address, kind) for _, kind, address, _ in hooks.rows()}
    assert ("example@test.com", "hard_bounce") in kinds and ("spam@test.com", "complaint") in kinds and len(kinds) == 6
    before = hooks.count()
    assert hooks.post("sendgrid", body, sendgrid_signer.headers(body)).status_code == 409
    partly_new = json.dumps(fixture("sendgrid_events.json") + [{"email": "new@test.com", "event": "bounce", "type": "bounce",
                                                                 "sg_event_id": "brand-new", "timestamp": 1}]).encode()
    assert hooks.post("sendgrid", partly_new, sendgrid_signer.headers(partly_new)).status_code == 409
    assert hooks.count() == before


@pytest.mark.parametrize("forgery", ["wrong key", "altered", "unsigned", "stale"])
def test_sendgrid_forgeries_are_refused_and_write_nothing(hooks, sendgrid_signer, forgery):
    from cryptography.hazmat.primitives.asymmetric import ec

    body = json.dumps(fixture("sendgrid_events.json")).encode()
    headers = sendgrid_signer.headers(body, when=NOW - timedelta(minutes=10) if forgery == "stale" else NOW,
                                      key=ec.generate_private_key(ec.SECP256R1()) if forgery == "wrong key" else None)
    if forgery == "unsigned":
        headers = {"Content-Type": "application/json"}
    if forgery == "altered":
        body = body.replace(b"spam@test.com", b"ceo@test.com")
    refused_and_nothing_written(hooks, hooks.post("sendgrid", body, headers))


# -- Postmark -----------------------------------------------------------------------------
def test_postmark_bounce_is_recorded_and_its_replay_refused(hooks):
    body = json.dumps(fixture("postmark_bounce.json")).encode()
    assert hooks.post("postmark", body, basic_auth()).status_code == 200
    assert hooks.rows() == [("postmark", "hard_bounce", "john@example.com", "postmark:4323372036854775807")]
    assert hooks.post("postmark", body, basic_auth()).status_code == 409 and hooks.count() == 1


def test_postmark_without_the_password_is_401_with_a_challenge_and_writes_nothing(hooks, caplog):
    body = json.dumps(fixture("postmark_bounce.json")).encode()
    for headers in ({"Content-Type": "application/json"}, basic_auth(password="guess")):
        with caplog.at_level(logging.INFO):
            response = hooks.post("postmark", body, headers)
        refused_and_nothing_written(hooks, response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
    assert POSTMARK_PASSWORD not in caplog.text


# -- every endpoint -----------------------------------------------------------------------
@pytest.mark.parametrize("provider", ["ses", "mailgun", "sendgrid", "postmark"])
def test_oversize_bodies_are_refused_unread(hooks, provider):
    huge = b"[" + b" " * 1_000_001 + b"]"
    refused_and_nothing_written(hooks, hooks.post(provider, huge, basic_auth()), 413)
    streamed = hooks.client.post(f"/webhooks/{provider}", content=iter([b"[", b" " * 600_000, b" " * 600_000, b"]"]), headers=basic_auth())
    refused_and_nothing_written(hooks, streamed, 413)


@pytest.mark.parametrize("provider", ["ses", "mailgun", "postmark"])
def test_malformed_json_is_400(hooks, provider):
    refused_and_nothing_written(hooks, hooks.post(provider, b"{not json", basic_auth()), 400)


def test_unconfigured_providers_answer_404(db_config, sns_emulator, tmp_path, monkeypatch):
    from outreach.config import WebhooksConfig

    off = build(db_config, WebhooksConfig(), sns_emulator.transport(), tmp_path)
    for provider in ("ses", "mailgun", "sendgrid", "postmark"):
        assert off.post(provider, b"{}").status_code == 404
    assert off.client.get("/webhooks/mailgun").status_code == 405


def test_a_named_but_unset_secret_or_a_bad_key_stops_start_up_naming_the_variable(db_config, settings, monkeypatch, sendgrid_signer):
    from outreach.errors import ConfigError
    from outreach.web.webhooks import provider_secrets

    config = db_config.model_copy(update={"inbound": InboundConfig(webhooks=settings)})
    monkeypatch.setenv("SENDGRID_KEY", sendgrid_signer.public)
    monkeypatch.setenv("POSTMARK_PASSWORD", POSTMARK_PASSWORD)
    monkeypatch.delenv("MAILGUN_KEY", raising=False)
    with pytest.raises(ConfigError, match="MAILGUN_KEY"):
        provider_secrets(config)
    monkeypatch.setenv("MAILGUN_KEY", MAILGUN_KEY)
    monkeypatch.setenv("SENDGRID_KEY", "bm90IGEga2V5")
    with pytest.raises(ConfigError, match="SendGrid") as caught:
        provider_secrets(config)
    assert "bm90IGEga2V5" not in str(caught.value)
    half = settings.model_copy(update={"postmark_password_env": None})
    with pytest.raises(ConfigError, match="postmark"):
        provider_secrets(db_config.model_copy(update={"inbound": InboundConfig(webhooks=half)}))
