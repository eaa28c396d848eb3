"""A TCP proxy on 127.0.0.1 that makes a loopback relay look far away: every chunk waits rtt/2 in each direction.

    python bench/delay_proxy.py --listen PORT --upstream HOST:PORT --rtt-ms 20

Each chunk read (asyncio reads up to 256 KiB at a time) from either side is written to the other side
rtt/2 after it was read, so a request and its reply cost one round trip of
``--rtt-ms``. Chunks keep their order and their bytes in each direction; an EOF
(half-close) or a close reaches the other side after the data read before it.
``--listen 0`` picks a free port. The first line on stdout is
``listening 127.0.0.1:<port>``; on SIGTERM or SIGINT the proxy prints
``proxy cpu_s=<float> connections=<n> chunks=<n> bytes=<n>`` and exits.

It runs as a process of its own (see ``start``), so its event loop never waits
behind the client's or the relay's Python work, and it asks for a higher CPU
priority (nice -10, when allowed): it stands for the network. Per chunk it does
O(1) Python work (a deque append and, for the head, one timer), never per byte.
On this 2-core machine a round trip through it is 0.3-1 ms above ``--rtt-ms``
(the event loop's millisecond timers, and the other processes on the cores).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable

HIGH_WATER = 4 * 1024 * 1024  # bytes queued in one direction before its source stops being read
_EOF = b""  # queued after the data: half-close the other side
_CLOSE = None  # queued after the data: close the other side


class Stats:
    """What the proxy forwarded, for its exit line."""

    connections = 0
    chunks = 0
    bytes = 0


class Pipe:
    """One direction of one connection: a FIFO of (due time, chunk), flushed by one timer at the head's due time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        self.loop = loop
        self.delay = delay
        self.queue: collections.deque[tuple[float, bytes | None]] = collections.deque()
        self.queued = 0
        self.source: asyncio.Transport | None = None
        self.target: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.target_full = False  # the target's write buffer is over its high-water mark
        self.eof_sent = False
        self.on_eof_sent: Callable[[], None] = lambda: None

    def push(self, chunk: bytes | None) -> None:
        """Queue a chunk (or _EOF / _CLOSE) to leave rtt/2 from now."""
        self.queue.append((self.loop.time() + self.delay, chunk))
        if chunk:
            self.queued += len(chunk)
            Stats.chunks += 1
            Stats.bytes += len(chunk)
            self.throttle()
        self._arm()

    def attach(self, target: asyncio.Transport) -> None:
        """The other side is connected: start delivering what is due."""
        self.target = target
        self._arm()

    def throttle(self) -> None:
        """Read the source only while this direction has room (queue and target buffer), so memory stays bounded."""
        source = self.source
        if source is None or source.is_closing():
            return
        if self.queued > HIGH_WATER or self.target_full:
            source.pause_reading()
        elif self.queued <= HIGH_WATER // 2:
            source.resume_reading()

    def _arm(self) -> None:
        if self.timer is None and self.queue and self.target is not None:
            self.timer = self.loop.call_at(self.queue[0][0], self._flush)

    def _flush(self) -> None:
        self.timer = None
        now = self.loop.time()
        target = self.target
        assert target is not None
        while self.queue and self.queue[0][0] <= now:
            _, chunk = self.queue.popleft()
            if chunk:
                self.queued -= len(chunk)
                if not target.is_closing():
                    target.write(chunk)
            elif chunk == _EOF:
                self._send_eof(target)
            else:
                target.close()
        self.throttle()
        self._arm()

    def _send_eof(self, target: asyncio.Transport) -> None:
        self.eof_sent = True
        if not target.is_closing():
            if target.can_write_eof():
                target.write_eof()
            else:
                target.close()
        self.on_eof_sent()


class Side(asyncio.Protocol):
    """One socket of a proxied connection: what it reads goes into ``out``; ``inbound`` is the pipe that writes to it."""

    def __init__(self, out: Pipe, inbound: Pipe, on_made: Callable[[asyncio.Transport], None]) -> None:
        self.out = out
        self.inbound = inbound
        self.on_made = on_made
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.out.source = transport
        self.on_made(transport)

    def data_received(self, data: bytes) -> None:
        self.out.push(data)

    def eof_received(self) -> bool:
        self.out.push(_EOF)
        return True  # stay half-open: the other direction may still carry data

    def connection_lost(self, exc: Exception | None) -> None:
        self.out.push(_CLOSE)

    def pause_writing(self) -> None:
        self.inbound.target_full = True
        self.inbound.throttle()

    def resume_writing(self) -> None:
        self.inbound.target_full = False
        self.inbound.throttle()


class Connection:
    """A client connection and its upstream connection, joined by two pipes."""

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float, upstream: tuple[str, int]) -> None:
        self.loop = loop
        self.address = upstream
        self.up = Pipe(loop, delay)  # client -> upstream
        self.down = Pipe(loop, delay)  # upstream -> client
        self.client = Side(self.up, self.down, self._client_made)
        self.upstream = Side(self.down, self.up, self.up.attach)
        self.up.on_eof_sent = self.down.on_eof_sent = self._maybe_done

    def _client_made(self, transport: asyncio.Transport) -> None:
        self.down.attach(transport)
        self.loop.create_task(self._open_upstream())

    async def _open_upstream(self) -> None:
        try:
            await self.loop.create_connection(lambda: self.upstream, *self.address)
        except OSError:
            if self.client.transport is not None:
                self.client.transport.close()

    def _maybe_done(self) -> None:
        # both directions half-closed and delivered: nothing more can flow
        if self.up.eof_sent and self.down.eof_sent:
            for side in (self.client, self.upstream):
                if side.transport is not None:
                    side.transport.close()


async def serve(listen_port: int, upstream: tuple[str, int], rtt_ms: float) -> asyncio.Server:
    """Listen on 127.0.0.1:listen_port, proxying each connection to ``upstream`` with rtt/2 each way."""
    loop = asyncio.get_running_loop()
    delay = rtt_ms / 2000

    def accept() -> asyncio.Protocol:
        Stats.connections += 1
        return Connection(loop, delay, upstream).client

    return await loop.create_server(accept, "127.0.0.1", listen_port, backlog=1024)


async def _main(listen_port: int, upstream: tuple[str, int], rtt_ms: float) -> None:
    server = await serve(listen_port, upstream, rtt_ms)
    port = server.sockets[0].getsockname()[1]
    print(f"listening 127.0.0.1:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"proxy cpu_s={usage.ru_utime + usage.ru_stime:.2f} connections={Stats.connections} "
          f"chunks={Stats.chunks} bytes={Stats.bytes}", flush=True)


def start(upstream: tuple[str, int], rtt_ms: float) -> tuple[subprocess.Popen[str], int]:
    """Start the proxy as a process of its own on a free port; returns it and its port once it listens."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--listen", "0",
                             "--upstream", f"{upstream[0]}:{upstream[1]}", "--rtt-ms", str(rtt_ms)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the proxy's first line, or "" if it died
    if not line.startswith("listening "):
        proc.kill()
        raise RuntimeError(f"the delay proxy did not start: {line.strip() or 'no output'}")
    return proc, int(line.rsplit(":", 1)[1])


def stop(proc: subprocess.Popen[str]) -> str:
    """Stop a proxy started by ``start``; returns its exit line (CPU seconds and counts)."""
    proc.terminate()
    out, _ = proc.communicate(timeout=10)
    return out.strip().splitlines()[-1] if out.strip() else ""


def main(argv: list[str] | None = None) -> int:
    """Command line: run the proxy until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True, help="port on 127.0.0.1 (0: a free one, printed)")
    parser.add_argument("--upstream", required=True, help="HOST:PORT of the relay")
    parser.add_argument("--rtt-ms", type=float, required=True, help="round-trip time to add, in milliseconds")
    args = parser.parse_args(argv)
    host, _, port = args.upstream.rpartition(":")
    if not host or not port.isdigit() or args.rtt_ms < 0:
        print("delay_proxy: --upstream must be HOST:PORT and --rtt-ms not negative", file=sys.stderr)
        return 2
    with contextlib.suppress(OSError):
        # it stands for the network, which does not queue behind the sender's CPU: ahead of the others when allowed (root)
        os.nice(-10)
    try:
        import uvloop  # only if already installed: the bench does not need it

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_main(args.listen, (host, int(port)), args.rtt_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
