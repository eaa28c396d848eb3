"""Fixtures for the draft tests: the saved report pages served over HTTP on 127.0.0.1.

Besides the files under tests/draft/pages (pages and covers/), the server has
endpoints for the ways a fetch goes wrong:

    /redirect/N             N redirects (302, relative Location) ending at /jsonld-only.html
    /redirect-to?url=U      one 302 to U (any scheme, any host: for refusal tests)
    /status/CODE            an empty answer with that status
    /pdf                    application/pdf
    /no-type                an HTML page with no Content-Type
    /huge                   text/html that never ends (no Content-Length)
    /huge-declared          Content-Length: 10**9
    /slow                   headers, then nothing for 5 s (read timeout)
    /drip                   one byte every 0.2 s for 20 s (only a total deadline stops it)
    /latin1                 an ISO-8859-1 page naming its charset only in <meta>
    /image-as-html          a cover image served as text/html
    /drip-headers           a 200 whose header lines come one every 0.2 s for 3 s, and no body
    /slow-redirect/N        N redirects, each answered after 0.4 s, ending at /no-metadata.html
    /binary-as-html         bytes with no NUL that are no text, served as text/html
    /empty-html             text/html with an empty (whitespace) body
    /feed-of?item=T|L       an RSS feed with one item per ``item`` (title T, may be empty; link L)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.draft.pages.expected import COVERS_DIR, PAGES_DIR

LATIN1_PAGE = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
               "<title>Fiskeri på Færøerne</title></head><body><h1>Fiskeri på Færøerne</h1></body></html>")


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        route = getattr(self, "_route_" + parts.path.strip("/").split("/")[0].replace("-", "_"), None)
        try:
            if route is not None:
                route(parts)
            else:
                super().do_GET()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as the limit tests want

    def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _route_redirect(self, parts) -> None:  # type: ignore[no-untyped-def]
        n = int(parts.path.rsplit("/", 1)[1])
        target = "../jsonld-only.html" if n <= 0 else f"{n - 1}"
        self._send(302, {"Location": target, "Content-Length": "0"})

    def _route_redirect_to(self, parts) -> None:  # type: ignore[no-untyped-def]
        self._send(302, {"Location": parse_qs(parts.query)["url"][0], "Content-Length": "0"})

    def _route_status(self, parts) -> None:  # type: ignore[no-untyped-def]
        self._send(int(parts.path.rsplit("/", 1)[1]), {"Content-Length": "0"})

    def _route_pdf(self, parts) -> None:  # type: ignore[no-untyped-def]
        body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        self._send(200, {"Content-Type": "application/pdf", "Content-Length": str(len(body))}, body)

    def _route_no_type(self, parts) -> None:  # type: ignore[no-untyped-def]
        body = (PAGES_DIR / "highwire.html").read_bytes()
        self._send(200, {"Content-Length": str(len(body))}, body)

    def _route_huge(self, parts) -> None:  # type: ignore[no-untyped-def]
        self._send(200, {"Content-Type": "text/html"}, b"<html><body>")
        chunk = b"<p>" + b"x" * 65_000 + b"</p>\n"
        for _ in range(2_000):  # ~130 MB unless the client stops reading
            self.wfile.write(chunk)

    def _route_huge_declared(self, parts) -> None:  # type: ignore[no-untyped-def]
        self._send(200, {"Content-Type": "text/html", "Content-Length": str(10**9)}, b"<html>")

    def _route_slow(self, parts) -> None:  # type: ignore[no-untyped-def]
        self._send(200, {"Content-Type": "text/html", "Content-Length": "100"}, b"")
        self.wfile.flush()
        time.sleep(5)

    def _route_drip(self, parts) -> None:  # type: ignore[no-untyped-def]
        self._send(200, {"Content-Type": "text/html", "Content-Length": "100"}, b"")
        for _ in range(100):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.2)

    def _route_latin1(self, parts) -> None:  # type: ignore[no-untyped-def]
        body = LATIN1_PAGE.encode("iso-8859-1")
        self._send(200, {"Content-Type": "text/html", "Content-Length": str(len(body))}, body)

    def _route_drip_headers(self, parts) -> None:  # type: ignore[no-untyped-def]
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        for i in range(15):  # every header read gets a byte in time: only a total deadline stops it
            self.wfile.write(f"X-Pad-{i}: a\r\n".encode())
            self.wfile.flush()
            time.sleep(0.2)
        # no body: a deadline checked only between body chunks never sees this answer end late
        self.wfile.write(b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        self.close_connection = True

    def _route_slow_redirect(self, parts) -> None:  # type: ignore[no-untyped-def]
        n = int(parts.path.rsplit("/", 1)[1])
        time.sleep(0.4)
        self._send(302, {"Location": "../no-metadata.html" if n <= 0 else f"{n - 1}", "Content-Length": "0"})

    def _route_binary_as_html(self, parts) -> None:  # type: ignore[no-untyped-def]
        body = bytes((i * 37 + 11) % 255 + 1 for i in range(4000))  # every byte value but NUL
        self._send(200, {"Content-Type": "text/html", "Content-Length": str(len(body))}, body)

    def _route_empty_html(self, parts) -> None:  # type: ignore[no-untyped-def]
        self._send(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": "3"}, b" \n ")

    def _route_feed_of(self, parts) -> None:  # type: ignore[no-untyped-def]
        from xml.sax.saxutils import escape

        items = [i.split("|", 1) for i in parse_qs(parts.query).get("item", [])]
        body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Feed</title>"
                + "".join(f"<item><title>{escape(t)}</title><link>{escape(link)}</link></item>" for t, link in items)
                + "</channel></rss>").encode()
        self._send(200, {"Content-Type": "application/rss+xml", "Content-Length": str(len(body))}, body)

    def _route_image_as_html(self, parts) -> None:  # type: ignore[no-untyped-def]
        body = (COVERS_DIR / "opengraph-cover.png").read_bytes()
        self._send(200, {"Content-Type": "text/html", "Content-Length": str(len(body))}, body)


@dataclass(frozen=True)
class PagesServer:
    """The saved pages on http://127.0.0.1:<port>/."""

    base: str

    def url(self, path: str) -> str:
        """The absolute address of ``path`` on this server."""
        return self.base + path.lstrip("/")


@pytest.fixture(scope="session")
def pages_server() -> Iterator[PagesServer]:
    """tests/draft/pages (and the failure endpoints above) served over HTTP on loopback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(PAGES_DIR)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield PagesServer(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
