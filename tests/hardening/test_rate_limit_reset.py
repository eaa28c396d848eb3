"""A 429 with an absurd reset header is a bounded wait, never an OverflowError that leaves the post unknown (issue 9, item 16)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from outreach.campaign import load_campaign
from outreach.channels.retry import MAX_RETRY_WAIT, MIN_RETRY_WAIT, retry_time
from outreach.plan import build_plan
from outreach.posting import post_step
from outreach.store.db import open_db
from outreach.store.ledger_queries import deliveries_in
from tests.social.conftest import social_config, x_api, mastodon_api, bluesky_api, linkedin_api  # noqa: F401  (fixtures)

FAST = (0.01, 0.01)
HUGE = str(10**30)


def wait_of(headers: dict[str, str]) -> float:
    before = datetime.now(timezone.utc)
    return (retry_time(headers) - before).total_seconds()


@pytest.mark.parametrize("headers", [
    {"x-rate-limit-reset": HUGE},
    {"x-rate-limit-reset": "1e308"},
    {"ratelimit-reset": str(int(time.time()) + 10 * 365 * 86400)},  # ten years ahead
    {"Retry-After": "99999999999999999999"},
    {"Retry-After": format_datetime(datetime(9999, 12, 31, tzinfo=timezone.utc), usegmt=True)},
    {"x-ratelimit-reset": "9999-12-31T23:59:59Z"},
])
def test_far_future_resets_wait_at_most_a_day(headers):
    assert MAX_RETRY_WAIT - 5 <= wait_of(headers) <= MAX_RETRY_WAIT + 5


@pytest.mark.parametrize("headers", [
    {"x-rate-limit-reset": "1"},  # an epoch in 1970
    {"x-rate-limit-reset": str(int(time.time()) - 7 * 86400)},  # a week ago (still past however long collection took)
    {"x-rate-limit-reset": "-" + HUGE},
    {"Retry-After": "-5"},
    {"Retry-After": "0"},
    {"Retry-After": format_datetime(datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc), usegmt=True)},
    {"x-ratelimit-reset": "0001-01-01T00:00:00Z"},
])
def test_past_resets_wait_a_few_seconds(headers):
    assert MIN_RETRY_WAIT - 1 <= wait_of(headers) <= MIN_RETRY_WAIT + 5


@pytest.mark.parametrize("headers", [
    {"x-rate-limit-reset": "soon"},
    {"x-rate-limit-reset": "nan"},
    {"x-rate-limit-reset": "inf"},
    {"x-rate-limit-reset": "1e400"},
    {"Retry-After": "Mon, 99 Foo 2026 25:61:00 GMT"},
    {"Retry-After": ""},
    {"Retry-After": "\x00\x1b[31m"},
    {},
])
def test_unreadable_resets_wait_the_default(headers):
    assert 55 <= wait_of(headers) <= 65


@pytest.mark.parametrize("headers, seconds", [  # built when the test runs: a time computed at collection would be stale by then
    (lambda: {"x-rate-limit-reset": str(int(time.time()) + 900)}, 900),
    (lambda: {"Retry-After": "120"}, 120),
    (lambda: {"Retry-After": format_datetime(datetime.now(timezone.utc) + timedelta(minutes=30), usegmt=True)}, 1800),
    (lambda: {"x-rate-limit-reset": "soon", "Retry-After": "300"}, 300),  # an unreadable header falls through to the next
])
def test_sane_resets_are_kept_exactly(headers, seconds):
    assert abs(wait_of(headers()) - seconds) <= 5


@pytest.mark.parametrize("header", [f"x-rate-limit-reset={HUGE}", "x-rate-limit-reset=nan", "x-rate-limit-reset=-1", "Retry-After=Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_post_rate_limited_with_an_absurd_reset_waits_instead_of_going_unknown(campaign_copy, social_config, x_api, header):
    plan = build_plan(load_campaign(campaign_copy()), social_config)
    x_step = next(s for s in plan.steps if s.channel == "x")
    x_api.fail("/2/tweets", "ok", "429 " + header)  # part 1 goes out, part 2 is rate limited
    started = datetime.now(timezone.utc)
    result = post_step(social_config, plan, x_step, retry_waits=FAST)
    assert [p.state for p in result.parts[:2]] == ["sent", "queued"], result  # before: "unknown" (internal error: OverflowError)
    [row] = deliveries_in(open_db(social_config), plan.campaign.slug, ["queued"], step=x_step.number)[:1]
    wait = (row.not_before - started).total_seconds()
    assert MIN_RETRY_WAIT - 1 <= wait <= MAX_RETRY_WAIT + 60
    assert len(x_api.tweets) == 1
