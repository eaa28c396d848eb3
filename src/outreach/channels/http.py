"""The requests transport seam shared by the HTTP channels.

:class:`RoutingSession` enforces a timeout on every request (tweepy sets
none) and, where a client has a fixed host (tweepy's ``api.twitter.com``),
sends its requests to the configured base URL instead: the X API host in
production, a loopback emulator in tests. The URL is rewritten *before* the
request is prepared, so an OAuth 1.0a signature (made while preparing) covers
the URL that is really requested.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT = (10.0, 60.0)  # connect, read


class TimeoutAdapter(HTTPAdapter):
    """Applies a default timeout, and never retries on its own (the ledger decides what is safe to resend)."""

    def __init__(self, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__(max_retries=0)
        self.timeout = timeout

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def, override]
        """Send one prepared request with the default timeout unless one was given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class RoutingSession(requests.Session):
    """A session that sends requests for ``from_base`` to ``to_base``, with a default timeout."""

    def __init__(self, from_base: str | None = None, to_base: str | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.from_base = from_base.rstrip("/") if from_base else None
        self.to_base = to_base.rstrip("/") if to_base else None
        adapter = TimeoutAdapter(timeout)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Route, then let requests prepare (and the auth sign) the request for the URL that is really used."""
        if self.from_base and self.to_base and isinstance(url, str) and url.startswith(self.from_base + "/"):
            url = self.to_base + url[len(self.from_base):]
        return super().request(method, url, *args, **kwargs)
