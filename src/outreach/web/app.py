"""The Starlette app behind ``outreach serve``: the only part of outreach strangers reach.

Every answer to a bad, forged, altered or expired token is the same 400
page, so nothing about any subscriber leaks. A GET never changes anything
(link scanners follow every URL); state changes are POSTs carrying a signed
token and are audited with their source.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..config import Config
from ..mail.compose import signing_keys
from ..render.environment import template_env
from ..store import membership
from ..store.archive import archive_entry, archived
from ..store.db import open_db
from ..tokens import BadToken, TokenClaims, read_token
from .confirmation import send_confirmation

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
MAX_FORM_BYTES = 16_384


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
        self.env = template_env(None)
        self.inline_db = self.engine.dialect.name == "sqlite"

    # -- helpers ------------------------------------------------------------------------
    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self.env.get_template(f"web/{name}.html.j2").render(base_url=self.config.web.base_url, **context)
        return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, "Content-Security-Policy": PAGE_CSP})

    def invalid(self) -> HTMLResponse:
        return self.page("invalid", status=400)

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

    @staticmethod
    async def form(request: Request) -> FormData | None:
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return None
        try:
            return await request.form(max_files=0, max_fields=20)
        except Exception:  # noqa: BLE001  (malformed bodies of every kind get one clean 400)
            return None

    def list_title(self, name: str) -> str:
        return self.config.lists[name].title

    # -- unsubscribe --------------------------------------------------------------------
    async def unsubscribe_page(self, request: Request) -> Response:
        claims = self.claims(request.path_params["token"], "unsubscribe")
        person = claims and await self.db(membership.subscriber, self.engine, claims.subscriber_key)
        if not claims or not person:
            return self.invalid()
        status = await self.db(membership.membership_status, self.engine, claims.subscriber_key, claims.list_name)
        return self.page("unsubscribe", list_title=self.list_title(claims.list_name), address=masked(person["display_email"]),
                         token=request.path_params["token"], already=status == "unsubscribed")

    async def unsubscribe(self, request: Request) -> Response:
        token = request.path_params["token"]
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
        if not claims or not await self.db(membership.resubscribe, self.engine, claims.subscriber_key, claims.list_name, "web"):
            return self.invalid()
        return self.page("resubscribed", list_title=self.list_title(claims.list_name))

    # -- sign-up ------------------------------------------------------------------------
    async def subscribe_form(self, request: Request) -> Response:
        return self.page("subscribe", lists=self.config.lists, chosen=request.query_params.get("list", ""))

    async def subscribe(self, request: Request) -> Response:
        form = await self.form(request)
        if form is None:
            return self.invalid()
        email, name, list_name = (str(form.get(k) or "").strip() for k in ("email", "name", "list"))
        if list_name not in self.config.lists:
            return self.page("subscribe", status=400, lists=self.config.lists, chosen="", error="Choose a list to subscribe to.")
        if len(name) > 200:
            name = name[:200]
        try:
            key, before = await self.db(membership.sign_up, self.engine, email, name or None, list_name)
        except ValueError:
            return self.page("subscribe", status=400, lists=self.config.lists, chosen=list_name, error="That does not look like an email address.")
        if before != "active":
            await run_in_threadpool(send_confirmation, self.config, self.secret, key, email, name or None, list_name)
        # the same answer whether the address was new, pending or already subscribed
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
        result = await self.db(membership.confirm, self.engine, claims.subscriber_key, claims.list_name)
        if result == "gone":
            return self.invalid()
        return self.page("confirmed", list_title=self.list_title(claims.list_name), blocked=result == "suppressed")

    # -- archive ------------------------------------------------------------------------
    async def archive_index(self, request: Request) -> Response:
        entries = await self.db(archived, self.engine)
        return self.page("archive", entries=entries)

    async def archive_email(self, request: Request) -> Response:
        entry = await self.db(archive_entry, self.engine, request.path_params["campaign"])
        if entry is None:
            return self.page("not_found", status=404)
        return HTMLResponse(entry["html"], headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=300",
                                                    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'"})

    async def archive_asset(self, request: Request) -> Response:
        entry = await self.db(archive_entry, self.engine, request.path_params["campaign"])
        if entry is None or not entry["cover"] or request.path_params["asset"] != entry["cover_name"]:
            return PlainTextResponse("not found", status_code=404, headers=SECURITY_HEADERS)
        media = "image/png" if entry["cover_name"].endswith(".png") else "image/jpeg" if entry["cover_name"].endswith((".jpg", ".jpeg")) else "application/octet-stream"
        return Response(entry["cover"], media_type=media, headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=86400"})

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")


def create_app(config: Config) -> Starlette:
    """The ASGI app for ``config``."""
    web = WebApp(config)

    async def not_found(request: Request, exc: Exception) -> Response:
        return web.page("not_found", status=404)

    async def server_error(request: Request, exc: Exception) -> Response:
        return HTMLResponse("<!doctype html><title>Error</title><p>Something went wrong on our side. Please try again later.</p>", status_code=500)

    routes = [
        Route("/u/{token}", web.unsubscribe_page, methods=["GET"]),
        Route("/u/{token}", web.unsubscribe, methods=["POST"]),
        Route("/u/{token}/resubscribe", web.resubscribe, methods=["POST"]),
        Route("/subscribe", web.subscribe_form, methods=["GET"]),
        Route("/subscribe", web.subscribe, methods=["POST"]),
        Route("/confirm/{token}", web.confirm_page, methods=["GET"]),
        Route("/confirm/{token}", web.confirm, methods=["POST"]),
        Route("/archive/", web.archive_index, methods=["GET"]),
        Route("/archive/{campaign}", web.archive_email, methods=["GET"]),
        Route("/archive/{campaign}/{asset}", web.archive_asset, methods=["GET"]),
        Route("/healthz", web.health, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, 500: server_error})

