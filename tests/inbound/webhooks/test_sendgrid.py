"""SendGrid: ECDSA P-256 over timestamp + raw body, age, the documented events, SendGrid's own signed vector."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from outreach.errors import ConfigError
from outreach.inbound.events import InboundKind, InboundSource
from outreach.inbound.webhooks import WebhookRefused
from outreach.inbound.webhooks.sendgrid import public_key, verify_and_parse

from .conftest import NOW, fixture

# Signed by SendGrid's format, from sendgrid-python's test/unit/test_eventwebhook.py.
VECTOR_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
VECTOR_SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
VECTOR_TIMESTAMP = "1600112502"
VECTOR_BODY = json.dumps([{
    "email": "hello@world.com", "event": "dropped", "reason": "Bounced Address",
    "sg_event_id": "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
    "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
    "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>", "timestamp": 1600112492,
}], sort_keys=True, separators=(",", ":")).encode() + b"\r\n"
VECTOR_NOW = datetime.fromtimestamp(1600112502 + 10, tz=timezone.utc)
VECTOR_HEADERS = {"X-Twilio-Email-Event-Webhook-Signature": VECTOR_SIGNATURE, "X-Twilio-Email-Event-Webhook-Timestamp": VECTOR_TIMESTAMP}


def refused(settings, headers, body, key, now=NOW) -> WebhookRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(WebhookRefused) as caught:
        verify_and_parse(headers, body, settings, key, now)
    assert 400 <= caught.value.status < 500
    return caught.value


def test_sendgrids_own_signed_vector_verifies(settings):
    [message] = verify_and_parse(VECTOR_HEADERS, VECTOR_BODY, settings, VECTOR_KEY, VECTOR_NOW)
    assert message.source is InboundSource.SENDGRID
    assert message.external_id == "sendgrid:ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA"
    c = message.classification
    assert (c.kind, c.address, c.original_message_id) == (InboundKind.HARD_BOUNCE, "hello@world.com", "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>")


def test_sendgrids_vector_fails_with_anything_changed(settings):
    assert refused(settings, VECTOR_HEADERS, VECTOR_BODY.replace(b"hello@world.com", b"hello@world.org"), VECTOR_KEY, VECTOR_NOW).status == 403
    assert refused(settings, VECTOR_HEADERS, VECTOR_BODY.rstrip(b"\r\n"), VECTOR_KEY, VECTOR_NOW).status == 403
    later = {**VECTOR_HEADERS, "X-Twilio-Email-Event-Webhook-Timestamp": "1600112503"}
    assert refused(settings, later, VECTOR_BODY, VECTOR_KEY, VECTOR_NOW).status == 403
    other_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA=="
    assert refused(settings, VECTOR_HEADERS, VECTOR_BODY, other_key, VECTOR_NOW).status == 403
    assert refused(settings, VECTOR_HEADERS, VECTOR_BODY, VECTOR_KEY, VECTOR_NOW + timedelta(seconds=settings.max_age_seconds)).status == 400


def test_documented_events_are_read_by_kind(settings, sendgrid_signer):
    body = json.dumps(fixture("sendgrid_events.json")).encode()
    messages = verify_and_parse(sendgrid_signer.headers(body), body, settings, sendgrid_signer.public, NOW)
    read = {m.classification.address: m.classification.kind for m in messages}
    assert read == {"example@test.com": InboundKind.HARD_BOUNCE, "blocked@test.com": InboundKind.SOFT_BOUNCE,
                    "dropped@test.com": InboundKind.HARD_BOUNCE, "spam@test.com": InboundKind.COMPLAINT,
                    "leaver@test.com": InboundKind.UNSUBSCRIBE, "group@test.com": InboundKind.UNSUBSCRIBE}
    bounce = next(m for m in messages if m.classification.address == "example@test.com")
    assert (bounce.classification.status, bounce.external_id) == ("5.0.0", "sendgrid:6g4ZI7SA-xmRDv57GoPIPw==")
    assert "500 unknown recipient" in bounce.classification.reason
    assert json.loads(bounce.raw)["sg_event_id"] == "6g4ZI7SA-xmRDv57GoPIPw=="


@pytest.mark.parametrize(("reason", "kind"), [("Spam Reporting Address", InboundKind.COMPLAINT), ("Unsubscribed Address", InboundKind.UNSUBSCRIBE),
                                              ("Invalid", InboundKind.HARD_BOUNCE), ("Spam Content (if spam checker app enabled)", InboundKind.UNKNOWN),
                                              ("Invalid SMTPAPI header", InboundKind.UNKNOWN)])
def test_drops_follow_their_reason(settings, sendgrid_signer, reason, kind):
    body = json.dumps([{"email": "a@example.org", "event": "dropped", "reason": reason, "sg_event_id": "x1", "timestamp": 1}]).encode()
    [message] = verify_and_parse(sendgrid_signer.headers(body), body, settings, sendgrid_signer.public, NOW)
    assert message.classification.kind is kind


def test_forged_unsigned_and_stale_posts_are_refused(settings, sendgrid_signer):
    body = json.dumps(fixture("sendgrid_events.json")).encode()
    key = sendgrid_signer.public
    assert refused(settings, sendgrid_signer.headers(body, key=ec.generate_private_key(ec.SECP256R1())), body, key).status == 403
    assert refused(settings, sendgrid_signer.headers(body), body.replace(b"example@test.com", b"victim@test.com"), key).status == 403
    headers = sendgrid_signer.headers(body)
    assert refused(settings, {**headers, "X-Twilio-Email-Event-Webhook-Timestamp": str(int(NOW.timestamp()) + 1)}, body, key).status == 403
    assert refused(settings, {**headers, "X-Twilio-Email-Event-Webhook-Signature": "not base64!"}, body, key).status == 403
    assert refused(settings, {"Content-Type": "application/json"}, body, key).status == 401
    stale = NOW - timedelta(seconds=settings.max_age_seconds + 1)
    assert refused(settings, sendgrid_signer.headers(body, when=stale), body, key).status == 400
    assert refused(settings, sendgrid_signer.headers(body), body, None).status == 404


def test_signed_but_malformed_bodies_are_400(settings, sendgrid_signer):
    for body in (b"{nope", b'{"event": "bounce"}', b"[1]", json.dumps([{"event": "bounce", "email": "a@b.c"}]).encode()):
        assert refused(settings, sendgrid_signer.headers(body), body, sendgrid_signer.public).status == 400


def test_a_key_that_is_not_p256_is_a_config_error(sendgrid_signer):
    assert public_key(sendgrid_signer.public).curve.name == "secp256r1"
    for bad in ("not a key", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"):
        with pytest.raises(ConfigError):
            public_key(bad)
