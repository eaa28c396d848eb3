"""Mastodon with mastodon-py: statuses, replies for threads, media with descriptions.

Every status carries an ``Idempotency-Key`` derived from campaign, step and
part, so a request whose answer was lost can be sent again safely: the
instance returns the status it already made instead of a second one.
mastodon-py's errors carry neither headers nor body, so the channel keeps the
last answer from its own session and the base class maps that.
"""

from __future__ import annotations

from typing import Any, Mapping

import requests
from mastodon import Mastodon, MastodonAPIError, MastodonRatelimitError

from ..errors import Rejected
from .base import Answer, ApiChannel, Media, OutgoingPart, Posted
from .reactions import Reactions
from .http import RoutingSession
from .mastodon_facts import MASTODON

API_VERSION = "4.2.0"  # statuses, v2 media and idempotency keys are all older than this
# A status's counts (GET /api/v1/statuses/:id), by our names; quotes_count only on instances that have quotes (4.5+).
STATUS_COUNTS = {"likes": "favourites_count", "reposts": "reblogs_count", "replies": "replies_count", "quotes": "quotes_count"}


class MastodonChannel(ApiChannel):
    """Posts to one Mastodon account."""

    facts = MASTODON
    post_is_idempotent = True  # the Idempotency-Key

    def connect(self, settings: Any, credentials: Mapping[str, str]) -> None:
        """mastodon-py on a routed session that remembers the last answer."""
        self.instance = settings.instance.rstrip("/")
        self._last: requests.Response | None = None
        session = RoutingSession()
        session.hooks["response"].append(self._remember)
        # A pinned API version: otherwise mastodon-py asks the instance for it before posting.
        self.api = Mastodon(access_token=credentials["access_token_env"], api_base_url=self.instance, ratelimit_method="throw",
                            request_timeout=60, version_check_mode="none", mastodon_version=API_VERSION, session=session)
        self._limit: int | None = None

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def limit(self) -> int:
        """The instance's own character limit, when it publishes one."""
        if self._limit is None:
            self._limit = self.facts.limit
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

    def prepare(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The status, refused here when it is over this instance's limit."""
        length, limit = self.facts.length(part.text), self.limit()
        if length > limit:
            raise Rejected(f"Mastodon: {length} characters; this instance allows {limit}", platform=self.facts.display)
        return self.payload(part, reply_to, root)

    def upload(self, media: Media) -> str:
        """One media attachment with its description."""
        return self.api.media_post(media.read(), mime_type=media.mime, description=media.alt or None, file_name=media.path.name)["id"]

    def post(self, part: OutgoingPart, request: dict[str, Any], media: list[Any]) -> Posted:
        """Post the status with its Idempotency-Key."""
        status = self.api.status_post(request["status"], in_reply_to_id=request.get("in_reply_to_id"), media_ids=media or None,
                                      idempotency_key=request["idempotency_key"])
        return Posted(str(status["id"]), str(status.get("url") or f"{self.instance}/statuses/{status['id']}"))

    def fetch_reactions(self, posted: Posted) -> Reactions:
        """GET /api/v1/statuses/:id: favourites, reblogs, replies (and quotes where the instance counts them); 404 when deleted."""
        status = self.api.status(posted.remote_id)
        last = self._last
        if last is not None and last.ok:
            status = last.json()  # the answer as sent: mastodon-py would turn a string "12" into a count
        if not isinstance(status, dict):
            raise ValueError("GET /api/v1/statuses/:id: the answer is not a JSON object")
        if str(status.get("id")) != posted.remote_id:
            raise self.deleted(posted)  # an answer about another status (or none) is not this post
        return Reactions.read(status, STATUS_COUNTS)

    def answer_of(self, exc: BaseException) -> Answer | None:
        """An API error (or a 429 mastodon-py turned into a rate-limit error) is the session's last answer."""
        if not isinstance(exc, (MastodonAPIError, MastodonRatelimitError)):
            return None
        last = self._last
        if isinstance(exc, MastodonRatelimitError):
            if last is not None and last.status_code == 429:
                return Answer(429, dict(last.headers), last.text)
            reset = getattr(self.api, "ratelimit_reset", None)  # refused before sending: mastodon-py knows the reset
            return Answer(429, {"ratelimit-reset": str(reset)} if reset else {}, "")
        if last is None or last.ok:
            return None  # not an HTTP failure: treated as a bug, the part left for a person
        return Answer(last.status_code, dict(last.headers), last.text)
