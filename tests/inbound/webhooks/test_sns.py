"""SES via SNS: signature (versions 1 and 2), certificate host, topic, age, confirmation, SES event reading."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from outreach.inbound.events import InboundKind, InboundSource
from outreach.inbound.webhooks import WebhookRefused
from outreach.inbound.webhooks.sns import SnsFetcher, verify_and_parse

from .conftest import NOW, SNS_HOST, TOPIC, fixture, forger_key, sns_confirmation, sns_notification


def post(emulator, settings, message, now=NOW, headers=None):  # type: ignore[no-untyped-def]
    body = json.dumps(message).encode()
    return verify_and_parse(headers or {"x-amz-sns-message-type": message.get("Type", "")}, body, settings, None, now,
                            SnsFetcher(emulator.transport()))


def refused(emulator, settings, message, **kwargs) -> WebhookRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(WebhookRefused) as caught:
        post(emulator, settings, message, **kwargs)
    assert 400 <= caught.value.status < 500, caught.value.reason
    return caught.value


@pytest.mark.parametrize("version", ["1", "2"])
def test_documented_bounce_is_one_hard_bounce_per_recipient(sns_emulator, settings, version):
    ses = fixture("ses_bounce.json")
    [message] = post(sns_emulator, settings, sns_emulator.sign(sns_notification(ses), version))
    assert message.source is InboundSource.SES
    assert message.external_id == "ses:22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324:0"
    c = message.classification
    assert (c.kind, c.address, c.status, c.original_message_id) == (InboundKind.HARD_BOUNCE, "jane@example.com", "5.1.1", "<custom-message-ID>")
    assert "smtp; 550 5.1.1 <jane@example.com>... User" in c.reason and "Permanent" in c.reason
    assert json.loads(json.loads(message.raw)["Message"]) == ses


def test_transient_and_undetermined_bounces_are_soft_and_each_recipient_counts(sns_emulator, settings):
    ses = fixture("ses_bounce.json")
    ses["bounce"]["bounceType"] = "Transient"
    ses["bounce"]["bouncedRecipients"].append({"emailAddress": "mary@example.com", "status": "4.2.2", "diagnosticCode": "smtp; 452 4.2.2 mailbox full"})
    messages = post(sns_emulator, settings, sns_emulator.sign(sns_notification(ses)))
    assert [(m.classification.kind, m.classification.address, m.classification.status) for m in messages] == [
        (InboundKind.SOFT_BOUNCE, "jane@example.com", "5.1.1"), (InboundKind.SOFT_BOUNCE, "mary@example.com", "4.2.2")]
    assert len({m.external_id for m in messages}) == 2
    ses["bounce"]["bounceType"] = "Undetermined"
    assert {m.classification.kind for m in post(sns_emulator, settings, sns_emulator.sign(sns_notification(ses)))} == {InboundKind.SOFT_BOUNCE}


def test_documented_complaint_is_a_complaint(sns_emulator, settings):
    [message] = post(sns_emulator, settings, sns_emulator.sign(sns_notification(fixture("ses_complaint.json"))))
    c = message.classification
    assert (c.kind, c.address, c.original_message_id) == (InboundKind.COMPLAINT, "richard@example.com", "<custom-message-ID>")
    assert "abuse" in c.reason


def test_event_publishing_names_the_type_eventType_and_headers_give_the_message_id(sns_emulator, settings):
    ses = fixture("ses_bounce.json")
    ses["eventType"] = ses.pop("notificationType")
    del ses["mail"]["commonHeaders"]
    [message] = post(sns_emulator, settings, sns_emulator.sign(sns_notification(ses)))
    assert message.classification.kind is InboundKind.HARD_BOUNCE
    assert message.classification.original_message_id == "<custom-message-ID>"


def test_delivery_is_verified_and_ignored(sns_emulator, settings):
    assert post(sns_emulator, settings, sns_emulator.sign(sns_notification(fixture("ses_delivery.json")))) == []


def test_subscription_confirmation_is_verified_then_confirmed_by_a_get(sns_emulator, settings):
    message = sns_emulator.sign(sns_confirmation())
    assert post(sns_emulator, settings, message) == []
    [query] = sns_emulator.confirmed
    assert query["TopicArn"] == [TOPIC] and query["Token"] == [message["Token"]]


def test_forged_subscription_confirmation_is_not_confirmed(sns_emulator, settings):
    forger = forger_key()
    assert refused(sns_emulator, settings, sns_emulator.sign(sns_confirmation(), key=forger)).status == 403
    signed = sns_emulator.sign(sns_confirmation())
    signed["SubscribeURL"] = signed["SubscribeURL"].replace("Token=", "Token=x")  # changed after signing
    refused(sns_emulator, settings, signed)
    assert sns_emulator.confirmed == []


@pytest.mark.parametrize("url", [
    "https://sns.evil.com/?Action=ConfirmSubscription&Token=1",
    "https://sns.eu-west-1.amazonaws.com.evil.org/?Action=ConfirmSubscription&Token=1",
    "http://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=1",
    "https://evil.org@sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=1",
    "https://sns.eu-west-1.amazonaws.com:8443/?Action=ConfirmSubscription&Token=1",
    "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=1",
    "https://sns.eu-west-1.amazonaws.com/other?Action=ConfirmSubscription&Token=1",
    "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&Token=1",
])
def test_subscribe_url_off_the_topics_sns_host_is_refused_even_when_signed(sns_emulator, settings, url):
    message = sns_confirmation()
    message["SubscribeURL"] = url
    assert refused(sns_emulator, settings, sns_emulator.sign(message)).status == 403
    assert sns_emulator.confirmed == []


@pytest.mark.parametrize("url", [
    f"http://{SNS_HOST}/SimpleNotificationService-7c5e1a2b3d4f.pem",
    "https://sns.evil.com/SimpleNotificationService-7c5e1a2b3d4f.pem",
    "https://sns.eu-west-1.amazonaws.com.evil.org/SimpleNotificationService-7c5e1a2b3d4f.pem",
    "https://amazonaws.com.evil.org/SimpleNotificationService-7c5e1a2b3d4f.pem",
    f"https://evil.org@{SNS_HOST}/SimpleNotificationService-7c5e1a2b3d4f.pem",
    f"https://{SNS_HOST}@evil.org/SimpleNotificationService-7c5e1a2b3d4f.pem",
    f"https://{SNS_HOST}:8443/SimpleNotificationService-7c5e1a2b3d4f.pem",
    f"https://{SNS_HOST}/other/SimpleNotificationService-7c5e1a2b3d4f.pem",
    f"https://{SNS_HOST}/SimpleNotificationService-7c5e1a2b3d4f.pem?x=1",
    f"https://{SNS_HOST}/SimpleNotificationService-7c5e1a2b3d4f.pem#x",
    f"https://{SNS_HOST}/cert.pem",
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-7c5e1a2b3d4f.pem",  # another region than the topic's
    f"https://{SNS_HOST.upper()}/SimpleNotificationService-7c5e1a2b3d4f.pem",
])
def test_certificate_url_off_the_sns_host_is_never_fetched(sns_emulator, settings, url):
    message = sns_emulator.sign(sns_notification(fixture("ses_bounce.json")))
    message["SigningCertURL"] = url
    assert refused(sns_emulator, settings, message).status == 403
    assert sns_emulator.certificate_fetches == 0


def test_wrong_key_altered_message_and_unsigned_posts_are_refused(sns_emulator, settings):
    forger = forger_key()
    ses = fixture("ses_bounce.json")
    assert refused(sns_emulator, settings, sns_emulator.sign(sns_notification(ses), key=forger)).status == 403
    altered = sns_emulator.sign(sns_notification(ses))
    altered["Message"] = altered["Message"].replace("jane@example.com", "victim@example.org")
    assert refused(sns_emulator, settings, altered).status == 403
    for field in ("Subject", "MessageId", "Timestamp"):
        changed = sns_emulator.sign(sns_notification(ses))
        changed[field] = changed[field][:-2] + ("Z" if field == "Timestamp" else "xx")
        refused(sns_emulator, settings, changed)
    unsigned = sns_notification(ses)
    for name in ("Signature", "SignatureVersion", "SigningCertURL"):
        unsigned.pop(name)
    assert refused(sns_emulator, settings, unsigned).status == 403
    bad_version = sns_emulator.sign(sns_notification(ses))
    bad_version["SignatureVersion"] = "3"
    refused(sns_emulator, settings, bad_version)


def test_signature_version_1_does_not_verify_as_version_2(sns_emulator, settings):
    message = sns_emulator.sign(sns_notification(fixture("ses_bounce.json")), version="1")
    message["SignatureVersion"] = "2"
    assert refused(sns_emulator, settings, message).status == 403


def test_other_topic_is_refused_before_any_fetch(sns_emulator, settings):
    message = sns_notification(fixture("ses_bounce.json"))
    message["TopicArn"] = TOPIC.replace("outreach-ses-events", "someone-elses-topic")
    assert refused(sns_emulator, settings, sns_emulator.sign(message)).status == 403
    assert sns_emulator.certificate_fetches == 0


def test_stale_and_future_timestamps_are_refused(sns_emulator, settings):
    ses = fixture("ses_bounce.json")
    old = sns_emulator.sign(sns_notification(ses, when=NOW - timedelta(seconds=settings.max_age_seconds + 1)))
    refused(sns_emulator, settings, old)
    future = sns_emulator.sign(sns_notification(ses, when=NOW + timedelta(seconds=settings.max_age_seconds + 1)))
    refused(sns_emulator, settings, future)
    fresh = sns_emulator.sign(sns_notification(ses, when=NOW - timedelta(seconds=settings.max_age_seconds - 5)))
    assert len(post(sns_emulator, settings, fresh)) == 1


def test_certificate_is_fetched_once_per_url(sns_emulator, settings):
    fetcher = SnsFetcher(sns_emulator.transport())
    for n in range(3):
        body = json.dumps(sns_emulator.sign(sns_notification(fixture("ses_bounce.json"), message_id=f"id-{n}"))).encode()
        verify_and_parse({}, body, settings, None, NOW, fetcher)
    assert sns_emulator.certificate_fetches == 1


def test_malformed_posts_are_400(sns_emulator, settings):
    fetcher = SnsFetcher(sns_emulator.transport())
    for body in (b"{not json", b"[]", b'"text"', json.dumps({"Type": "Other"}).encode()):
        with pytest.raises(WebhookRefused) as caught:
            verify_and_parse({}, body, settings, None, NOW, fetcher)
        assert caught.value.status == 400
    message = sns_emulator.sign(sns_notification(fixture("ses_bounce.json")))
    with pytest.raises(WebhookRefused) as caught:  # the header says one type, the body another
        verify_and_parse({"x-amz-sns-message-type": "SubscriptionConfirmation"}, json.dumps(message).encode(), settings, None, NOW, fetcher)
    assert caught.value.status == 400


def test_notification_without_subject_is_signed_without_it(sns_emulator, settings):
    message = sns_notification(fixture("ses_bounce.json"))
    del message["Subject"]
    assert len(post(sns_emulator, settings, sns_emulator.sign(message))) == 1
