"""Typed values passed between the inbound paths, the classifier and the recorder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class InboundKind(StrEnum):
    """What an inbound message or ESP event is."""

    HARD_BOUNCE = "hard_bounce"      # permanent failure (5.x.x): suppress at once
    SOFT_BOUNCE = "soft_bounce"      # transient failure (4.x.x): suppress after N of the last M sends
    COMPLAINT = "complaint"          # ARF report or ESP complaint: unsubscribe everywhere and suppress
    AUTO_REPLY = "auto_reply"        # vacation, out of office, Auto-Submitted: kept, nothing else
    UNSUBSCRIBE = "unsubscribe"      # a mail to the mailto: unsubscribe address with the token in its subject
    UNKNOWN = "unknown"              # anything else: kept, nothing else


class InboundSource(StrEnum):
    """Which path a message or event came in by."""

    SMTP = "smtp"
    LMTP = "lmtp"
    IMAP = "imap"
    SES = "ses"
    POSTMARK = "postmark"
    MAILGUN = "mailgun"
    SENDGRID = "sendgrid"
    CLI = "cli"  # `outreach inbound --file`, or a person


@dataclass(frozen=True)
class Classification:
    """What the classifier read in one inbound mail (or an ESP parser in one event).

    ``reason`` is one line for people, e.g. ``"5.1.1 user unknown (DSN Status)"``.
    ``address`` is the subscriber address it concerns (the failed recipient, the
    complainer) when the message says; ``original_message_id`` the Message-ID of the
    message it is about (``<...>`` form) when found; ``verp_tokens`` every
    ``bounces+TOKEN@…`` local-part token seen in the envelope recipients or in the
    delivery headers (``Delivered-To``, ``X-Original-To``, ``To``, the DSN's
    ``Original-Recipient``/``Return-Path``), unverified: the recorder checks their
    signatures; ``unsubscribe_token`` the token from the subject of a mail to the
    ``mailto:`` unsubscribe address.
    """

    kind: InboundKind
    reason: str
    address: str | None = None
    original_message_id: str | None = None
    verp_tokens: tuple[str, ...] = ()
    unsubscribe_token: str | None = None
    status: str | None = None  # the DSN status code, e.g. "5.1.1", when there is one


@dataclass(frozen=True)
class InboundMessage:
    """One thing that came in: the raw bytes (a mail, or a webhook event's JSON) and its classification."""

    source: InboundSource
    raw: bytes
    classification: Classification
    received_at: datetime
    external_id: str | None = None  # ESP event id, IMAP UID, or the mail's own Message-ID
