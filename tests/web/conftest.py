from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from outreach.config import WebConfig
from outreach.web.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving the app on 127.0.0.1 in a thread."""

    def __init__(self, config, *, as_given: bool = False) -> None:
        """``as_given``: serve ``config`` on its own ``web`` port and approval setting; else a free port, approval off."""
        if as_given:
            self.port, self.url, self.config = config.web.port, config.web.base_url, config
        else:
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self.config = config.model_copy(update={"web": WebConfig(host="127.0.0.1", port=self.port, base_url=self.url), "require_approval": False})
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.config), host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        assert not self.thread.is_alive(), "uvicorn (and its confirmation worker) did not stop"


@pytest.fixture
def live(db_config, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "web-test-key")
    with LiveServer(db_config) as server:
        yield server


@pytest.fixture
def live_with(db_config, monkeypatch):
    """Start uvicorn serving the app with ``db_config`` changed by keyword updates (e.g. ``tracking=...``); stopped after the test."""
    monkeypatch.setenv("OUTREACH_SECRET", "web-test-key")
    servers: list[LiveServer] = []

    def start(**updates) -> LiveServer:
        server = LiveServer(db_config.model_copy(update=updates)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
