"""X (Twitter): tweets and threads with tweepy's v2 ``Client.create_tweet``.

Never ``wait_on_rate_limit``: it would block a scheduler thread for up to
15 minutes. A 429 becomes :class:`RateLimited` with the reset time from
``x-rate-limit-reset``; "duplicate content" is a permanent rejection.
"""

from __future__ import annotations

from typing import Any

import requests
import tweepy

from ..config import XConfig, secret
from ..errors import AuthFailed, Rejected
from .base import OutgoingPart, Posted, error_for_status, network_error, retry_time
from .http import connect_failed, routed_session
from .x_media import upload_image

TWEEPY_HOST = "https://api.twitter.com"


def _bounded_reset(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """tweepy int()s a 429's reset header before outreach sees it: give it the bounded epoch retry_time reads."""
    if response.status_code == 429:
        response.headers["x-rate-limit-reset"] = str(int(retry_time(response.headers).timestamp()))


class XChannel:
    """Posts to X with OAuth 1.0a user context."""

    name = "x"

    def __init__(self, cfg: XConfig, credentials: dict[str, str]) -> None:
        self.base = cfg.api_base.rstrip("/")
        self.client = tweepy.Client(
            consumer_key=credentials["api_key"], consumer_secret=credentials["api_secret"],
            access_token=credentials["access_token"], access_token_secret=credentials["access_token_secret"],
            wait_on_rate_limit=False,
        )
        routed_session(self.client.session, TWEEPY_HOST, self.base)
        self.client.session.hooks["response"].append(_bounded_reset)
        self.auth = tweepy.OAuth1UserHandler(credentials["api_key"], credentials["api_secret"], credentials["access_token"], credentials["access_token_secret"])

    @staticmethod
    def from_config(cfg: XConfig) -> "XChannel | None":
        """The channel, or None when no X credential is set (the outbox stands in)."""
        names = {"api_key": cfg.api_key_env, "api_secret": cfg.api_secret_env, "access_token": cfg.access_token_env, "access_token_secret": cfg.access_token_secret_env}
        values = {k: secret(v, f"X {k.replace('_', ' ')}", required=False) for k, v in names.items()}
        if not any(values.values()):
            return None
        missing = [names[k] for k, v in values.items() if not v]
        if missing:
            raise AuthFailed(f"X: environment variable(s) {', '.join(missing)} not set (the other X credentials are)")
        return XChannel(cfg, values)  # type: ignore[arg-type]

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """What create_tweet is called with (media by file, with alt text)."""
        body: dict[str, Any] = {"text": part.text}
        if reply_to is not None:
            body["reply"] = {"in_reply_to_tweet_id": reply_to.remote_id}
        if part.images:
            body["media"] = [{"file": m.path.name, "alt_text": m.alt} for m in part.images]
        return body

    def publish(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Posted:
        """Upload images, then create the tweet."""
        media_ids = [upload_image(self.client.session, self.base, self.auth, m) for m in part.images] or None
        try:
            response = self.client.create_tweet(text=part.text, media_ids=media_ids,
                                                in_reply_to_tweet_id=reply_to.remote_id if reply_to else None, user_auth=True)
        except tweepy.TooManyRequests as exc:
            raise error_for_status("X", 429, "rate limited", exc.response.headers) from None
        except tweepy.Unauthorized as exc:
            raise AuthFailed(f"X: {exc}") from None
        except tweepy.Forbidden as exc:
            text = " ".join(exc.api_messages) or str(exc)
            if "duplicate" in text.lower():
                raise Rejected(f"X refused a duplicate post: {text}") from None
            raise Rejected(f"X: 403: {text}") from None
        except tweepy.HTTPException as exc:
            raise error_for_status("X", exc.response.status_code, " ".join(exc.api_messages) or str(exc), exc.response.headers) from None
        except requests.RequestException as exc:
            raise network_error("X", exc, connect_failed=connect_failed(exc)) from None
        tweet_id = str(response.data["id"])
        return Posted(tweet_id, f"https://x.com/i/web/status/{tweet_id}")

