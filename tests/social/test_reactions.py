"""Reading a published post's reactions from the X, Mastodon and Bluesky emulators over real HTTP.

Posts are published the real way (``post_steps``), then read through each
channel's fixed sequence (:meth:`ApiChannel.reactions`): counts that grow,
hostile answers, a deleted post, and every failure mapped by the one error mapping.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from outreach.channels import channel_for
from outreach.channels.base import Posted
from outreach.channels.reactions import Reactions
from outreach.errors import AuthFailed, RateLimited, Rejected, Unavailable
from outreach.posting import post_steps
from outreach.store.db import open_db
from outreach.store.ledger_queries import deliveries_in
from tests.social.emulators import MISSING
from tests.social.test_publish import plan_for  # noqa: F401  (fixture)

READ_PATH = {"x": "/2/tweets", "bluesky": "/xrpc/app.bsky.feed.getPosts"}


@pytest.fixture
def published(plan_for, social_config):  # noqa: F811
    """The sample published to the four emulators: platform -> the first post's Posted (as the ledger keeps it)."""
    plan = plan_for()
    assert all(r.done for r in post_steps(social_config, plan))
    channels = {s.number: s.channel for s in plan.steps}
    found: dict[str, Posted] = {}
    for row in deliveries_in(open_db(social_config), plan.campaign.slug, ["sent"]):
        if row.part == 1:
            found[channels[row.step]] = Posted(row.remote_id, row.remote_url or "", row.remote_extra)
    assert set(found) == {"x", "mastodon", "bluesky", "linkedin"}
    return found


def emulator(name, x_api, mastodon_api, bluesky_api):
    return {"x": x_api, "mastodon": mastodon_api, "bluesky": bluesky_api}[name]


def key(name: str, posted: Posted) -> str:
    """How the emulator knows the post."""
    return posted.remote_id


def path_of(name: str, posted: Posted) -> str:
    return READ_PATH.get(name) or f"/api/v1/statuses/{posted.remote_id}"


def read(config, name: str, posted: Posted) -> Reactions:
    return channel_for(config, name).reactions(posted)


EXPOSED = {  # which counts each platform shows (None: not exposed)
    "x": {"likes", "reposts", "replies", "quotes", "bookmarks", "impressions"},
    "mastodon": {"likes", "reposts", "replies", "quotes"},
    "bluesky": {"likes", "reposts", "replies", "quotes", "bookmarks"},
}
NAMES = ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions")


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky"])
def test_counts_grow_between_two_reads(published, social_config, x_api, mastodon_api, bluesky_api, name):
    api = emulator(name, x_api, mastodon_api, bluesky_api)
    first = read(social_config, name, published[name])
    api.advance(7200)
    second = read(social_config, name, published[name])
    for field in NAMES:
        before, after = getattr(first, field), getattr(second, field)
        if field in EXPOSED[name]:
            assert isinstance(after, int) and after > (before or 0), (field, before, after)
        else:
            assert before is None and after is None, field
    assert second.likes >= 120 and second.reposts >= 24, second  # 2 h at one like a minute, one repost in five


def test_x_read_is_signed_and_asks_for_public_metrics(published, social_config, x_api):
    x_api.refusals.clear()
    read(social_config, "x", published["x"])
    [get] = [r for r in x_api.requests if r["method"] == "GET"]
    query = parse_qs(urlsplit(get["target"]).query)
    assert query["ids"] == [published["x"].remote_id] and "public_metrics" in query["tweet.fields"][0].split(",")
    assert get["headers"]["Authorization"].startswith("OAuth ") and not x_api.refusals, x_api.refusals


def test_x_read_with_a_wrong_secret_is_refused_by_the_signature_check(published, social_config, x_api, monkeypatch):
    monkeypatch.setenv("X_ACCESS_TOKEN_SECRET", "not-the-secret")
    with pytest.raises(AuthFailed):
        read(social_config, "x", published["x"])
    assert x_api.refusals[-1] == "signature does not match"


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky"])
def test_hostile_counts_become_none_never_a_crash(published, social_config, x_api, mastodon_api, bluesky_api, name):
    api = emulator(name, x_api, mastodon_api, bluesky_api)
    api.set_reactions(key(name, published[name]), likes="12", reposts=-3, replies=10**30, quotes=MISSING, bookmarks=1.5, impressions=True)
    got = read(social_config, name, published[name])
    assert got == Reactions(None, None, None, None, None, None)
    api.set_reactions(key(name, published[name]), likes=7, reposts=0, replies=2**31 - 1)
    got = read(social_config, name, published[name])
    assert (got.likes, got.reposts, got.replies) == (7, 0, 2**31 - 1)


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky"])
def test_a_deleted_post_is_rejected_as_deleted(published, social_config, x_api, mastodon_api, bluesky_api, name):
    emulator(name, x_api, mastodon_api, bluesky_api).delete(key(name, published[name]))
    with pytest.raises(Rejected, match="the post was deleted"):
        read(social_config, name, published[name])


def test_x_post_that_cannot_be_read_is_not_called_deleted(published, social_config, x_api):
    tweet_id = published["x"].remote_id
    x_api.routes[("GET", "/2/tweets")] = lambda r: (200, {"errors": [{"resource_id": tweet_id, "title": "Authorization Error",
                                                                    "detail": "Sorry, you are not authorized to see the Tweet.",
                                                                    "type": "https://api.twitter.com/2/problems/not-authorized-for-resource"}]}, {})
    with pytest.raises(Rejected, match="cannot be read: Sorry, you are not authorized") as caught:
        read(social_config, "x", published["x"])
    assert "deleted" not in str(caught.value)


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky"])
@pytest.mark.parametrize("failure, error, words", [
    ("429", RateLimited, "retry after"),
    ("401", AuthFailed, "401"),
    ("503", Unavailable, "503"),
    ("drop", Unavailable, "no answer"),
    ("garbage", Unavailable, "not JSON"),
])
def test_failures_become_channel_errors(published, social_config, x_api, mastodon_api, bluesky_api, name, failure, error, words):
    api = emulator(name, x_api, mastodon_api, bluesky_api)
    api.fail(path_of(name, published[name]), failure)
    with pytest.raises(error) as caught:
        read(social_config, name, published[name])
    message = str(caught.value)
    assert words in message and "\n" not in message
    assert not any(secret in message for secret in (mastodon_api.token, bluesky_api.password, "OAuth ", "Bearer "))
    if failure == "429":  # the emulator's reset is 15 minutes away: the wait is the platform's own
        wait = caught.value.retry_at - datetime.now(timezone.utc)
        assert timedelta(minutes=13) < wait <= timedelta(minutes=15, seconds=5), wait
    assert read(social_config, name, published[name]).likes is not None, "the next read works"


def test_revoked_tokens_are_auth_failures(published, social_config, x_api, mastodon_api, bluesky_api):
    x_api.token = "revoked"
    mastodon_api.token = "revoked"
    for name in ("x", "mastodon"):
        with pytest.raises(AuthFailed):
            read(social_config, name, published[name])
    channel = channel_for(social_config, "bluesky")
    channel.reactions(published["bluesky"])
    bluesky_api.tokens.clear()  # the session was revoked: 401, and the next read logs in again
    with pytest.raises(AuthFailed):
        channel.reactions(published["bluesky"])
    sessions = bluesky_api.sessions
    assert channel.reactions(published["bluesky"]).likes is not None
    assert bluesky_api.sessions == sessions + 1


def test_bluesky_part_marked_posted_by_url_is_read_by_its_record_key(published, social_config, bluesky_api):
    uri = published["bluesky"].remote_id
    by_hand = Posted(uri.rsplit("/", 1)[1], f"https://bsky.app/profile/diis.test/post/{uri.rsplit('/', 1)[1]}", {})
    bluesky_api.set_reactions(uri, likes=41)
    assert read(social_config, "bluesky", by_hand).likes == 41


def test_counts_follow_the_emulator_clock(published, x_api, social_config):
    """The emulators' counts are deterministic: a pinned count stays, the others follow the clock."""
    x_api.set_reactions(published["x"].remote_id, likes=3)
    start = time.monotonic()
    first = read(social_config, "x", published["x"])
    x_api.advance(600)
    second = read(social_config, "x", published["x"])
    assert first.likes == second.likes == 3
    if time.monotonic() - start < 50:  # on a sane machine the wall clock adds well under a minute
        assert second.reposts == first.reposts + 2
