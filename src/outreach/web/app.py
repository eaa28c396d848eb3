"""The Starlette app behind ``outreach serve``: the only part of outreach strangers reach.

Every answer to a bad, forged, altered or expired token is the same 400
page, so nothing about any subscriber leaks. A GET never changes a
subscriber's state (link scanners follow every URL): state changes are POSTs
carrying a signed token and are audited with their source. ``GET /c/<token>``
only adds to click counts, and scanners' clicks are counted apart
(:mod:`outreach.tracking.machine`).

``/subscribe`` answers the same page, after the same database work, for every
address: the confirmation mail is queued and sent by a background worker
(:mod:`outreach.web.confirmation`), never in the request. It is limited per client
(an IPv6 client by its /64, which one machine usually holds whole) and per address,
and a honeypot field filled in gets the same page with nothing stored or mailed.
The sign-up keeps a pending consent record naming the form's wording; the
confirmation completes it with the client's address and user agent. No response names a
host taken from the request: redirects are built from ``web.base_url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from email.utils import parseaddr
from typing import Any, AsyncIterator
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Match, Route

from ..config import Config
from ..mail.compose import TEST_COPY_TOKEN, signing_keys
from ..mail.dkim import DkimSigner
from ..render.environment import template_env
from ..review.notice import NoticeWorker
from ..store import membership, privacy
from ..store.archive import archive_entry, archived
from ..store.consent import Evidence, client_ip, form_version
from ..store.db import open_db
from ..store.subscribers import MAX_NAME, normalise_email
from ..text import clean_line
from ..tokens import BadToken, TokenClaims, is_archive_preview_key, read_token
from .clicks import ClickEndpoint
from .confirmation import ConfirmationWorker
from .limits import ClientLimiter, client_key
from .preferences import preference_routes
from .review import review_routes
from .webhooks import webhook_routes

log = logging.getLogger("outreach.web")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
MAX_FORM_BYTES = 16_384
# Sign-ups one client address may make per minute; beyond that it gets 429 (per address
# limits are in the store and never change the answer).
SIGNUPS_PER_MINUTE = 10
# The sign-up form's trap for robots (templates/web/subscribe.html.j2): a field people never see, and
# screen readers are told to leave empty.
HONEYPOT = "website"
FORM_FIELDS = 20  # fields a form may have besides one per topic and per list


def masked(address: str) -> str:
    """``a***@example.org``: enough for the subscriber to recognise, too little to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


class WebApp:
    """Routes and the state they share."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.engine = open_db(config)
        self.secret = signing_keys(config, self.engine)
        self.forget_keys = privacy.keyring(config, self.engine)  # forgotten addresses' marks (their own key)
        DkimSigner.from_config(config)  # a bad DKIM key stops the start, not each confirmation mail
        self.env = template_env(None)
        self.inline_db = self.engine.dialect.name == "sqlite"
        self.worker = ConfirmationWorker(config, self.engine, self.secret)
        self.clients = ClientLimiter(SIGNUPS_PER_MINUTE)
        self.signup_form = self.form_version("subscribe")
        self.resubscribe_form = self.form_version("unsubscribed")
        self.clicks = ClickEndpoint(config, self.engine, self.secret, run_db=self.db, page=self.page)
        self.notices = NoticeWorker(config, self.engine)  # owners told of requests for changes (review pages)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Run the confirmation worker, the click recorder and the review notices while the server runs; stop them on shutdown."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.worker.run(stop), name="confirmation-worker")
        notices = asyncio.create_task(self.notices.run(stop), name="review-notices")
        await self.clicks.start()
        try:
            yield
        finally:
            await self.clicks.stop()  # commits the clicks still waiting, then answers them
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=15)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                log.warning("the confirmation worker did not stop in time; queued mail is sent by the next start")
            try:
                await asyncio.wait_for(notices, timeout=15)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                log.warning("the review notices did not stop in time; the next start sends what is left")

    # -- helpers ------------------------------------------------------------------------
    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self.env.get_template(f"web/{name}.html.j2").render(base_url=self.config.web.base_url, **context)
        return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, "Content-Security-Policy": PAGE_CSP})

    def invalid(self) -> HTMLResponse:
        return self.page("invalid", status=400)

    def form_version(self, name: str) -> str:
        """The wording a person agreed to on page ``name``: its template and the list and topic names it shows."""
        source = self.env.loader.get_source(self.env, f"web/{name}.html.j2")[0] if self.env.loader else name
        shown = [f"{key}={item.title}|{item.description}" for key, item in sorted(self.config.lists.items())]
        return form_version(source, *shown, *(f"{key}={label}" for key, label in sorted(self.config.topics.items())))

    def evidence(self, request: Request, form: str) -> Evidence:
        """What a consent given in ``request`` keeps: the client's address (truncated if configured), agent and form."""
        return Evidence(ip=client_ip(request.client.host if request.client else None, self.config.privacy.truncate_ip),
                        user_agent=request.headers.get("user-agent"), form_version=form)

    def claims(self, token: str, purpose: str) -> TokenClaims | None:
        try:
            claims = read_token(self.secret, purpose, token, self.config.email.token_max_age_days)
        except BadToken:
            return None
        return claims if claims.list_name in self.config.lists else None

    async def db(self, fn, *args: Any) -> Any:  # type: ignore[no-untyped-def]
        """Run a database call: inline on SQLite, in the thread pool otherwise.

        SQLite serves one writer at a time and answers in well under a millisecond;
        handing that to pool threads only makes them queue for the GIL behind the
        event loop (a 25x slowdown under load, measured by bench/unsubscribe_load.py).
        """
        if self.inline_db:
            return fn(*args)
        return await run_in_threadpool(fn, *args)

    async def form(self, request: Request) -> FormData | None:
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return None
        try:
            return await request.form(max_files=0, max_fields=FORM_FIELDS + len(self.config.topics) + len(self.config.lists))
        except Exception:  # noqa: BLE001  (malformed bodies of every kind get one clean 400)
            return None

    def slash_redirect(self, request: Request) -> Response | None:
        """For a GET or HEAD of ``/archive``-style paths, a redirect to the form with (or without) the slash.

        The Location is built from ``web.base_url``, never from the Host header or
        anything else the request says about where it was sent.
        """
        path = request.scope["path"]
        if request.method not in ("GET", "HEAD") or path == "/":
            return None
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        scope = {**request.scope, "path": other}
        if not any(route.matches(scope)[0] is not Match.NONE for route in request.app.router.routes):
            return None
        query = request.scope.get("query_string", b"").decode("latin-1")
        query = f"?{quote(query, safe='=&+%')}" if query else ""
        return RedirectResponse(f"{self.config.web.base_url}{quote(other)}{query}", status_code=307, headers=SECURITY_HEADERS)

    def list_title(self, name: str) -> str:
        return self.config.lists[name].title

    # -- unsubscribe --------------------------------------------------------------------
    async def unsubscribe_page(self, request: Request) -> Response:
        if request.path_params["token"] == TEST_COPY_TOKEN:
            return self.page("test_copy")
        claims = self.claims(request.path_params["token"], "unsubscribe")
        person = claims and await self.db(membership.subscriber, self.engine, claims.subscriber_key)
        if not claims or not person:
            return self.invalid()
        status = await self.db(membership.membership_status, self.engine, claims.subscriber_key, claims.list_name)
        return self.page("unsubscribe", list_title=self.list_title(claims.list_name), address=masked(person["display_email"]),
                         token=request.path_params["token"], already=status == "unsubscribed")

    async def unsubscribe(self, request: Request) -> Response:
        token = request.path_params["token"]
        if token == TEST_COPY_TOKEN:  # a [Test] copy's link names nobody: say so, change nothing
            await self.form(request)
            return self.page("test_copy")
        claims = self.claims(token, "unsubscribe")
        form = await self.form(request)
        if not claims:
            return self.invalid()
        if form is None or form.get("List-Unsubscribe") != "One-Click":
            return self.invalid()
        source = "web" if form.get("source") == "web" else "one-click"
        if not await self.db(membership.unsubscribe, self.engine, claims.subscriber_key, claims.list_name, source):
            return self.invalid()
        return self.page("unsubscribed", list_title=self.list_title(claims.list_name), token=token)

    async def resubscribe(self, request: Request) -> Response:
        token = request.path_params["token"]
        claims = self.claims(token, "unsubscribe")
        await self.form(request)
        evidence = self.evidence(request, self.resubscribe_form)
        if not claims or not await self.db(membership.resubscribe, self.engine, claims.subscriber_key, claims.list_name, "web", evidence):
            return self.invalid()
        return self.page("resubscribed", list_title=self.list_title(claims.list_name))

    async def unsubscribe_help(self, request: Request) -> Response:
        """How to unsubscribe without a token: where the archived copies' footer link leads."""
        contact = parseaddr(self.config.email.reply_to or "")[1] or self.config.email.sender_address
        return self.page("unsubscribe_help", contact=contact)

    # -- sign-up ------------------------------------------------------------------------
    async def subscribe_form(self, request: Request) -> Response:
        return self.signup_page(chosen=request.query_params.get("list", ""))

    def signup_page(self, status: int = 200, chosen: str = "", picked: tuple[str, ...] = (), error: str = "") -> HTMLResponse:
        return self.page("subscribe", status=status, lists=self.config.lists, topics=self.config.topics, chosen=chosen,
                         picked=picked, error=error)

    async def subscribe(self, request: Request) -> Response:
        if not self.clients.allow(client_key(request)):
            response = self.page("slow_down", status=429)
            response.headers["Retry-After"] = "60"
            return response
        form = await self.form(request)
        if form is None:
            return self.invalid()
        email, name, list_name = (str(form.get(k) or "").strip() for k in ("email", "name", "list"))
        topics = tuple(sorted({str(t) for t in form.getlist("topics")}))
        if list_name not in self.config.lists:
            return self.signup_page(400, picked=topics, error="Choose a list to subscribe to.")
        if any(t not in self.config.topics for t in topics):
            return self.signup_page(400, list_name, tuple(t for t in topics if t in self.config.topics), "Choose topics from the list.")
        try:
            normalise_email(email)
        except ValueError:
            return self.signup_page(400, list_name, topics, "That does not look like an email address.")
        if str(form.get(HONEYPOT) or ""):  # a robot: the page a person gets, and nothing stored or mailed
            log.info("sign-up with the honeypot field filled in: ignored")
            return self.page("check_inbox", list_title=self.list_title(list_name))
        # the mail is queued, never sent here: new, pending, active, suppressed and
        # throttled addresses get the same answer after the same database work
        await self.db(membership.request_sign_up, self.engine, email, clean_line(name, MAX_NAME) or None, list_name, topics, self.signup_form)
        self.worker.wake()
        return self.page("check_inbox", list_title=self.list_title(list_name))

    async def confirm_page(self, request: Request) -> Response:
        claims = self.claims(request.path_params["token"], "confirm")
        if not claims:
            return self.invalid()
        return self.page("confirm", list_title=self.list_title(claims.list_name), token=request.path_params["token"])

    async def confirm(self, request: Request) -> Response:
        claims = self.claims(request.path_params["token"], "confirm")
        await self.form(request)
        if not claims:
            return self.invalid()
        seen = self.evidence(request, self.signup_form)
        result = await self.db(membership.confirm, self.engine, claims.subscriber_key, claims.list_name, claims.issued_at,
                               seen.ip, seen.user_agent, tuple(self.config.topics))
        if result in ("gone", "unsubscribed"):  # unsubscribed after this link was sent: that later choice stands
            return self.invalid()
        if result == "active":  # someone forgotten who came back on their own may be imported again
            await self.db(privacy.lift_mark, self.engine, self.forget_keys, claims.subscriber_key)
        return self.page("confirmed", list_title=self.list_title(claims.list_name), blocked=result == "suppressed")

    # -- archive ------------------------------------------------------------------------
    async def archive_index(self, request: Request) -> Response:
        entries = await self.db(archived, self.engine)
        return self.page("archive", entries=entries)

    def _published(self, entry: dict | None, request: Request) -> bool:
        """Listed (sent), or unlisted (a test send's) and asked for with its preview key."""
        if entry is None:
            return False
        return entry["listed"] or is_archive_preview_key(self.secret, entry["campaign"], request.query_params.get("k"))

    async def archive_email(self, request: Request) -> Response:
        entry = await self.db(archive_entry, self.engine, request.path_params["campaign"])
        if not self._published(entry, request):
            return self.page("not_found", status=404)
        return HTMLResponse(entry["html"], headers={**SECURITY_HEADERS, **_unlisted_headers(entry, "public, max-age=300"),
                                                    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'"})

    async def archive_asset(self, request: Request) -> Response:
        entry = await self.db(archive_entry, self.engine, request.path_params["campaign"])
        if not self._published(entry, request) or not entry["cover"] or request.path_params["asset"] != entry["cover_name"]:
            return PlainTextResponse("not found", status_code=404, headers=SECURITY_HEADERS)
        media = "image/png" if entry["cover_name"].endswith(".png") else "image/jpeg" if entry["cover_name"].endswith((".jpg", ".jpeg")) else "application/octet-stream"
        return Response(entry["cover"], media_type=media, headers={**SECURITY_HEADERS, **_unlisted_headers(entry, "public, max-age=86400")})

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")


class QuietErrors:
    """Answer an unhandled error with a plain 500 and log it without its message.

    Database errors quote the rows they failed on (PostgreSQL's ``DETAIL: Key
    (email)=(…)``), so the log gets the error's class and where it was raised, and
    no personal data; the traceback never reaches uvicorn's log.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # noqa: BLE001
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            route = getattr(scope.get("route"), "path", "?")
            log.error("internal error answering %s %s: %s at %s", scope.get("method"), route, exc.__class__.__name__,
                      f"{frame.filename}:{frame.lineno}" if frame else "?")
            if not started:
                await HTMLResponse(ERROR_PAGE, status_code=500, headers=SECURITY_HEADERS)(scope, receive, send)


ERROR_PAGE = "<!doctype html><title>Error</title><p>Something went wrong on our side. Please try again later.</p>"


def _unlisted_headers(entry: dict, cache: str) -> dict[str, str]:
    """A page only a test send published (not yet sent): kept out of search engines and shared caches."""
    if entry["listed"]:
        return {"Cache-Control": cache}
    return {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}


def create_app(config: Config) -> Starlette:
    """The ASGI app for ``config``."""
    web = WebApp(config)

    async def not_found(request: Request, exc: Exception) -> Response:
        if getattr(exc, "status_code", 404) == 404 and (moved := web.slash_redirect(request)) is not None:
            return moved
        return web.page("not_found", status=404)

    async def server_error(request: Request, exc: Exception) -> Response:
        return HTMLResponse(ERROR_PAGE, status_code=500, headers=SECURITY_HEADERS)

    routes = [
        Route("/u/{token}", web.unsubscribe_page, methods=["GET"]),
        Route("/u/{token}", web.unsubscribe, methods=["POST"]),
        Route("/u/{token}/resubscribe", web.resubscribe, methods=["POST"]),
        Route("/unsubscribe", web.unsubscribe_help, methods=["GET"]),
        Route("/subscribe", web.subscribe_form, methods=["GET"]),
        Route("/subscribe", web.subscribe, methods=["POST"]),
        Route("/confirm/{token}", web.confirm_page, methods=["GET"]),
        Route("/confirm/{token}", web.confirm, methods=["POST"]),
        Route("/archive/", web.archive_index, methods=["GET"]),
        Route("/archive/{campaign}", web.archive_email, methods=["GET"]),
        Route("/archive/{campaign}/{asset}", web.archive_asset, methods=["GET"]),
        Route("/healthz", web.health, methods=["GET"]),
        *web.clicks.routes(),
        *preference_routes(web),
        *review_routes(web),
        *webhook_routes(config, web.engine, web.secret, run_db=web.db),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, 500: server_error},
                    middleware=[Middleware(QuietErrors)], lifespan=web.lifespan)
    # Starlette's own slash redirect builds the Location from the request's Host header;
    # WebApp.slash_redirect builds it from web.base_url instead.
    app.router.redirect_slashes = False
    return app

