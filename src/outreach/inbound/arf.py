"""Complaints: ARF feedback reports (RFC 5965), as Yahoo's, Microsoft's (JMRP) and others' loops send them.

The machine-readable ``message/feedback-report`` part gives the ``Feedback-Type`` and,
when the provider does not redact it, ``Original-Rcpt-To``; the embedded original gives
the Message-ID and, failing that, the recipient (Microsoft puts it in
``X-HmXmrOriginalRecipient``, others leave ``To``). ``auth-failure`` (a DMARC failure
report) and ``not-spam`` are reports, not complaints.
"""

from __future__ import annotations

import re
from email.message import Message

from outreach.inbound.classify import (
    VerpCollector, bare_address, content_type, header, headers, param, parse_headers, part_text, walk,
)
from outreach.inbound.dsn import returned_original
from outreach.inbound.events import Classification, InboundKind

_NOT_COMPLAINTS = ("auth-failure", "not-spam")
_FEEDBACK_TYPE = re.compile(r"[a-z][a-z0-9-]*")
_FIELD = re.compile(r"^Feedback-Type:", re.IGNORECASE | re.MULTILINE)


def read_arf(msg: Message, verp: VerpCollector) -> Classification | None:
    """The classification of an ARF feedback report, or None when ``msg`` is not one."""
    parts = walk(msg, into_messages=False)
    report = _report(msg, parts)
    if report is None:
        return None
    verp.add_addresses(headers(report, "Original-Mail-From") + headers(report, "Original-Rcpt-To"))
    feedback = (_FEEDBACK_TYPE.findall(header(report, "Feedback-Type")[:60].lower()) or ["abuse"])[0]
    original = _original(parts)
    message_id = returned_original(parts, verp)
    address = bare_address(header(report, "Original-Rcpt-To"))
    if address is None and original is not None:
        address = bare_address(header(original, "X-HmXmrOriginalRecipient")) or bare_address(header(original, "To"))
    agent = header(report, "User-Agent")[:60]
    evidence = f"ARF Feedback-Type, {agent}" if agent else "ARF Feedback-Type"
    if feedback in _NOT_COMPLAINTS:
        return Classification(InboundKind.UNKNOWN, f"{feedback} feedback report, not a complaint ({evidence})",
                              address, message_id)
    return Classification(InboundKind.COMPLAINT, f"{feedback} complaint ({evidence})", address, message_id)


def _report(msg: Message, parts: list[Message]) -> Message | None:
    """The feedback-report fields: its own part, or a text part of a report that declared itself ARF."""
    for part in parts:
        if content_type(part) == "message/feedback-report":
            return _fields(part)
    if content_type(msg) != "multipart/report" or param(msg, "report-type") != "feedback-report":
        return None
    for part in parts:  # some loops send the report part as text/plain
        if not part.is_multipart() and content_type(part) == "text/plain":
            text = part_text(part, 16 * 1024)
            if _FIELD.search(text):
                return parse_headers(text.strip() + "\n")
    return parse_headers("")


def _fields(part: Message) -> Message:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    return parse_headers(part_text(part, 16 * 1024).strip() + "\n")


def _original(parts: list[Message]) -> Message | None:
    for part in parts[1:]:
        kind = content_type(part)
        if kind in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if kind in ("text/rfc822-headers", "message/global-headers"):
            return parse_headers(part_text(part))
    return None
