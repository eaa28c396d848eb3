"""What the four ESP webhook parsers share: the refusal, JSON, header and clock checks."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ...errors import OutreachError
from ...text import clean_line
from ..events import Classification, InboundKind, InboundMessage, InboundSource

MAX_BODY_BYTES = 1_000_000  # every provider's event post is far smaller; larger ones are refused unread
ENHANCED_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


class WebhookRefused(OutreachError):
    """A webhook post that is not accepted: its HTTP status and a one-line reason (never a secret)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with lower-case names (Starlette's are already case-insensitive; plain dicts are not)."""
    return {name.lower(): value for name, value in headers.items()}


def load_json(body: bytes) -> Any:
    """The body parsed as JSON; a body that is too big or not JSON is refused (413, 400)."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRefused(413, "the body is too large")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRefused(400, "the body is not JSON") from None


def need_object(value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object, else a 400 naming ``what``."""
    if not isinstance(value, dict):
        raise WebhookRefused(400, f"{what} is not a JSON object")
    return value


def text(value: Any) -> str | None:
    """A JSON string (or number) as text, anything else as None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def check_fresh(signed_at: datetime, now: datetime, max_age_seconds: int) -> None:
    """Refuse (400) a signed time more than ``max_age_seconds`` from ``now`` either way: a replay or a bad clock."""
    if abs(now - signed_at) > timedelta(seconds=max_age_seconds):
        raise WebhookRefused(400, "the signed timestamp is too old or in the future")


def unix_time(value: str | None) -> datetime:
    """A Unix timestamp in seconds (digits only) as an aware UTC datetime; anything else is a 400."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 12:
        raise WebhookRefused(400, "the signed timestamp is missing or malformed")
    return datetime.fromtimestamp(int(value), tz=timezone.utc)


def angle_message_id(value: str | None) -> str | None:
    """A Message-ID in ``<...>`` form (providers often drop the brackets)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    return value if value.startswith("<") and value.endswith(">") else f"<{value.strip('<>')}>"


def status_in(*texts: str | None) -> str | None:
    """The first enhanced status code (``5.1.1``) found in the given texts."""
    for candidate in texts:
        if candidate and (match := ENHANCED_STATUS.search(candidate)):
            return match.group(1)
    return None


def one_line(*parts: str | None, limit: int = 500) -> str:
    """The non-empty parts joined on one line, control characters removed, cut at ``limit``."""
    return clean_line(" ".join(p for p in parts if p), limit)


def inbound(source: InboundSource, raw: bytes, now: datetime, receipt: str, kind: InboundKind, reason: str, *,
            address: str | None, message_id: str | None = None, status: str | None = None) -> InboundMessage:
    """One InboundMessage for an ESP event; ``receipt`` is provider-prefixed (``sendgrid:<id>``)."""
    classification = Classification(kind=kind, reason=reason, address=address.strip() if address else None,
                                    original_message_id=angle_message_id(message_id), status=status)
    return InboundMessage(source=source, raw=raw, classification=classification, received_at=now, external_id=receipt)  # the recorder keeps a digest of a long one


def canonical_json(value: Any) -> bytes:
    """One event re-serialised for keeping raw (a batch post holds many)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
