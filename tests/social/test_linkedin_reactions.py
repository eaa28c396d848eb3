"""Reading a LinkedIn post's reactions (GET /rest/socialMetadata/{urn}) from the emulator: counts, hostile answers, a deleted post."""

from __future__ import annotations

import pytest

from outreach.channels import client_class
from outreach.channels.base import OutgoingPart
from outreach.channels.registry import PLATFORMS
from outreach.channels.reactions import Reactions
from outreach.errors import AuthFailed, PostDeleted, RateLimited, Unavailable
from tests.social.emulators import MISSING

LinkedInConfig = PLATFORMS["linkedin"].settings
READ = "/rest/socialMetadata/"


@pytest.fixture
def posted(linkedin_api, monkeypatch):
    monkeypatch.setenv("LINKEDIN_ACCESS_TOKEN", linkedin_api.token)
    channel = client_class("linkedin").from_config(LinkedInConfig(api_base=linkedin_api.url, author=linkedin_api.author))
    return channel, channel.publish(OutgoingPart("li-reactions", 5, 1, 1, "A post to react to"), None, None)


def test_counts_grow_and_reposts_are_not_exposed(posted, linkedin_api):
    channel, post = posted
    assert channel.reactions(post) == Reactions(likes=0, replies=0)
    linkedin_api.advance(3600)
    assert channel.reactions(post) == Reactions(likes=60, replies=6)
    request = [r for r in linkedin_api.requests if r["path"].startswith(READ)][-1]
    assert request["path"] == READ + post.remote_id.replace(":", "%3A") and request["headers"]["LinkedIn-Version"] == "202610"


def test_every_kind_of_reaction_counts_as_a_like(posted, linkedin_api):
    channel, post = posted
    linkedin_api.routes.pop(("GET", READ), None)
    answer = {"reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": 3}, "PRAISE": {"reactionType": "PRAISE", "count": 2},
                                    "EMPATHY": {"count": 1}}, "commentsState": "OPEN", "commentSummary": {"count": 4, "topLevelCount": 3},
              "entity": post.remote_id}
    linkedin_api.prefix_routes.insert(0, ("GET", READ, lambda request: (200, answer, {})))
    assert channel.reactions(post) == Reactions(likes=6, replies=4)


@pytest.mark.parametrize("likes, replies, expected", [
    ("12", 3, Reactions(likes=None, replies=3)),
    (-1, 2**40, Reactions(likes=None, replies=None)),
    (MISSING, MISSING, Reactions(likes=0, replies=None)),  # no reaction kinds at all is zero reactions; no comment count is unknown
    (True, 1.5, Reactions(likes=None, replies=None)),
])
def test_hostile_counts_are_unknown_not_errors(posted, linkedin_api, likes, replies, expected):
    channel, post = posted
    linkedin_api.set_reactions(post.remote_id, likes=likes, replies=replies)
    assert channel.reactions(post) == expected


@pytest.mark.parametrize("answer", [b"<html>oops</html>", [1, 2], {"entity": "urn:li:share:1", "reactionSummaries": {}}])
def test_an_answer_that_is_not_this_posts_json_is_unavailable(posted, linkedin_api, answer):
    channel, post = posted
    linkedin_api.prefix_routes.insert(0, ("GET", READ, lambda request: (200, answer, {})))
    with pytest.raises(Unavailable):
        channel.reactions(post)


def test_a_deleted_post_is_said_to_be_deleted(posted, linkedin_api):
    channel, post = posted
    linkedin_api.delete(post.remote_id)
    with pytest.raises(PostDeleted):
        channel.reactions(post)


@pytest.mark.parametrize("failure, expected", [("401", AuthFailed), ("429", RateLimited), ("503", Unavailable), ("drop", Unavailable)])
def test_read_failures_are_mapped(posted, linkedin_api, failure, expected):
    channel, post = posted
    linkedin_api.fail(READ + post.remote_id.replace(":", "%3A"), failure)
    with pytest.raises(expected):
        channel.reactions(post)


def test_an_id_that_is_not_a_post_urn_is_refused_not_read(posted, linkedin_api):
    """A part a person marked posted with a copied /posts/… address has no URN: it is said, not taken for a deleted post."""
    channel, _ = posted
    from outreach.channels.base import Posted
    from outreach.errors import Rejected
    with pytest.raises(Rejected, match="not a post URN"):
        channel.reactions(Posted("diis_myanmar-activity-7300000000000001000-AbCd", "https://www.linkedin.com/posts/x"))
    assert not [r for r in linkedin_api.requests if r["path"].startswith(READ)]


def test_the_poller_reads_a_linkedin_post_at_its_checkpoint(campaign_copy, social_config, linkedin_api):
    from datetime import timedelta

    from outreach.campaign import load_campaign
    from outreach.metrics import Poller
    from outreach.plan import build_plan
    from outreach.posting import post_step
    from outreach.store.db import open_db
    from outreach.store.metrics_store import published_posts
    from tests.social.test_linkedin_publish import linkedin_step, with_linkedin

    plan = build_plan(load_campaign(campaign_copy(with_linkedin())), social_config)
    assert post_step(social_config, plan, linkedin_step(plan)).done
    [post] = published_posts(open_db(social_config))
    linkedin_api.advance(3600)
    [reading] = Poller(social_config).poll(now=lambda: post.sent_at + timedelta(hours=1, minutes=1))
    assert reading.ok and reading.checkpoint == "1h"
    assert [r for r in linkedin_api.requests if r["path"] == READ + post.remote_id.replace(":", "%3A")]


def test_a_post_marked_posted_by_hand_is_known_as_linkedin(config):
    from datetime import datetime, timezone

    from outreach.metrics import platform_of
    from outreach.store.metrics_store import PublishedPost
    at = datetime(2027, 1, 12, tzinfo=timezone.utc)
    by_urn = PublishedPost(1, "c", 2, 1, "urn:li:share:1", "https://www.linkedin.com/feed/update/urn:li:share:1/", at, None, {})
    by_host = PublishedPost(1, "c", 2, 1, "x-1", "https://linkedin.com/posts/x-1", at, None, {})
    assert platform_of(by_urn, config) == platform_of(by_host, config) == "linkedin"
