"""bench/delay_proxy.py: bytes intact and in order both ways, a round trip costs the RTT, closes reach the other side;
and bench/fanout.py refuses --workers without PostgreSQL."""

from __future__ import annotations

import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import delay_proxy  # noqa: E402

Handler = Callable[[socket.socket], None]


class Upstream:
    """A loopback server that runs ``handler`` on each connection in a thread of its own, keeping what it raises."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.errors: list[BaseException] = []
        self.done = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        conn.settimeout(20)
        try:
            self.handler(conn)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.errors.append(exc)
        finally:
            conn.close()
            self.done.set()


@pytest.fixture
def proxied() -> Iterator[Callable[[Handler, float], tuple[socket.socket, Upstream, subprocess.Popen[str]]]]:
    """Start an upstream with a handler and the delay proxy (its own process) in front of it; returns a connected
    client, the upstream and the proxy's process."""
    started: list[tuple[subprocess.Popen[str], socket.socket, Upstream]] = []

    def make(handler: Handler, rtt_ms: float) -> tuple[socket.socket, Upstream, subprocess.Popen[str]]:
        upstream = Upstream(handler)
        proc, port = delay_proxy.start(("127.0.0.1", upstream.port), rtt_ms)
        client = socket.create_connection(("127.0.0.1", port), timeout=20)
        started.append((proc, client, upstream))
        return client, upstream, proc

    yield make
    for proc, client, upstream in started:
        client.close()
        if proc.poll() is None:
            delay_proxy.stop(proc)
        upstream.listener.close()


def send_in_pieces(sock: socket.socket, data: bytes, seed: int) -> None:
    """Send ``data`` in pieces of random sizes, pausing now and then so the proxy reads many separate chunks."""
    rng = random.Random(seed)
    at = 0
    while at < len(data):
        size = rng.randint(1, 4000)
        sock.sendall(data[at:at + size])
        at += size
        if rng.random() < 0.5:
            time.sleep(0.001)


def read_to_eof(sock: socket.socket) -> bytes:
    """Everything until the peer's EOF."""
    parts = []
    while chunk := sock.recv(65536):
        parts.append(chunk)
    return b"".join(parts)


def test_bytes_arrive_intact_and_in_order_both_ways_and_half_close_follows_the_data(proxied) -> None:
    upward = random.Random(1).randbytes(300_000)
    downward = random.Random(2).randbytes(200_000)
    received: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        sender = threading.Thread(target=lambda: (send_in_pieces(conn, downward, 3), conn.shutdown(socket.SHUT_WR)))
        sender.start()
        received.append(read_to_eof(conn))
        sender.join()

    client, upstream, proc = proxied(handler, 20)
    sender = threading.Thread(target=lambda: (send_in_pieces(client, upward, 4), client.shutdown(socket.SHUT_WR)))
    sender.start()
    got = read_to_eof(client)  # the upstream's EOF arrives only after all of its data
    sender.join()
    assert upstream.done.wait(20) and not upstream.errors
    assert got == downward
    assert received == [upward]
    chunks = int(delay_proxy.stop(proc).split("chunks=")[1].split()[0])
    assert chunks > 20, "the data crossed the proxy in too few chunks to say anything about their order"


def test_a_round_trip_costs_the_rtt(proxied) -> None:
    rtt = 0.050

    def echo(conn: socket.socket) -> None:
        while data := conn.recv(65536):
            conn.sendall(data)

    client, _, _ = proxied(echo, rtt * 1000)
    times = []
    for i in range(6):
        started = time.perf_counter()
        client.sendall(b"PING %d\r\n" % i)
        assert client.recv(100) == b"PING %d\r\n" % i
        times.append(time.perf_counter() - started)
    assert all(t >= 0.9 * rtt for t in times), times
    assert all(t < rtt + 2.0 for t in times), times  # generous: a loaded 2-core machine


def test_a_client_close_reaches_the_upstream(proxied) -> None:
    seen: list[bytes] = []
    client, upstream, _ = proxied(lambda conn: seen.append(read_to_eof(conn)), 20)
    client.sendall(b"QUIT\r\n")
    client.close()
    assert upstream.done.wait(10), "the upstream never saw the client's close"
    assert seen == [b"QUIT\r\n"] and not upstream.errors


def test_a_client_reset_closes_the_upstream(proxied) -> None:
    seen: list[bytes] = []
    client, upstream, _ = proxied(lambda conn: seen.append(read_to_eof(conn)), 20)
    client.sendall(b"MAIL FROM:<a@example.org>\r\n")
    time.sleep(0.1)  # the proxy has read it before the reset
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()  # with a zero linger: RST, no FIN
    assert upstream.done.wait(10), "the upstream never saw the client's reset"
    assert seen == [b"MAIL FROM:<a@example.org>\r\n"] and not upstream.errors


def test_an_upstream_close_reaches_the_client(proxied) -> None:
    client, upstream, _ = proxied(lambda conn: conn.sendall(b"221 bye\r\n"), 20)  # the handler returns: the socket closes
    assert read_to_eof(client) == b"221 bye\r\n"
    assert upstream.done.is_set()


def test_an_upstream_that_refuses_closes_the_client() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    proc, proxy_port = delay_proxy.start(("127.0.0.1", port), 20)  # nothing listens on ``port`` any more
    try:
        with socket.create_connection(("127.0.0.1", proxy_port), timeout=10) as client:
            assert client.recv(100) == b""
    finally:
        delay_proxy.stop(proc)


def run_fanout(*args: str) -> subprocess.CompletedProcess[str]:
    # no smtp-sink: should the option check ever let a bad combination through, the bench stops before it starts anything
    env = {**os.environ, "SMTP_SINK": "/nonexistent/smtp-sink"}
    return subprocess.run([sys.executable, str(BENCH / "fanout.py"), *args], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize("database", [None, "sqlite:///x.db"])
def test_fanout_refuses_workers_without_postgresql(database: str | None) -> None:
    result = run_fanout("--workers", "3", "--rtt-ms", "20", *(["--database", database] if database else []))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--workers needs --database postgresql" in result.stderr
    assert not Path("x.db").exists()
