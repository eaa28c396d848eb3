"""Load test of one-click unsubscribe, loopback only, bounded in count and time.

    python bench/unsubscribe_load.py [--subscribers 2000] [--forged 500] [--concurrency 2000]

Starts `outreach serve` (uvicorn, its own process) on 127.0.0.1, then sends one
RFC 8058 one-click POST for each of N real subscribers and M forged tokens,
all at once (up to --concurrency in flight). Checks that every real one is
unsubscribed, every forged one refused with 400, and no request got a 5xx.
Prints requests per second and latency percentiles, ending with one line:
rps=<float> p99_ms=<float> ok=<int> refused=<int> errors=<int>
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from outreach.config import Config, WebConfig  # noqa: E402
from outreach.store.db import open_db  # noqa: E402
from outreach.store.schema import memberships, subscribers  # noqa: E402
from outreach.store.subscribers import count  # noqa: E402
from outreach.tokens import Keyring, make_token  # noqa: E402

TIME_LIMIT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(config: Config, n: int) -> None:
    stamp = datetime.now(timezone.utc)
    with open_db(config).begin() as conn:
        conn.execute(insert(subscribers), [{"id": i, "token_key": f"load-key-{i:012d}", "email": f"l{i:06d}@example.org", "display_email": f"l{i:06d}@example.org", "name": None, "attrs": {},
                                            "created_at": stamp, "updated_at": stamp} for i in range(1, n + 1)])
        conn.execute(insert(memberships), [{"subscriber_id": i, "list": "research", "status": "active", "source": "import", "updated_at": stamp} for i in range(1, n + 1)])


async def post_one_click(port: int, token: str) -> int:
    """One RFC 8058 POST on its own connection; returns the HTTP status.

    A hand-written HTTP/1.1 request: httpx's pool slows down with thousands of
    connections and would measure the client instead of the server.
    """
    body = b"List-Unsubscribe=One-Click"
    request = (f"POST /u/{token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the rest, until the server closes
        return int(status_line.split()[1])
    finally:
        writer.close()


async def fire(port: int, tokens: list[tuple[str, bool]], concurrency: int) -> tuple[list[float], dict[str, int]]:
    latencies: list[float] = []
    outcome = {"ok": 0, "refused": 0, "wrong": 0, "errors": 0}
    gate = asyncio.Semaphore(concurrency)

    async def one(token: str, real: bool) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(post_one_click(port, token), 60)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError):
                outcome["errors"] += 1
                return
            latencies.append(time.perf_counter() - started)
            if status >= 500:
                outcome["errors"] += 1
            elif real and status == 200:
                outcome["ok"] += 1
            elif not real and status == 400:
                outcome["refused"] += 1
            else:
                outcome["wrong"] += 1

    await asyncio.wait_for(asyncio.gather(*(one(t, r) for t, r in tokens)), TIME_LIMIT)
    return latencies, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--forged", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="outreach-load-"))
    os.environ["OUTREACH_SECRET"] = "load-key"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = Config(database=f"sqlite:///{work / 'load.db'}", outbox=work / "outbox", web=WebConfig(host="127.0.0.1", port=port, base_url=base))
    seed(config, args.subscribers)
    (work / "outreach.toml").write_text(f'database = "{config.database}"\noutbox = "{work / "outbox"}"\n[web]\nhost = "127.0.0.1"\nport = {port}\nbase_url = "{base}"\n', encoding="utf-8")
    # the server is its own process (`outreach serve`), so client and server do not share an interpreter
    server = subprocess.Popen([sys.executable, "-m", "outreach", "--config", str(work / "outreach.toml"), "serve"], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        server.kill()
        raise SystemExit(f"outreach serve did not start: {server.stderr.read() if server.stderr else ''}")
    tokens = [(make_token(Keyring.of(b"load-key"), "unsubscribe", f"load-key-{i:012d}", "research"), True) for i in range(1, args.subscribers + 1)]
    tokens += [(make_token(Keyring.of(b"not-the-key"), "unsubscribe", f"load-key-{i:012d}", "research"), False) for i in range(1, args.forged + 1)]
    started = time.perf_counter()
    latencies, outcome = asyncio.run(fire(port, tokens, args.concurrency))
    elapsed = time.perf_counter() - started
    server.terminate()
    server.wait(timeout=10)
    left = count(open_db(config), "research")
    latencies.sort()
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")  # noqa: E731
    print(f"{len(tokens)} requests in {elapsed:.2f}s; p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms")
    print(f"real unsubscribed: {outcome['ok']}/{args.subscribers} (still active in the database: {left['active']}); forged refused: {outcome['refused']}/{args.forged}; "
          f"wrong answers: {outcome['wrong']}; errors/5xx: {outcome['errors']}")
    print(f"rps={len(tokens) / elapsed:.1f} p99_ms={pct(0.99):.1f} ok={outcome['ok']} refused={outcome['refused']} errors={outcome['errors']}")
    good = outcome["ok"] == args.subscribers and outcome["refused"] == args.forged and outcome["errors"] == 0 and outcome["wrong"] == 0 and left["active"] == 0
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
