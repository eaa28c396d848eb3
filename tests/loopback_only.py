"""The test process never talks to the internet: a connection to any address but loopback fails loudly.

Social APIs, SMTP, IMAP, PostgreSQL and the web app all run on 127.0.0.1 in the tests
(emulators and real servers); a test that reached a real host (api.x.com, bsky.social,
a Mastodon instance) would pass or fail with the network, and could post for real.
Installed once per test session by tests/conftest.py; subprocesses (the ``outreach``
CLI, Chromium) are given loopback addresses by the tests themselves.
"""

from __future__ import annotations

import ipaddress
import socket

_REAL_CONNECT = socket.socket.connect
_REAL_CONNECT_EX = socket.socket.connect_ex


class NotLoopback(OSError):
    """A test tried to connect somewhere other than this machine."""


def _loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str) or host == "localhost":
        return True  # a unix socket path, or the local name
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name: socket.connect is given resolved addresses, so a name here is unusual: refuse


def _checked(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
        raise NotLoopback(f"a test tried to connect to {address!r}: tests talk to loopback emulators and servers only")


def _connect(self: socket.socket, address: object) -> None:
    _checked(self, address)
    return _REAL_CONNECT(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    _checked(self, address)
    return _REAL_CONNECT_EX(self, address)


def install() -> None:
    """Refuse every non-loopback connection from this process."""
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
