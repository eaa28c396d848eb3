"""Limits per client on the public forms: a sliding one-minute window, and whom it counts.

Per-address limits live in the database (:mod:`outreach.store.membership`), so they hold
across server processes; these windows are in memory, per ``outreach serve`` process.
"""

from __future__ import annotations

import ipaddress
import time
from collections import deque

from starlette.requests import Request


def client_key(request: Request) -> str:
    """Whom a per-client limit counts: the client address, an IPv6 one by its /64 (a host can take any address in it).

    ``outreach serve`` runs uvicorn with proxy headers, so behind a reverse proxy on the
    same host this is the visitor's address, not the proxy's.
    """
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "?"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class ClientLimiter:
    """A sliding one-minute window of sign-ups per client address (in memory, per server process)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.seen: dict[str, deque[float]] = {}
        self.pruned = time.monotonic()

    def allow(self, client: str) -> bool:
        """Count one request from ``client``; False when it is over the limit."""
        stamp = time.monotonic()
        if stamp - self.pruned > 60:  # forget idle clients rather than grow without bound
            self.seen = {k: v for k, v in self.seen.items() if v and v[-1] > stamp - 60}
            self.pruned = stamp
        window = self.seen.setdefault(client, deque())
        while window and window[0] <= stamp - 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(stamp)
        return True
