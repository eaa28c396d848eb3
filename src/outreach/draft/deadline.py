"""The network under a fetch: one deadline for every name lookup, connect, read and write, and no
connection to a non-public address unless the fetch may go there.

A name is looked up once, here, and the connection goes to exactly the address that was checked: a
resolver answering "public" to a check and "loopback" to the connect (DNS rebinding) has no second
question to answer. A name that does not resolve is refused, never taken for a public one. Each
address gets only what is left of the deadline, so a name with many silent addresses cannot
multiply it; the lookup itself runs in a thread the fetch stops waiting for at the deadline.
TLS still checks the certificate against the URL's host name (httpcore passes it separately).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from typing import Any

import httpcore
import httpx


class LocalAddressRefused(Exception):
    """A name resolved to a private, loopback or link-local address, and the fetch may not go there."""


class NameNotResolved(Exception):
    """A name that does not resolve."""


def ip_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` as an IP address (an IPv6 zone left out), or None when it is a name."""
    try:
        return ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return None


def non_public(address: str) -> bool:
    """Whether ``address`` is private, loopback, link-local, reserved or multicast (or not an address at all)."""
    ip = ip_of(address)
    if ip is None:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def lookup(host: str, deadline: float) -> list[str]:
    """The addresses ``host`` resolves to, asked once and waited for until ``deadline``; [] when it does not resolve."""
    if ip_of(host) is not None:
        return [host]
    answer: list[list[str]] = []

    def ask() -> None:
        try:
            answer.append([info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)])
        except (OSError, UnicodeError):
            answer.append([])

    thread = threading.Thread(target=ask, name="outreach-draft-lookup", daemon=True)
    thread.start()
    thread.join(left(deadline, None, httpcore.ConnectTimeout))
    if not answer:
        raise httpcore.ConnectTimeout("looking up the name outlasted the whole fetch's deadline")
    return answer[0]


def left(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    """The time a socket operation may wait: its own timeout, at most what is left of the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the whole fetch's deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write waits at most until the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, left(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, left(self._deadline, timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, each held to one deadline, each connected to an address checked here.

    ``local_ok`` None: the fetch's first connection decides (its own lookup, not a separate one), and
    every later connection, redirects included, is held to that decision, which :attr:`local_ok` keeps.
    """

    def __init__(self, deadline: float, local_ok: bool | None) -> None:
        self._backend, self._deadline, self.local_ok = httpcore.SyncBackend(), deadline, local_ok

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        addresses = lookup(host, self._deadline)
        if not addresses:
            raise NameNotResolved(host)
        if self.local_ok is None:
            self.local_ok = any(non_public(a) for a in addresses)
        if not self.local_ok and any(non_public(a) for a in addresses):
            raise LocalAddressRefused(host)
        error: Exception = httpcore.ConnectError("no address answered")
        for address in addresses:
            wait = left(self._deadline, timeout, httpcore.ConnectTimeout)
            try:
                stream = self._backend.connect_tcp(address, port, wait, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                error = e
                continue
            return _DeadlineStream(stream, self._deadline)
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, self._deadline - time.monotonic())))


def deadline_transport(backend: DeadlineBackend) -> httpx.HTTPTransport:
    """An httpx transport whose every lookup, connect, read and write goes through ``backend``."""
    transport = httpx.HTTPTransport(retries=0)
    # httpx has no public hook for the network backend; its pool takes one (httpcore's public API)
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), retries=0, network_backend=backend)
    return transport
