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
