"""DKIM signing (RFC 6376) of the message bytes :class:`~outreach.mail.message.MessageFactory` builds.

Signing runs once per message on every sender thread, so it is written for
outreach's own byte layout instead of through dkimpy's general parser: CRLF
line ends, folded headers, a 7-bit (quoted-printable) body. Headers are
canonicalised *relaxed* (RFC 6376 §3.4.2), the body *simple* (§3.4.3: the
bytes as they are, trailing empty lines removed), so the per-message work is
one split of the header block, one SHA-256 of the body and one RSA signature
by OpenSSL (``cryptography``), which releases the GIL: the senders sign in
parallel. The key object, the header-name lists and the tag prefix are made
once.

Every signed header is listed once more than it appears (``h=from:from:…``,
RFC 6376 §8.15), so nobody can add a second From, Subject, List-Unsubscribe
or List-Unsubscribe-Post (or a Reply-To or Cc the message did not have)
without breaking the signature. ``l=`` (a body length) is never used.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Config, DkimConfig

MIN_BITS = 1024  # RFC 8301: verifiers must refuse shorter RSA keys
# What the signature covers, in h= order. Reply-To, Feedback-ID and Cc are listed even when
# absent: a signed absence means nobody can add one (the verifier hashes an empty string).
SIGNED = (
    "from", "reply-to", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
    "list-id", "list-unsubscribe", "list-unsubscribe-post", "feedback-id",
)
_SIGNED_BYTES = tuple(name.encode("ascii") for name in SIGNED)
_SIGNED_SET = frozenset(_SIGNED_BYTES)
_CANON_CACHE = 256
_WSP_RUN = re.compile(rb"[ \t]+")
_FIELD_END = re.compile(rb"\r\n(?![ \t])")
_PADDING = padding.PKCS1v15()
_PREHASHED = Prehashed(hashes.SHA256())


def relaxed_header(field: bytes) -> bytes:
    """One header field (CRLF folds allowed, no final CRLF) in relaxed canonical form, CRLF-terminated."""
    name, _, value = field.partition(b":")
    if b"\r" in value or b"\t" in value or b"  " in value:  # else one-line with single spaces: no regex needed
        value = _WSP_RUN.sub(b" ", value.replace(b"\r\n", b""))
    return name.rstrip(b" \t").lower() + b":" + value.strip(b" \t") + b"\r\n"


def _body_end(data: bytes, start: int) -> int:
    """Where the body ``data[start:]`` ends once its trailing CRLFs (the empty lines and the last line end) are cut."""
    end = len(data)
    while end > start and data.endswith(b"\r\n", start, end):
        end -= 2
    return end


def simple_body(body: bytes) -> bytes:
    """The body in simple canonical form: trailing empty lines removed, ending in exactly one CRLF."""
    return body[:_body_end(body, 0)] + b"\r\n"


def split_message(message: bytes) -> tuple[list[bytes], int]:
    """The header fields (folds kept, without their final CRLF) of a CRLF message, and where its body starts."""
    cut = message.find(b"\r\n\r\n")
    head, start = (message, len(message)) if cut < 0 else (message[:cut], cut + 4)
    # a field ends at a CRLF not followed by a space or tab (a fold continues the field)
    return _FIELD_END.split(head), start


def body_hash(message: bytes, start: int) -> bytes:
    """SHA-256 of ``simple_body(message[start:])``, without copying the body (it is most of the message)."""
    digest = hashlib.sha256(memoryview(message)[start:_body_end(message, start)])
    digest.update(b"\r\n")
    return digest.digest()


def _fold(value: str, width: int = 72) -> str:
    """A base64 value with folding white space every ``width`` characters (allowed inside b=)."""
    return "\r\n\t ".join(value[i:i + width] for i in range(0, len(value), width))


@dataclass(frozen=True)
class KeyInfo:
    """What ``outreach dkim check`` shows about a loaded key (never the key itself)."""

    algorithm: str
    bits: int
    txt_value: str  # the DNS TXT record value this key needs: v=DKIM1; k=rsa; p=…


def txt_record(public_key: rsa.RSAPublicKey) -> str:
    """The value of the ``<selector>._domainkey.<domain>`` TXT record for ``public_key``."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode("ascii")


def txt_strings(value: str, size: int = 255) -> list[str]:
    """``value`` cut into the ≤255-character strings one DNS TXT record is made of."""
    return [value[i:i + size] for i in range(0, len(value), size)]


class DkimSigner:
    """Signs outreach messages for one domain and selector with one RSA key."""

    def __init__(self, key: rsa.RSAPrivateKey, domain: str, selector: str) -> None:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("DkimSigner needs an RSA private key")
        self.key, self.domain, self.selector = key, domain, selector
        self.info = KeyInfo("rsa-sha256", key.key_size, txt_record(key.public_key()))
        self._tags = f"v=1; a=rsa-sha256; c=relaxed/simple; d={domain}; s={selector};\r\n\tt="
        self._h_cache: dict[tuple[int, ...], str] = {}
        # From, Subject, List-Id, MIME-Version, Content-Type… are the same in every message of a run and come
        # first, so they are in this small cache before the per-recipient fields fill it; it never grows past it.
        self._canon_cache: dict[bytes, bytes] = {}

    @classmethod
    def from_config(cls, config: "Config") -> "DkimSigner | None":
        """The signer for ``[email.dkim]``, or None when it is not configured; a one-line ConfigError for a bad key."""
        dkim = config.email.dkim
        if dkim is None:
            return None
        return cls(load_key(config, dkim), dkim.domain, dkim.selector)

    def _canonical(self, field: bytes) -> bytes:
        """``relaxed_header(field)``, remembered for the fields every message of a campaign shares (seen first)."""
        canonical = self._canon_cache.get(field)
        if canonical is None:
            canonical = relaxed_header(field)
            if len(self._canon_cache) < _CANON_CACHE:
                self._canon_cache[field] = canonical
        return canonical

    def header_list(self, counts: tuple[int, ...]) -> str:
        """The h= value for a message with ``counts[i]`` fields named ``SIGNED[i]``: each name listed once more."""
        h = self._h_cache.get(counts)
        if h is None:
            h = _fold_h(":".join(name for name, n in zip(SIGNED, counts) for _ in range(n + 1)))
            self._h_cache[counts] = h
        return h

    def sign(self, message: bytes, timestamp: int | None = None) -> bytes:
        """``message`` (CRLF, as MessageFactory builds it) with a ``DKIM-Signature`` header in front."""
        fields, start = split_message(message)
        found: dict[bytes, list[bytes]] = {}
        for field in fields:
            name = field[:field.find(b":")].rstrip(b" \t").lower()
            if name in _SIGNED_SET:
                found.setdefault(name, []).append(field)
        # the verifier takes a name's fields from the bottom up; an over-signed extra adds nothing
        signed_data = b"".join(self._canonical(f) for name in _SIGNED_BYTES for f in reversed(found.get(name, ())))
        counts = tuple(len(found.get(name, ())) for name in _SIGNED_BYTES)
        bh = base64.b64encode(body_hash(message, start)).decode("ascii")
        stamp = int(time.time()) if timestamp is None else timestamp
        unsigned = f"DKIM-Signature: {self._tags}{stamp}; h={self.header_list(counts)};\r\n\tbh={bh};\r\n\tb="
        digest = hashlib.sha256(signed_data + relaxed_header(unsigned.encode("ascii"))[:-2]).digest()
        signature = base64.b64encode(self.key.sign(digest, _PADDING, _PREHASHED)).decode("ascii")
        return (unsigned + _fold(signature) + "\r\n").encode("ascii") + message


def _fold_h(h: str, width: int = 60) -> str:
    """The h= list folded after a colon about every ``width`` characters."""
    lines, line = [], ""
    for name in h.split(":"):
        if line and len(line) + len(name) > width:
            lines.append(line)
            line = ""
        line += name + ":"
    lines.append(line)
    return "\r\n\t ".join(lines)[:-1]


def _where(config: "Config", setting: str) -> str:
    """``file:line: email.dkim.setting`` (as precisely as the config file allows)."""
    path = f"email.dkim.{setting}"
    source = getattr(config, "source", None)
    if source is None:
        return path
    line = None
    try:
        from ..tomlsource import read_toml

        line = read_toml(Path(source))[1].line_of(path)
    except Exception:  # noqa: BLE001  (the location is a courtesy; the message stands without it)
        pass
    return f"{source}:{line}: {path}" if line else f"{source}: {path}"


def _pem(config: "Config", dkim: "DkimConfig") -> tuple[bytes, str]:
    """The PEM bytes and the name of the setting they came from."""
    from ..config import secret

    if dkim.private_key_file is not None:
        path = Path(dkim.private_key_file)
        if not path.is_absolute() and getattr(config, "source", None) is not None and not path.exists():
            path = Path(config.source).parent / path  # relative to the config file, as a person would expect
        try:
            return path.read_bytes(), "private_key_file"
        except OSError as exc:
            raise ConfigError(f"{_where(config, 'private_key_file')}: cannot read the DKIM key {dkim.private_key_file}: "
                              f"{exc.strerror or type(exc).__name__}") from None
    try:
        value = secret(dkim.private_key_env, "the DKIM private key")
    except ConfigError as exc:
        raise ConfigError(f"{_where(config, 'private_key_env')}: {exc}") from None
    return (value or "").encode("utf-8", "replace"), "private_key_env"


def load_key(config: "Config", dkim: "DkimConfig") -> rsa.RSAPrivateKey:
    """The RSA private key ``[email.dkim]`` names; a located one-line ConfigError that never shows the key."""
    pem, setting = _pem(config, dkim)
    origin = str(dkim.private_key_file) if setting == "private_key_file" else f"environment variable {dkim.private_key_env}"
    if b"\\n" in pem and b"\n" not in pem.strip():
        pem = pem.replace(b"\\n", b"\n")  # a PEM put into one env-var line with \n escapes
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise ConfigError(f"{_where(config, setting)}: the DKIM key in {origin} is encrypted; "
                          "outreach needs an unencrypted PEM key (keep the file mode 0600)") from None
    except Exception:  # noqa: BLE001  (cryptography's messages are not for people; never echo the input)
        raise ConfigError(f"{_where(config, setting)}: {origin} does not hold a PEM private key "
                          "(expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----; "
                          "'outreach dkim keygen' writes one)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{_where(config, setting)}: the DKIM key in {origin} is not an RSA key ({type(key).__name__.lstrip('_')}); "
                          "outreach signs with rsa-sha256")
    if key.key_size < MIN_BITS:
        raise ConfigError(f"{_where(config, setting)}: the DKIM key in {origin} has {key.key_size} bits; "
                          f"verifiers refuse RSA keys under {MIN_BITS} bits (2048 is usual)")
    return key
