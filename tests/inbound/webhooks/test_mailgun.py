"""Mailgun: HMAC-SHA256 of timestamp + token, age, and the documented events."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from outreach.inbound.events import InboundKind, InboundSource
from outreach.inbound.webhooks import WebhookRefused
from outreach.inbound.webhooks.mailgun import verify_and_parse

from .conftest import MAILGUN_KEY, NOW, fixture, mailgun_signed


def parse(settings, body, now=NOW, key=MAILGUN_KEY):  # type: ignore[no-untyped-def]
    return verify_and_parse({}, body, settings, key, now)


def refused(settings, body, **kwargs) -> WebhookRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(WebhookRefused) as caught:
        parse(settings, body, **kwargs)
    assert 400 <= caught.value.status < 500
    return caught.value


def test_documented_permanent_failure_is_a_hard_bounce(settings):
    payload = fixture("mailgun_failed_permanent.json")
    [message] = parse(settings, mailgun_signed(payload))
    c = message.classification
    assert message.source is InboundSource.MAILGUN
    assert message.external_id == f"mailgun:{payload['signature']['token']}"
    assert (c.kind, c.address) == (InboundKind.HARD_BOUNCE, "alice@example.com")
    assert c.original_message_id == "<20130503182626.18666.16540@sandbox39b4eb72c6ef4ec3a4ad9e1e6a2e0cb2.mailgun.org>"
    assert "Not delivering to previously bounced address" in c.reason and "permanent" in c.reason


def test_documented_temporary_failure_is_a_soft_bounce_with_its_status(settings):
    [message] = parse(settings, mailgun_signed(fixture("mailgun_failed_temporary.json")))
    assert (message.classification.kind, message.classification.status) == (InboundKind.SOFT_BOUNCE, "4.2.2")


def test_documented_complaint_and_unsubscribe(settings):
    [complaint] = parse(settings, mailgun_signed(fixture("mailgun_complained.json")))
    assert (complaint.classification.kind, complaint.classification.address) == (InboundKind.COMPLAINT, "alice@example.com")
    [leaver] = parse(settings, mailgun_signed(fixture("mailgun_unsubscribed.json")))
    assert (leaver.classification.kind, leaver.classification.unsubscribe_token) == (InboundKind.UNSUBSCRIBE, None)


def test_other_events_are_ignored(settings):
    payload = fixture("mailgun_complained.json")
    payload["event-data"]["event"] = "delivered"
    assert parse(settings, mailgun_signed(payload)) == []


def test_documentation_signature_is_not_ours(settings):
    """The published example carries a signature under Mailgun's key, not ours: refused."""
    body = json.dumps(fixture("mailgun_failed_permanent.json")).encode()
    assert refused(settings, body, now=NOW.replace(year=2018, month=6, day=14, hour=20, minute=7, second=34)).status == 403


def test_wrong_key_altered_body_and_unsigned_posts_are_refused(settings):
    payload = fixture("mailgun_failed_permanent.json")
    assert refused(settings, mailgun_signed(payload, key="key-someone-else")).status == 403
    body = mailgun_signed(payload)
    signed = json.loads(body)
    signed["signature"]["token"] = "z" + signed["signature"]["token"][1:]  # another token, same signature
    assert refused(settings, json.dumps(signed).encode()).status == 403
    signed = json.loads(body)
    signed["signature"]["timestamp"] = str(int(signed["signature"]["timestamp"]) + 1)
    assert refused(settings, json.dumps(signed).encode()).status == 403
    unsigned = json.loads(body)
    del unsigned["signature"]
    assert refused(settings, json.dumps(unsigned).encode()).status == 401
    blank = json.loads(body)
    blank["signature"]["signature"] = ""
    assert refused(settings, json.dumps(blank).encode()).status == 401


def test_stale_and_future_timestamps_are_refused(settings):
    payload = fixture("mailgun_failed_permanent.json")
    refused(settings, mailgun_signed(payload, when=NOW - timedelta(seconds=settings.max_age_seconds + 1)))
    refused(settings, mailgun_signed(payload, when=NOW + timedelta(seconds=settings.max_age_seconds + 1)))
    assert len(parse(settings, mailgun_signed(payload, when=NOW - timedelta(seconds=settings.max_age_seconds - 5)))) == 1


def test_malformed_posts_are_400_and_an_unconfigured_key_is_off(settings):
    for body in (b"{nope", b"[]", json.dumps({"signature": {"timestamp": "soon", "token": "t", "signature": "s"}}).encode()):
        assert refused(settings, body).status == 400
    assert refused(settings, mailgun_signed(fixture("mailgun_complained.json")), key=None).status == 404
