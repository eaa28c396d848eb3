"""Postmark bounce and spam-complaint webhooks (``POST /webhooks/postmark``).

Postmark signs nothing: the webhook URL carries HTTP basic auth
(``https://user:password@…/webhooks/postmark``), checked in constant time against
``postmark_username`` and the password in ``postmark_password_env``. The record's
``ID`` is the receipt, so a replayed post is refused by the recorder. Postmark's
``MessageID`` is its own id, not the Message-ID outreach wrote, so only the
address links a record to a subscriber.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...config import WebhooksConfig
from ..events import InboundKind, InboundMessage, InboundSource
from .base import WebhookRefused, inbound, load_json, lower_headers, need_object, one_line, status_in, text

BOUNCE_TYPES = {
    "HardBounce": InboundKind.HARD_BOUNCE,
    "BadEmailAddress": InboundKind.HARD_BOUNCE,
    "SoftBounce": InboundKind.SOFT_BOUNCE,
    "Transient": InboundKind.SOFT_BOUNCE,
    "DnsError": InboundKind.SOFT_BOUNCE,
    "Blocked": InboundKind.SOFT_BOUNCE,
    "SpamComplaint": InboundKind.COMPLAINT,
    "Unsubscribe": InboundKind.UNSUBSCRIBE,
    "AutoResponder": InboundKind.AUTO_REPLY,
}  # every other Type (SpamNotification, ManuallyDeactivated, Unknown, …) is kept only


def check_auth(headers: Mapping[str, str], username: str, password: str) -> None:
    """Refuse (401) a post whose basic-auth user and password are not the configured ones (constant time)."""
    header = lower_headers(headers).get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    try:
        given = base64.b64decode(encoded.strip(), validate=True) if scheme.lower() == "basic" else b""
    except (binascii.Error, ValueError):
        given = b""
    user, colon, word = given.partition(b":")
    good_user = hmac.compare_digest(user, username.encode())
    good_word = hmac.compare_digest(word, password.encode())
    if not (colon and good_user and good_word):
        raise WebhookRefused(401, "basic auth is missing or wrong")


def verify_and_parse(headers: Mapping[str, str], body: bytes, settings: WebhooksConfig, secret: str | None,
                     now: datetime, **_: Any) -> list[InboundMessage]:
    """Check basic auth, then read a Bounce or SpamComplaint record (other record types are ignored)."""
    if not secret or not settings.postmark_username:
        raise WebhookRefused(404, "Postmark webhooks are off")
    check_auth(headers, settings.postmark_username, secret)
    record = need_object(load_json(body), "the Postmark record")
    record_type = text(record.get("RecordType"))
    if record_type not in ("Bounce", "SpamComplaint"):
        return []
    record_id = text(record.get("ID"))
    if not record_id:
        raise WebhookRefused(400, "the record has no ID")
    bounce_type = text(record.get("Type")) or "Unknown"
    verdict = InboundKind.COMPLAINT if record_type == "SpamComplaint" else BOUNCE_TYPES.get(bounce_type, InboundKind.UNKNOWN)
    details = text(record.get("Details"))
    status = status_in(details)
    reason = one_line(status, details or text(record.get("Description")), f"(Postmark {bounce_type})")
    return [inbound(InboundSource.POSTMARK, body, now, f"postmark:{record_id}", verdict, reason,
                    address=text(record.get("Email")), status=status)]
