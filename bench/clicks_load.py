"""Load test of the click endpoint, loopback only, bounded in count and time.

    python bench/clicks_load.py [--clicks 2000] [--rounds 3] [--links 12] [--concurrency 2000] [--database URL]

Starts `outreach serve` (uvicorn, its own process) on 127.0.0.1 with a campaign's
links seeded, and a bare Starlette app whose only handler returns a RedirectResponse,
run by uvicorn with the same settings as `outreach serve` (its own process too). Sends
N concurrent GET /c/<token> (valid tokens, mixed links, one message each) to each, in
the same run, and prints both throughputs and p99 latencies, the ratio clicks/bare
(target >= 0.5), the 5xx count (must be 0) and whether every acknowledged redirect
was counted. Client and servers share the machine, so each of --rounds rounds
measures both (in alternating order) and the figures given are the median round's
by ratio. Ends with one line:
clicks_rps=<f> bare_rps=<f> ratio=<f> clicks_p99_ms=<f> bare_p99_ms=<f> errors=<int> acknowledged=<int> counted=<int>
Exits non-zero on any 5xx or error, or when counted clicks differ from acknowledged redirects.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from outreach.config import Config, WebConfig  # noqa: E402
from outreach.store.click_store import count_totals  # noqa: E402
from outreach.store.db import open_db  # noqa: E402
from outreach.store.schema import links  # noqa: E402
from outreach.tokens import ClickClaims, ClickMode, Keyring, make_click_token  # noqa: E402

TIME_LIMIT = 120.0
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
# the same uvicorn settings as `outreach serve` (commands/web_commands.py)
UVICORN = {"proxy_headers": True, "server_header": False, "log_level": "warning"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bare_app():  # type: ignore[no-untyped-def]
    """The floor: a Starlette app that only redirects."""
    from starlette.applications import Starlette
    from starlette.responses import RedirectResponse
    from starlette.routing import Route

    async def redirect(request):  # type: ignore[no-untyped-def]
        return RedirectResponse("https://www.diis.dk/en/research?utm_source=newsletter", status_code=302)

    return Starlette(routes=[Route("/c/{token}", redirect, methods=["GET", "HEAD"])])


def seed(config: Config, n: int) -> None:
    stamp = datetime.now(timezone.utc)
    with open_db(config).begin() as conn:
        conn.execute(insert(links), [{"id": i, "campaign": "load", "url": f"https://www.diis.dk/en/research/{i}?utm_source=newsletter&utm_medium=email",
                                      "url_hash": f"{i:064x}", "label": f"link {i}", "position": i, "created_at": stamp} for i in range(1, n + 1)])


async def get_one(port: int, path: str) -> int:
    """One GET on its own connection (hand-written HTTP/1.1: httpx's pool would measure the client); returns the status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {AGENT}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()
        return int(status_line.split()[1])
    finally:
        writer.close()


async def fire(port: int, paths: list[str], concurrency: int) -> tuple[float, list[float], dict[str, int]]:
    latencies: list[float] = []
    outcome = {"redirects": 0, "other": 0, "errors": 0}
    gate = asyncio.Semaphore(concurrency)

    async def one(path: str) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(get_one(port, path), 60)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError):
                outcome["errors"] += 1
                return
            latencies.append(time.perf_counter() - started)
            outcome["redirects" if status == 302 else "errors" if status >= 500 else "other"] += 1

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one(p) for p in paths)), TIME_LIMIT)
    return time.perf_counter() - started, sorted(latencies), outcome


def p99(latencies: list[float]) -> float:
    return latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000 if latencies else float("nan")


def start(argv: list[str], base: str, work: Path) -> subprocess.Popen[str]:
    server = subprocess.Popen(argv, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"{argv[-1]} did not start: {server.stderr.read() if server.stderr else ''}")


def measure(port: int, bare_port: int, paths: list[str], args: argparse.Namespace) -> tuple[list[dict[str, float]], int, int]:
    """Warm both servers, then alternate measured rounds; the rounds, redirects acknowledged by outreach, and errors."""
    warm = asyncio.run(fire(port, paths[:100], 100))[2]  # first requests load templates and caches: not measured, still counted
    asyncio.run(fire(bare_port, paths[:100], 100))
    acknowledged, errors = warm["redirects"], warm["errors"] + warm["other"]
    rounds: list[dict[str, float]] = []
    for r in range(args.rounds):
        batch = paths[100 + r * args.clicks:100 + (r + 1) * args.clicks]
        measured = {}
        for name in (("bare", "clicks") if r % 2 == 0 else ("clicks", "bare")):
            elapsed, latencies, outcome = asyncio.run(fire(bare_port if name == "bare" else port, batch, args.concurrency))
            measured[f"{name}_rps"], measured[f"{name}_p99"] = len(batch) / elapsed, p99(latencies)
            errors += outcome["errors"] + outcome["other"]
            acknowledged += outcome["redirects"] if name == "clicks" else 0
        measured["ratio"] = measured["clicks_rps"] / measured["bare_rps"]
        rounds.append(measured)
        print(f"round {r + 1}: clicks {measured['clicks_rps']:.0f} rps, p99 {measured['clicks_p99']:.0f} ms; "
              f"bare redirect {measured['bare_rps']:.0f} rps, p99 {measured['bare_p99']:.0f} ms; ratio {measured['ratio']:.2f}")
    return rounds, acknowledged, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--links", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=2000)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)  # internal: run the bare app on this port
    args = parser.parse_args()
    if args.serve_bare:
        import uvicorn

        uvicorn.run(bare_app(), host="127.0.0.1", port=args.serve_bare, **UVICORN)  # type: ignore[arg-type]
        return 0
    work = Path(tempfile.mkdtemp(prefix="outreach-clicks-"))
    os.environ["OUTREACH_SECRET"] = "load-key"
    port, bare_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    database = args.database or f"sqlite:///{work / 'load.db'}"
    config = Config(database=database, outbox=work / "outbox", web=WebConfig(host="127.0.0.1", port=port, base_url=base))
    seed(config, args.links)
    (work / "outreach.toml").write_text(f'database = "{database}"\noutbox = "{work / "outbox"}"\n[web]\nhost = "127.0.0.1"\nport = {port}\n'
                                        f'base_url = "{base}"\n', encoding="utf-8")
    sent = int(time.time()) - 3600  # an hour ago: not "too soon"; one message per click, so no bursts
    keys = Keyring.of(b"load-key")
    paths = [f"/c/{make_click_token(keys, ClickClaims(ClickMode.AGGREGATE, 1 + i % args.links, sent, 10_000 + i))}"
             for i in range(100 + args.clicks * args.rounds)]
    servers = [start([sys.executable, "-m", "outreach", "--config", str(work / "outreach.toml"), "serve"], base, work),
               start([sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(bare_port)], f"http://127.0.0.1:{bare_port}", work)]
    try:
        rounds, acknowledged, errors = measure(port, bare_port, paths, args)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
    people, machines = count_totals(open_db(config))
    counted = people + machines
    m = sorted(rounds, key=lambda x: x["ratio"])[len(rounds) // 2]
    print(f"median round: ratio clicks/bare {m['ratio']:.2f} (target >= 0.5); errors/5xx {errors}; acknowledged {acknowledged}, "
          f"counted {counted} ({people} people, {machines} machines)")
    print(f"clicks_rps={m['clicks_rps']:.1f} bare_rps={m['bare_rps']:.1f} ratio={m['ratio']:.3f} clicks_p99_ms={m['clicks_p99']:.1f} "
          f"bare_p99_ms={m['bare_p99']:.1f} errors={errors} acknowledged={acknowledged} counted={counted}")
    return 0 if errors == 0 and counted == acknowledged else 1


if __name__ == "__main__":
    sys.exit(main())
