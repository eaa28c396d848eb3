"""LinkedIn: one post to an organisation page or a member through the REST API (``POST /rest/posts``), with httpx.

Every request carries ``LinkedIn-Version`` (``[linkedin] version``: LinkedIn retires each monthly
version after about a year and then answers 426), ``X-Restli-Protocol-Version: 2.0.0`` and the
bearer token from ``LINKEDIN_ACCESS_TOKEN``. The author is ``[linkedin] author``.

Images go through the Images API: ``POST /rest/images?action=initializeUpload`` gives an upload
address and an image URN, the bytes are PUT there (with the token, as LinkedIn asks), and the post
names the URN (``content.media`` for one image, ``content.multiImage`` for several). A post without
images carries the report's card as ``content.article`` (LinkedIn does not scrape the page, so
title, description and thumbnail are sent). The upload address comes from an answer, so it is
checked before the token goes there: https on a linkedin.com host, or the configured API host.

LinkedIn has no idempotency key: a post whose answer was lost is ``unknown`` (never resent on its
own), and so is a 201 without the post's id in ``x-restli-id``. Reactions come from
``GET /rest/socialMetadata/{urn}`` (reactions of every kind, and comments; reposts are not there).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from typing import Any, Mapping
from urllib.parse import quote

import httpx

from ..errors import ChannelError, ConfigError, OutcomeUnknown, RateLimited, Rejected, Unavailable
from .base import Answer, ApiChannel, Media, OutgoingPart, Posted, scrub
from .linkedin_facts import LINKEDIN, commentary
from .reactions import Reactions, count

RESTLI = "2.0.0"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
_IMAGE_URN = re.compile(r"urn:li:image:[A-Za-z0-9_-]{1,200}")
_POST_URN = re.compile(r"urn:li:(share|ugcPost):[0-9]{1,40}")
_READABLE_URN = re.compile(r"urn:li:(share|ugcPost|activity):[0-9]{1,40}")  # what socialMetadata reads (activity: a copied feed address)
_RESET_HEADERS = ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset", "retry-after")


def content(part: OutgoingPart, ids: list[str]) -> dict[str, Any] | None:
    """The post's ``content``: its images (by ``ids``, in order), else the report's card as an article, else None."""
    if part.images:
        images = [{"id": i, **({"altText": m.alt} if m.alt else {})} for i, m in zip(ids, part.images)]
        return {"media": images[0]} if len(images) == 1 else {"multiImage": {"images": images}}
    card = part.card
    if card is None:
        return None
    article: dict[str, Any] = {"source": card.uri, "title": card.title}
    if card.description:
        article["description"] = card.description
    if card.thumb is not None and ids:
        article["thumbnail"] = ids[0]
        if card.thumb.alt:
            article["thumbnailAltText"] = card.thumb.alt
    return {"article": article}


def post_url(urn: str) -> str:
    """Where a post is seen: ``https://www.linkedin.com/feed/update/<urn>/``."""
    return f"https://www.linkedin.com/feed/update/{quote(urn, safe=':')}/"


def next_midnight_utc(now: datetime) -> datetime:
    """LinkedIn's daily limits reset at midnight UTC: the next one after ``now``."""
    return datetime.combine(now.astimezone(timezone.utc).date() + timedelta(days=1), time(0), tzinfo=timezone.utc)


class LinkedInChannel(ApiChannel):
    """Posts to one organisation page or member."""

    facts = LINKEDIN
    post_is_idempotent = False  # no idempotency key: a lost answer may have made the post

    def connect(self, settings: Any, credentials: Mapping[str, str]) -> None:
        """An httpx client for the configured API host (no network); the author must be set."""
        if not settings.author:
            raise ConfigError("LinkedIn: [linkedin] author is empty; set it to urn:li:organization:<id> (a page) or "
                              "urn:li:person:<id> (a member), or leave LinkedIn unconfigured to use the outbox")
        self.base = settings.api_base.rstrip("/")
        self.author, self.version = settings.author, settings.version
        self._token = credentials["access_token_env"]
        # Redirects are not followed: the bearer token goes only where this module sends it.
        self.http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def headers(self, json: bool = True) -> dict[str, str]:
        """The headers of every LinkedIn REST call."""
        found = {"Authorization": f"Bearer {self._token}", "LinkedIn-Version": self.version, "X-Restli-Protocol-Version": RESTLI}
        return {**found, "Content-Type": "application/json"} if json else found

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The body of ``POST /rest/posts``, images and thumbnail by file name; the author is the config's (:meth:`prepare`; the outbox, used only while LinkedIn is unconfigured, has none)."""
        names = [m.path.name for m in LinkedInChannel.media_of(part)]
        body: dict[str, Any] = {
            "author": "", "commentary": commentary(part.text), "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False,
        }
        found = content(part, names)
        return {**body, "content": found} if found is not None else body

    def prepare(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The payload with this channel's author."""
        return {**self.payload(part, reply_to, root), "author": self.author}

    def upload(self, media: Media) -> str:
        """initializeUpload, then PUT the bytes to the upload address it gave; return the image URN."""
        data = media.read()  # a missing file is refused before LinkedIn is asked for anything
        response = self.http.post(f"{self.base}/rest/images", params={"action": "initializeUpload"}, headers=self.headers(),
                                  json={"initializeUploadRequest": {"owner": self.author}})
        response.raise_for_status()
        address, urn = self._upload_target(response)
        self.check_upload_address(address)
        response = self.http.put(address, content=data, headers={**self.headers(json=False), "Content-Type": media.mime})
        response.raise_for_status()
        return urn

    def _upload_target(self, response: httpx.Response) -> tuple[str, str]:
        """The upload address and image URN of an initializeUpload answer, or Unavailable when it has none."""
        try:
            value = response.json().get("value")
            address, urn = value.get("uploadUrl"), value.get("image")
        except (ValueError, AttributeError):
            address = urn = None
        if not isinstance(address, str) or not isinstance(urn, str) or not _IMAGE_URN.fullmatch(urn):
            raise Unavailable("LinkedIn media upload: the initializeUpload answer has no upload address and image URN",
                              platform=self.facts.display, status=response.status_code, body=scrub(response.text, self.secrets))
        return address, urn

    def check_upload_address(self, address: str) -> None:
        """Refuse an upload address off LinkedIn: the token is sent with the bytes, so a hostile answer must not get it."""
        try:
            url, base = httpx.URL(address), httpx.URL(self.base)
        except (httpx.InvalidURL, TypeError, ValueError):
            url = base = None
        host = url.host.lower() if url is not None else ""
        on_linkedin = url is not None and url.scheme == "https" and url.port in (None, 443) and (host == "linkedin.com" or host.endswith(".linkedin.com"))
        on_base = url is not None and base is not None and (url.scheme, host, url.port) == (base.scheme, base.host.lower(), base.port)
        if url is None or url.userinfo or not (on_linkedin or on_base) or any(c.isspace() or c == "\\" for c in address):
            shown = scrub(host or "an unreadable address", self.secrets)[:80]
            raise Rejected(f"LinkedIn media upload: the upload address is not https on a linkedin.com host ({shown}); "
                           "the token was not sent there", platform=self.facts.display)

    def post(self, part: OutgoingPart, request: dict[str, Any], media: list[Any]) -> Posted:
        """Create the post; its URN is the ``x-restli-id`` header of the 201."""
        found = content(part, list(media))
        body = {k: v for k, v in request.items() if k != "content"}
        response = self.http.post(f"{self.base}/rest/posts", headers=self.headers(), json={**body, **({"content": found} if found else {})})
        response.raise_for_status()
        urn = (response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id") or "").strip()
        if not _POST_URN.fullmatch(urn):
            raise OutcomeUnknown(f"LinkedIn post: HTTP {response.status_code} without the post's id (x-restli-id); it was probably "
                                 "created: check the page before resending", platform=self.facts.display, status=response.status_code,
                                 body=scrub(response.text, self.secrets))
        return Posted(urn, post_url(urn))

    def fetch_reactions(self, posted: Posted) -> Reactions:
        """GET /rest/socialMetadata/{urn}: every kind of reaction as likes, comments as replies; 404 when deleted."""
        if not _READABLE_URN.fullmatch(posted.remote_id):
            shown = scrub(posted.remote_id[:80], self.secrets)
            raise Rejected(f"LinkedIn: {shown!r} is not a post URN, so its reactions cannot be read; mark the part posted with its "
                           "https://www.linkedin.com/feed/update/urn:li:share:…/ address", platform=self.facts.display)
        response = self.http.get(f"{self.base}/rest/socialMetadata/{quote(posted.remote_id, safe='')}", headers=self.headers(json=False))
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict) or data.get("entity", posted.remote_id) != posted.remote_id:
            raise ValueError("GET /rest/socialMetadata: the answer is not this post's JSON object")
        comments = data.get("commentSummary")
        return Reactions(likes=reaction_total(data.get("reactionSummaries")),
                         replies=count(comments.get("count")) if isinstance(comments, dict) else None)

    def answer_of(self, exc: BaseException) -> Answer | None:
        """httpx's HTTPStatusError carries the answer."""
        if not isinstance(exc, httpx.HTTPStatusError):
            return None
        response = exc.response
        return Answer(response.status_code, dict(response.headers), response.text)

    def error_for_answer(self, answer: Answer, step: str) -> ChannelError:
        """The base mapping, with LinkedIn's version retirement spelled out and a 429 held until midnight UTC."""
        error = super().error_for_answer(answer, step)
        response = {"platform": error.platform, "status": error.status, "body": error.body}
        if answer.status == 426:
            return Rejected(f"{error} (LinkedIn-Version {self.version} is not active: set [linkedin] version to a current month, YYYYMM)",
                            **response)
        lowered = {k.lower() for k in answer.headers}
        if answer.status == 429 and not lowered & set(_RESET_HEADERS):
            message = str(error).rsplit(" (retry after", 1)[0]
            return RateLimited(message, next_midnight_utc(datetime.now(timezone.utc)), **response)
        return error


def reaction_total(summaries: object) -> int | None:
    """The sum of every reaction kind's count (LIKE, PRAISE, EMPATHY…); None when any of them is unreadable."""
    if not isinstance(summaries, dict):
        return None
    counts = [count(v.get("count")) if isinstance(v, dict) else None for v in summaries.values()]
    if any(c is None for c in counts):
        return None
    return count(sum(c for c in counts if c is not None))
