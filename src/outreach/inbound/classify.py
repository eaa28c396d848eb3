"""One classifier for every inbound mail: bounce, complaint, auto-reply, mailto unsubscribe or unknown.

:func:`classify` is pure and never raises, whatever the bytes. Hostile input is
bounded before the standard ``email`` parser sees it (see :func:`bounded_raw`),
every walk over parts is capped, and every regular expression run on message
text either is anchored or starts with a literal, so nothing here is quadratic.

Order matters: a DSN or an ARF report also carries ``Auto-Submitted``, so reports
are read first; an auto-reply to the unsubscribe address is an auto-reply, so
auto-replies come before unsubscribes. The report readers live in
:mod:`~outreach.inbound.dsn` and :mod:`~outreach.inbound.arf`, the auto-reply
rules in :mod:`~outreach.inbound.autoreply`; the helpers they share are here.
"""

from __future__ import annotations

import re
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.policy import compat32
from typing import Iterable, Sequence

from outreach.inbound.events import Classification, InboundKind
from outreach.tokens import verp_token_of

MAX_RAW = 512 * 1024     # bytes of a mail that are read at all
MAX_LINE = 998           # RFC 5322's line limit; longer lines are cut
MAX_LINES = 20_000       # lines read at all
MAX_FOLDED = 8 * 1024    # bytes of continuation lines kept per header field
MAX_BOUNDARIES = 16      # multipart boundaries honoured; deeper nesting is read as text
MAX_DELIMITERS = 64      # lines starting with "--" honoured as part delimiters; later ones are quoted
MAX_PARTS = 200          # MIME parts visited
MAX_DEPTH = 12           # MIME nesting visited
MAX_HEADER = 4096        # characters of one header value looked at
MAX_VALUES = 20          # occurrences of one header field looked at
MAX_TOKENS = 20          # VERP tokens reported

UNKNOWN_REASON = "not a bounce, complaint, auto-reply or unsubscribe"

_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)
_TOKEN_CHARS = r"A-Za-z0-9_.\-"
_UNSUBSCRIBE = re.compile(rf"unsubscribe(?:\s+|%20)([{_TOKEN_CHARS}]{{20,400}})(?![{_TOKEN_CHARS}])",
                          re.IGNORECASE)
# An address: a run of address characters around one '@'. The look-behind makes every match start
# at the beginning of a run, so a long run without '@' costs one pass, not one pass per character.
_ADDR_CHAR = r"[^\s<>,;:\"'()\[\]@]"
_ADDRESS = re.compile(rf"(?<!{_ADDR_CHAR}){_ADDR_CHAR}{{1,64}}@{_ADDR_CHAR}{{1,255}}(?!{_ADDR_CHAR})")
_MSGID = re.compile(r"<([^<>\s]{1,250})>")
_BARE_MSGID = re.compile(r"^\s*([^<>\s@]{1,200}@[^<>\s@]{1,200})\s*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

# Where a VERP address may show up: the bounce's own delivery headers and, in a returned
# original, the headers outreach's message got on its way.
VERP_HEADERS = ("Delivered-To", "X-Original-To", "To", "Envelope-To", "X-Envelope-To", "Return-Path")


def classify(raw: bytes, *, bounce_address: str | None, unsubscribe_address: str,
             envelope_recipients: Sequence[str] = ()) -> Classification:
    """Classify one inbound mail; never raises, whatever ``raw`` holds."""
    try:
        return _classify(raw, bounce_address, unsubscribe_address, envelope_recipients)
    except Exception as exc:  # noqa: BLE001  (a mail that breaks a reader is still just kept as unknown)
        return Classification(InboundKind.UNKNOWN, f"unreadable mail ({type(exc).__name__})")


def _classify(raw: bytes, bounce_address: str | None, unsubscribe_address: str,
              envelope_recipients: Sequence[str]) -> Classification:
    # The readers import the helpers below, so they are imported here, not at the top.
    from outreach.inbound import arf, dsn

    data = bounded_raw(bytes(raw) if isinstance(raw, (bytes, bytearray, memoryview)) else b"")
    msg = parse(data)
    envelope_recipients = _strings(envelope_recipients)
    verp = VerpCollector(bounce_address)
    verp.add_addresses(envelope_recipients)
    verp.add_headers(msg, VERP_HEADERS[:-1])
    found = (dsn.read_dsn(msg, verp) or arf.read_arf(msg, verp) or dsn.read_nonstandard(msg, data, verp)
             or _auto_reply_or_unsubscribe(msg, unsubscribe_address, envelope_recipients))
    if found is None:
        found = Classification(InboundKind.UNKNOWN, UNKNOWN_REASON)
    return _finish(found, msg, verp)


def _strings(values: object) -> tuple[str, ...]:
    """The envelope recipients as a tuple of strings, whatever a caller passed."""
    if isinstance(values, str):
        return (values,)
    try:
        return tuple(v for v in list(values)[:MAX_VALUES] if isinstance(v, str))  # type: ignore[call-overload]
    except TypeError:
        return ()


def _finish(found: Classification, msg: Message, verp: VerpCollector) -> Classification:
    """Add the VERP tokens, and the message replied to when no report named one."""
    message_id = found.original_message_id or message_id_of(header(msg, "In-Reply-To"))
    return Classification(found.kind, one_line(found.reason), found.address, message_id,
                          verp.tokens(), found.unsubscribe_token, found.status)


# -- bounded parsing ------------------------------------------------------------------------------

def bounded_raw(raw: bytes, limit: int = MAX_RAW) -> bytes:
    """``raw`` cut to sizes the ``email`` parser handles in linear time.

    At most ``limit`` bytes and MAX_LINES lines; lines cut at 998 bytes; a header field's continuation lines
    cut at 8 KiB (the parser's parameter splitting is quadratic in a header's length);
    boundaries after the 16th disabled (the parser checks each line against every open one)
    and delimiter lines after the 64th quoted (every part costs each later reader a walk).
    """
    out: list[bytes] = []
    folded = delimiters = 0
    for line in raw[:limit].split(b"\n", MAX_LINES)[:MAX_LINES]:
        if line[:1] in (b" ", b"\t"):
            folded += len(line)
            if folded > MAX_FOLDED:
                continue
        else:
            folded = 0
        if line[:2] == b"--":
            delimiters += 1
            if delimiters > MAX_DELIMITERS:
                line = b">" + line
        out.append(line[:MAX_LINE])
    data = b"\n".join(out)
    count = 0

    def cap(match: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        return match.group(0) if count <= MAX_BOUNDARIES else b"x-ignored-boundary="

    return _BOUNDARY.sub(cap, data)


def parse(data: bytes) -> Message:
    """The parsed mail (compat32: plain strings, no header objects); headers only if the body breaks it."""
    try:
        return BytesParser(policy=compat32).parsebytes(data)
    except Exception:  # noqa: BLE001
        try:
            return BytesParser(policy=compat32).parsebytes(data, headersonly=True)
        except Exception:  # noqa: BLE001
            return Message()


def parse_headers(text: str) -> Message:
    """A header block (a text/rfc822-headers part, an ARF report) as a message."""
    try:
        return HeaderParser(policy=compat32).parsestr(text[:MAX_RAW], headersonly=True)
    except Exception:  # noqa: BLE001
        return Message()


def walk(msg: Message, *, into_messages: bool = True) -> list[Message]:
    """Every part of ``msg`` in document order, at most MAX_PARTS, at most MAX_DEPTH deep.

    ``into_messages=False`` stops at attached messages (``message/rfc822``): a bounce
    somebody forwarded as an attachment is not a bounce of ours.
    """
    out: list[Message] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack and len(out) < MAX_PARTS:
        part, depth = stack.pop()
        out.append(part)
        enter = depth < MAX_DEPTH and part.is_multipart() and (
            into_messages or depth == 0 or content_type(part) not in ("message/rfc822", "message/global"))
        payload = part.get_payload() if enter else None
        if isinstance(payload, list):
            children = [p for p in payload[:MAX_PARTS] if isinstance(p, Message)]
            stack.extend((child, depth + 1) for child in reversed(children))
    return out


def content_type(part: Message) -> str:
    """The part's lower-case media type, ``text/plain`` when it has none or a broken one."""
    try:
        return part.get_content_type()
    except Exception:  # noqa: BLE001
        return "text/plain"


def param(part: Message, name: str) -> str:
    """A Content-Type parameter, lower-case, or ''."""
    try:
        value = part.get_param(name)
    except Exception:  # noqa: BLE001
        return ""
    if isinstance(value, tuple):
        value = value[2]
    return str(value or "").strip().lower()


def part_text(part: Message, limit: int = 64 * 1024) -> str:
    """A leaf part's decoded text (transfer encoding undone, bytes read as UTF-8 or Latin-1)."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw[:limit] if isinstance(raw, str) else ""
    payload = payload[:limit]
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("latin-1")


# -- headers and addresses ------------------------------------------------------------------------

def headers(msg: Message, name: str) -> list[str]:
    """Each value of header ``name``, unfolded, RFC 2047 decoded, as text, at most MAX_VALUES."""
    wanted = name.lower()
    try:  # raw values: get_all would turn 8-bit text into Header objects whose str() loses it
        values = [v for k, v in msg.raw_items() if k.lower() == wanted]
    except Exception:  # noqa: BLE001
        return []
    return [_decode(str(v)[:MAX_HEADER]) for v in values[:MAX_VALUES]]


def header(msg: Message, name: str) -> str:
    """The first value of header ``name`` (see :func:`headers`), or ''."""
    values = headers(msg, name)
    return values[0] if values else ""


def _decode(value: str) -> str:
    try:
        text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        text = value.encode("utf-8", "replace").decode("utf-8")
    text = re.sub(r"\r?\n[ \t]*", " ", text)
    if "=?" not in text:
        return text.strip()
    try:
        chunks = decode_header(text)
    except Exception:  # noqa: BLE001
        return text.strip()
    return "".join(_chunk_text(chunk, charset) for chunk, charset in chunks).strip()


def _chunk_text(chunk: bytes | str, charset: str | None) -> str:
    if isinstance(chunk, str):
        return chunk
    try:
        return chunk.decode(charset or "utf-8", "replace")
    except (LookupError, ValueError):  # an unknown codec, a binary one (zlib, hex), a name with a NUL in it
        return chunk.decode("latin-1")


def addresses_in(text: str) -> list[str]:
    """Every address-looking ``local@domain`` in ``text``, lower-case, in order."""
    return [m.group(0).lower() for m in _ADDRESS.finditer(text[:MAX_HEADER])]


def bare_address(value: str) -> str | None:
    """The one address in a header or a DSN field (``rfc822; <a@b>``), lower-case; None when there is none."""
    _type, sep, rest = value.partition(";")
    found = addresses_in(rest if sep else value)
    return found[0] if found else None


def message_id_of(value: str) -> str | None:
    """The first ``<...>`` Message-ID in ``value`` (a bare ``id@host`` gets its brackets)."""
    match = _MSGID.search(value[:MAX_HEADER])
    if match:
        return f"<{match.group(1)}>"
    bare = _BARE_MSGID.match(value[:MAX_HEADER])
    return f"<{bare.group(1)}>" if bare else None


def one_line(text: str, limit: int = 200) -> str:
    """``text`` without control characters or runs of spaces, cut to ``limit`` characters."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


class VerpCollector:
    """Collects the ``bounces+TOKEN@domain`` tokens seen anywhere in one mail, in order, once each."""

    def __init__(self, bounce_address: str | None) -> None:
        self._bounce = bounce_address if isinstance(bounce_address, str) and "@" in bounce_address else None
        self._seen: dict[str, None] = {}

    def add_addresses(self, values: Iterable[str]) -> None:
        """Look for tokens in each of ``values`` (addresses or header text)."""
        if self._bounce is None:
            return
        for value in _strings(values):
            for address in addresses_in(value):
                token = verp_token_of(address, self._bounce)
                if token and len(self._seen) < MAX_TOKENS:
                    self._seen.setdefault(token, None)

    def add_headers(self, msg: Message, names: Iterable[str]) -> None:
        """Look for tokens in the headers ``names`` of ``msg``."""
        for name in names:
            self.add_addresses(headers(msg, name))

    def tokens(self) -> tuple[str, ...]:
        """The tokens found, first seen first."""
        return tuple(self._seen)


# -- mailto unsubscribe ---------------------------------------------------------------------------

def _auto_reply_or_unsubscribe(msg: Message, unsubscribe_address: str,
                               envelope_recipients: Sequence[str]) -> Classification | None:
    """An auto-reply beats an unsubscribe: a responder echoing the subject must not unsubscribe anybody.

    Only a *reply* does, though: ``Auto-Submitted: auto-generated`` alone (RFC 3834: made
    by a program, not in answer to a message) is how a mail client's unsubscribe button
    may mark the mail it composes from the ``mailto:`` link, so with the token it unsubscribes.
    """
    from outreach.inbound import autoreply

    auto = autoreply.read_autoreply(msg)
    unsubscribe = _read_unsubscribe(msg, unsubscribe_address, envelope_recipients)
    if unsubscribe is not None and unsubscribe.kind is InboundKind.UNSUBSCRIBE and not autoreply.is_reply(msg):
        return unsubscribe
    return auto or unsubscribe


def _read_unsubscribe(msg: Message, unsubscribe_address: str,
                      envelope_recipients: Sequence[str]) -> Classification | None:
    target = unsubscribe_address.strip().removeprefix("mailto:").strip("<>").lower() \
        if isinstance(unsubscribe_address, str) else ""
    if not target:
        return None
    recipients = [a for v in envelope_recipients for a in addresses_in(v)]
    for name in ("To", "Delivered-To", "X-Original-To"):
        recipients += [a for v in headers(msg, name) for a in addresses_in(v)]
    if target not in recipients:
        return None
    match = _UNSUBSCRIBE.search(header(msg, "Subject"))
    if match is None:
        return Classification(InboundKind.UNKNOWN, "mail to the unsubscribe address without a token in its subject")
    return Classification(InboundKind.UNSUBSCRIBE, f"unsubscribe request mailed to {target} (Subject)",
                          unsubscribe_token=match.group(1))
