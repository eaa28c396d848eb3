"""The default schedule of a drafted campaign: the next working day at ``[draft] send_time``, posts after it."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Sequence

from ..config import DraftConfig

_MAX_DAYS_AHEAD = 60  # a holiday list covering more than this is a config mistake, not a plan


@dataclass(frozen=True)
class DraftTimes:
    """Local (naive) times in ``[draft] timezone``: the email, then one per drafted post, in order."""

    email: datetime
    posts: tuple[datetime, ...]


def next_working_day(today: date, holidays: Sequence[date]) -> date:
    """The first day strictly after ``today`` that is not a Saturday, Sunday or one of ``holidays``."""
    off = set(holidays)
    day = today
    for _ in range(_MAX_DAYS_AHEAD):
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            return day
    return day  # every day for two months is a holiday: take the last one rather than loop forever


def draft_schedule(now: datetime, draft: DraftConfig, channels: Sequence[str]) -> DraftTimes:
    """The email the next working day after ``now`` (in ``draft.timezone``) at ``send_time``; each post
    ``stagger_minutes`` after the previous step.

    A naive ``now`` is taken as UTC. A local time the clocks skip (DST) moves forward past the gap,
    so the drafted times always exist in the zone.
    """
    zone = zoneinfo.ZoneInfo(draft.timezone)
    aware = now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)
    today = aware.astimezone(zone).date()
    hour, minute = (int(x) for x in draft.send_time.split(":"))
    email = _existing(datetime.combine(next_working_day(today, draft.holidays), time(hour, minute)), zone)
    step = timedelta(minutes=draft.stagger_minutes)
    posts = tuple(_existing(email + step * (i + 1), zone) for i in range(len(channels)))
    return DraftTimes(email, posts)


def _existing(local: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """``local`` if it exists in ``zone``, else the first time after the spring-forward gap."""
    for _ in range(8):  # gaps are at most a few hours; 15-minute steps cover any real one
        back = local.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
        if back == local:
            return local
        local = local + timedelta(minutes=15)
        local = local.replace(minute=local.minute - local.minute % 15)
    return local
