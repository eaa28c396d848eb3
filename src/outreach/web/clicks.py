"""``GET /c/<token>`` (and HEAD): count a click on a tracked link, then redirect to the link as stored at send time.

The target is the ``links`` row the signed token names, never anything the request
says, and only ever an http(s) URL: a forged, altered or malformed token, or one
naming no stored link, gets the 404 page and no redirect. The redirect (302, not
cached, no Referer) is sent only after the click is committed by the
:class:`~outreach.tracking.recorder.ClickRecorder`; when the database fails it is a
503 with Retry-After instead, so no answered click goes uncounted.

What a click records follows the token's mode and today's ``[tracking] clicks``,
whichever says less: a test copy's click (or any click with tracking ``off``) only
redirects; ``aggregate`` adds to the per-link, per-hour counts; ``individual`` (in
both) also keeps a ``clicks`` row naming the delivery.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..config import Config
from ..store.click_store import link_url
from ..tokens import BadToken, ClickClaims, ClickMode, Keyring, read_click_token
from ..tracking.machine import classify
from ..tracking.recorder import ClickRecorder, NotRecorded

log = logging.getLogger("outreach.web.clicks")

REDIRECT_HEADERS = {
    "Cache-Control": "no-store",  # every click reaches the server, none is answered by a cache
    "Referrer-Policy": "no-referrer",  # the token stays here
    "X-Content-Type-Options": "nosniff",
}
UNAVAILABLE_PAGE = ("<!doctype html><title>Try again</title>"
                    "<p>We could not follow this link just now. Please try again in a moment.</p>")
RETRY_AFTER_SECONDS = "5"
MAX_CACHED_LINKS = 100_000
STOP_SECONDS = 30


def safe_target(url: str) -> bool:
    """Whether a stored URL may be redirected to: http(s), with a host, no spaces or control characters."""
    if not url or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class ClickEndpoint:
    """The ``/c/<token>`` route, its link cache and its recorder (started and stopped with the app)."""

    def __init__(self, config: Config, engine: Engine, keys: Keyring, *, run_db: Callable[..., Awaitable[Any]],
                 page: Callable[..., Response], recorder: ClickRecorder | None = None, clock: Callable[[], float] = time.time) -> None:
        self.engine, self.keys, self.run_db, self.page, self.clock = engine, keys, run_db, page, clock
        self.tracking = config.tracking
        self.recorder = recorder or ClickRecorder(engine)
        self.urls: dict[int, str] = {}  # link id -> url: a stored link never changes after the send

    def routes(self) -> list[Route]:
        """``GET``/``HEAD /c/<token>``."""
        # ":path" so that "/c/<token>/…" is refused here too, not redirected to "/c/<token>" by the slash rule
        return [Route("/c/{token:path}", self.click, methods=["GET", "HEAD"])]

    async def start(self) -> None:
        """Start the recorder."""
        await self.recorder.start()

    async def stop(self) -> None:
        """Commit the clicks still waiting and stop the recorder (giving up after STOP_SECONDS)."""
        try:
            await asyncio.wait_for(self.recorder.stop(), timeout=STOP_SECONDS)
        except asyncio.TimeoutError:
            log.warning("the click recorder did not stop in time; clicks still waiting were answered with nothing")

    async def click(self, request: Request) -> Response:
        """Count the click (unless a test copy's), then redirect to the stored link."""
        try:
            claims = read_click_token(self.keys, request.path_params["token"])
        except BadToken:
            return self.page("not_found", status=404)
        try:
            url = await self.target(claims.link_id)
        except SQLAlchemyError as exc:
            log.error("click not followed: the link could not be read (%s)", exc.__class__.__name__)
            return unavailable()
        if url is None:
            return self.page("not_found", status=404)
        try:
            await self.count(claims, request)
        except NotRecorded:
            return unavailable()
        return RedirectResponse(url, status_code=302, headers=REDIRECT_HEADERS)

    async def target(self, link_id: int) -> str | None:
        """The stored URL of ``link_id`` when it may be redirected to, else None."""
        url = self.urls.get(link_id)
        if url is None:
            url = await self.run_db(link_url, self.engine, link_id)
            if url is None:
                return None
            if not safe_target(url):
                log.warning("link %d is not an http(s) URL: not redirected", link_id)
                return None
            if len(self.urls) >= MAX_CACHED_LINKS:
                self.urls.clear()
            self.urls[link_id] = url
        return url

    async def count(self, claims: ClickClaims, request: Request) -> None:
        """Hand the click to the recorder and wait for its commit (nothing for test copies or with tracking off)."""
        if claims.mode is ClickMode.TEST or self.tracking.clicks == "off":
            return
        now = self.clock()
        reason = classify(request.method, request.headers.get("user-agent"), claims.sent_at, now, self.tracking.machine_seconds)
        individual = claims.mode is ClickMode.INDIVIDUAL and self.tracking.clicks == "individual"
        await self.recorder.record(claims.link_id, now, reason, message=(claims.message, claims.sent_at),
                                   individual=individual, delivery_id=claims.message if individual else None)


def unavailable() -> HTMLResponse:
    """503 with Retry-After: the click was not recorded, so it is not followed either."""
    return HTMLResponse(UNAVAILABLE_PAGE, status_code=503,
                        headers={**REDIRECT_HEADERS, "Retry-After": RETRY_AFTER_SECONDS, "X-Frame-Options": "DENY"})
