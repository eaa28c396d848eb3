"""SendGrid's signed Event Webhook (``POST /webhooks/sendgrid``).

SendGrid signs ``timestamp + raw body`` with ECDSA P-256 / SHA-256; the
signature (base64 DER) is in ``X-Twilio-Email-Event-Webhook-Signature`` and the
timestamp in ``X-Twilio-Email-Event-Webhook-Timestamp``. The public key is the
base64 DER SubjectPublicKeyInfo shown in SendGrid's settings. The body is a JSON
array of events; each event's ``sg_event_id`` is its receipt.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ...config import WebhooksConfig
from ...errors import ConfigError
from ..events import InboundKind, InboundMessage, InboundSource
from .base import (WebhookRefused, canonical_json, check_fresh, inbound, load_json, lower_headers, one_line, status_in,
                   text, unix_time)

SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature"
TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp"
MAX_EVENTS = 10_000
UNSUBSCRIBES = {"unsubscribe", "group_unsubscribe"}


@functools.lru_cache(maxsize=4)
def public_key(value: str) -> ec.EllipticCurvePublicKey:
    """SendGrid's verification key (base64 DER, or PEM) as a P-256 key; anything else is a ConfigError."""
    try:
        if "BEGIN PUBLIC KEY" in value:
            key = serialization.load_pem_public_key(value.encode())
        else:
            key = serialization.load_der_public_key(base64.b64decode("".join(value.split()), validate=True))
    except (ValueError, binascii.Error, TypeError):
        raise ConfigError("the SendGrid verification key is not a base64 public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ConfigError("the SendGrid verification key is not an ECDSA P-256 key")
    return key


def verify(headers: Mapping[str, str], body: bytes, settings: WebhooksConfig, secret: str, now: datetime) -> list[Any]:
    """The events, once the signature over timestamp + body and the timestamp's age check out."""
    if not secret:
        raise WebhookRefused(404, "SendGrid webhooks are off")
    found = lower_headers(headers)
    signature, stamp = found.get(SIGNATURE_HEADER), found.get(TIMESTAMP_HEADER)
    if not signature or not stamp:
        raise WebhookRefused(401, "the post is not signed")
    signed_at = unix_time(stamp)
    try:
        der = base64.b64decode(signature, validate=True)
        public_key(secret).verify(der, stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (binascii.Error, ValueError, InvalidSignature):
        raise WebhookRefused(403, "the SendGrid signature does not verify") from None
    check_fresh(signed_at, now, settings.max_age_seconds)
    events = load_json(body)
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise WebhookRefused(400, "the body is not a list of events")
    return events


def verify_and_parse(headers: Mapping[str, str], body: bytes, settings: WebhooksConfig, secret: str | None,
                     now: datetime, **_: Any) -> list[InboundMessage]:
    """Verify a SendGrid post and read its bounce, drop, spam-report and unsubscribe events."""
    messages = []
    for event in verify(headers, body, settings, secret or "", now):
        if not isinstance(event, dict):
            raise WebhookRefused(400, "an event is not a JSON object")
        read = classify(event)
        if read is None:
            continue
        event_id = text(event.get("sg_event_id"))
        if not event_id:
            raise WebhookRefused(400, "an event has no sg_event_id")
        verdict, reason, status = read
        messages.append(inbound(InboundSource.SENDGRID, canonical_json(event), now, f"sendgrid:{event_id}", verdict, reason,
                                address=text(event.get("email")), message_id=text(event.get("smtp-id")), status=status))
    return messages


def classify(event: dict[str, Any]) -> tuple[InboundKind, str, str | None] | None:
    """What one event means for the address, or None for events outreach ignores (delivered, open, deferred…)."""
    kind = text(event.get("event"))
    reason_text, status = text(event.get("reason")), text(event.get("status"))
    status = status_in(status, reason_text) or status
    if kind == "bounce":
        blocked = text(event.get("type")) == "blocked"  # a temporary refusal by the receiver
        verdict = InboundKind.SOFT_BOUNCE if blocked else InboundKind.HARD_BOUNCE
        return verdict, one_line(status, reason_text, f"(SendGrid {'blocked' if blocked else 'bounce'})"), status
    if kind == "dropped":
        return _dropped(reason_text or "", status)
    if kind == "spamreport":
        return InboundKind.COMPLAINT, "spam report (SendGrid)", None
    if kind in UNSUBSCRIBES:
        return InboundKind.UNSUBSCRIBE, f"{kind} at SendGrid (no list token)", None
    return None


def _dropped(reason: str, status: str | None) -> tuple[InboundKind, str, str | None]:
    """SendGrid did not send: because of its own suppression lists, or for a reason about the message."""
    lowered = reason.lower()
    if "spam reporting" in lowered:
        verdict = InboundKind.COMPLAINT
    elif "unsubscribed" in lowered:
        verdict = InboundKind.UNSUBSCRIBE
    elif "bounced" in lowered or lowered.strip() in {"invalid", "invalid address", "invalid email"}:
        verdict = InboundKind.HARD_BOUNCE
    else:  # "Spam Content", "Exceeded Limit", …: about the message, not the address; kept only
        verdict = InboundKind.UNKNOWN
    return verdict, one_line(status, f"dropped: {reason}" if reason else "dropped", "(SendGrid)"), status
