"""The drafted schedule: the next working day at [draft] send_time, posts staggered after the email."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta, timezone

import pytest

from outreach.config import DraftConfig
from outreach.draft.schedule import draft_schedule, next_working_day

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")


def utc(local: datetime, zone: zoneinfo.ZoneInfo = CPH) -> datetime:
    return local.replace(tzinfo=zone).astimezone(timezone.utc)


@pytest.mark.parametrize(("now_local", "expected"), [
    (datetime(2027, 1, 11, 8, 0), date(2027, 1, 12)),   # Monday morning, before send time: still tomorrow
    (datetime(2027, 1, 11, 23, 0), date(2027, 1, 12)),  # Monday night
    (datetime(2027, 1, 15, 10, 0), date(2027, 1, 18)),  # Friday → Monday
    (datetime(2027, 1, 16, 10, 0), date(2027, 1, 18)),  # Saturday → Monday
    (datetime(2027, 1, 17, 10, 0), date(2027, 1, 18)),  # Sunday → Monday
])
def test_next_working_day_skips_weekends_and_today(now_local: datetime, expected: date) -> None:
    times = draft_schedule(utc(now_local), DraftConfig(), ["x"])
    assert times.email == datetime.combine(expected, datetime.min.time()).replace(hour=9)


def test_the_day_is_the_zones_not_utcs() -> None:
    # 23:30 UTC on Sunday is already Monday 00:30 in Copenhagen, so "tomorrow" is Tuesday.
    times = draft_schedule(datetime(2027, 1, 17, 23, 30, tzinfo=timezone.utc), DraftConfig(), [])
    assert times.email == datetime(2027, 1, 19, 9, 0)
    naive_utc = draft_schedule(datetime(2027, 1, 17, 23, 30), DraftConfig(), [])  # a naive now is UTC
    assert naive_utc.email == times.email


def test_holidays_are_skipped_too() -> None:
    draft = DraftConfig(holidays=[date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28)])
    times = draft_schedule(utc(datetime(2026, 12, 23, 12, 0)), draft, [])
    assert times.email == datetime(2026, 12, 29, 9, 0)  # 24, 25 holidays, 26-27 weekend, 28 holiday
    assert next_working_day(date(2026, 12, 23), draft.holidays) == date(2026, 12, 29)


def test_posts_follow_the_email_stagger_minutes_apart() -> None:
    draft = DraftConfig(send_time="10:15", stagger_minutes=45)
    times = draft_schedule(utc(datetime(2027, 1, 11, 12, 0)), draft, ["x", "mastodon", "bluesky"])
    assert times.email == datetime(2027, 1, 12, 10, 15)
    assert times.posts == tuple(datetime(2027, 1, 12, 10, 15) + timedelta(minutes=45 * i) for i in (1, 2, 3))


def test_a_time_the_clocks_skip_moves_past_the_gap() -> None:
    # Egypt springs forward at 00:00 on the last Friday of April (a working day): 00:00-01:00 does not exist.
    cairo = zoneinfo.ZoneInfo("Africa/Cairo")
    draft = DraftConfig(timezone="Africa/Cairo", send_time="00:30", stagger_minutes=15)
    times = draft_schedule(utc(datetime(2027, 4, 29, 12, 0), cairo), draft, ["x", "mastodon"])
    for local in (times.email, *times.posts):
        back = local.replace(tzinfo=cairo).astimezone(timezone.utc).astimezone(cairo).replace(tzinfo=None)
        assert back == local, f"{local} does not exist in Africa/Cairo"
    assert times.email.date() == date(2027, 4, 30) and times.email.hour == 1
    assert times.email < times.posts[0] < times.posts[1]


def test_a_year_of_holidays_ends() -> None:
    every_day = [date(2027, 1, 1) + timedelta(days=i) for i in range(400)]
    assert next_working_day(date(2026, 12, 31), every_day) > date(2026, 12, 31)
