"""Mastodon with mastodon-py: statuses, replies for threads, media with descriptions.

Every status carries an ``Idempotency-Key`` derived from campaign, step and
part, so a request whose answer was lost can be sent again safely: the
instance returns the status it already made instead of a second one.
"""

from __future__ import annotations

from typing import Any

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from ..config import MastodonConfig, secret
from ..errors import AuthFailed, RateLimited, Rejected, Unavailable
from ..render.posts import mastodon_length
from .base import OutgoingPart, Posted, retry_time
from .http import routed_session

DEFAULT_LIMIT = 500
API_VERSION = "4.2.0"  # statuses, v2 media and idempotency keys are all older than this


class MastodonChannel:
    """Posts to one Mastodon account."""

    name = "mastodon"

    def __init__(self, cfg: MastodonConfig, token: str) -> None:
        self.instance = cfg.instance.rstrip("/")
        session = routed_session(requests.Session())
        # A pinned API version: otherwise mastodon-py asks the instance for it before posting.
        self.api = Mastodon(access_token=token, api_base_url=self.instance, ratelimit_method="throw", request_timeout=60,
                            version_check_mode="none", mastodon_version=API_VERSION, session=session)
        self._limit: int | None = None

    @staticmethod
    def from_config(cfg: MastodonConfig) -> "MastodonChannel | None":
        """The channel, or None when no token is set (the outbox stands in)."""
        token = secret(cfg.access_token_env, "Mastodon access token", required=False)
        return MastodonChannel(cfg, token) if token else None

    def limit(self) -> int:
        """The instance's own character limit, when it publishes one."""
        if self._limit is None:
            self._limit = DEFAULT_LIMIT
            try:
                info = self.api.session.get(f"{self.instance}/api/v2/instance", timeout=(10, 30)).json()
                self._limit = int(info["configuration"]["statuses"]["max_characters"])
            except (requests.RequestException, ValueError, KeyError, TypeError):
                pass
        return self._limit

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """What status_post is called with."""
        body: dict[str, Any] = {"status": part.text, "idempotency_key": part.idempotency_key}
        if reply_to is not None:
            body["in_reply_to_id"] = reply_to.remote_id
        if part.images:
            body["media"] = [{"file": m.path.name, "description": m.alt} for m in part.images]
        return body

    def publish(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Posted:
        """Upload media with descriptions, then post the status."""
        length, limit = mastodon_length(part.text), self.limit()
        if length > limit:
            raise Rejected(f"Mastodon: {length} characters; this instance allows {limit}")
        try:
            media_ids = [self.api.media_post(m.read(), mime_type=m.mime, description=m.alt or None, file_name=m.path.name)["id"] for m in part.images]
            status = self.api.status_post(part.text, in_reply_to_id=reply_to.remote_id if reply_to else None,
                                          media_ids=media_ids or None, idempotency_key=part.idempotency_key)
        except MastodonRatelimitError as exc:
            reset = getattr(self.api, "ratelimit_reset", None)
            raise RateLimited(f"Mastodon: {exc}", retry_time({"ratelimit-reset": str(reset)} if reset else {})) from None
        except MastodonUnauthorizedError as exc:
            raise AuthFailed(f"Mastodon: {exc}") from None
        except MastodonServerError as exc:
            raise Unavailable(f"Mastodon: {exc}") from None
        except MastodonNetworkError as exc:
            # safe to send again: the Idempotency-Key makes the instance return the first status
            raise Unavailable(f"Mastodon: network error: {exc}") from None
        except MastodonAPIError as exc:
            if "401" in str(exc) or "403" in str(exc):
                raise AuthFailed(f"Mastodon: {exc}") from None
            raise Rejected(f"Mastodon: {exc}") from None
        return Posted(str(status["id"]), str(status.get("url") or f"{self.instance}/statuses/{status['id']}"))
