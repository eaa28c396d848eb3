"""kill -9 under load: every click that got its redirect is in the database.

`outreach serve` runs as a real process (python -m outreach serve, with a config file);
a few hundred concurrent clicks go to it and the server is killed with SIGKILL while
they are in flight. A redirect is sent only after its click is committed, so the
clicks counted afterwards are at least the redirects acknowledged, and at most the
clicks sent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert

from outreach.config import Config
from outreach.store.click_store import count_totals
from outreach.store.db import forget_engines, open_db
from outreach.store.schema import links
from outreach.tokens import ClickClaims, ClickMode, make_click_token
from tests.helpers import keyring, raw_get

ROOT = Path(__file__).resolve().parents[2]
CLICKS = 400
KILL_AFTER = 100  # acknowledged redirects before the kill
IN_FLIGHT = 60


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(config: Config, n: int) -> None:
    stamp = datetime.now(timezone.utc)
    with open_db(config).begin() as conn:
        conn.execute(insert(links), [{"id": i, "campaign": "kill", "url": f"https://example.org/{i}?utm_source=newsletter", "url_hash": f"k{i}",
                                      "label": None, "position": i, "created_at": stamp} for i in range(1, n + 1)])


async def _get(port: int, path: str) -> int:
    return await raw_get(port, path, "Mozilla/5.0 Firefox/125.0")


async def _fire_and_kill(port: int, paths: list[str], server: subprocess.Popen[str]) -> tuple[int, int]:
    """Send every click (IN_FLIGHT at a time); SIGKILL the server after KILL_AFTER redirects. Returns (acknowledged, other answers)."""
    acknowledged, other = 0, 0
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(path: str) -> None:
        nonlocal acknowledged, other
        async with gate:
            try:
                status = await asyncio.wait_for(_get(port, path), 30)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError):
                return  # the server died under it: not acknowledged
            if status == 302:
                acknowledged += 1
                if acknowledged == KILL_AFTER:
                    os.kill(server.pid, signal.SIGKILL)
            else:
                other += 1

    await asyncio.wait_for(asyncio.gather(*(one(p) for p in paths)), 120)
    return acknowledged, other


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_click(db_config, tmp_path):
    deadline = time.monotonic() + 120  # measured from before the server starts
    port = _free_port()
    _seed(db_config, 8)
    forget_engines()
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{db_config.database}"\noutbox = "{tmp_path / "outbox"}"\n[web]\nhost = "127.0.0.1"\n'
                           f'port = {port}\nbase_url = "http://127.0.0.1:{port}"\n', encoding="utf-8")
    env = {**os.environ, "OUTREACH_SECRET": "kill-test-key", "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen([sys.executable, "-m", "outreach", "--config", str(config_file), "serve"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            assert server.poll() is None, f"outreach serve stopped: {server.stderr.read() if server.stderr else ''}"
            assert time.monotonic() < deadline, "outreach serve did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        sent = int(time.time()) - 3600
        keys = keyring(b"kill-test-key")
        paths = [f"/c/{make_click_token(keys, ClickClaims(ClickMode.AGGREGATE, 1 + i % 8, sent, 50_000 + i))}" for i in range(CLICKS)]
        acknowledged, other = asyncio.run(_fire_and_kill(port, paths, server))
        server.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
    assert server.returncode == -signal.SIGKILL, "the server was not killed in the middle of the clicks"
    assert other == 0
    assert KILL_AFTER <= acknowledged < CLICKS, acknowledged  # killed in the middle
    people, machines = count_totals(open_db(db_config))
    assert acknowledged <= people + machines <= CLICKS
