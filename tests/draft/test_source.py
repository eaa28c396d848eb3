"""source.read_source and fetch_image: URLs within limits, saved pages, plain-text copies, refusals."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import httpcore
import httpx
import pytest

from outreach.config import Config
from outreach.draft.deadline import DeadlineBackend, LocalAddressRefused
from outreach.draft.source import FetchLimits, SourceKind, fetch_bytes, fetch_image, fetch_with_origin, is_local, read_source, shown
from outreach.errors import DraftError

from tests.draft.pages.expected import COVERS_DIR, PAGES, PAGES_DIR, SAMPLE_PAGE

LIMITS = FetchLimits(timeout_seconds=2.0, max_bytes=1_000_000, max_redirects=5)


def test_limits_come_from_the_draft_config() -> None:
    draft = Config().draft.model_copy(update={"fetch_timeout_seconds": 3.5, "fetch_max_bytes": 20_000,
                                             "fetch_max_redirects": 2})
    assert FetchLimits.from_config(draft) == FetchLimits(3.5, 20_000, 2)


# --- files ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_saved_page_is_read_as_html(name: str) -> None:
    page = read_source(str(PAGES[name].path), LIMITS)
    assert page.kind is SourceKind.HTML and page.text is None and page.url is None
    assert PAGES[name].title in page.html  # type: ignore[operator]


def test_a_plain_text_copy_is_read_as_text() -> None:
    page = read_source(str(SAMPLE_PAGE), LIMITS)
    assert page.kind is SourceKind.TEXT and page.html is None
    assert page.text is not None and page.text.startswith("DIIS Report")


def test_text_with_a_bom_and_any_suffix(tmp_path: Path) -> None:
    path = tmp_path / "copy.md"
    path.write_bytes("\ufeffGrønland\n\nRapporten konkluderer, at …".encode("utf-8"))
    page = read_source(str(path), LIMITS)
    assert page.kind is SourceKind.TEXT and page.text == "Grønland\n\nRapporten konkluderer, at …"


def test_html_without_an_html_suffix_is_still_html(tmp_path: Path) -> None:
    path = tmp_path / "saved-page"
    path.write_text("<!DOCTYPE html><html><body><h1>T</h1></body></html>", encoding="utf-8")
    assert read_source(str(path), LIMITS).kind is SourceKind.HTML


def test_a_saved_page_in_latin1_is_decoded_by_its_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes("<html><head><meta charset='iso-8859-1'></head><body>Æblegrød på Ærø</body></html>"
                     .encode("iso-8859-1"))
    assert "Æblegrød på Ærø" in read_source(str(path), LIMITS).html  # type: ignore[operator]


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "absent.txt", "no such file"),
    (lambda d: d, "not a file"),
    (lambda d: _write(d / "cover.txt", (COVERS_DIR / "opengraph-cover.png").read_bytes()), "binary"),
    (lambda d: _write(d / "page.txt", "Ærø".encode("iso-8859-1")), "not UTF-8"),
    (lambda d: _write(d / "empty.txt", b"  \n"), "empty"),
    (lambda d: _write(d / "big.txt", b"x" * 20_001), "too big"),
])
def test_a_file_that_is_not_a_page_is_one_clear_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(DraftError, match=message) as caught:
        read_source(str(path), FetchLimits(max_bytes=20_000))
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- URLs ----------------------------------------------------------------------------------------

def test_a_page_over_http(pages_server) -> None:  # type: ignore[no-untyped-def]
    url = pages_server.url("danish.html")
    page = read_source(url, LIMITS)
    assert page.kind is SourceKind.URL and page.location == url and page.url == url
    assert "Grønlands nye rolle i Arktis" in page.html  # type: ignore[operator]


def test_redirects_are_followed_up_to_the_limit(pages_server) -> None:  # type: ignore[no-untyped-def]
    page = read_source(pages_server.url("redirect/4"), LIMITS)
    assert page.url == pages_server.url("jsonld-only.html")
    with pytest.raises(DraftError, match="more than 5 redirects"):
        read_source(pages_server.url("redirect/5"), LIMITS)
    with pytest.raises(DraftError, match="more than 0 redirects"):
        read_source(pages_server.url("redirect/0"), FetchLimits(max_redirects=0))


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x.html", "gopher://127.0.0.1:70/"])
def test_a_redirect_to_another_scheme_is_refused(pages_server, target: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DraftError, match="only http and https"):
        read_source(pages_server.url("redirect-to?url=" + target), LIMITS)


@pytest.mark.parametrize("source", ["ftp://127.0.0.1/report.html", "javascript://alert(1)", "file:///etc/passwd"])
def test_only_http_and_https_sources(source: str) -> None:
    with pytest.raises(DraftError, match="only http and https"):
        read_source(source, LIMITS)


@pytest.mark.parametrize("path, message", [
    ("status/404", "answered 404"),
    ("status/500", "answered 500"),
    ("status/204", "answered 204"),
    ("pdf", "sent application/pdf, not an HTML page"),
    ("covers/opengraph-cover.png", "sent image/png, not an HTML page"),
    ("huge", "too big"),
    ("huge-declared", "too big"),
])
def test_a_url_that_is_not_a_page_is_one_clear_error(pages_server, path: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DraftError, match=message) as caught:
        read_source(pages_server.url(path), LIMITS)
    assert str(caught.value).startswith(pages_server.url(path).split("?")[0]) and "\n" not in str(caught.value)


def test_a_slow_server_times_out(pages_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DraftError, match="timed out"):
        read_source(pages_server.url("slow"), FetchLimits(timeout_seconds=0.5))


def test_a_dripping_server_is_stopped_by_the_total_deadline(pages_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DraftError, match="timed out"):
        read_source(pages_server.url("drip"), FetchLimits(timeout_seconds=1.0))


def test_no_content_type_is_sniffed(pages_server) -> None:  # type: ignore[no-untyped-def]
    assert "citation_title" in read_source(pages_server.url("no-type"), LIMITS).html  # type: ignore[operator]


def test_the_meta_charset_decodes_a_page_without_one_in_its_header(pages_server) -> None:  # type: ignore[no-untyped-def]
    assert "Fiskeri på Færøerne" in read_source(pages_server.url("latin1"), LIMITS).html  # type: ignore[operator]


def test_nothing_listening_is_one_clear_error() -> None:
    with pytest.raises(DraftError, match="cannot be fetched"):
        read_source("http://127.0.0.1:9/report", LIMITS)


@pytest.mark.parametrize("source", ["https://www.nis.example/r", "http://x.invalid/", "https://a.test./r"])
def test_reserved_names_are_not_looked_up(source: str) -> None:
    with pytest.raises(DraftError, match="reserved name"):
        read_source(source, LIMITS)
    with pytest.raises(DraftError, match="reserved name"):
        fetch_image(source, LIMITS, None)


def test_messages_hide_passwords_and_queries() -> None:
    assert shown("https://user:secret@example.org/a/b?token=abc#x") == "https://example.org/a/b"
    with pytest.raises(DraftError) as caught:
        read_source("http://user:secret@127.0.0.1:9/r?token=abc", LIMITS)
    assert "secret" not in str(caught.value) and "abc" not in str(caught.value)


# --- the cover image -----------------------------------------------------------------------------

def test_an_image_over_http(pages_server) -> None:  # type: ignore[no-untyped-def]
    page_url = pages_server.url("opengraph-only.html")
    data = fetch_image(pages_server.url("covers/opengraph-cover.png"), LIMITS, page_url)
    assert data == (COVERS_DIR / "opengraph-cover.png").read_bytes()


def test_an_image_must_be_served_as_an_image(pages_server) -> None:  # type: ignore[no-untyped-def]
    page_url = pages_server.url("opengraph-only.html")
    with pytest.raises(DraftError, match="not an image"):
        fetch_image(pages_server.url("image-as-html"), LIMITS, page_url)
    with pytest.raises(DraftError, match="too big"):
        fetch_image(pages_server.url("covers/opengraph-cover.png"), FetchLimits(max_bytes=1000), page_url)


def _png_transport(seen: list[str]) -> httpx.MockTransport:
    png = (COVERS_DIR / "opengraph-cover.png").read_bytes()

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/hop":
            return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data"})
        return httpx.Response(200, headers={"Content-Type": "image/png"}, content=png)

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("cover", ["http://10.0.0.7/cover.png", "http://127.0.0.1/c.png", "http://[::1]/c.png",
                                   "http://169.254.169.254/c.png", "http://localhost/c.png",
                                   "http://[::ffff:192.168.1.1]/c.png", "http://0.0.0.0/c.png",
                                   "http://100.64.0.1/c.png", "http://[fd00::1]/c.png", "http://[fe80::1]/c.png"])
def test_a_public_page_cannot_point_its_cover_at_a_local_address(cover: str) -> None:
    seen: list[str] = []
    with pytest.raises(DraftError, match="private or local address"):
        fetch_image(cover, LIMITS, "https://www.example.org/report", _png_transport(seen))
    assert seen == []


def test_a_redirect_to_a_local_address_is_refused_before_it_is_followed() -> None:
    seen: list[str] = []
    with pytest.raises(DraftError, match="private or local address"):
        fetch_image("https://cdn.example.org/hop", LIMITS, "https://www.example.org/report", _png_transport(seen))
    assert seen == ["https://cdn.example.org/hop"]


def test_a_name_that_resolves_to_a_local_address_is_refused() -> None:
    seen: list[str] = []
    with pytest.raises(DraftError, match="private or local address"):
        fetch_image("https://intranet.example.org/c.png", LIMITS, "https://www.example.org/r", _png_transport(seen),
                    resolve=lambda host: ["192.168.0.10"] if host.startswith("intranet") else ["93.184.215.14"])
    assert seen == []


def test_a_local_page_may_have_a_local_cover() -> None:
    seen: list[str] = []
    assert fetch_image("http://10.0.0.7/cover.png", LIMITS, "http://10.0.0.7/report", _png_transport(seen))
    assert fetch_image("https://cdn.example.org/c.png", LIMITS, "https://www.example.org/r", _png_transport(seen))
    assert seen == ["http://10.0.0.7/cover.png", "https://cdn.example.org/c.png"]


def test_pages_dir_has_the_six_pages() -> None:
    assert {p.file for p in PAGES.values()} <= {p.name for p in PAGES_DIR.glob("*.html")}
    assert len(PAGES) >= 6


# --- one deadline for the whole fetch ------------------------------------------------------------

FETCHERS = {
    "page": lambda url, limits: read_source(url, limits),
    "feed": lambda url, limits: fetch_bytes(url, limits, None, lambda t: True, "a feed"),
}


@pytest.mark.parametrize("fetcher", sorted(FETCHERS))
@pytest.mark.parametrize("path", ["drip-headers", "slow-redirect/4", "drip", "slow"])
def test_one_deadline_bounds_the_whole_fetch(pages_server, fetcher: str, path: str) -> None:  # type: ignore[no-untyped-def]
    # drip-headers: every read gets a header line in time; slow-redirect/4: every hop is quick enough alone
    with pytest.raises(DraftError, match="timed out"):
        FETCHERS[fetcher](pages_server.url(path), FetchLimits(timeout_seconds=1.0))


def test_the_slow_endpoints_are_pages_when_there_is_time(pages_server) -> None:  # type: ignore[no-untyped-def]
    assert "<h1" in read_source(pages_server.url("slow-redirect/1"), FetchLimits(timeout_seconds=5.0)).html  # type: ignore[operator]


# --- a fetched body that is not a page is refused like a file ------------------------------------

@pytest.mark.parametrize("path, message", [("image-as-html", "binary"), ("binary-as-html", "binary"), ("empty-html", "empty")])
def test_a_body_that_is_not_a_page_is_refused_like_a_file(pages_server, tmp_path: Path, path: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DraftError, match=message):
        read_source(pages_server.url(path), LIMITS)
    saved = tmp_path / "saved.html"
    saved.write_bytes(httpx.get(pages_server.url(path)).content)
    with pytest.raises(DraftError, match=message):
        read_source(str(saved), LIMITS)


# --- no page fetch reaches the machine's own network unless it started there ---------------------

LOCAL = ["http://10.0.0.7/r", "http://127.0.0.1/r", "http://[::1]/r", "http://169.254.169.254/latest/meta-data/",
         "http://localhost/r", "http://[::ffff:192.168.1.1]/r", "http://0.0.0.0/r", "http://100.64.0.1/r",
         "http://[fd00::1]/r", "http://[fe80::1]/r"]


def _page_transport(seen: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/hop":
            return httpx.Response(302, headers={"Location": request.url.params["to"]})
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<html><body><h1>Internal</h1></body></html>")

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("target", LOCAL)
def test_a_public_page_cannot_redirect_to_a_local_address(target: str) -> None:
    seen: list[str] = []
    hop = str(httpx.URL("https://www.example.org/hop", params={"to": target}))
    for fetch in (lambda: read_source(hop, LIMITS, _page_transport(seen)),
                  lambda: fetch_bytes(hop, LIMITS, _page_transport(seen), lambda t: True, "a feed")):
        with pytest.raises(DraftError, match="private or local address"):
            fetch()
    assert seen == [hop, hop]  # the local address was never asked


@pytest.mark.parametrize("target", LOCAL)
def test_a_page_named_by_a_public_source_cannot_be_local(target: str) -> None:
    seen: list[str] = []
    with pytest.raises(DraftError, match="private or local address"):
        read_source(target, LIMITS, _page_transport(seen), local_ok=False)
    assert seen == []


def test_a_local_source_may_stay_local() -> None:
    seen: list[str] = []
    hop = str(httpx.URL("http://10.0.0.7/hop", params={"to": "http://10.0.0.8/r"}))
    assert "Internal" in read_source(hop, LIMITS, _page_transport(seen)).html  # type: ignore[operator]
    assert seen == [hop, "http://10.0.0.8/r"]


def test_a_name_resolving_to_a_local_address_is_a_local_hop() -> None:
    seen: list[str] = []
    hop = str(httpx.URL("https://www.example.org/hop", params={"to": "https://intranet.example.org/r"}))
    with pytest.raises(DraftError, match="private or local address"):
        read_source(hop, LIMITS, _page_transport(seen),
                    resolve=lambda host: ["192.168.0.10"] if host.startswith("intranet") else ["93.184.215.14"])
    assert seen == [hop]


# --- names: looked up once, by the connection itself, within the deadline ------------------------

class _Resolver:
    """socket.getaddrinfo for test names (``*.publisher.org``): each call answers the next of ``answers``.

    An answer is a list of IP addresses, or None for a failed lookup. Numeric hosts go to the real
    function (no DNS query); any other name fails the test: a test never asks a real resolver.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: list[str] | None) -> None:
        self.answers, self.calls = list(answers), []  # type: ignore[var-annotated]
        self._real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host is not None and _numeric(str(host)):
            return self._real(host, port, *args, **kwargs)
        self.calls.append(host)
        assert str(host).endswith(".publisher.org"), f"a test looked up {host!r}"
        answer = self.answers[min(len(self.calls), len(self.answers)) - 1]
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0))
                for a in answer]


def _numeric(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
        return True
    except ValueError:
        return False


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The address of every socket a fetch connects; anything but loopback is refused before it is tried."""
    seen: list[str] = []
    real = socket.socket.connect  # the loopback guard's (tests/loopback_only.py)

    def connect(self: socket.socket, address) -> None:  # type: ignore[no-untyped-def]
        if self.family in (socket.AF_INET, socket.AF_INET6):
            seen.append(address[0])
            if not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
                raise ConnectionRefusedError(f"test: no connection to {address[0]}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def _loopback(host: str) -> bool:
    return _numeric(host) and ipaddress.ip_address(host.split("%")[0]).is_loopback


PUBLIC, LOOPBACK = ["93.184.216.34"], ["127.0.0.1"]


@pytest.mark.parametrize("answers", [
    (PUBLIC, LOOPBACK), (PUBLIC, PUBLIC, LOOPBACK), (PUBLIC, PUBLIC, PUBLIC, LOOPBACK),  # rebinding after n lookups
    (None, LOOPBACK), (None, None, LOOPBACK), (None, None, None, LOOPBACK),  # a failed lookup is not "public"
], ids=lambda a: "-".join("fail" if x is None else "+".join(x) for x in a))
@pytest.mark.parametrize("fetcher", sorted(FETCHERS))
def test_a_name_answering_loopback_after_another_answer_never_reaches_it(pages_server, monkeypatch, connects,  # type: ignore[no-untyped-def]
                                                                         fetcher: str, answers) -> None:
    port = pages_server.url("").rsplit(":", 1)[1].strip("/")
    resolver = _Resolver(monkeypatch, *answers)
    with pytest.raises(DraftError, match="private or local|does not resolve|cannot be fetched"):
        FETCHERS[fetcher](f"http://rebind.publisher.org:{port}/danish.html", LIMITS)
    assert not any(_loopback(h) for h in connects), connects
    assert resolver.calls


@pytest.mark.parametrize("answer", [PUBLIC + LOOPBACK, LOOPBACK + PUBLIC, ["::1"], ["::ffff:127.0.0.1"], ["10.0.0.1"],
                                    PUBLIC * 3 + ["169.254.169.254"]], ids="+".join)
def test_a_name_with_any_local_address_is_refused_where_local_is_not_allowed(pages_server, monkeypatch, connects,  # type: ignore[no-untyped-def]
                                                                             answer: list[str]) -> None:
    port = pages_server.url("").rsplit(":", 1)[1].strip("/")
    _Resolver(monkeypatch, answer)
    url = f"http://rebind.publisher.org:{port}/covers/opengraph-cover.png"
    for fetch in (lambda: read_source(url, LIMITS, local_ok=False), lambda: fetch_image(url, LIMITS, "https://93.184.216.34/r")):
        with pytest.raises(DraftError, match="private or local address"):
            fetch()
    assert connects == []


def test_a_name_is_looked_up_once_and_its_address_is_what_is_connected_to(pages_server, monkeypatch, connects) -> None:  # type: ignore[no-untyped-def]
    port = pages_server.url("").rsplit(":", 1)[1].strip("/")
    resolver = _Resolver(monkeypatch, LOOPBACK, PUBLIC)
    page = read_source(f"http://reports.publisher.org:{port}/danish.html", LIMITS, local_ok=True)
    assert "Grønlands nye rolle i Arktis" in page.html  # type: ignore[operator]
    assert resolver.calls == ["reports.publisher.org"] and connects == ["127.0.0.1"]


def test_a_name_that_does_not_resolve_is_one_clear_error(monkeypatch, connects) -> None:  # type: ignore[no-untyped-def]
    _Resolver(monkeypatch, None)
    with pytest.raises(DraftError, match="does not resolve"):
        read_source("https://gone.publisher.org/r", LIMITS, local_ok=True)
    assert connects == []


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A loopback port whose backlog is full: a new connection waits for an answer that never comes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        fillers.append(s)
    time.sleep(0.2)
    try:
        yield port
    finally:
        for s in fillers:
            s.close()
        server.close()


def test_the_deadline_holds_over_every_address_of_a_name(monkeypatch, connects, unanswered_port: int) -> None:  # type: ignore[no-untyped-def]
    # 8 addresses that never answer: one deadline for them all, not one each
    _Resolver(monkeypatch, LOOPBACK * 8)
    start = time.monotonic()
    with pytest.raises(DraftError, match="timed out"):
        read_source(f"http://many.publisher.org:{unanswered_port}/x", FetchLimits(timeout_seconds=0.3), local_ok=True)
    assert len(connects) < 8 and time.monotonic() - start < 2.0  # 8 × 0.3 s without the shared deadline


def test_a_lookup_that_never_answers_is_held_to_the_deadline(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    release = threading.Event()
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: release.wait(5) and [])
    start = time.monotonic()
    try:
        with pytest.raises(DraftError, match="timed out"):
            read_source("http://slow-dns.publisher.org/x", FetchLimits(timeout_seconds=0.3), local_ok=True)
        assert time.monotonic() - start < 2.0
    finally:
        release.set()


RESERVED = ["https://www.nis.example/r", "http://x.invalid/", "https://a.test./r", "http://A.EXAMPLE:80/r",
            "https://u:p@b.invalid/r?q"]


@pytest.mark.parametrize("source", RESERVED)
def test_a_reserved_name_is_never_looked_up(monkeypatch, source: str) -> None:  # type: ignore[no-untyped-def]
    resolver = _Resolver(monkeypatch)  # any lookup of a name fails the test
    for fetch in (lambda: read_source(source, LIMITS), lambda: fetch_image(source, LIMITS, None),
                  lambda: fetch_image(source, LIMITS, source), lambda: read_source(source, LIMITS, local_ok=False),
                  lambda: fetch_bytes(source, LIMITS, None, lambda t: True, "a feed")):
        with pytest.raises(DraftError, match="reserved name"):
            fetch()
    assert not is_local(source)
    assert resolver.calls == []


def test_a_redirect_to_a_reserved_name_is_never_looked_up(pages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    resolver = _Resolver(monkeypatch)
    with pytest.raises(DraftError, match="reserved name"):
        read_source(pages_server.url("redirect-to?url=http://cms.example/r"), LIMITS)
    assert resolver.calls == []


@pytest.mark.parametrize("source", ["https://alice:pw#x@127.0.0.1:9/p", "http://alice:pa?ss@127.0.0.1/",
                                    "http://bob:hunter#2@h.org/p", "http://u:pa/ss@intranet/x", "http://alice:@/x"])
def test_a_user_name_or_password_is_never_looked_up_as_a_host(monkeypatch, source: str) -> None:  # type: ignore[no-untyped-def]
    # urlsplit reads "alice" as the host of the first; the check must see the host httpx would connect to
    resolver = _Resolver(monkeypatch)
    with pytest.raises(DraftError, match="not a valid address|no host"):
        read_source(source, LIMITS)
    assert resolver.calls == []


def test_the_first_connection_decides_with_its_own_lookup(pages_server, monkeypatch, connects) -> None:  # type: ignore[no-untyped-def]
    """SOURCE's own network decides where later hops and its cover may go, from the one lookup the connection makes."""
    port = pages_server.url("").rsplit(":", 1)[1].strip("/")
    resolver = _Resolver(monkeypatch, LOOPBACK, PUBLIC)
    page = read_source(f"http://reports.publisher.org:{port}/danish.html", LIMITS)
    assert page.local is True and resolver.calls == ["reports.publisher.org"] and connects == ["127.0.0.1"]
    resolver = _Resolver(monkeypatch, LOOPBACK)
    body, local = fetch_with_origin(f"http://feeds.publisher.org:{port}/danish.html", LIMITS, None, lambda t: True, "a feed")
    assert body and local is True and resolver.calls == ["feeds.publisher.org"]  # the feed's items follow this


def test_a_cover_is_held_to_what_the_pages_own_fetch_found(pages_server, monkeypatch, connects) -> None:  # type: ignore[no-untyped-def]
    """A page fetched from a public address may not have its cover on loopback, whatever a later lookup of its name says."""
    resolver = _Resolver(monkeypatch, LOOPBACK)
    with pytest.raises(DraftError, match="private or local address"):
        fetch_image(pages_server.url("covers/opengraph-cover.png"), LIMITS, "http://reports.publisher.org/r", page_local=False)
    assert resolver.calls == [] and connects == []
    assert fetch_image(pages_server.url("covers/opengraph-cover.png"), LIMITS, "http://reports.publisher.org/r", page_local=True)


class _NoSockets(httpcore.SyncBackend):
    """Stands in for the sockets: records where a connection would go, opens none."""

    def __init__(self) -> None:
        self.to: list[str] = []

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[no-untyped-def]
        self.to.append(host)
        return httpcore.MockStream([])


@pytest.mark.parametrize("first, then, refused", [(PUBLIC, LOOPBACK, True), (LOOPBACK, PUBLIC, False), (LOOPBACK, ["10.0.0.1"], False)],
                         ids=["public-then-local", "local-then-public", "local-then-private"])
def test_every_later_connection_is_held_to_what_the_first_found(monkeypatch, first, then, refused) -> None:  # type: ignore[no-untyped-def]
    _Resolver(monkeypatch, first, then)
    backend = DeadlineBackend(time.monotonic() + 5, None)
    sockets = backend._backend = _NoSockets()
    backend.connect_tcp("page.publisher.org", 80)
    assert backend.local_ok is (first == LOOPBACK) and sockets.to == first
    if refused:
        with pytest.raises(LocalAddressRefused):
            backend.connect_tcp("hop.publisher.org", 80)
        assert sockets.to == first
    else:
        backend.connect_tcp("hop.publisher.org", 80)
        assert sockets.to == first + then
