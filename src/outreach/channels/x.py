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

from .base import Answer, ApiChannel, Media, OutgoingPart, Posted, retry_time
from .http import RoutingSession
from .x_facts import X
from .x_media import upload_image

TWEEPY_HOST = "https://api.twitter.com"


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

    def answer_of(self, exc: BaseException) -> Answer | None:
        """tweepy's HTTPException (the tweet) and requests' HTTPError (the media upload) carry the response."""
        response = exc.response if isinstance(exc, (tweepy.HTTPException, requests.HTTPError)) else None
        if response is None:
            return None
        return Answer(response.status_code, dict(response.headers), response.text)
