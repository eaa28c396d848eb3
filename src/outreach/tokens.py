"""Signed tokens for the links in every email: unsubscribe, confirm, and what comes next.

A token names a subscriber by their random ``token_key`` (never the numeric
row id, which a database may hand to somebody else after a delete) and the
list, and is signed with :mod:`itsdangerous` under a salt per purpose, so a
token for one purpose is refused for another and nothing in it can be forged
or altered. The signing keys are a :class:`Keyring`: the newest key signs,
every key verifies, so a key can be rotated without breaking the links in
mail already sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Sequence

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

_DAY = 86400
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_.-]{20,400}$")
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class BadToken(ValueError):
    """The token is malformed, forged, altered, for another purpose or expired."""


@dataclass(frozen=True)
class Keyring:
    """Signing keys, oldest first; the last one signs new tokens, all of them verify."""

    keys: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not self.keys or not all(self.keys):
            raise ValueError("a keyring needs at least one non-empty key")

    @classmethod
    def of(cls, *keys: bytes) -> "Keyring":
        """A keyring from keys given oldest first."""
        return cls(tuple(keys))


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says."""

    subscriber_key: str
    list_name: str
    issued_at: datetime


def _fixed_clock_signer(timestamp: int) -> type[TimestampSigner]:
    class FixedClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp

    return FixedClockSigner


def _serializer(keyring: Keyring, purpose: str, now: float | None = None) -> URLSafeTimedSerializer:
    if now is None:
        return _current_serializer(keyring, purpose)
    return _make_serializer(keyring, purpose, _fixed_clock_signer(int(now)))


@lru_cache(maxsize=64)
def _current_serializer(keyring: Keyring, purpose: str) -> URLSafeTimedSerializer:
    """One serializer per keyring and purpose: the send loop signs a link per message."""
    return _make_serializer(keyring, purpose, TimestampSigner)


def _make_serializer(keyring: Keyring, purpose: str, signer: type[TimestampSigner]) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(list(keyring.keys), salt=f"outreach/{purpose}", signer=signer,
                                  serializer=json, serializer_kwargs={"separators": (",", ":")})


def make_token(keyring: Keyring, purpose: str, subscriber_key: str, list_name: str, now: float | None = None) -> str:
    """A signed token for the subscriber with ``subscriber_key`` on ``list_name``."""
    if not _KEY_RE.match(subscriber_key):
        raise ValueError("not a subscriber token key")
    return str(_serializer(keyring, purpose, now).dumps([subscriber_key, list_name]))


def read_token(keyring: Keyring, purpose: str, token: str, max_age_days: int) -> TokenClaims:
    """Verify ``token`` and return its claims; raise :class:`BadToken` for anything else."""
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        raise BadToken("malformed")
    try:
        payload, issued = _serializer(keyring, purpose).loads(token, max_age=max_age_days * _DAY, return_timestamp=True)
    except BadData:  # bad signature, expired, a timestamp from the future, malformed payload
        raise BadToken("invalid") from None
    except Exception:  # noqa: BLE001  (a signed but undecodable payload is still just a bad token)
        raise BadToken("malformed") from None
    return TokenClaims(*_claims(payload), issued)


def _claims(payload: Any) -> tuple[str, str]:
    if (isinstance(payload, list) and len(payload) == 2 and all(isinstance(p, str) for p in payload)
            and _KEY_RE.match(payload[0]) and payload[1]):
        return payload[0], payload[1]
    raise BadToken("malformed")


def keyring_from(current: bytes, previous: Sequence[bytes] = ()) -> Keyring:
    """The keyring with ``current`` signing and ``previous`` (oldest first) still verifying."""
    return Keyring(tuple(k for k in previous if k) + (current,))
