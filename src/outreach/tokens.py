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

import base64
import enum
import hashlib
import hmac
import json
import re
import struct
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

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
    return _make_serializer(keyring, purpose, _KeyCachingSigner)


class _KeyCachingSigner(TimestampSigner):
    """itsdangerous derives the signing key from secret and salt on every signature; the send loop signs one per message."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        cache = self.__dict__.setdefault("_derived", {})
        if secret_key not in cache:
            cache[secret_key] = super().derive_key(secret_key)
        return cache[secret_key]


class _Serializer(URLSafeTimedSerializer):
    """Never compresses: a two-field payload never gets shorter, and trying costs a zlib call per token."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


def _make_serializer(keyring: Keyring, purpose: str, signer: type[TimestampSigner]) -> URLSafeTimedSerializer:
    return _Serializer(list(keyring.keys), salt=f"outreach/{purpose}", signer=signer,
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


# -- return-path (VERP) tokens -------------------------------------------------------------------
# A bounce comes back to ``bounces+<token>@domain``. Some MTAs change the case of a local part,
# and a local part holds at most 64 characters, so this token is short, lower-case base32 and
# checked case-insensitively: the delivery id in base 36, '-', and 80 bits of HMAC-SHA256.
_RETURN_RE = re.compile(r"^([0-9a-z]{1,13})-([a-z2-7]{16})$")


def _return_mac(key: bytes, delivery_id: int) -> str:
    digest = hmac.new(key, f"outreach/return-path/{delivery_id}".encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def make_return_token(keyring: Keyring, delivery_id: int) -> str:
    """The signed token naming one delivery row, for its VERP envelope sender."""
    if delivery_id < 0:
        raise ValueError("a delivery id is not negative")
    return f"{_base36(delivery_id)}-{_return_mac(keyring.keys[-1], delivery_id)}"


def read_return_token(keyring: Keyring, token: str) -> int:
    """The delivery id a return-path token names; :class:`BadToken` when it is malformed or forged."""
    match = _RETURN_RE.match(token.lower()) if isinstance(token, str) else None
    if match is None:
        raise BadToken("malformed")
    delivery_id = int(match.group(1), 36)
    if any(hmac.compare_digest(_return_mac(key, delivery_id), match.group(2)) for key in keyring.keys):
        return delivery_id
    raise BadToken("invalid")


def verp_address(bounce_address: str, token: str) -> str:
    """``local+token@domain`` for the configured bounce address."""
    local, _, domain = bounce_address.rpartition("@")
    return f"{local}+{token}@{domain}"


def verp_token_of(address: str, bounce_address: str) -> str | None:
    """The token in ``address`` when it is a VERP form of ``bounce_address`` (case-insensitive), else None."""
    local, _, domain = bounce_address.lower().rpartition("@")
    addr = address.strip().strip("<>").lower()
    prefix, suffix = f"{local}+", f"@{domain}"
    if addr.startswith(prefix) and addr.endswith(suffix):
        token = addr[len(prefix):-len(suffix)]
        return token or None
    return None


# -- archive preview keys --------------------------------------------------------------------------
# A test send publishes the campaign's web page before the real send, unlisted: it is served only
# with this key in the link, so a report under embargo cannot be read by guessing its address.


def _preview_mac(key: bytes, slug: str) -> str:
    digest = hmac.new(key, f"outreach/archive-preview/{slug}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def archive_preview_key(keyring: Keyring, slug: str) -> str:
    """The key that opens the unlisted web page (and cover) of campaign ``slug``."""
    return _preview_mac(keyring.keys[-1], slug)


def is_archive_preview_key(keyring: Keyring, slug: str, key: str | None) -> bool:
    """Whether ``key`` opens the unlisted page of ``slug`` (any key of the ring)."""
    return isinstance(key, str) and any(hmac.compare_digest(_preview_mac(k, slug), key) for k in keyring.keys)


# -- click tokens ---------------------------------------------------------------------------------
# ``/c/<token>`` in a tracked email. The token names a stored link (never a URL: the redirect target
# comes from the database), the moment its message was built and one message number. It is sealed
# with AES-SIV (RFC 5297, deterministic authenticated encryption; a 128-bit tag): a forged or altered
# token redirects nowhere, and whoever sees a click URL (an access log, a proxy, browser history) learns
# nothing from it, not even when the message was sent, which could single out its recipient. In
# aggregate mode the message number is random and stored nowhere; in individual mode it is the
# delivery row; a test copy's clicks count for nothing.
_CLICK_LAYOUT = struct.Struct(">BQIQ2x")  # mode, link id, sent at (epoch seconds), message; 2 zero bytes: 16 + 23 bytes, no padding
_CLICK_CONTEXT = [b"outreach/click/v1"]
CLICK_TOKEN_LENGTH = 52  # characters, URL-safe base64
_CLICK_RE = re.compile(r"^[A-Za-z0-9_-]{%d}$" % CLICK_TOKEN_LENGTH)


class ClickMode(enum.IntEnum):
    """What a click on this token may record."""

    AGGREGATE = 1  # counts only; ``message`` is a random per-message number
    INDIVIDUAL = 2  # ``message`` is the delivery id: who clicked is recorded
    TEST = 3  # a [Test] copy: redirects, records nothing


@dataclass(frozen=True)
class ClickClaims:
    """What a valid click token says."""

    mode: ClickMode
    link_id: int
    sent_at: int  # when the message was built, epoch seconds (a click right after it is a scanner)
    message: int


@lru_cache(maxsize=16)
def _click_cipher(key: bytes) -> AESSIV:
    """AES-256-SIV under a key derived from the link-signing key (the send loop seals one token per link per message)."""
    return AESSIV(hmac.new(key, b"outreach/click-siv", hashlib.sha512).digest())


def make_click_token(keyring: Keyring, claims: ClickClaims) -> str:
    """The sealed, URL-safe token (52 characters) for one link of one message."""
    body = _CLICK_LAYOUT.pack(int(claims.mode), claims.link_id, claims.sent_at, claims.message)
    return base64.urlsafe_b64encode(_click_cipher(keyring.keys[-1]).encrypt(body, _CLICK_CONTEXT)).decode("ascii")


def read_click_token(keyring: Keyring, token: str) -> ClickClaims:
    """The claims of a click token; :class:`BadToken` when it is malformed, forged or altered."""
    if not isinstance(token, str) or not _CLICK_RE.match(token):
        raise BadToken("malformed")
    raw = base64.urlsafe_b64decode(token)
    for key in reversed(keyring.keys):
        try:
            body = _click_cipher(key).decrypt(raw, _CLICK_CONTEXT)
            break
        except InvalidTag:
            continue
    else:
        raise BadToken("invalid")
    mode, link_id, sent_at, message = _CLICK_LAYOUT.unpack(body)
    try:
        return ClickClaims(ClickMode(mode), link_id, sent_at, message)
    except ValueError:
        raise BadToken("malformed") from None


# -- form keys (CSRF) -------------------------------------------------------------------------------
# Every form on a preference page carries a hidden key: an HMAC over the page's own link token and the
# time the page was served. A POST without a key made for the same link, or one older than its limit,
# changes nothing, so another site cannot make a reader's browser change their subscription.
_FORM_KEY_RE = re.compile(r"^([0-9]{1,12})\.([A-Za-z0-9_-]{22})$")


def _form_mac(key: bytes, link_token: str, stamp: int) -> str:
    digest = hmac.new(key, f"outreach/form-key/{stamp}/{link_token}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def make_form_key(keyring: Keyring, link_token: str, now: float) -> str:
    """The hidden form field for a page served at ``now`` (epoch seconds) under ``link_token``."""
    stamp = int(now)
    return f"{stamp}.{_form_mac(keyring.keys[-1], link_token, stamp)}"


def is_form_key(keyring: Keyring, link_token: str, form_key: object, now: float, max_age_seconds: int) -> bool:
    """Whether ``form_key`` was made for ``link_token`` by a key of the ring, not in the future and at most ``max_age_seconds`` old."""
    match = _FORM_KEY_RE.match(form_key) if isinstance(form_key, str) else None
    if match is None:
        return False
    stamp = int(match.group(1))
    if not (now - max_age_seconds <= stamp <= now + 60):  # a minute of clock skew between server processes
        return False
    return any(hmac.compare_digest(_form_mac(k, link_token, stamp), match.group(2)) for k in keyring.keys)


# -- review links -----------------------------------------------------------------------------------
# ``/review/<token>``: a signed token (purpose ``review``) naming a reviewer's link by its random key
# and the campaign. The database row behind the key says who the reviewer is, when the link expires
# and whether it was revoked; the token alone can be neither forged nor pointed at another campaign.
REVIEW_PURPOSE = "review"


@dataclass(frozen=True)
class ReviewClaims:
    """What a valid review token says."""

    link_key: str
    campaign: str
    issued_at: datetime


def make_review_token(keyring: Keyring, link_key: str, campaign: str, now: float | None = None) -> str:
    """The signed token of one reviewer's link to ``campaign``."""
    return make_token(keyring, REVIEW_PURPOSE, link_key, campaign, now)


def read_review_token(keyring: Keyring, token: str, max_age_days: int) -> ReviewClaims:
    """The claims of a review token; :class:`BadToken` when it is malformed, forged, altered or older than ``max_age_days``."""
    claims = read_token(keyring, REVIEW_PURPOSE, token, max_age_days)
    return ReviewClaims(claims.subscriber_key, claims.list_name, claims.issued_at)
