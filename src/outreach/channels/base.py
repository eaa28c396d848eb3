"""The one small interface every social channel implements.

A channel publishes one post or one thread part (text, images with alt
text, optionally a reply target) and returns where it went, or raises one
of the channel errors in :mod:`outreach.errors`; it never returns a flag.
Each channel also builds the exact request it would send (:meth:`payload`),
which is what the outbox writes when the channel has no credentials.
"""

from __future__ import annotations

import hashlib
import math
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Mapping, Protocol

from ..errors import AuthFailed, OutcomeUnknown, RateLimited, Rejected, Unavailable


@dataclass(frozen=True)
class Media:
    """An image with its alt text."""

    path: Path
    alt: str

    @property
    def mime(self) -> str:
        """The image's MIME type, from its file name."""
        return mimetypes.guess_type(self.path.name)[0] or "application/octet-stream"

    def read(self) -> bytes:
        """The image bytes; a missing file is a permanent rejection."""
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise Rejected(f"image {self.path}: {exc.strerror}") from None


@dataclass(frozen=True)
class LinkCard:
    """A link preview (Bluesky's external embed)."""

    uri: str
    title: str
    description: str
    thumb: Media | None = None


@dataclass(frozen=True)
class OutgoingPart:
    """One post, or one part of a thread, ready to publish."""

    campaign: str
    step: int
    index: int  # 1-based position in the thread
    count: int
    text: str
    images: tuple[Media, ...] = ()
    card: LinkCard | None = None

    @property
    def idempotency_key(self) -> str:
        """Stable per part, so a retried request cannot create a second post where the API honours it."""
        return hashlib.sha256(f"outreach/{self.campaign}/{self.step}/{self.index}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Posted:
    """Where a part went."""

    remote_id: str
    url: str
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. Bluesky's cid and thread root


class Channel(Protocol):
    """A social network (or the outbox standing in for one)."""

    name: str

    def payload(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The request this channel would send for ``part`` (JSON-ready, images by file name)."""

    def publish(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Posted:
        """Publish ``part``, replying to ``reply_to`` (and ``root``, for Bluesky) in a thread."""


# A rate-limit reset is the platform's word, but a broken or hostile value must not stall a
# thread for years nor hammer the API: every wait is kept within these bounds.
MIN_RETRY_WAIT = 5.0  # seconds
MAX_RETRY_WAIT = 24 * 3600.0
EPOCH_AFTER = 1e9  # a larger reset value is an epoch time; a smaller one is seconds from now


def _seconds(value: str, current: datetime) -> float | None:
    """Seconds from ``current`` that a reset header names, or None if it is not readable.

    Accepts an epoch time, seconds from now, an HTTP-date (RFC 9110) or an ISO 8601 time.
    """
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if not math.isfinite(number):
            return None
        return number - current.timestamp() if number > EPOCH_AFTER else number
    when: datetime | None = None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - current).total_seconds()


def _bounded(seconds: float) -> float:
    return min(max(seconds, MIN_RETRY_WAIT), MAX_RETRY_WAIT)


def retry_time(headers: Mapping[str, str], default_seconds: int = 60) -> datetime:
    """When to try again, from ``x-rate-limit-reset`` / ``ratelimit-reset`` or ``Retry-After``.

    The wait is the platform's own (exactly its reset time), kept between
    ``MIN_RETRY_WAIT`` and ``MAX_RETRY_WAIT``; a value that cannot be read
    (or an absurd one such as ``nan``) falls through to the next header, then
    to ``default_seconds``.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    current = datetime.now(timezone.utc)
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset", "retry-after"):
        value = lowered.get(name)
        seconds = _seconds(value, current) if value else None
        if seconds is not None:
            return current + timedelta(seconds=_bounded(seconds))
    return current + timedelta(seconds=_bounded(float(default_seconds)))


def error_for_status(service: str, status: int, message: str, headers: Mapping[str, str], *, request_sent: bool = True) -> Exception:
    """Map an HTTP failure onto the error tree (the caller raises it)."""
    detail = f"{service}: HTTP {status}: {message}".strip()
    if status == 429:
        return RateLimited(detail, retry_time(headers))
    if status in (401, 403) and "duplicate" not in message.lower():
        return AuthFailed(detail) if status == 401 or "auth" in message.lower() or "token" in message.lower() else Rejected(detail)
    if status >= 500:
        return Unavailable(detail)
    return Rejected(detail)


def network_error(service: str, exc: Exception, *, connect_failed: bool, idempotent: bool = False) -> Exception:
    """A failure with no HTTP answer: before the request went out it is safe to retry; after, only if idempotent."""
    if connect_failed or idempotent:
        return Unavailable(f"{service}: {exc.__class__.__name__}: {exc}")
    return OutcomeUnknown(f"{service}: no answer after the request was sent ({exc.__class__.__name__}); check the account before resending")
