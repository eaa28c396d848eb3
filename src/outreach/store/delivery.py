"""Typed values of the ledger: delivery states, event kinds, and one delivery row as a frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class DeliveryState(StrEnum):
    """Where one delivery is (the diagram is in :mod:`outreach.store.ledger`)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    UNKNOWN = "unknown"
    SUPPRESSED = "suppressed"


class EventKind(StrEnum):
    """What a ``delivery_events`` row records."""

    BOUNCED_HARD = "bounced_hard"
    BOUNCED_SOFT = "bounced_soft"
    COMPLAINED = "complained"
    UNSUBSCRIBED = "unsubscribed"
    RESOLVED = "resolved"
    UNDONE = "undone"  # a person lifted a wrongly applied bounce or complaint (`outreach bounces undo`)


@dataclass(frozen=True)
class Delivery:
    """One ledger row: an email to one address, or one part of a post."""

    id: int
    campaign: str
    step: int
    target: str  # email: the normalised address; post: a unique key only (read ``part``)
    state: DeliveryState
    attempts: int
    updated_at: datetime
    subscriber_id: int | None = None
    part: int | None = None  # posts: 1 = the first post of a thread
    not_before: datetime | None = None
    run_id: int | None = None
    detail: str | None = None
    message_id: str | None = None
    envelope_sender: str | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    payload: dict[str, Any] | None = None

    @property
    def is_post(self) -> bool:
        """A post part (as opposed to an email)."""
        return self.part is not None

    @property
    def text(self) -> str | None:
        """A post part's text as queued."""
        return (self.payload or {}).get("text")

    @property
    def remote_extra(self) -> dict[str, Any]:
        """What the platform returned besides the id and URL (e.g. Bluesky's cid)."""
        return dict((self.payload or {}).get("remote") or {})


@dataclass(frozen=True)
class DeliveryEvent:
    """Something that happened to a delivery after it left, or a person's decision about it."""

    id: int
    delivery_id: int
    kind: EventKind
    detail: str | None
    source: str
    occurred_at: datetime
