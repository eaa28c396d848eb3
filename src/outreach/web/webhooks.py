"""The ESP webhook endpoints on ``outreach serve``: ``POST /webhooks/{ses,postmark,mailgun,sendgrid}``.

A provider is on when its secret is configured (SES: when ``sns_topic_arns`` is
set) and answers 404 otherwise. A body over the size cap is refused before it is
read in full; the provider module verifies the post before anything in it is
trusted; only then are its events handed to the recorder, all in one
transaction, which refuses (409) a receipt it has seen before. Every refusal is
a 4xx with a one-line reason and records nothing. Secrets are read once, at
start-up, and never logged or echoed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..config import Config, secret
from ..errors import ConfigError
from ..inbound.events import InboundMessage
from ..inbound.webhooks import MAX_BODY_BYTES, WebhookRefused, mailgun, postmark, sendgrid, sns
from ..store.db import now as db_now
from ..tokens import Keyring

log = logging.getLogger("outreach.web.webhooks")

HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
Recorder = Callable[[Engine, Config, Keyring, Sequence[InboundMessage]], Any]


def default_recorder() -> tuple[Recorder, type[Exception]]:
    """``record_many`` and the ``AlreadyRecorded`` it raises on a replayed receipt."""
    from ..inbound.record import AlreadyRecorded, record_many

    return record_many, AlreadyRecorded


def provider_secrets(config: Config) -> dict[str, str | None]:
    """Each provider's secret, or None when it is off; a named but unset variable is a ConfigError."""
    hooks = config.inbound.webhooks
    if bool(hooks.postmark_username) != bool(hooks.postmark_password_env):
        raise ConfigError("inbound.webhooks: postmark_username and postmark_password_env go together")
    found = {
        "ses": "on" if hooks.sns_topic_arns else None,
        "mailgun": secret(hooks.mailgun_signing_key_env, "the Mailgun webhook signing key") if hooks.mailgun_signing_key_env else None,
        "sendgrid": secret(hooks.sendgrid_public_key_env, "the SendGrid webhook verification key") if hooks.sendgrid_public_key_env else None,
        "postmark": secret(hooks.postmark_password_env, "the Postmark webhook password") if hooks.postmark_password_env else None,
    }
    if found["sendgrid"]:
        sendgrid.public_key(found["sendgrid"])  # a key that does not load stops start-up, not the first post
    return found


async def capped_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The request body, or None as soon as it is known to be over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class Webhooks:
    """The four endpoints and what they share: config, secrets, the SNS fetcher, the recorder."""

    def __init__(self, config: Config, engine: Engine, keys: Keyring, *, run_db: Callable[..., Awaitable[Any]] | None = None,
                 transport: httpx.BaseTransport | None = None, clock: Callable[[], datetime] = db_now,
                 recorder: tuple[Recorder, type[Exception]] | None = None) -> None:
        self.config, self.engine, self.keys, self.clock = config, engine, keys, clock
        self.settings = config.inbound.webhooks
        self.secrets = provider_secrets(config)
        self.fetcher = sns.SnsFetcher(transport)
        self.record, self.already_recorded = recorder or default_recorder()
        self.run_db = run_db or self._run_db

    async def _run_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.engine.dialect.name == "sqlite":
            return fn(*args)
        return await run_in_threadpool(fn, *args)

    def routes(self) -> list[Route]:
        """``POST /webhooks/<provider>`` for each provider."""
        return [Route(f"/webhooks/{name}", self.endpoint(name), methods=["POST"]) for name in ("ses", "postmark", "mailgun", "sendgrid")]

    def endpoint(self, provider: str) -> Callable[[Request], Awaitable[Response]]:
        async def receive(request: Request) -> Response:
            return await self.receive(provider, request)
        return receive

    async def receive(self, provider: str, request: Request) -> Response:
        """Verify, parse and record one post; every failure is a 4xx that records nothing."""
        key = self.secrets.get(provider)
        if key is None:
            return answer(404, "not found")
        body = await capped_body(request)
        if body is None:
            return answer(413, "the body is too large")
        try:
            messages = await self.verify(provider, request, body, key)
        except WebhookRefused as refused:
            log.warning("webhook %s refused (%d): %s", provider, refused.status, refused.reason)
            response = answer(refused.status, refused.reason)
            if refused.status == 401 and provider == "postmark":
                response.headers["WWW-Authenticate"] = 'Basic realm="outreach webhooks"'
            return response
        if not messages:
            return answer(200, "nothing to record")
        try:
            await self.run_db(self.record, self.engine, self.config, self.keys, messages)
        except self.already_recorded:
            log.warning("webhook %s refused (409): a receipt was recorded before", provider)
            return answer(409, "already recorded")
        return answer(200, f"recorded {len(messages)}")

    async def verify(self, provider: str, request: Request, body: bytes, key: str) -> list[InboundMessage]:
        now = self.clock()
        if provider == "ses":  # may fetch a certificate or confirm a subscription: off the event loop
            return await run_in_threadpool(sns.verify_and_parse, request.headers, body, self.settings, None, now, self.fetcher)
        module = {"postmark": postmark, "mailgun": mailgun, "sendgrid": sendgrid}[provider]
        return module.verify_and_parse(request.headers, body, self.settings, key, now)


def answer(status: int, text: str) -> PlainTextResponse:
    """A short plain-text answer (providers only look at the status)."""
    return PlainTextResponse(text + "\n", status_code=status, headers=HEADERS)


def webhook_routes(config: Config, engine: Engine, keys: Keyring, **options: Any) -> list[Route]:
    """The webhook routes for ``create_app`` (options: ``run_db``, ``transport``, ``clock``, ``recorder``)."""
    return Webhooks(config, engine, keys, **options).routes()
