"""The review pages: ``/review/<token>`` (a reviewer's page), its preview files, Approve and Request changes.

A review token (purpose ``review``, :func:`outreach.tokens.make_review_token`)
names a reviewer's link by its random key and the campaign; the link's row says
who the reviewer is, when the link expires and whether it was revoked. A forged,
altered, expired, revoked or unknown token, or one naming another campaign, gets
the app's one 400 page (:meth:`WebApp.invalid`), byte for byte the same.

The page shows the campaign as it renders *now* (:mod:`outreach.review.current`),
with its content hash, every decision about it, what is still missing before
dispatch, the word diff since this reviewer's last approval of an earlier
version, and the preview itself: the stored files, framed from
``/review/<token>/v/<hash>/``. A GET never decides anything. The word diff of a
long campaign takes a while, so it is made in a worker thread and kept (a few, by
the two versions' content hashes: stored versions never change).

The two buttons are POSTs carrying a form key bound to the token (as the
preference pages do) and the content hash shown; the browser's
``Origin``/``Sec-Fetch-Site`` must say they came from ``web.base_url`` (else a
refusal page that shows nothing of the form). A same-site POST whose form key is
too old (a page left open over ``FORM_KEY_MAX_AGE``), missing or wrong records
nothing and gets the page again (403) with a fresh key and the comment kept. The
server renders afresh for every POST: if the hash
differs, nothing is recorded (409) and the page shows the new version with the
diff from the one the reviewer saw. The reviewer recorded is always the link's,
never a form field. A request for changes wakes the owner's notice
(:mod:`outreach.review.notice`), sent off the request path. When this server
cannot read the campaign file, both decisions are about the latest stored
version; when the file no longer renders, only changes may be asked for
(:mod:`outreach.review.current`).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..approval import approval_state
from ..review.current import Current, CurrentVersions, Standing
from ..review.diff import Version, as_html, compare
from ..store.consent import client_ip
from ..store.db import now
from ..store.reviews import (MAX_COMMENT, Decision, DecisionKind, DecisionMethod, NewDecision, ReviewerLink, decisions_of,
                             StoredVersion, record_decision, reviewer_by_key, reviewers_of, revoked_ids, version, version_by_hash, version_file,
                             version_file_names)
from ..text import is_single_line
from ..tokens import BadToken, is_form_key, make_form_key, read_review_token
from .limits import ClientLimiter, client_key
from .preferences import FORM_KEY_MAX_AGE, same_site, web_origin

if TYPE_CHECKING:
    from .app import WebApp

POSTS_PER_MINUTE = 30  # decisions one client may post per minute
MAX_FORM_BYTES = 65_536  # a 4000-character comment, percent-encoded, fits (up to 12 bytes a character)
MAX_FIELDS = 8
MAX_TOKEN_DAYS = 366  # the signature's own limit; the link's row (expires_at, revoked_at) decides within it
# The preview files may be framed by our own review page only; no script runs in them (the email is data).
FILE_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".eml": "text/plain; charset=utf-8",
    ".json": "application/json", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp",
}
DIFF_CACHE_SIZE = 32  # word diffs kept (each by its two versions' content hashes) …
DIFF_CACHE_CHARS = 16_000_000  # … and their HTML's characters (thumbnails are data: URIs) at most, the newest always kept
COMMENT_KEEPS = "\n\t"  # the only control characters a kept comment may have
STALE_FORM = ("This page was open too long, so nothing was recorded. Here it is again as it is now: "
              "press the button again to decide.")
_HASH_RE = re.compile(r"[0-9a-f]{16,128}")
_NAME_RE = re.compile(r"[^\x00-\x1f\x7f]{1,300}")


@dataclass(frozen=True)
class Reviewer:
    """A review link that opens the page: the token as given and its link's row."""

    token: str
    link: ReviewerLink


class ReviewPages:
    """The routes of the review pages, sharing the :class:`WebApp`'s database, keys and pages."""

    def __init__(self, web: "WebApp") -> None:
        self.web = web
        self.config = web.config
        self.origin = web_origin(web.config.web.base_url)
        self.current = CurrentVersions(web.config, web.engine)
        self.clients = ClientLimiter(POSTS_PER_MINUTE)
        self.diffs = DiffCache()

    def routes(self) -> list[Route]:
        """The routes to add to the app."""
        return [
            Route("/review/{token}", self.show, methods=["GET"]),
            Route("/review/{token}/files/{name:path}", self.file, methods=["GET"]),
            Route("/review/{token}/v/{version}/{name:path}", self.file, methods=["GET"]),
            Route("/review/{token}/approve", self.approve, methods=["POST"]),
            Route("/review/{token}/changes", self.changes, methods=["POST"]),
        ]

    # -- who is asking ------------------------------------------------------------------
    async def reviewer(self, token: str) -> Reviewer | None:
        """The link behind ``token`` when it opens the page now; None for every kind of bad token alike."""
        try:
            claims = read_review_token(self.web.secret, token, MAX_TOKEN_DAYS)
        except BadToken:
            return None
        link = await self.web.db(reviewer_by_key, self.web.engine, claims.link_key)
        if link is None or link.campaign != claims.campaign or not link.usable(now()):
            return None
        lifetime = math.ceil((link.expires_at - link.created_at).total_seconds() / 86400)
        if time.time() - claims.issued_at.timestamp() > max(self.config.review.link_days, lifetime) * 86400:
            return None
        return Reviewer(token, link)

    async def current_of(self, campaign: str, fresh: bool = False) -> Current | None:
        """The current version of ``campaign`` (rendered in a worker thread: a render takes tens of milliseconds)."""
        return await run_in_threadpool(self.current.get, campaign, fresh)

    # -- the page -----------------------------------------------------------------------
    async def show(self, request: Request) -> Response:
        found = await self.reviewer(request.path_params["token"])
        current = found and await self.current_of(found.link.campaign)
        if not found or not current:
            return self.web.invalid()
        return await self.render(found, current)

    async def render(self, who: Reviewer, current: Current, status: int = 200, notice: str | None = None,
                     seen: str | None = None, error: str | None = None, comment: str = "") -> Response:
        """The review page for ``who`` showing ``current`` (``seen``: the hash of a version shown before, to diff from)."""
        view, since = await self.web.db(_view, self.config, self.web.engine, who.link, current, seen)
        if since is not None:
            view = replace(view, diff=await self.diffs.html(since, current.version), diff_from=since.label)
        response = self.web.page("review", status=status, token=who.token, link=who.link, current=current, view=view,
                                 notice=notice, error=error, comment=comment, max_comment=MAX_COMMENT,
                                 form_key=make_form_key(self.web.secret, who.token, time.time()))
        # the page frames its own preview files (and nothing else)
        response.headers["Content-Security-Policy"] = response.headers["Content-Security-Policy"].replace(
            "frame-ancestors", "frame-src 'self'; frame-ancestors")
        return response

    # -- the preview's files ----------------------------------------------------------------
    async def file(self, request: Request) -> Response:
        found = await self.reviewer(request.path_params["token"])
        if not found:
            return self.web.invalid()
        name = request.path_params["name"]
        if not _NAME_RE.fullmatch(name):  # stored names are plain paths (PostgreSQL refuses NUL in a query)
            return self.web.page("not_found", status=404)
        # the page frames /v/<hash>/…: the preview and every file it loads are of the version the page shows
        wanted = request.path_params.get("version", request.query_params.get("v"))
        if wanted is not None:
            shown = await self.web.db(version_by_hash, self.web.engine, found.link.campaign, wanted) if _HASH_RE.fullmatch(wanted) else None
        else:
            current = await self.current_of(found.link.campaign)
            shown = current.version if current else None
        body = shown and await self.web.db(version_file, self.web.engine, shown.id, name)
        if body is None or not shown:
            return self.web.page("not_found", status=404)
        suffix = name[name.rfind("."):].lower() if "." in name else ""
        headers = {**self.web_headers(), "Content-Security-Policy": FILE_CSP, "X-Frame-Options": "SAMEORIGIN"}
        if suffix not in CONTENT_TYPES:
            headers["Content-Disposition"] = "attachment"
        return Response(body, media_type=CONTENT_TYPES.get(suffix, "application/octet-stream"), headers=headers)

    @staticmethod
    def web_headers() -> dict[str, str]:
        from .app import SECURITY_HEADERS  # app imports this module

        return dict(SECURITY_HEADERS)

    # -- the decisions ----------------------------------------------------------------------
    async def approve(self, request: Request) -> Response:
        return await self.decide(request, DecisionKind.APPROVED)

    async def changes(self, request: Request) -> Response:
        return await self.decide(request, DecisionKind.CHANGES_REQUESTED)

    async def decide(self, request: Request, kind: DecisionKind) -> Response:
        """Record ``kind`` for the link's reviewer, against the hash the form says was shown, if that is what renders now."""
        if not self.clients.allow(client_key(request)):
            response = self.web.page("review_slow_down", status=429)
            response.headers["Retry-After"] = "60"
            return response
        form = await read_form(request)
        found = await self.reviewer(request.path_params["token"])
        if not found or form is None:
            return self.web.invalid()
        if not same_site(request, self.origin):  # another site's form: nothing of it is shown back
            return self.web.page("review_refused", status=403, token=found.token)
        comment = clean_comment(form.get("comment", "")) if kind is DecisionKind.CHANGES_REQUESTED else None
        shown = form.get("hash", "")
        if not is_form_key(self.web.secret, found.token, form.get("form_key"), time.time(), FORM_KEY_MAX_AGE):
            # our own page, left open too long: show it again (a fresh key), keeping what the reviewer wrote
            current = await self.current_of(found.link.campaign)
            if current is None:
                return self.web.invalid()
            return await self.render(found, current, 403, notice=STALE_FORM, seen=shown or None, comment=comment or "")
        current = await self.current_of(found.link.campaign, fresh=True)
        if current is None:
            return self.web.invalid()
        if kind is DecisionKind.APPROVED and not current.approvable:
            return await self.render(found, current, 409, notice=f"Nothing was recorded: {current.problem}.")
        if shown != current.version.content_hash:
            return await self.render(found, current, 409, seen=shown, comment=comment or "", notice=(
                "Nothing was recorded: the campaign changed since you opened this page. This is the new version; "
                "what changed since the one you saw is shown below."))
        if kind is DecisionKind.CHANGES_REQUESTED and not comment:
            return await self.render(found, current, 400, error="Say what should change: the comment is required.")
        await self.web.db(record_decision, self.web.engine, NewDecision(
            found.link.campaign, kind, DecisionMethod.LINK, found.link.name, current.version.content_hash, current.version.hashes,
            current.version.id, reviewer=found.link, comment=comment,
            client_ip=client_ip(request.client.host if request.client else None, self.config.privacy.truncate_ip)))
        if kind is DecisionKind.CHANGES_REQUESTED:
            self.web.notices.wake()
        return RedirectResponse(f"{self.config.web.base_url}/review/{found.token}", status_code=303, headers=self.web_headers())


async def read_form(request: Request) -> dict[str, str] | None:
    """An urlencoded form of at most MAX_FORM_BYTES and MAX_FIELDS fields (the first of each name); None otherwise."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return None
    try:
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return None
    except ValueError:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, max_num_fields=MAX_FIELDS, encoding="utf-8", errors="strict")
    except ValueError:  # not ASCII, bad UTF-8 behind a %-escape, too many fields
        return None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def clean_comment(text: str) -> str:
    """A comment as kept: line ends as ``\\n``, trimmed, at most MAX_COMMENT characters, and none of the characters
    :mod:`outreach.text` calls unsafe (controls, C1, line separators, bidi overrides) but ``\\n`` and ``\\t``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not is_single_line(text.replace("\n", "").replace("\t", "")):
        text = "".join(ch for ch in text if ch in COMMENT_KEEPS or is_single_line(ch))
    return text.strip()[:MAX_COMMENT]


# -- what the page shows (one database call, then the word diff in a worker thread) ------------

@dataclass(frozen=True)
class ShownDecision:
    """One decision as the page lists it."""

    decision: Decision
    yours: bool
    on_current: bool
    void: bool = False  # made with a link revoked since


@dataclass(frozen=True)
class View:
    """Everything the review page shows besides the version itself."""

    decisions: tuple[ShownDecision, ...]
    missing: str | None
    ready: bool
    yours: Decision | None  # this reviewer's latest decision about the version shown
    diff: Markup | None  # the word diff to show, and what it is from
    diff_from: str | None
    files: tuple[str, ...]


@dataclass(frozen=True)
class DiffSince:
    """An earlier version to diff the shown one from: as stored, keyed by its content hash, and how the page names it."""

    old: Version
    content_hash: str
    words: bool  # whether its pieces were stored (an old approval may have its hashes only)
    label: str


def _view(config: Any, engine: Any, link: ReviewerLink, current: Current, seen: str | None) -> tuple[View, DiffSince | None]:
    """The page's view of ``current`` for ``link``, without its word diff, and the version that diff is from (if any)."""
    shown = current.version
    decisions = decisions_of(engine, link.campaign)
    revoked = revoked_ids(reviewers_of(engine, link.campaign))
    # this reviewer's own words, but not those made with a link revoked since: they count for nothing
    mine = [d for d in decisions if d.reviewer_address == link.address and d.reviewer_id not in revoked]
    state = approval_state(config, engine, current.plan) if current.plan is not None else None
    missing = state.missing() if state is not None else (
        "this server cannot read the campaign file, so it cannot count approvals of what renders now; dispatch counts "
        "them where it runs" if current.standing is Standing.UNREADABLE
        else "the campaign does not render now (see above), so nothing counts")
    yours = next((d for d in reversed(mine) if d.content_hash == shown.content_hash), None)
    since = None
    if seen is not None and seen != shown.content_hash:
        old = version_by_hash(engine, link.campaign, seen) if _HASH_RE.fullmatch(seen) else None
        if old is not None:
            since = DiffSince(Version(old.hashes, old.pieces), old.content_hash, True, "the version you saw")
    else:
        approved = next((d for d in reversed(mine) if d.kind is DecisionKind.APPROVED), None)
        if approved is not None and approved.content_hash != shown.content_hash:
            old = version(engine, approved.version_id) if approved.version_id is not None else None
            since = DiffSince(Version(approved.hashes, old.pieces) if old is not None else Version(approved.hashes),
                              approved.content_hash, old is not None, f"the version you approved on {_when(approved.at)}")
    view = View(tuple(ShownDecision(d, d.reviewer_address == link.address, d.content_hash == shown.content_hash, d.reviewer_id in revoked)
                      for d in decisions),
                missing, bool(state and state.ready), yours, None, None, tuple(version_file_names(engine, shown.id)))
    return view, since


class DiffCache:
    """Word diffs as page HTML, made in a worker thread and kept by (old hash, words stored, new hash): at most
    :data:`DIFF_CACHE_SIZE` of them and :data:`DIFF_CACHE_CHARS` characters, least recently shown dropped first.

    Used from the event loop only. Loads asking for a diff being made wait for that one rather than making another.
    """

    def __init__(self, size: int = DIFF_CACHE_SIZE, chars: int = DIFF_CACHE_CHARS) -> None:
        self.size, self.chars = size, chars
        self._done: OrderedDict[tuple[str, bool, str], Markup] = OrderedDict()
        self._making: dict[tuple[str, bool, str], asyncio.Future[Markup]] = {}

    async def html(self, since: DiffSince, new: StoredVersion) -> Markup:
        """The diff from ``since`` to ``new`` as an escaped HTML fragment."""
        key = (since.content_hash, since.words, new.content_hash)
        if key in self._done:
            self._done.move_to_end(key)
            return self._done[key]
        making = self._making.get(key)
        if making is None:
            making = self._making[key] = asyncio.ensure_future(run_in_threadpool(_diff, since.old, new))
            making.add_done_callback(lambda done: self._keep(key, done))
        return await asyncio.shield(making)  # a load that goes away leaves the diff to be made for the next one

    def _keep(self, key: tuple[str, bool, str], done: "asyncio.Future[Markup]") -> None:
        self._making.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return
        self._done[key] = done.result()
        while len(self._done) > 1 and (len(self._done) > self.size or sum(map(len, self._done.values())) > self.chars):
            self._done.popitem(last=False)


def _diff(old: Version, new: StoredVersion) -> Markup:
    # as_html escapes every text it is given (outreach.review.diff)
    return Markup(as_html(compare(old, Version(new.hashes, new.pieces))))


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def review_routes(web: Any) -> list[Route]:
    """The review pages' routes for ``web`` (a :class:`WebApp`)."""
    pages = ReviewPages(web)
    web.review = pages  # tests and the lifespan reach the pages' cache and limiter through the app
    return pages.routes()
