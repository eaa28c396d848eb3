"""SOURCE → SourcePage: an http(s) URL fetched within limits, a saved .html page, or a plain-text copy.

Everything read here is hostile: a page may be huge, slow, binary, in an odd
encoding, or redirect to somewhere else. Every read is capped in bytes and time;
every redirect is followed by hand, and each hop must be http(s). The cover image
is fetched the same way (:func:`fetch_image`), and in addition may not point at a
private, loopback or link-local address unless the page itself was on one (a
page on the internet must not make us fetch from the machine's own network).
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
from typing import TYPE_CHECKING, Callable
from urllib.parse import urljoin, urlsplit

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
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_START_RE = re.compile(rb"^\s{0,1000}(<!--.{0,2000}?-->\s{0,100})?<(!doctype\s+html|html[\s>])", re.I | re.S)
_META_CHARSET_RE = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)
_REDIRECTS = (301, 302, 303, 307, 308)
_USER_AGENT = "outreach-draft (reads one report page to draft a campaign)"


def shown(url: str) -> str:
    """``url`` for a message: no user name or password, no query, one safe line."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return clean_line(url, 120)
    if not parts.scheme or not host:
        return clean_line(url, 120)
    return clean_line(f"{parts.scheme}://{host}{port}{parts.path}", 120)


def read_source(source: str, limits: FetchLimits, transport: httpx.BaseTransport | None = None) -> SourcePage:
    """Read SOURCE: an http(s) URL, a saved ``.html``/``.htm`` page, or a UTF-8 plain-text copy.

    Raises :class:`DraftError` (one line naming SOURCE) when it cannot be read as a page.
    """
    if _SCHEME_RE.match(source):
        body, final_url, content_type, charset = _fetch(source, limits, transport, _is_html_type, "an HTML page")
        if content_type is None and not _HTML_START_RE.match(body):
            raise DraftError(f"{shown(source)}: the server did not say what it sent, and it does not look like HTML")
        return SourcePage(source, SourceKind.URL, _decode_html(body, charset), None, final_url)
    return _read_file(source, limits)


def fetch_image(url: str, limits: FetchLimits, page_url: str | None, transport: httpx.BaseTransport | None = None,
                *, resolve: Callable[[str], list[str]] | None = None) -> bytes:
    """The bytes of the cover image at ``url`` (``image/*`` only), within ``limits``.

    An address on a private, loopback or link-local network (checked at every
    redirect hop) is refused unless the page itself was on such an address. Names
    are resolved with ``resolve`` (default: the system resolver) only when no
    ``transport`` is given: a given transport decides itself where requests go.
    """
    if resolve is None and transport is None:
        resolve = _system_resolve
    page_is_local = page_url is not None and _is_local(page_url, resolve)

    def check(hop: str) -> None:
        if not page_is_local and _is_local(hop, resolve):
            raise DraftError(f"{shown(url)}: the cover is on a private or local address ({shown(hop)}); refused")

    body, _, _, _ = _fetch(url, limits, transport, lambda t: t.startswith("image/"), "an image", check)
    return body


def fetch_bytes(url: str, limits: FetchLimits, transport: httpx.BaseTransport | None, accept: Callable[[str], bool],
                wanted: str) -> bytes:
    """GET ``url`` within ``limits`` (hand-followed http(s) redirects, size cap, deadline); ``accept`` judges its type.

    For other readers (the feed): ``wanted`` names what was expected, for the error message.
    """
    return _fetch(url, limits, transport, accept, wanted)[0]


def _fetch(url: str, limits: FetchLimits, transport: httpx.BaseTransport | None, accept: Callable[[str], bool],
           wanted: str, check: Callable[[str], None] | None = None) -> tuple[bytes, str, str | None, str | None]:
    """GET ``url`` following redirects by hand → (body, final URL, content type or None, charset or None)."""
    deadline = time.monotonic() + limits.timeout_seconds
    # identity: a compressed answer could inflate far beyond max_bytes before the cap sees it
    headers = {"User-Agent": _USER_AGENT, "Accept": "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.1",
               "Accept-Encoding": "identity"}
    try:
        with httpx.Client(transport=transport, timeout=limits.timeout_seconds, follow_redirects=False,
                          headers=headers, trust_env=False) as client:
            for _ in range(limits.max_redirects + 1):
                _check_http(url)
                if transport is None and _reserved(url):
                    raise DraftError(f"{shown(url)}: a reserved name (.example, .invalid, .test) that never resolves")
                if check is not None:
                    check(url)
                with client.stream("GET", url) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return _body(response, url, limits, deadline, accept, wanted)
    except httpx.TimeoutException:
        raise DraftError(f"{shown(url)}: timed out (limit {limits.timeout_seconds:g} s)") from None
    except httpx.InvalidURL:
        raise DraftError(f"{shown(url)}: not a valid address") from None
    except httpx.HTTPError as e:
        raise DraftError(f"{shown(url)}: cannot be fetched ({clean_line(type(e).__name__, 40)})") from None
    except OSError as e:
        raise DraftError(f"{shown(url)}: cannot be fetched ({clean_line(str(e) or type(e).__name__, 80)})") from None
    raise DraftError(f"{shown(url)}: more than {limits.max_redirects} redirects")


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
        return SourcePage(source, SourceKind.HTML, _decode_html(data, None), None, None)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DraftError(f"{name}: not UTF-8 text; save the page as UTF-8 or as .html") from None
    if not text.strip():
        raise DraftError(f"{name}: the file is empty")
    return SourcePage(source, SourceKind.TEXT, None, text, None)


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
