"""SOURCE → SourcePage: an http(s) URL fetched within limits, a saved .html page, or a plain-text copy.

Everything read here is hostile: a page may be huge, slow, binary, in an odd
encoding, or redirect to somewhere else. Every read is capped in bytes and time;
every redirect is followed by hand, and each hop must be http(s) and may not
point at a private, loopback or link-local address unless the fetch started on
one (a page on the internet must not make us fetch from the machine's own
network). The cover image (:func:`fetch_image`) and a feed's items are held to
the address of the page or feed that named them. One deadline bounds a whole
fetch, every byte of every hop: each socket read waits at most for the time left.

A URL is shown (messages, the campaign's header comment) only through
:func:`shown`: no user name, password or query ever leaves this module's callers.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from ..errors import DraftError
from ..text import clean_line

if TYPE_CHECKING:
    from ..config import DraftConfig


class SourceKind(str, Enum):
    """What SOURCE was."""

    URL = "url"
    HTML = "html"
    TEXT = "text"


@dataclass(frozen=True)
class SourcePage:
    """A report page as read: HTML (from a URL or a file) or plain text."""

    location: str  # the URL or file path as given, for messages and the campaign's header comment
    kind: SourceKind
    html: str | None  # None for a plain-text copy
    text: str | None  # the file's text for a plain-text copy; None for HTML
    url: str | None  # the final address after redirects (None for a file): base for relative links


@dataclass(frozen=True)
class FetchLimits:
    """How much reading a page or an image may cost: time, bytes, redirects."""

    timeout_seconds: float = 20.0  # per connect/read, and for the whole fetch
    max_bytes: int = 5_000_000
    max_redirects: int = 5

    @classmethod
    def from_config(cls, draft: "DraftConfig") -> "FetchLimits":
        """The limits in the ``[draft]`` table."""
        return cls(draft.fetch_timeout_seconds, draft.fetch_max_bytes, draft.fetch_max_redirects)


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{0,20}://")
_URL_PREFIX_RE = re.compile(r"^\s{0,100}[A-Za-z][A-Za-z0-9+.-]{1,30}:")  # two letters or more: not a drive letter
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_START_RE = re.compile(rb"^\s{0,1000}(<!--.{0,2000}?-->\s{0,100})?<(!doctype\s+html|html[\s>])", re.I | re.S)
_META_CHARSET_RE = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)
_REDIRECTS = (301, 302, 303, 307, 308)
_USER_AGENT = "outreach-draft (reads one report page to draft a campaign)"
HIDDEN = " address not shown (an @ after a ? or # hides where its host starts)"  # after "https:"; never an http address


def without_secrets(url: str) -> str:
    """``url`` without user name, password, query or fragment; text without a scheme (a file path) as it is.

    Plain string work, not a URL parser: it must hold for addresses a parser refuses. User info is
    everything up to the last ``@`` before the first ``/`` or ``\\`` after the scheme; when a ``?`` or
    ``#`` comes before that ``@``, no parser agrees where the host is, and the answer is
    :data:`HIDDEN` (not an http address) rather than a guess that may be part of a password.
    """
    scheme = _URL_PREFIX_RE.match(url)
    if scheme is None:
        return url
    rest = url[scheme.end():]
    slashes = "//" if rest.startswith("//") else ""
    rest = rest[len(slashes):]
    end = min((i for i in (rest.find("/"), rest.find("\\")) if i >= 0), default=len(rest))
    authority, path = rest[:end], rest[end:]
    userinfo = ""
    if "@" in authority:
        userinfo, authority = authority.rsplit("@", 1)
    elif _bad_port(_before_query(authority)) and "@" in path:
        # "user:pa/ss@host": a password with a slash; no parser agrees where the host starts
        userinfo, path = authority + path.rsplit("@", 1)[0], path.rsplit("@", 1)[-1]
        authority, path = path, ""
    if "?" in userinfo or "#" in userinfo:
        return scheme.group().strip() + HIDDEN
    return f"{scheme.group()}{slashes}{_before_query(authority + path)}"


def _before_query(text: str) -> str:
    return text[: min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=len(text))]


def _bad_port(authority: str) -> bool:
    """Whether ``authority`` ends in ``:x`` where x is not a port number (an IPv6 literal's colons aside)."""
    tail = authority.rsplit("]", 1)[-1]
    return ":" in tail and not tail.rsplit(":", 1)[-1].isdigit()


def has_secrets(url: str) -> bool:
    """Whether ``url`` carries a user name, password, query or fragment (which :func:`without_secrets` leaves out)."""
    return without_secrets(url) != url


def shown(url: str) -> str:
    """``url`` for a message or a comment: no user name or password, no query, one safe line."""
    return clean_line(without_secrets(url), 120)


def read_source(source: str, limits: FetchLimits, transport: httpx.BaseTransport | None = None, *,
                local_ok: bool | None = None, resolve: Callable[[str], list[str]] | None = None) -> SourcePage:
    """Read SOURCE: an http(s) URL, a saved ``.html``/``.htm`` page, or a UTF-8 plain-text copy.

    A URL may lead (itself or by a redirect) to a private, loopback or link-local address only when
    ``local_ok``; by default, when SOURCE itself is on one. Raises :class:`DraftError` (one line
    naming SOURCE) when it cannot be read as a page.
    """
    if _SCHEME_RE.match(source):
        check = _local_rule(source, "the page", local_ok, transport, resolve)
        body, final_url, content_type, charset = _fetch(source, limits, transport, _is_html_type, "an HTML page", check)
        if content_type is None and not _HTML_START_RE.match(body):
            raise DraftError(f"{shown(source)}: the server did not say what it sent, and it does not look like HTML")
        html = _decode_html(body, charset)
        _refuse_non_text(html, shown(source), "the page")
        return SourcePage(source, SourceKind.URL, html, None, final_url)
    return _read_file(source, limits)


def is_local(url: str, transport: httpx.BaseTransport | None = None,
             resolve: Callable[[str], list[str]] | None = None) -> bool:
    """Whether ``url``'s host is (or resolves to) a private, loopback, link-local or otherwise non-public address.

    Names are resolved with ``resolve`` (default: the system resolver) only when no ``transport``
    is given: a given transport decides itself where requests go.
    """
    return _is_local(url, _resolver(transport, resolve))


def fetch_image(url: str, limits: FetchLimits, page_url: str | None, transport: httpx.BaseTransport | None = None,
                *, resolve: Callable[[str], list[str]] | None = None) -> bytes:
    """The bytes of the cover image at ``url`` (``image/*`` only), within ``limits``.

    An address on a private, loopback or link-local network (checked at every
    redirect hop) is refused unless the page itself was on such an address.
    """
    local_ok = page_url is not None and is_local(page_url, transport, resolve)
    check = _local_rule(url, "the cover", local_ok, transport, resolve)
    body, _, _, _ = _fetch(url, limits, transport, lambda t: t.startswith("image/"), "an image", check)
    return body


def fetch_bytes(url: str, limits: FetchLimits, transport: httpx.BaseTransport | None, accept: Callable[[str], bool],
                wanted: str) -> bytes:
    """GET ``url`` within ``limits`` (hand-followed http(s) redirects, size cap, deadline); ``accept`` judges its type.

    For other readers (the feed): ``wanted`` names what was expected, for the error message. A redirect
    may lead to a private or local address only when ``url`` itself is on one.
    """
    return _fetch(url, limits, transport, accept, wanted, _local_rule(url, wanted, None, transport, None))[0]


def _resolver(transport: httpx.BaseTransport | None,
              resolve: Callable[[str], list[str]] | None) -> Callable[[str], list[str]] | None:
    return _system_resolve if resolve is None and transport is None else resolve


def _local_rule(url: str, what: str, local_ok: bool | None, transport: httpx.BaseTransport | None,
                resolve: Callable[[str], list[str]] | None) -> Callable[[str], None]:
    """The check run before each hop: no private or local address unless ``local_ok`` (default: ``url`` is local)."""
    resolver = _resolver(transport, resolve)
    allowed = _is_local(url, resolver) if local_ok is None else local_ok

    def check(hop: str) -> None:
        if not allowed and _is_local(hop, resolver):
            raise DraftError(f"{shown(url)}: {what} is on a private or local address ({shown(hop)}); refused")

    return check


def _fetch(url: str, limits: FetchLimits, transport: httpx.BaseTransport | None, accept: Callable[[str], bool],
           wanted: str, check: Callable[[str], None]) -> tuple[bytes, str, str | None, str | None]:
    """GET ``url`` following redirects by hand → (body, final URL, content type or None, charset or None)."""
    deadline = time.monotonic() + limits.timeout_seconds
    # identity: a compressed answer could inflate far beyond max_bytes before the cap sees it
    headers = {"User-Agent": _USER_AGENT, "Accept": "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.1",
               "Accept-Encoding": "identity"}
    first = url
    try:
        with httpx.Client(transport=transport or _deadline_transport(deadline), timeout=limits.timeout_seconds,
                          follow_redirects=False, headers=headers, trust_env=False) as client:
            for _ in range(limits.max_redirects + 1):
                _check_http(url)
                if transport is None and _reserved(url):
                    raise DraftError(f"{shown(url)}: a reserved name (.example, .invalid, .test) that never resolves")
                check(url)
                with client.stream("GET", url) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return _body(response, url, limits, deadline, accept, wanted)
    except httpx.TimeoutException:
        raise DraftError(f"{shown(first)}: timed out (limit {limits.timeout_seconds:g} s for the whole fetch)") from None
    except httpx.InvalidURL:
        raise DraftError(f"{shown(url)}: not a valid address") from None
    except httpx.HTTPError as e:
        raise DraftError(f"{shown(url)}: cannot be fetched ({clean_line(type(e).__name__, 40)})") from None
    except OSError as e:
        raise DraftError(f"{shown(url)}: cannot be fetched ({clean_line(str(e) or type(e).__name__, 80)})") from None
    raise DraftError(f"{shown(url)}: more than {limits.max_redirects} redirects")


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write waits at most until the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _left(self._deadline, timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, each held to one deadline (a server sending a byte at a time cannot outlast it)."""

    def __init__(self, deadline: float) -> None:
        self._backend, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        left = _left(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, left, local_address, socket_options), self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, self._deadline - time.monotonic())))


def _left(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    """The time a socket operation may wait: its own timeout, at most what is left of the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the whole fetch's deadline has passed")
    return left if timeout is None else min(timeout, left)


def _deadline_transport(deadline: float) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(retries=0)
    # httpx has no public hook for the network backend; its pool takes one (httpcore's public API)
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), retries=0,
                                              network_backend=_DeadlineBackend(deadline))
    return transport


def _reserved(url: str) -> bool:
    """RFC 2606/6761 names: looking them up would only leak a query to the resolver."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return host.rsplit(".", 1)[-1] in ("example", "invalid", "test")


def _check_http(url: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise DraftError(f"{shown(url)}: not a valid address") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise DraftError(f"{shown(url)}: only http and https addresses can be read")
    if not host:
        raise DraftError(f"{shown(url)}: the address has no host")


def _body(response: httpx.Response, url: str, limits: FetchLimits, deadline: float,
          accept: Callable[[str], bool], wanted: str) -> tuple[bytes, str, str | None, str | None]:
    """The response's body, after checking its status, type and size as it streams in."""
    if response.status_code >= 400:
        raise DraftError(f"{shown(url)}: the server answered {response.status_code} {clean_line(response.reason_phrase, 40)}")
    if response.status_code != 200:
        raise DraftError(f"{shown(url)}: the server answered {response.status_code}, not a page")
    raw_type = response.headers.get("content-type")
    content_type = raw_type.split(";")[0].strip().lower() if raw_type else None
    if content_type is not None and not accept(content_type):
        raise DraftError(f"{shown(url)}: the server sent {clean_line(content_type, 60)}, not {wanted}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise DraftError(f"{shown(url)}: too big ({int(declared):,} bytes; the limit is {limits.max_bytes:,})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_bytes:
            raise DraftError(f"{shown(url)}: too big (more than {limits.max_bytes:,} bytes)")
        if time.monotonic() > deadline:
            raise DraftError(f"{shown(url)}: timed out (limit {limits.timeout_seconds:g} s)")
        chunks.append(chunk)
    return b"".join(chunks), url, content_type, response.charset_encoding


def _is_html_type(content_type: str) -> bool:
    return content_type in _HTML_TYPES


def _read_file(source: str, limits: FetchLimits) -> SourcePage:
    """A saved page: ``.html``/``.htm`` (or anything starting like HTML) as HTML, else UTF-8 text."""
    path = Path(source)
    name = clean_line(source, 120)
    try:
        if not path.is_file():
            raise DraftError(f"{name}: no such file" if not path.exists() else f"{name}: not a file")
        with path.open("rb") as f:
            data = f.read(limits.max_bytes + 1)
    except OSError as e:
        raise DraftError(f"{name}: cannot be read ({clean_line(e.strerror or type(e).__name__, 60)})") from None
    if len(data) > limits.max_bytes:
        raise DraftError(f"{name}: too big (more than {limits.max_bytes:,} bytes)")
    if b"\x00" in data[:8192]:
        raise DraftError(f"{name}: a binary file, not a page; give an .html page or a plain-text copy")
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or _HTML_START_RE.match(data):
        html = _decode_html(data, None)
        _refuse_non_text(html, name, "the file")
        return SourcePage(source, SourceKind.HTML, html, None, None)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DraftError(f"{name}: not UTF-8 text; save the page as UTF-8 or as .html") from None
    _refuse_non_text(text, name, "the file")
    return SourcePage(source, SourceKind.TEXT, None, text, None)


def _refuse_non_text(text: str, name: str, what: str) -> None:
    """Refuse an empty page, and one that is binary data (NUL bytes, many control or undecodable characters)."""
    if not text.strip():
        raise DraftError(f"{name}: {what} is empty")
    head = text[:8192]
    odd = sum(1 for c in head if (c < " " and c not in "\t\n\r\f") or c in "\x7f\ufffd")
    if "\x00" in head or odd > len(head) // 100:
        raise DraftError(f"{name}: {what} is binary data, not a page; give an .html page or a plain-text copy")


def _decode_html(data: bytes, charset: str | None) -> str:
    """HTML bytes as text: a BOM, else the server's charset, else UTF-8, else the page's <meta charset>."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    for candidate in (charset, "utf-8"):
        if candidate and _known(candidate):
            try:
                return data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
    match = _META_CHARSET_RE.search(data[:8192])
    sniffed = match.group(1).decode("ascii") if match else ""
    return data.decode(sniffed if _known(sniffed) else "windows-1252", errors="replace")


def _known(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name not in ("", "rot-13")
    except LookupError:
        return False


def _system_resolve(host: str) -> list[str]:
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError):
        return []


def _is_local(url: str, resolve: Callable[[str], list[str]] | None) -> bool:
    """Whether ``url``'s host is (or resolves to) a private, loopback, link-local or otherwise non-public address."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    addresses = [host] if _ip(host) else (resolve(host) if resolve else [])
    return any(_non_public(a) for a in addresses)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return None


def _non_public(address: str) -> bool:
    ip = _ip(address)
    if ip is None:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast
