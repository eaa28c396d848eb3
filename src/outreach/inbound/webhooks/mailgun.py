"""Mailgun event webhooks (``POST /webhooks/mailgun``).

The body is JSON: ``{"signature": {"timestamp", "token", "signature"}, "event-data": {...}}``.
The signature is the hex HMAC-SHA256 of ``timestamp + token`` under the
domain's webhook signing key; a timestamp further than ``max_age_seconds`` from
now is refused, and the token (single use) is the receipt, so a replay is
refused by the recorder. ``failed`` (permanent: hard, temporary: soft),
``complained`` and ``unsubscribed`` are read; other events are ignored. Mailgun's
``unsubscribed`` carries no list token, so it becomes an UNSUBSCRIBE with the
address only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...config import WebhooksConfig
from ..events import InboundKind, InboundMessage, InboundSource
from .base import WebhookRefused, check_fresh, inbound, load_json, need_object, one_line, status_in, text, unix_time


def verify(body: bytes, settings: WebhooksConfig, secret: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """The signed token and the event data, once the signature and timestamp check out."""
    if not secret:
        raise WebhookRefused(404, "Mailgun webhooks are off")
    payload = need_object(load_json(body), "the Mailgun post")
    signed = payload.get("signature")
    if not isinstance(signed, dict):
        raise WebhookRefused(401, "the post is not signed")
    stamp, token, signature = (text(signed.get(k)) for k in ("timestamp", "token", "signature"))
    if not token or not signature:
        raise WebhookRefused(401, "the post is not signed")
    signed_at = unix_time(stamp)
    expected = hmac.new(secret.encode(), f"{stamp}{token}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
        raise WebhookRefused(403, "the Mailgun signature does not verify")
    check_fresh(signed_at, now, settings.max_age_seconds)
    return token, need_object(payload.get("event-data"), "event-data")


def verify_and_parse(headers: Mapping[str, str], body: bytes, settings: WebhooksConfig, secret: str | None,
                     now: datetime, **_: Any) -> list[InboundMessage]:
    """Verify a Mailgun post and read its event (``headers`` are not signed and not used)."""
    token, event = verify(body, settings, secret or "", now)
    kind = text(event.get("event"))
    address = text(event.get("recipient"))
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    headers_ = message.get("headers") if isinstance(message.get("headers"), dict) else {}
    message_id = text(headers_.get("message-id"))
    receipt = f"mailgun:{token}"
    if kind == "failed":
        verdict, reason, status = _failure(event)
    elif kind == "complained":
        verdict, reason, status = InboundKind.COMPLAINT, "complaint (Mailgun complained)", None
    elif kind == "unsubscribed":
        verdict, reason, status = InboundKind.UNSUBSCRIBE, "unsubscribed at Mailgun (no list token)", None
    else:
        return []
    return [inbound(InboundSource.MAILGUN, body, now, receipt, verdict, reason, address=address, message_id=message_id, status=status)]


def _failure(event: dict[str, Any]) -> tuple[InboundKind, str, str | None]:
    severity = text(event.get("severity")) or "temporary"
    delivery = event.get("delivery-status") if isinstance(event.get("delivery-status"), dict) else {}
    code, said, description = (text(delivery.get(k)) for k in ("code", "message", "description"))
    status = status_in(said, description)
    verdict = InboundKind.HARD_BOUNCE if severity == "permanent" else InboundKind.SOFT_BOUNCE
    reason = one_line(status or code, said or description, f"(Mailgun {severity} failure, {text(event.get('reason')) or '-'})")
    return verdict, reason, status
