"""Postmark: basic auth in constant time, the documented bounce and spam-complaint records."""

from __future__ import annotations

import base64
import json

import pytest

from outreach.inbound.events import InboundKind, InboundSource
from outreach.inbound.webhooks import WebhookRefused
from outreach.inbound.webhooks.postmark import verify_and_parse

from .conftest import NOW, POSTMARK_PASSWORD, POSTMARK_USER, basic_auth, fixture


def body_of(name: str, **changes) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps({**fixture(name), **changes}).encode()


def refused(settings, headers, body, password=POSTMARK_PASSWORD) -> WebhookRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(WebhookRefused) as caught:
        verify_and_parse(headers, body, settings, password, NOW)
    assert 400 <= caught.value.status < 500
    return caught.value


def test_documented_hard_bounce(settings):
    [message] = verify_and_parse(basic_auth(), body_of("postmark_bounce.json"), settings, POSTMARK_PASSWORD, NOW)
    c = message.classification
    assert message.source is InboundSource.POSTMARK
    assert message.external_id == "postmark:4323372036854775807"  # beyond 2**53: kept exact
    assert (c.kind, c.address, c.original_message_id) == (InboundKind.HARD_BOUNCE, "john@example.com", None)
    assert "Test bounce details" in c.reason and "HardBounce" in c.reason


def test_documented_spam_complaint(settings):
    [message] = verify_and_parse(basic_auth(), body_of("postmark_spam_complaint.json"), settings, POSTMARK_PASSWORD, NOW)
    assert (message.classification.kind, message.external_id) == (InboundKind.COMPLAINT, "postmark:42")


@pytest.mark.parametrize(("bounce_type", "kind"), [("SoftBounce", InboundKind.SOFT_BOUNCE), ("Transient", InboundKind.SOFT_BOUNCE),
                                                   ("BadEmailAddress", InboundKind.HARD_BOUNCE), ("AutoResponder", InboundKind.AUTO_REPLY),
                                                   ("SpamNotification", InboundKind.UNKNOWN)])
def test_bounce_types(settings, bounce_type, kind):
    [message] = verify_and_parse(basic_auth(), body_of("postmark_bounce.json", Type=bounce_type), settings, POSTMARK_PASSWORD, NOW)
    assert message.classification.kind is kind


def test_deliveries_are_ignored(settings):
    assert verify_and_parse(basic_auth(), body_of("postmark_delivery.json"), settings, POSTMARK_PASSWORD, NOW) == []


def test_missing_and_wrong_credentials_are_401(settings):
    body = body_of("postmark_bounce.json")
    for headers in ({}, basic_auth(password="wrong"), basic_auth(user="someone"), basic_auth(password=POSTMARK_PASSWORD + "x"),
                    {"Authorization": "Bearer " + POSTMARK_PASSWORD}, {"Authorization": "Basic !!!"},
                    {"Authorization": "Basic " + base64.b64encode(POSTMARK_USER.encode()).decode()}):
        assert refused(settings, headers, body).status == 401


def test_unconfigured_is_off_and_malformed_is_400(settings):
    assert refused(settings, basic_auth(), body_of("postmark_bounce.json"), password=None).status == 404
    assert refused(settings, basic_auth(), b"{nope").status == 400
    assert refused(settings, basic_auth(), json.dumps({"RecordType": "Bounce", "Email": "a@b.c"}).encode()).status == 400
