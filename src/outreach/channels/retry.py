"""When to try a platform again after a 429: its own reset time, read from whichever header it sends, within bounds."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Mapping

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
