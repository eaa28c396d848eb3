"""The ``post_metrics`` table: each published post's reactions over time, one row per read (or failed read).

A row is a sample taken at ``taken_at`` for a checkpoint (``1h``, ``24h``,
``7d`` … from ``[metrics] checkpoint_hours``, or ``manual`` for ``outreach
metrics``). A successful read has ``error`` NULL and the counts the platform
exposes (NULL where it shows none); a failed read has ``error`` (one line,
never a secret) and no counts. Nothing is ever updated: the series is
append-only, so the report can draw it as it came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import Engine, insert, select

from ..channels.reactions import REACTION_NAMES, Reactions
from .delivery import DeliveryState
from .schema import deliveries, post_metrics, steps

MANUAL = "manual"  # the checkpoint of a read a person asked for
ERROR_LIMIT = 300  # characters of an error kept on a row


@dataclass(frozen=True)
class Sample:
    """One row of ``post_metrics``."""

    id: int
    delivery_id: int
    taken_at: datetime
    checkpoint: str
    reactions: Reactions | None  # None when the read failed
    error: str | None
    gone: bool = False  # the platform said the post was deleted: it is not read again

    @property
    def ok(self) -> bool:
        """The read succeeded."""
        return self.error is None


@dataclass(frozen=True)
class PublishedPost:
    """A post (or thread part) that went out with a remote id: what its reactions are read for."""

    delivery_id: int
    campaign: str
    step: int
    part: int
    remote_id: str
    url: str | None
    sent_at: datetime  # when the ledger recorded it posted
    channel: str | None  # from the schedule, when the step was scheduled; else told from the post's address
    extra: dict


def one_line(text: str) -> str:
    """``text`` as a single line of at most :data:`ERROR_LIMIT` characters."""
    line = " ".join(text.split())
    return line if len(line) <= ERROR_LIMIT else line[:ERROR_LIMIT - 1] + "…"


def record_sample(engine: Engine, delivery_id: int, taken_at: datetime, checkpoint: str,
                  reactions: Reactions | None = None, error: str | None = None, gone: bool = False) -> None:
    """Append one sample: the counts, or the error (one line) of a failed read (``gone``: the post was deleted)."""
    counts = {name: getattr(reactions, name) for name in REACTION_NAMES} if reactions else {}
    with engine.begin() as conn:
        conn.execute(insert(post_metrics).values(delivery_id=delivery_id, taken_at=taken_at, checkpoint=checkpoint,
                                                 error=one_line(error) if error is not None else None, gone=gone, **counts))


def samples_for(engine: Engine, delivery_ids: Iterable[int]) -> dict[int, list[Sample]]:
    """Every sample of these deliveries, oldest first, by delivery id (a delivery with none is absent)."""
    ids = list(delivery_ids)
    found: dict[int, list[Sample]] = {}
    if not ids:
        return found
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):  # bounded IN lists
            rows = conn.execute(select(post_metrics).where(post_metrics.c.delivery_id.in_(ids[start:start + 500]))
                                .order_by(post_metrics.c.taken_at, post_metrics.c.id))
            for r in rows:
                found.setdefault(int(r.delivery_id), []).append(_sample(r))
    for series in found.values():
        series.sort(key=lambda s: (s.taken_at, s.id))
    return found


def _sample(r) -> Sample:  # type: ignore[no-untyped-def]
    reactions = None if r.error is not None else Reactions(r.likes, r.reposts, r.replies, r.quotes, r.bookmarks, r.impressions)
    return Sample(int(r.id), int(r.delivery_id), r.taken_at, r.checkpoint, reactions, r.error, bool(r.gone))


def published_posts(engine: Engine, campaign: str | None = None, sent_after: datetime | None = None) -> list[PublishedPost]:
    """Every post part in the ledger that was posted and has a remote id (since ``sent_after``), in campaign, step and part order."""
    q = (select(deliveries.c.id, deliveries.c.campaign, deliveries.c.step, deliveries.c.part, deliveries.c.remote_id,
                deliveries.c.remote_url, deliveries.c.updated_at, deliveries.c.payload, steps.c.channel)
         .select_from(deliveries.outerjoin(steps, (steps.c.campaign == deliveries.c.campaign) & (steps.c.step == deliveries.c.step)))
         .where(deliveries.c.part.is_not(None), deliveries.c.state == DeliveryState.SENT.value, deliveries.c.remote_id.is_not(None))
         .order_by(deliveries.c.campaign, deliveries.c.step, deliveries.c.part))
    if campaign is not None:
        q = q.where(deliveries.c.campaign == campaign)
    if sent_after is not None:
        q = q.where(deliveries.c.updated_at >= sent_after)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return [PublishedPost(int(r.id), r.campaign, int(r.step), int(r.part), r.remote_id, r.remote_url, r.updated_at, r.channel,
                          dict(((r.payload or {}) if isinstance(r.payload, dict) else {}).get("remote") or {})) for r in rows]
