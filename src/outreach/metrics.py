"""Reading each published post's reactions: which posts are due, the read itself, and what is stored.

The dispatcher reads a post at each checkpoint of ``[metrics] checkpoint_hours``
after it was posted (1 h, 24 h and 7 d by default); ``outreach metrics`` reads
every post now (checkpoint ``manual``). The rules, in :func:`due_checkpoint`:

- a checkpoint is done once it has a successful sample;
- only the latest checkpoint reached is read: a dispatcher that was down for a
  week reads the 7 d counts once, not three times in a row (the earlier ones
  are superseded, never filled in afterwards);
- a failed read is tried again ``retry_minutes`` later, and no more once the
  next checkpoint is reached (it takes over) or, for the last, a day after it;
- a post the platform says was deleted is not read again;
- a 429 holds the whole platform until its reset time, a refused login for
  ``retry_minutes`` (every post would fail the same way);
- each post is looked at again just before its read, so two dispatchers on one
  database rarely read the same checkpoint twice (rarely: there is no lock).

Posts that went to the outbox (no credentials when they were published) have no
reactions: they are skipped with a :class:`SkipReason` the report can show.
Every failure is one stored line; nothing here raises for a platform's sake.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable, Iterable
from urllib.parse import urlsplit

from sqlalchemy import Engine

from .channels import channel_for
from .channels.base import ApiChannel, Posted
from .channels.reactions import Reactions
from .channels.outbox import is_outbox_id
from .config import Config
from .errors import AuthFailed, ChannelError, OutreachError, PostDeleted, RateLimited
from .store.db import now as utc_now
from .store.db import open_db
from .store.metrics_store import MANUAL, PublishedPost, Sample, one_line, published_posts, record_sample, samples_for

LAST_CHECKPOINT_GRACE = timedelta(days=1)  # a failed read of the last checkpoint is retried this long after it


class SkipReason(StrEnum):
    """Why a published post has no reactions to read."""

    OUTBOX = "posted to the outbox (no credentials were set): there are no reactions to read"
    UNKNOWN_PLATFORM = "cannot tell which platform it was posted to"
    NO_CREDENTIALS = "its platform has no credentials set now: set them to read its reactions"


@dataclass(frozen=True)
class Checkpoint:
    """A time after the post at which its reactions are read."""

    label: str  # what ``post_metrics.checkpoint`` holds: "1h", "24h", "7d"
    after: timedelta


@dataclass(frozen=True)
class Reading:
    """The outcome of reading one post: its counts, or the failure (one line), or why it was not read."""

    post: PublishedPost
    checkpoint: str
    taken_at: datetime
    reactions: Reactions | None = None
    error: str | None = None
    skipped: SkipReason | None = None
    rate_limited: bool = False  # the platform said 429: ask it nothing more for now
    gone: bool = False  # the platform said the post was deleted: it is not read again

    @property
    def ok(self) -> bool:
        """Read, with counts."""
        return self.reactions is not None


def checkpoint_label(hours: float) -> str:
    """``1h``, ``24h``, ``7d`` (whole days from two days on); ``90m`` or ``45s`` for what is not whole hours."""
    seconds = round(hours * 3600)
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def checkpoints(config: Config) -> list[Checkpoint]:
    """The configured checkpoints, earliest first."""
    return [Checkpoint(checkpoint_label(h), timedelta(hours=h)) for h in config.metrics.checkpoint_hours]


def due_checkpoint(sent_at: datetime, samples: Iterable[Sample], marks: list[Checkpoint], now: datetime, retry: timedelta) -> Checkpoint | None:
    """The checkpoint to read now for a post sent at ``sent_at``, or None (see the module's rules)."""
    samples = list(samples)
    if any(s.gone for s in samples):
        return None  # deleted: there is nothing more to read
    reached = [i for i, c in enumerate(marks) if sent_at + c.after <= now]
    if not reached:
        return None
    index = reached[-1]
    mark = marks[index]
    if index == len(marks) - 1 and now > sent_at + mark.after + LAST_CHECKPOINT_GRACE:
        return None  # the last checkpoint's retries are over
    mine = [s for s in samples if s.checkpoint == mark.label]
    if any(s.ok for s in mine):
        return None
    last_failure = max((s.taken_at for s in mine), default=None)
    if last_failure is not None and now < last_failure + retry:
        return None
    return mark


def platform_of(post: PublishedPost, config: Config) -> str | None:
    """The platform a post went to: its scheduled step's channel, else told from its address (a step posted by hand)."""
    if post.channel:
        return post.channel
    host = (urlsplit(post.url or "").hostname or "").lower()
    if post.remote_id.startswith("at://") or host == "bsky.app":
        return "bluesky"
    if host in ("x.com", "twitter.com", "www.x.com", "www.twitter.com", "mobile.twitter.com"):
        return "x"
    if post.remote_id.startswith("urn:li:") or host in ("linkedin.com", "www.linkedin.com"):
        return "linkedin"
    if host and host == (urlsplit(config.mastodon.instance).hostname or "").lower():
        return "mastodon"
    return None


def skip_reason(post: PublishedPost, config: Config) -> SkipReason | None:
    """Why this post's reactions cannot be read (None: they can be, given credentials)."""
    if is_outbox_id(post.remote_id):
        return SkipReason.OUTBOX
    if platform_of(post, config) is None:
        return SkipReason.UNKNOWN_PLATFORM
    return None


@dataclass
class Poller:
    """Reads due reactions; kept by a dispatcher across rounds so a 429 or a refused login holds the platform."""

    config: Config
    say: Callable[[str], None] = lambda line: None
    held: dict[str, datetime] = field(default_factory=dict)  # platform -> not before
    # Built once and kept: a Bluesky channel logs in once, not every round (createSession has a tight rate limit).
    channels: dict[str, ApiChannel | None] = field(default_factory=dict)

    def due(self, engine: Engine, now: datetime) -> list[tuple[PublishedPost, Checkpoint]]:
        """The posts to read now, with their checkpoint (outbox and unknown-platform posts left out)."""
        marks, retry = checkpoints(self.config), timedelta(minutes=self.config.metrics.retry_minutes)
        horizon = now - marks[-1].after - LAST_CHECKPOINT_GRACE - timedelta(minutes=1)  # older posts are done for good
        posts = [p for p in published_posts(engine, sent_after=horizon) if skip_reason(p, self.config) is None]
        history = samples_for(engine, [p.delivery_id for p in posts])
        found = []
        for post in posts:
            mark = due_checkpoint(post.sent_at, history.get(post.delivery_id, []), marks, now, retry)
            if mark is not None:
                found.append((post, mark))
        return found

    def poll(self, stop: threading.Event | None = None, now: Callable[[], datetime] = utc_now) -> list[Reading]:
        """One round: read every due post (stopping early when ``stop`` is set) and store each outcome."""
        engine = open_db(self.config)
        readings: list[Reading] = []
        for post, mark in self.due(engine, now()):
            if stop is not None and stop.is_set():
                break
            platform = platform_of(post, self.config) or ""
            if self.held.get(platform, now()) > now():
                continue  # rate-limited or refused: left for a later round, not stored as a failure
            if not self._still_due(engine, post, now()):
                continue  # another dispatcher read it since this round began
            reading = read_post(self.config, post, mark.label, self.channels, now, self)
            if reading.skipped is None:
                record_sample(engine, post.delivery_id, reading.taken_at, mark.label, reading.reactions, reading.error, reading.gone)
                if reading.error:
                    self.say(f"reactions: {post.campaign} step {post.step} part {post.part} ({mark.label}): {reading.error}")
            readings.append(reading)
        return readings

    def _still_due(self, engine: Engine, post: PublishedPost, now: datetime) -> bool:
        """Checked again just before the read, so two dispatchers rarely read the same checkpoint twice."""
        samples = samples_for(engine, [post.delivery_id]).get(post.delivery_id, [])
        return due_checkpoint(post.sent_at, samples, checkpoints(self.config), now,
                              timedelta(minutes=self.config.metrics.retry_minutes)) is not None

    def hold(self, platform: str, until: datetime) -> None:
        """Read nothing from ``platform`` before ``until``."""
        self.held[platform] = max(until, self.held.get(platform, until))


def _channel(config: Config, platform: str, channels: dict[str, ApiChannel | None]) -> ApiChannel | None:
    """The platform's API channel (built once per round); None when it has no credentials now."""
    if platform not in channels:
        channel = channel_for(config, platform)
        channels[platform] = channel if isinstance(channel, ApiChannel) else None
    return channels[platform]


def read_post(config: Config, post: PublishedPost, checkpoint: str, channels: dict[str, ApiChannel | None],
              now: Callable[[], datetime] = utc_now, poller: Poller | None = None) -> Reading:
    """Read one post's reactions now: a :class:`Reading` with the counts, or the error in one line; never raises for the platform."""
    reason = skip_reason(post, config)
    if reason is not None:
        return Reading(post, checkpoint, now(), skipped=reason)
    platform = platform_of(post, config) or ""
    try:
        channel = _channel(config, platform, channels)
        if channel is None:
            return Reading(post, checkpoint, now(), skipped=SkipReason.NO_CREDENTIALS)
        reactions = channel.reactions(Posted(post.remote_id, post.url or "", post.extra))
    except RateLimited as exc:
        if poller is not None:
            poller.hold(platform, exc.retry_at)
        return Reading(post, checkpoint, now(), error=one_line(str(exc)), rate_limited=True)
    except AuthFailed as exc:
        if poller is not None:
            poller.hold(platform, now() + timedelta(minutes=config.metrics.retry_minutes))
        return Reading(post, checkpoint, now(), error=one_line(str(exc)))
    except PostDeleted as exc:
        return Reading(post, checkpoint, now(), error=one_line(str(exc)), gone=True)
    except (ChannelError, OutreachError) as exc:  # a ConfigError (credentials half set) too: shown, not raised
        return Reading(post, checkpoint, now(), error=one_line(str(exc)))
    except Exception as exc:  # noqa: BLE001  (a bug in a client must not stop the other reads, nor the dispatcher)
        return Reading(post, checkpoint, now(), error=one_line(f"internal error while reading: {type(exc).__name__}"))
    return Reading(post, checkpoint, now(), reactions=reactions)


def read_now(config: Config, campaign: str | None = None, now: Callable[[], datetime] = utc_now) -> list[Reading]:
    """``outreach metrics``: read every published post of ``campaign`` (or of all) now, storing each as checkpoint ``manual``."""
    engine = open_db(config)
    channels: dict[str, ApiChannel | None] = {}
    limited: dict[str, str] = {}  # platform -> its 429, said for the posts not asked for after it
    readings = []
    for post in published_posts(engine, campaign):
        platform = platform_of(post, config) or ""
        if platform in limited:
            readings.append(Reading(post, MANUAL, now(), error=f"not asked: {limited[platform]}"))
            continue
        reading = read_post(config, post, MANUAL, channels, now)
        if reading.skipped is None:
            record_sample(engine, post.delivery_id, reading.taken_at, MANUAL, reading.reactions, reading.error, reading.gone)
        if reading.rate_limited:
            limited[platform] = reading.error or ""
        readings.append(reading)
    return readings


class ReactionRounds:
    """The dispatcher's reads: a round of :meth:`Poller.poll` every ``every``, in a thread of its own, one at a time.

    A slow or failing platform never delays a step, and whatever goes wrong in a round
    is one line said through the poller, never the dispatcher's end.
    """

    def __init__(self, poller: Poller, stop: threading.Event, every: timedelta) -> None:
        self.poller, self.stop, self.every = poller, stop, every
        self.thread: threading.Thread | None = None
        self._next: datetime | None = None

    def tick(self) -> None:
        """Start a round when one is due and none is under way."""
        if self.stop.is_set() or (self.thread is not None and self.thread.is_alive()):
            return
        if self._next is not None and utc_now() < self._next:
            return
        self._next = utc_now() + self.every
        self.thread = threading.Thread(target=self._round, name="reactions", daemon=True)
        self.thread.start()

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for a round under way."""
        if self.thread is not None:
            self.thread.join(timeout)

    def _round(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from .dispatch import database_trouble

        try:
            self.poller.poll(self.stop)
        except SQLAlchemyError as exc:
            self.poller.say(f"reactions: {database_trouble(exc) or f'database error: {type(exc).__name__}'}; trying again later")
        except Exception as exc:  # noqa: BLE001  (reading reactions must never stop the dispatcher)
            self.poller.say(f"reactions: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}; trying again later")
