"""Amazon SES bounce and complaint notifications, delivered by SNS to ``POST /webhooks/ses``.

Every SNS post is signed by Amazon (SignatureVersion 1: SHA1withRSA, 2:
SHA256withRSA) over a canonical string of the message's fields, with the key in
a certificate at ``SigningCertURL``. That URL is only fetched when it is https on
``sns.<region>.amazonaws.com`` (the topic's own region) with the usual
``/SimpleNotificationService-….pem`` path; the certificate is cached by URL.
The topic must be one of ``[inbound.webhooks] sns_topic_arns``. A verified
SubscriptionConfirmation is confirmed by a GET of its ``SubscribeURL`` (same host
rule). The SNS MessageId is the receipt that refuses a replay.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ...config import WebhooksConfig
from ..events import InboundKind, InboundMessage, InboundSource
from .base import WebhookRefused, check_fresh, inbound, load_json, lower_headers, need_object, one_line, status_in, text

CERT_URL = re.compile(r"https://sns\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?/SimpleNotificationService-[A-Za-z0-9]{1,64}\.pem", re.ASCII)
SNS_HOST = re.compile(r"sns\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?", re.ASCII)
TOPIC_REGION = re.compile(r"arn:aws(?:-[a-z]+)*:sns:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:[A-Za-z0-9_.-]{1,256}", re.ASCII)
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
MAX_CERT_BYTES = 64 * 1024
HARD_BOUNCES = {"Permanent"}  # Transient and Undetermined count as soft: suppressed after N of the last M sends


class SnsFetcher:
    """Fetches (and caches by URL) SNS signing certificates and confirms subscriptions, over httpx.

    ``transport`` is the seam tests use to send amazonaws.com requests to a loopback emulator.
    """

    def __init__(self, transport: httpx.BaseTransport | None = None, timeout: float = 10.0) -> None:
        self.client = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)
        self.certificates: dict[str, rsa.RSAPublicKey] = {}
        self.lock = threading.Lock()

    def public_key(self, url: str) -> rsa.RSAPublicKey:
        """The RSA key of the certificate at ``url`` (already checked against the host rule)."""
        with self.lock:
            if url in self.certificates:
                return self.certificates[url]
        try:
            response = self.client.get(url)
        except httpx.HTTPError:
            raise WebhookRefused(502, "the signing certificate could not be fetched") from None
        if response.status_code != 200 or len(response.content) > MAX_CERT_BYTES:
            raise WebhookRefused(403, "the signing certificate could not be fetched")
        try:
            key = x509.load_pem_x509_certificate(response.content).public_key()
        except ValueError:
            raise WebhookRefused(403, "the signing certificate is not a certificate") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise WebhookRefused(403, "the signing certificate has no RSA key")
        with self.lock:
            self.certificates[url] = key
        return key

    def confirm(self, url: str) -> None:
        """GET the SubscribeURL (already checked) so SNS starts delivering to this endpoint."""
        try:
            response = self.client.get(url)
        except httpx.HTTPError:
            raise WebhookRefused(502, "the subscription could not be confirmed") from None
        if response.status_code != 200:
            raise WebhookRefused(502, f"confirming the subscription was answered {response.status_code}")


def _region(url: str, pattern: re.Pattern[str]) -> str | None:
    match = pattern.fullmatch(url)
    return match.group(1) if match else None


def check_subscribe_url(url: str, region: str) -> None:
    """Refuse a SubscribeURL that is not https on the topic's SNS host, path ``/``, Action=ConfirmSubscription."""
    parts = urlsplit(url)
    if (parts.scheme != "https" or parts.port is not None or "@" in parts.netloc or parts.path != "/" or parts.fragment
            or _region(parts.netloc, SNS_HOST) != region
            or parse_qs(parts.query).get("Action") != ["ConfirmSubscription"]):
        raise WebhookRefused(403, "the SubscribeURL is not an SNS address")


def string_to_sign(message: Mapping[str, Any]) -> bytes:
    """The canonical ``Name\\nvalue\\n`` string SNS signs for this message type (Subject only when present)."""
    fields = SIGNED_FIELDS[message["Type"]]
    lines = []
    for name in fields:
        value = message.get(name)
        if value is None and name == "Subject":
            continue
        if not isinstance(value, str):
            raise WebhookRefused(400, f"the SNS message has no {name}")
        lines.append(f"{name}\n{value}\n")
    return "".join(lines).encode("utf-8")


def verify_signature(message: Mapping[str, Any], fetcher: SnsFetcher, region: str) -> None:
    """Check the RSA signature over the canonical string with the key from the (host-checked) certificate."""
    version = message.get("SignatureVersion")
    if version not in HASHES:
        raise WebhookRefused(403, "unknown SNS SignatureVersion")
    url = message.get("SigningCertURL")
    if not isinstance(url, str) or _region(url, CERT_URL) != region:
        raise WebhookRefused(403, "the SigningCertURL is not an SNS certificate address")
    try:
        signature = base64.b64decode(str(message.get("Signature") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookRefused(403, "the SNS signature is not base64") from None
    key = fetcher.public_key(url)
    try:
        key.verify(signature, string_to_sign(message), padding.PKCS1v15(), HASHES[version]())
    except InvalidSignature:
        raise WebhookRefused(403, "the SNS signature does not verify") from None


def parse_timestamp(value: Any) -> datetime:
    """SNS's ISO 8601 ``Timestamp`` as an aware datetime."""
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise WebhookRefused(400, "the SNS Timestamp is malformed") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def verify(headers: Mapping[str, str], body: bytes, settings: WebhooksConfig, now: datetime, fetcher: SnsFetcher) -> dict[str, Any]:
    """The verified SNS message: type, topic, freshness and signature checked, in that order (cheap checks first)."""
    message = need_object(load_json(body), "the SNS message")
    kind = message.get("Type")
    if kind not in SIGNED_FIELDS:
        raise WebhookRefused(400, "not an SNS message")
    declared = lower_headers(headers).get("x-amz-sns-message-type")
    if declared is not None and declared != kind:
        raise WebhookRefused(400, "the SNS message type header disagrees with the body")
    topic = message.get("TopicArn")
    if topic not in settings.sns_topic_arns:
        raise WebhookRefused(403, "the topic is not one of sns_topic_arns")
    region = _region(str(topic), TOPIC_REGION)
    if region is None:
        raise WebhookRefused(403, "the TopicArn is not an SNS topic")
    check_fresh(parse_timestamp(message.get("Timestamp")), now, settings.max_age_seconds)
    if kind != "Notification":
        check_subscribe_url(str(message.get("SubscribeURL") or ""), region)
    verify_signature(message, fetcher, region)
    return message


def verify_and_parse(headers: Mapping[str, str], body: bytes, settings: WebhooksConfig, secret: str | None,
                     now: datetime, fetcher: SnsFetcher) -> list[InboundMessage]:
    """Verify an SNS post; confirm a subscription, or read the SES bounce/complaint it carries.

    ``secret`` is unused (SNS is on when ``sns_topic_arns`` is set); it keeps the providers' signature.
    """
    message = verify(headers, body, settings, now, fetcher)
    if message["Type"] == "SubscriptionConfirmation":
        fetcher.confirm(message["SubscribeURL"])
        return []
    if message["Type"] == "UnsubscribeConfirmation":
        return []
    try:
        event = json.loads(message.get("Message") or "")
    except ValueError:
        raise WebhookRefused(400, "the SNS Message is not SES JSON") from None
    return ses_events(need_object(event, "the SES notification"), f"ses:{message['MessageId']}", body, now)


def ses_events(event: dict[str, Any], receipt: str, raw: bytes, now: datetime) -> list[InboundMessage]:
    """One InboundMessage per bounced or complaining recipient; deliveries and other events give none."""
    kind = event.get("notificationType") or event.get("eventType")
    mail = event.get("mail") if isinstance(event.get("mail"), dict) else {}
    message_id = original_message_id(mail)
    found: list[tuple[InboundKind, str, str | None, str | None]] = []
    if kind == "Bounce":
        bounce = need_object(event.get("bounce"), "the SES bounce")
        bounce_type = text(bounce.get("bounceType")) or "Undetermined"
        verdict = InboundKind.HARD_BOUNCE if bounce_type in HARD_BOUNCES else InboundKind.SOFT_BOUNCE
        for person in _recipients(bounce.get("bouncedRecipients")):
            status = text(person.get("status")) or status_in(text(person.get("diagnosticCode")))
            reason = one_line(status, text(person.get("diagnosticCode")), f"(SES {bounce_type}/{text(bounce.get('bounceSubType')) or '-'})")
            found.append((verdict, reason, text(person.get("emailAddress")), status))
    elif kind == "Complaint":
        complaint = need_object(event.get("complaint"), "the SES complaint")
        feedback = text(complaint.get("complaintFeedbackType")) or "complaint"
        for person in _recipients(complaint.get("complainedRecipients")):
            found.append((InboundKind.COMPLAINT, one_line(feedback, "(SES complaint)"), text(person.get("emailAddress")), None))
    return [inbound(InboundSource.SES, raw, now, f"{receipt}:{n}", verdict, reason, address=address, message_id=message_id, status=status)
            for n, (verdict, reason, address, status) in enumerate(found)]


def _recipients(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise WebhookRefused(400, "the SES event lists no recipients")
    return [person for person in value if isinstance(person, dict)]


def original_message_id(mail: dict[str, Any]) -> str | None:
    """The Message-ID outreach gave the mail: ``commonHeaders.messageId``, else the ``Message-ID`` header."""
    common = mail.get("commonHeaders")
    if isinstance(common, dict) and (found := text(common.get("messageId"))):
        return found
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == "message-id":
            return text(header.get("value"))
    return None
