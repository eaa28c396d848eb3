"""Signed tokens for unsubscribe and confirmation links.

A token names the subscriber and the list and is HMAC-SHA256 signed with a
secret from the environment, so it cannot be forged or altered. The purpose
("unsubscribe", "confirm") is part of the signed data: a token for one cannot
be used for the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass

_DAY = 86400
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{4,200}\.[A-Za-z0-9_-]{20,40}$")


class BadToken(ValueError):
    """The token is malformed, forged, altered, for another purpose or expired."""


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says."""

    subscriber_id: int
    list_name: str
    issued_day: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, payload: str) -> str:
    return _b64(hmac.new(secret, f"{purpose}\n{payload}".encode(), hashlib.sha256).digest()[:24])


def make_token(secret: bytes, purpose: str, subscriber_id: int, list_name: str, now: float | None = None) -> str:
    """A signed token for ``subscriber_id`` on ``list_name``."""
    day = int((time.time() if now is None else now) // _DAY)
    payload = _b64(f"{subscriber_id}|{list_name}|{day}".encode())
    return f"{payload}.{_mac(secret, purpose, payload)}"


def read_token(secret: bytes, purpose: str, token: str, max_age_days: int, now: float | None = None) -> TokenClaims:
    """Verify ``token`` and return its claims; raise :class:`BadToken` for anything else."""
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        raise BadToken("malformed")
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(secret, purpose, payload)):
        raise BadToken("bad signature")
    try:
        sid, list_name, day = _unb64(payload).decode("utf-8").split("|")
        claims = TokenClaims(int(sid), list_name, int(day))
    except (ValueError, UnicodeDecodeError):
        raise BadToken("malformed") from None
    today = int((time.time() if now is None else now) // _DAY)
    if today - claims.issued_day > max_age_days or claims.issued_day > today + 1:
        raise BadToken("expired")
    return claims
