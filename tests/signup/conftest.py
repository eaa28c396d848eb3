"""A live ``outreach serve`` app (uvicorn in a thread) with a config changed per test, and its WebApp."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

import pytest

from outreach.config import ListConfig, PrivacyConfig
from tests.web.conftest import LiveServer

LISTS = {"research": ListConfig(title="DIIS research newsletter"), "events": ListConfig(title="DIIS events")}


@pytest.fixture
def serve(db_config, monkeypatch):
    """Start a server with ``truncate_ip`` as asked and two lists; stopped after the test."""
    monkeypatch.setenv("OUTREACH_SECRET", "signup-test-key")
    servers: list[LiveServer] = []

    def start(truncate_ip: bool = False) -> LiveServer:
        config = db_config.model_copy(update={"lists": LISTS, "privacy": PrivacyConfig(truncate_ip=truncate_ip)})
        server = LiveServer(config).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def web_app(server: LiveServer):  # type: ignore[no-untyped-def]
    """The running app's WebApp (reached through a route's bound handler)."""
    return next(r.endpoint.__self__ for r in server.server.config.app.router.routes if getattr(r, "path", "") == "/subscribe")


def confirmation_links(outbox: Path, n: int, timeout: float = 20.0) -> list[str]:
    """The ``/confirm/…`` links of the first ``n`` confirmation mails, once the server's worker has written them."""
    deadline = time.monotonic() + timeout
    while len(files := sorted((outbox / "email" / "confirmations").glob("*.eml"))) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(files) >= n, f"{len(files)} confirmation mails, expected {n}"
    links = []
    for f in files[:n]:
        message = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        links.append(re.search(r"(/confirm/\S+)", message.get_content()).group(1))
    return links
