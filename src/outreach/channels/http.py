"""The requests transport seam shared by the HTTP channels.

:class:`RoutingAdapter` enforces a timeout on every request (tweepy sets
none) and, where a client has a fixed host (tweepy's ``api.twitter.com``),
sends its requests to the configured base URL instead: the X API host in
production, a loopback emulator in tests.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT = (10.0, 60.0)  # connect, read


class RoutingAdapter(HTTPAdapter):
    """Rewrites ``from_base`` to ``to_base`` and applies a default timeout."""

    def __init__(self, from_base: str | None = None, to_base: str | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__(max_retries=0)
        self.from_base = from_base.rstrip("/") if from_base else None
        self.to_base = to_base.rstrip("/") if to_base else None
        self.timeout = timeout

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def, override]
        """Route and send one prepared request."""
        if self.from_base and self.to_base and request.url.startswith(self.from_base + "/"):
            request.url = self.to_base + request.url[len(self.from_base):]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def routed_session(session: requests.Session, from_base: str | None = None, to_base: str | None = None) -> requests.Session:
    """Mount the routing adapter on every scheme of ``session``."""
    adapter = RoutingAdapter(from_base, to_base)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
