"""The preference centre: ``/p/<token>`` (a reader's own page) and ``/preferences`` (a fresh link by mail).

Every campaign email links to ``/p/<token>``, a signed token of purpose
``preferences``. The page shows every configured list, the topics, the name and
any pause; a GET never changes anything. Each change is one POST, and each POST
must pass two checks against cross-site requests: a hidden form key (an HMAC
bound to the link token, expiring; :func:`outreach.tokens.make_form_key`) and,
where the browser sends them, ``Origin`` (unless ``null``, as browsers send it
under our no-referrer policy) or else ``Sec-Fetch-Site`` must say the form came
from ``web.base_url`` itself. A request with neither (not a browser) is judged
by the form key alone. A forged, altered or expired link gets the same
400 page as every other bad token.

``/preferences`` takes an address and queues a fresh link (sent by the web
server's worker, never in the request). Known and unknown addresses get the same
page after the same database work; requests are limited per client and per
address (429), and the mail itself per address in the store.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..mail.compose import TEST_COPY_TOKEN
from ..store import preferences as store
from ..tokens import TokenClaims, is_form_key, make_form_key
from .limits import client_key

if TYPE_CHECKING:
    from .app import WebApp

FORM_KEY_MAX_AGE = 12 * 3600  # seconds a served page's forms stay usable
REQUESTS_PER_MINUTE = 10  # link requests one client may make per minute
REQUESTS_PER_ADDRESS_PER_MINUTE = 3  # link requests for one address per minute, whoever asks (every address alike)


def web_origin(base_url: str) -> str:
    """The ``Origin`` a browser sends for pages under ``base_url`` (scheme, host, and a port only when not the default)."""
    parts = urlsplit(base_url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{port}"


def same_site(request: Request, origin: str) -> bool:
    """False when the browser says the POST came from another site.

    Our pages send ``Referrer-Policy: no-referrer`` (the token is in the URL), and under
    it browsers send ``Origin: null`` with a form POST; then ``Sec-Fetch-Site`` decides.
    A request with neither (not a browser) is judged by its form key alone.
    """
    sent = request.headers.get("origin")
    if sent is not None and sent != "null":
        return sent.lower() == origin
    site = request.headers.get("sec-fetch-site")
    return site == "same-origin" if site is not None else True


class PreferenceCentre:
    """The routes of the preference centre, sharing the :class:`WebApp`'s database, keys, pages and worker."""

    def __init__(self, web: "WebApp") -> None:
        self.web = web
        self.config = web.config
        self.origin = web_origin(web.config.web.base_url)
        self.form_version = web.form_version("preferences")  # the page's template and the list and topic names it shows
        from .app import ClientLimiter, masked  # the same window as sign-ups (app imports this module, so not at the top)

        self.masked = masked
        self.clients = ClientLimiter(REQUESTS_PER_MINUTE)
        self.addresses = ClientLimiter(REQUESTS_PER_ADDRESS_PER_MINUTE)

    def routes(self) -> list[Route]:
        """The routes to add to the app."""
        return [
            Route("/p/{token}", self.show, methods=["GET"]),
            Route("/p/{token}/lists", self.post(self._lists), methods=["POST"]),
            Route("/p/{token}/topics", self.post(self._topics), methods=["POST"]),
            Route("/p/{token}/name", self.post(self._name), methods=["POST"]),
            Route("/p/{token}/pause", self.post(self._pause), methods=["POST"]),
            Route("/p/{token}/everything", self.post(self._everything), methods=["POST"]),
            Route("/preferences", self.request_form, methods=["GET"]),
            Route("/preferences", self.request_link, methods=["POST"]),
        ]

    # -- the page -----------------------------------------------------------------------
    async def show(self, request: Request) -> Response:
        token = request.path_params["token"]
        if token == TEST_COPY_TOKEN:
            return self.web.page("preferences_test_copy")
        claims = self.web.claims(token, "preferences")
        return await self._render(token, claims)

    async def _render(self, token: str, claims: TokenClaims | None, notice: str | None = None, status: int = 200) -> Response:
        found = claims and await self.web.db(store.settings, self.web.engine, claims.subscriber_key)
        if not claims or not found:
            return self.web.invalid()
        return self.web.page("preferences", status=status, token=token, form_key=make_form_key(self.web.secret, token, time.time()),
                             address=self.masked(found.display_email), settings=found, lists=self.config.lists, topics=self.config.topics,
                             pause_days=self.config.privacy.pause_days, notice=notice)

    def post(self, change: Callable[[Request, TokenClaims, FormData], Awaitable[str | None]]) -> Callable[[Request], Awaitable[Response]]:
        """A POST handler: link token, form key and origin checked, then ``change`` (its notice; None: a bad form)."""
        async def handle(request: Request) -> Response:
            token = request.path_params["token"]
            form = await self.web.form(request)
            if token == TEST_COPY_TOKEN:  # a [Test] copy's link names nobody: say so, change nothing
                return self.web.page("preferences_test_copy")
            claims = self.web.claims(token, "preferences")
            if not claims or form is None:
                return self.web.invalid()
            if not same_site(request, self.origin) or not is_form_key(self.web.secret, token, form.get("form_key"), time.time(), FORM_KEY_MAX_AGE):
                return self.web.page("preferences_refused", status=403, token=token)
            notice = await change(request, claims, form)
            if notice is None:
                return self.web.invalid()
            return await self._render(token, claims, notice)

        return handle

    # -- the changes (each returns the notice to show, or None for a form no page of ours sends) --
    async def _lists(self, request: Request, claims: TokenClaims, form: FormData) -> str | None:
        wanted = [str(v) for v in form.getlist("list")]
        if any(name not in self.config.lists for name in wanted):
            return None
        evidence = self.web.evidence(request, self.form_version)
        change = await self.web.db(store.save_lists, self.web.engine, claims.subscriber_key, wanted, sorted(self.config.lists), evidence)
        if change is None:
            return None
        if change.refused:
            return "Your address cannot be added to a list here: mail to it bounced or was reported as spam."
        return "Your lists are saved." if change.joined or change.left else "Nothing changed in your lists."

    async def _topics(self, request: Request, claims: TokenClaims, form: FormData) -> str | None:
        wanted = [str(v) for v in form.getlist("topic")]
        if any(topic not in self.config.topics for topic in wanted):
            return None
        done = await self.web.db(store.save_topics, self.web.engine, claims.subscriber_key, wanted)
        return None if done is None else "Your topics are saved."

    async def _name(self, request: Request, claims: TokenClaims, form: FormData) -> str | None:
        name = form.get("name")
        if not isinstance(name, str):
            return None
        done = await self.web.db(store.save_name, self.web.engine, claims.subscriber_key, name)
        return "Your name is saved." if done else None

    async def _pause(self, request: Request, claims: TokenClaims, form: FormData) -> str | None:
        days_text = str(form.get("days") or "")
        days = 0 if days_text == "resume" else int(days_text) if days_text.isdigit() and len(days_text) < 6 else -1
        if days != 0 and days not in self.config.privacy.pause_days:
            return None
        until = await self.web.db(store.pause, self.web.engine, claims.subscriber_key, days or None)
        if until is False:
            return None
        return "Your emails are resumed." if until is None else f"Your emails are paused for {days} days."

    async def _everything(self, request: Request, claims: TokenClaims, form: FormData) -> str | None:
        left = await self.web.db(store.leave_everything, self.web.engine, claims.subscriber_key)
        return None if left is None else "You are unsubscribed from everything. You will get no more emails from us."

    # -- a fresh link by mail -------------------------------------------------------------
    async def request_form(self, request: Request) -> Response:
        return self.web.page("preferences_request")

    async def request_link(self, request: Request) -> Response:
        if not self.clients.allow(client_key(request)):  # an IPv6 client by its /64, as for sign-ups
            return self._slow_down()
        form = await self.web.form(request)
        if form is None:
            return self.web.invalid()
        email = str(form.get("email") or "").strip()
        if not self.addresses.allow(hashlib.sha256(email.lower().encode("utf-8", "surrogatepass")).hexdigest()):
            return self._slow_down()
        try:
            # queued, never sent here: known, unknown and throttled addresses get the same answer after the same work
            await self.web.db(store.request_link, self.web.engine, email, sorted(self.config.lists))
        except ValueError:
            return self.web.page("preferences_request", status=400, error="That does not look like an email address.")
        self.web.worker.wake()
        return self.web.page("preferences_sent")

    def _slow_down(self) -> Response:
        response = self.web.page("preferences_slow_down", status=429)
        response.headers["Retry-After"] = "60"
        return response


def preference_routes(web: Any) -> list[Route]:
    """The preference centre's routes for ``web`` (a :class:`WebApp`)."""
    return PreferenceCentre(web).routes()
