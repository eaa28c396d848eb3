"""Bounces: RFC 3464 delivery status notifications, and the non-standard ones via flufl.bounce.

A DSN is read from its machine-readable ``message/delivery-status`` part, one block per
recipient: ``Action`` says whether delivery failed (``delayed``, ``relayed``, ``delivered``
and ``expanded`` are not failures), ``Status`` whether the failure is permanent (5.x.x) or
transient (4.x.x). Anything else that looks like a bounce goes to flufl.bounce (GNU
Mailman's detectors for Exim, Exchange, old Gmail and many more), whose permanent
failures are then graded by the first enhanced status code in the notification text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import Message

import flufl.bounce

from outreach.inbound.classify import (
    VerpCollector, addresses_in, bare_address, bounded_raw, content_type, header, headers,
    message_id_of, parse, parse_headers, part_text, walk,
)
from outreach.inbound.events import Classification, InboundKind

_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_SMTP_CODE = re.compile(r"^\s*(?:[a-z-]+;\s*)?([245])\d\d(?:[\s-]|$)", re.IGNORECASE)
# "smtp; 550-5.1.1 <a@b>: " before the words of a Diagnostic-Code
_DIAG_PREFIX = re.compile(r"^\s*(?:[a-z-]+;\s*)?(?:[245]\d\d[\s-]+)?(?:#?[245]\.\d{1,3}\.\d{1,3}\s*)?"
                          r"(?:<[^<>\s]{1,254}>:?\s*)?", re.IGNORECASE)
_BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mail\.?delivery\.?system)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status notification|failure|has failed|failed)|returned mail"
    r"|failure notice|mail delivery|non-?delivery|could not be delivered|nicht zustellbar|non remis",
    re.IGNORECASE)
_REPLY_OR_FORWARD = re.compile(r"\s*(?:re|fwd?|aw|wg|sv|vs|tr|rv|antw)\s*:", re.IGNORECASE)  # a person's mail about one
_NOT_FAILURES = ("delayed", "relayed", "delivered", "expanded")
_FLUFL_LIMIT = 64 * 1024  # bytes flufl.bounce reads: its heuristics are quadratic in a line's length
_FLUFL_LINE = 500
_FLUFL_LINES = 300  # per part: each of its ~60 patterns walks every line
_ORIGINAL_HEADERS = ("Return-Path", "X-Original-To", "Delivered-To", "Envelope-To", "X-Envelope-To")

# RFC 3463 enhanced status codes by subject.detail (the same for 4.x.x and 5.x.x); X.0.0 is left
# out, so the diagnostic's own words say more than "undefined status".
STATUS_TEXT = {
    "1.0": "bad address", "1.1": "user unknown",
    "1.2": "bad destination domain", "1.3": "bad destination address syntax",
    "1.4": "ambiguous destination address", "1.6": "mailbox has moved",
    "1.10": "recipient not found or null MX",
    "2.0": "mailbox unavailable", "2.1": "mailbox disabled", "2.2": "mailbox full",
    "2.3": "message too large for the mailbox", "2.4": "mailing list expansion problem",
    "3.0": "mail system problem", "3.1": "mail system full", "3.2": "system not accepting mail",
    "3.4": "message too big for the system", "4.0": "routing problem", "4.1": "no answer from host",
    "4.2": "bad connection", "4.3": "directory server failure", "4.4": "unable to route",
    "4.6": "routing loop detected", "4.7": "delivery time expired", "5.0": "protocol problem",
    "6.0": "content problem", "7.0": "refused by security policy",
    "7.1": "delivery not authorized, message refused", "7.23": "SPF validation failed",
    "7.25": "reverse DNS validation failed", "7.26": "sender authentication failed (SPF/DKIM/DMARC)",
}
_SUBJECT_TEXT = {"1": "address problem", "2": "mailbox problem", "3": "mail system problem",
                 "4": "network or routing problem", "5": "mail protocol problem", "6": "content problem",
                 "7": "refused by security policy"}

log = logging.getLogger(__name__)
# flufl.bounce logs every detector that trips over a malformed mail at ERROR, with a traceback,
# then raises; _flufl catches that, so the traceback would only be noise on the receiver's stderr.
logging.getLogger("flufl.bounce").addHandler(logging.NullHandler())
logging.getLogger("flufl.bounce").propagate = False


@dataclass(frozen=True)
class _Recipient:
    action: str
    status: str | None
    address: str | None
    diagnostic: str


def status_text(status: str | None, diagnostic: str = "") -> str:
    """A short human text for an enhanced status code, from the table or else the diagnostic."""
    if status:
        _cls, subject, detail = status.split(".")
        if f"{subject}.{detail}" in STATUS_TEXT:
            return STATUS_TEXT[f"{subject}.{detail}"]
    text = " ".join(_DIAG_PREFIX.sub("", diagnostic).split())[:100]
    if text:
        return text
    if status:
        return _SUBJECT_TEXT.get(status.split(".")[1], "delivery problem")
    return "delivery failed"


def first_status(text: str) -> str | None:
    """The first enhanced status code (4.x.x or 5.x.x) in ``text``."""
    for match in _STATUS.finditer(text):
        if match.group(1) in "45":
            return ".".join(match.groups())
    return None


# -- RFC 3464 ---------------------------------------------------------------------------------------

def read_dsn(msg: Message, verp: VerpCollector) -> Classification | None:
    """The classification of an RFC 3464 DSN, or None when ``msg`` has no per-recipient status."""
    parts = walk(msg, into_messages=False)
    recipients: list[_Recipient] = []
    per_message: list[Message] = []
    for part in parts:
        if content_type(part) in ("message/delivery-status", "message/global-delivery-status"):
            for block in _blocks(part):
                verp.add_addresses(headers(block, "X-Postfix-Sender") + headers(block, "Original-Recipient"))
                if header(block, "Action") or header(block, "Final-Recipient"):
                    recipients.append(_recipient(block))
                else:
                    per_message.append(block)
    if not recipients:
        return None
    message_id = returned_original(parts, verp) or next(
        (found for block in per_message if (found := message_id_of(header(block, "X-Original-Message-ID")))), None)
    failed = [r for r in recipients if not r.action.startswith(_NOT_FAILURES)]
    chosen = failed[0] if failed else recipients[0]
    kind, reason = _grade(chosen) if failed else _not_failure(chosen)
    return Classification(kind, reason, chosen.address, message_id, status=chosen.status)


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)][:50]
    text = part_text(part)  # message/global-delivery-status is not split by the parser
    return [parse_headers(chunk.strip() + "\n") for chunk in re.split(r"\r?\n\s*\r?\n", text)[:50] if chunk.strip()]


def _recipient(block: Message) -> _Recipient:
    action = (header(block, "Action").split() or [""])[0].lower()
    match = _STATUS.search(header(block, "Status")[:40])
    diagnostic = header(block, "Diagnostic-Code")
    status = ".".join(match.groups()) if match else None
    # Original-Recipient is the address as outreach sent it; Final-Recipient may be an alias it was
    # rewritten to (a forward, a tenant's routing address), so it only stands in.
    address = bare_address(header(block, "Original-Recipient")) or bare_address(header(block, "Final-Recipient")) \
        or bare_address(header(block, "X-Actual-Recipient"))
    return _Recipient(action, status, address, diagnostic)


def _grade(r: _Recipient) -> tuple[InboundKind, str]:
    code = r.status[0] if r.status and r.status[0] in "45" else None
    if code is None:  # no usable Status: the SMTP reply in the diagnostic, if any, decides
        smtp = _SMTP_CODE.match(r.diagnostic)
        code = smtp.group(1) if smtp and smtp.group(1) in "45" else None
    if code is None:
        return InboundKind.SOFT_BOUNCE, f"{status_text(None, r.diagnostic)}, no status code (DSN Action: {r.action})"
    kind = InboundKind.HARD_BOUNCE if code == "5" else InboundKind.SOFT_BOUNCE
    evidence = "DSN Status" if r.status else "DSN Diagnostic-Code"
    return kind, f"{r.status or code + 'xx'} {status_text(r.status, r.diagnostic)} ({evidence})"


def _not_failure(r: _Recipient) -> tuple[InboundKind, str]:
    what = "delivery delayed" if r.action == "delayed" else f"{r.action or 'no action'} report"
    prefix = f"{r.status} " if r.status else ""
    return InboundKind.UNKNOWN, f"{prefix}{what}, not a failure (DSN Action: {r.action or 'none'})"


def returned_original(parts: list[Message], verp: VerpCollector) -> str | None:
    """The Message-ID of the returned original (message/rfc822 or text/rfc822-headers part); VERP tokens in it."""
    for part in parts[1:]:
        kind = content_type(part)
        if kind in ("message/rfc822", "message/global", "message/global-headers"):
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) \
                else parse_headers(part_text(part))
        elif kind == "text/rfc822-headers":
            original = parse_headers(part_text(part))
        else:
            continue
        verp.add_headers(original, _ORIGINAL_HEADERS)
        found = message_id_of(header(original, "Message-ID"))
        if found:
            return found
    return None


# -- everything else: flufl.bounce ------------------------------------------------------------------

def read_nonstandard(msg: Message, data: bytes, verp: VerpCollector) -> Classification | None:
    """A bounce in a non-standard format, read by flufl.bounce; None when ``msg`` does not look like one.

    Only mail that looks like a bounce is read (the heuristics would misread a person's
    mail). A null ``Return-Path`` alone is weak evidence, since RFC 3834 auto-replies use
    one too: when flufl.bounce finds nothing there, the auto-reply rules get their turn.
    """
    strong = _says_bounce(msg)
    if not strong and header(msg, "Return-Path").strip() != "<>":
        return None
    temporary, permanent = _flufl(data)
    if not (strong or temporary or permanent):
        return None
    text = _notification_text(msg)
    message_id = returned_original(walk(msg), verp) or _quoted_original(text, verp)
    if permanent:
        status = first_status(text)
        kind = InboundKind.SOFT_BOUNCE if status and status.startswith("4") else InboundKind.HARD_BOUNCE
        what = f"{status} {status_text(status)}" if status else "permanent failure"
        return Classification(kind, f"{what} (flufl.bounce)", _pick(permanent), message_id, status=status)
    if temporary:
        return Classification(InboundKind.UNKNOWN, "delivery delayed, not a failure (flufl.bounce warning)",
                              _pick(temporary), message_id)
    return Classification(InboundKind.UNKNOWN, "looks like a bounce, but no failed recipient was found",
                          None, message_id)


def _says_bounce(msg: Message) -> bool:
    sender = " ".join(headers(msg, "From")[:1] + headers(msg, "Sender")[:1])
    subject = header(msg, "Subject")[:300]
    return (bool(headers(msg, "X-Failed-Recipients"))
            or any(_BOUNCE_SENDER.match(a) for a in addresses_in(sender))
            or bool(_BOUNCE_SUBJECT.search(subject) and not _REPLY_OR_FORWARD.match(subject)))


def _flufl(data: bytes) -> tuple[frozenset[bytes], frozenset[bytes]]:
    """flufl.bounce's (temporary, permanent) failures, read from a copy it cannot get stuck in.

    The copy has every text part decoded with short lines (its heuristics are quadratic in a
    line's length) and plain ASCII headers with a bare From address: its detectors call
    ``.lower()`` on header values (a non-ASCII one is a Header object) and index the
    parsed From (empty for a malformed one), and one detector raising ends the whole scan.
    """
    try:
        view = parse(bounded_raw(data, _FLUFL_LIMIT))
        for depth, part in enumerate(walk(view)):
            _plain_headers(part, top=depth == 0)
            if not part.is_multipart():
                lines = part_text(part, _FLUFL_LIMIT).splitlines()[:_FLUFL_LINES]
                part.set_payload("\n".join(line[:_FLUFL_LINE] for line in lines) + "\n")
                del part["Content-Transfer-Encoding"]
        temporary, permanent = flufl.bounce.all_failures(view)
    except Exception:  # noqa: BLE001  (a detector that still trips over hostile input found nothing)
        log.debug("flufl.bounce failed on a message", exc_info=True)
        return frozenset(), frozenset()
    return frozenset(temporary), frozenset(permanent)


def _plain_headers(part: Message, *, top: bool) -> None:
    items = list(part.raw_items())
    if top:  # exactly one From, a bare address or "<>" (an empty one parses to no address at all)
        sender = next((a for k, v in items if k.lower() == "from" for a in addresses_in(v)), "<>")
        items = [(k, v) for k, v in items if k.lower() != "from"] + [("From", sender)]
    elif all(v.isascii() for _k, v in items):
        return
    for name in {k for k, _v in items}:
        del part[name]
    for name, value in items:
        part[name] = value.encode("ascii", "replace").decode("ascii")


def _pick(found: frozenset[bytes]) -> str | None:
    for raw in sorted(found):
        address = bare_address(raw.decode("ascii", "replace"))
        if address:
            return address
    return None


def _notification_text(msg: Message) -> str:
    """The human-readable text of a bounce: its text leaves outside any attached original."""
    texts: list[str] = []
    for part in walk(msg):
        if content_type(part).startswith("message/"):
            break
        if not part.is_multipart() and content_type(part) == "text/plain":
            texts.append(part_text(part, 32 * 1024))
    return "\n".join(texts)[:64 * 1024]


def _quoted_original(text: str, verp: VerpCollector) -> str | None:
    """The Message-ID (and VERP Return-Path) of an original quoted in the bounce's text."""
    message_id = None
    for match in re.finditer(r"^[ \t>]*(Message-ID|Return-Path|X-Original-To|Delivered-To):[ \t]*(.{0,300})$",
                             text, re.IGNORECASE | re.MULTILINE):
        name, value = match.group(1).lower(), match.group(2)
        if name == "message-id":
            message_id = message_id or message_id_of(value)
        else:
            verp.add_addresses([value])
    return message_id


__all__ = ["STATUS_TEXT", "first_status", "read_dsn", "read_nonstandard", "returned_original",
           "status_text"]
