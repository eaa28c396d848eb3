"""X (Twitter): tweets and threads with tweepy's v2 ``Client.create_tweet``.

Never ``wait_on_rate_limit``: it would block a scheduler thread for up to
15 minutes. A 429 becomes :class:`RateLimited` with the reset time from
``x-rate-limit-reset`` (the base class maps every failure; X answers
"duplicate content" with a 403, a permanent rejection).
"""

from __future__ import annotations

from typing import Any, Mapping

import requests
import tweepy

from ..errors import Rejected
from .base import Answer, ApiChannel, Media, OutgoingPart, Posted, scrub
from .reactions import Reactions
from .retry import retry_time
from .http import RoutingSession
from .x_facts import X
from .x_media import upload_image

TWEEPY_HOST = "https://api.twitter.com"
# public_metrics of a tweet (GET /2/tweets?tweet.fields=public_metrics), by our names.
PUBLIC_METRICS = {"likes": "like_count", "reposts": "retweet_count", "replies": "reply_count", "quotes": "quote_count",
                  "bookmarks": "bookmark_count", "impressions": "impression_count"}
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


def _bounded_reset(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """tweepy int()s a 429's reset header before outreach sees it: give it the bounded epoch retry_time reads."""
    if response.status_code == 429:
        response.headers["x-rate-limit-reset"] = str(int(retry_time(response.headers).timestamp()))


class XChannel(ApiChannel):
    """Posts to X with OAuth 1.0a user context."""

    facts = X

    def connect(self, settings: Any, credentials: Mapping[str, str]) -> None:
        """tweepy's client on a routed session with a timeout, and the OAuth 1.0a signer for media."""
        keys = (credentials["api_key_env"], credentials["api_secret_env"], credentials["access_token_env"], credentials["access_token_secret_env"])
        self.base = settings.api_base.rstrip("/")
        self.client = tweepy.Client(consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2], access_token_secret=keys[3],
                                    wait_on_rate_limit=False)
        self.client.session = RoutingSession(TWEEPY_HOST, self.base)
        self.client.session.hooks["response"].append(_bounded_reset)
        # Reads get the raw JSON (tweepy's Tweet objects would choke on a hostile answer), on the same session.
        self.reader = tweepy.Client(consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2], access_token_secret=keys[3],
                                    wait_on_rate_limit=False, return_type=dict)
        self.reader.session = self.client.session
        self.auth = tweepy.OAuth1UserHandler(*keys)

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """What create_tweet is called with (media by file, with alt text)."""
        body: dict[str, Any] = {"text": part.text}
        if reply_to is not None:
            body["reply"] = {"in_reply_to_tweet_id": reply_to.remote_id}
        if part.images:
            body["media"] = [{"file": m.path.name, "alt_text": m.alt} for m in part.images]
        return body

    def upload(self, media: Media) -> str:
        """v2 media upload, then its alt text."""
        return upload_image(self.client.session, self.base, self.auth, media)

    def post(self, part: OutgoingPart, request: dict[str, Any], media: list[Any]) -> Posted:
        """Create the tweet."""
        reply = request.get("reply", {}).get("in_reply_to_tweet_id")
        response = self.client.create_tweet(text=request["text"], media_ids=media or None, in_reply_to_tweet_id=reply, user_auth=True)
        tweet_id = str(response.data["id"])
        return Posted(tweet_id, f"https://x.com/i/web/status/{tweet_id}")

    def fetch_reactions(self, posted: Posted) -> Reactions:
        """GET /2/tweets?ids=…&tweet.fields=public_metrics (user context); a deleted tweet comes back in ``errors``, with 200."""
        answer = self.reader.get_tweets([posted.remote_id], tweet_fields=["public_metrics"], user_auth=True)
        if not isinstance(answer, dict):
            raise ValueError("GET /2/tweets: the answer is not a JSON object")
        data = answer.get("data")
        tweet = next((t for t in data if isinstance(t, dict) and str(t.get("id")) == posted.remote_id), None) if isinstance(data, list) else None
        if tweet is not None:
            return Reactions.read(tweet.get("public_metrics"), PUBLIC_METRICS)
        errors = answer.get("errors") if isinstance(answer.get("errors"), list) else []
        mine = [e for e in errors if isinstance(e, dict) and str(e.get("resource_id", e.get("value"))) == posted.remote_id]
        if any(e.get("type") != NOT_FOUND for e in mine):  # e.g. not-authorized-for-resource: there, but not readable
            detail = next((e.get("detail") or e.get("title") for e in mine if e.get("type") != NOT_FOUND), None)
            reason = scrub(" ".join(str(detail or "no reason given").split())[:200], self.secrets)
            raise Rejected(f"X: the post cannot be read: {reason}", platform=self.facts.display)
        raise self.deleted(posted)

    def answer_of(self, exc: BaseException) -> Answer | None:
        """tweepy's HTTPException (the tweet) and requests' HTTPError (the media upload) carry the response."""
        response = exc.response if isinstance(exc, (tweepy.HTTPException, requests.HTTPError)) else None
        if response is None:
            return None
        return Answer(response.status_code, dict(response.headers), response.text)
