"""The one small interface every social channel implements.

A channel publishes one post or one thread part (text, images with alt
text, optionally a reply target) and returns where it went, or raises one
of the channel errors in :mod:`outreach.errors`; it never returns a flag.
Each channel also builds the exact request it would send (:meth:`payload`),
which is what the outbox writes when the channel has no credentials.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime, timezone
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


def retry_time(headers: Mapping[str, str], default_seconds: int = 60) -> datetime:
    """When to try again, from ``x-rate-limit-reset`` / ``ratelimit-reset`` (epoch) or ``Retry-After``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
        value = lowered.get(name)
        if value:
            try:
                number = float(value)
            except ValueError:
                try:
                    return parsedate_to_datetime(value).astimezone(timezone.utc)
                except (TypeError, ValueError):
                    continue
            now = datetime.now(timezone.utc).timestamp()
            # some servers send seconds-from-now rather than an epoch time
            return datetime.fromtimestamp(number if number > 1e9 else now + number, timezone.utc)
    retry_after = lowered.get("retry-after")
    if retry_after and retry_after.isdigit():
        return datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() + int(retry_after), timezone.utc)
    return datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() + default_seconds, timezone.utc)


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
