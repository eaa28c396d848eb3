"""SOURCE → SourcePage: an http(s) URL fetched within limits, a saved .html page, or a plain-text copy.

Everything read here is hostile: a page may be huge, slow, binary, in an odd
encoding, or redirect to somewhere else. Every read is capped in bytes and time;
every redirect is followed by hand, and each hop must be http(s) and may not
point at a private, loopback or link-local address unless the fetch started on
one (a page on the internet must not make us fetch from the machine's own
network). The cover image (:func:`fetch_image`) and a feed's items are held to
the address of the page or feed that named them. One deadline bounds a whole
fetch, every lookup and byte of every hop (deadline.py). On the network a name is
looked up only by the connection, which connects to the very address it checked;
a reserved name (.example, .invalid, .test) is refused before any lookup.

A URL is shown (messages, the campaign's header comment) only through
:func:`shown`: no user name, password or query ever leaves this module's callers.
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from ..config import DraftConfig
from ..errors import DraftError
from ..text import clean_line
from .deadline import DeadlineBackend, LocalAddressRefused, NameNotResolved, deadline_transport, ip_of, lookup, non_public


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
    local: bool = False  # fetched from a private or local address: its cover may be on one too


@dataclass(frozen=True)
class FetchLimits:
    """How much reading a page or an image may cost: time, bytes, redirects."""

    timeout_seconds: float = DraftConfig.model_fields["fetch_timeout_seconds"].default  # for the whole fetch
    max_bytes: int = DraftConfig.model_fields["fetch_max_bytes"].default
    max_redirects: int = DraftConfig.model_fields["fetch_max_redirects"].default

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
_IS_LOCAL_LOOKUP_SECONDS = 5.0
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
        fetched = _fetch(source, limits, transport, _is_html_type, "an HTML page", _Rule("the page", local_ok, resolve))
        body, final_url, content_type, charset = fetched.body, fetched.url, fetched.content_type, fetched.charset
        if content_type is None and not _HTML_START_RE.match(body):
            raise DraftError(f"{shown(source)}: the server did not say what it sent, and it does not look like HTML")
        html = _decode_html(body, charset)
        _refuse_non_text(html, shown(source), "the page")
        return SourcePage(source, SourceKind.URL, html, None, final_url, fetched.local)
    return _read_file(source, limits)


def is_local(url: str, transport: httpx.BaseTransport | None = None,
             resolve: Callable[[str], list[str]] | None = None) -> bool:
    """Whether ``url``'s host is (or resolves to) a private, loopback, link-local or otherwise non-public address.

    Names are resolved with ``resolve`` (default: the system resolver) only when no ``transport``
    is given: a given transport decides itself where requests go.
    """
    return _is_local(url, _resolver(transport, resolve))


def fetch_image(url: str, limits: FetchLimits, page_url: str | None, transport: httpx.BaseTransport | None = None,
                *, resolve: Callable[[str], list[str]] | None = None, page_local: bool | None = None) -> bytes:
    """The bytes of the cover image at ``url`` (``image/*`` only), within ``limits``.

    An address on a private, loopback or link-local network (checked at every redirect hop) is
    refused unless the page itself was on such an address: ``page_local``, as its fetch found it
    (:attr:`SourcePage.local`), else a lookup of ``page_url`` (a saved page: None, never local).
    """
    local_ok = page_local if page_local is not None else (page_url is not None and is_local(page_url, transport, resolve))
    return _fetch(url, limits, transport, lambda t: t.startswith("image/"), "an image",
                  _Rule("the cover", local_ok, resolve)).body


def fetch_bytes(url: str, limits: FetchLimits, transport: httpx.BaseTransport | None, accept: Callable[[str], bool],
                wanted: str) -> bytes:
    """GET ``url`` within ``limits`` (hand-followed http(s) redirects, size cap, deadline); ``accept`` judges its type.

    For other readers (the feed): ``wanted`` names what was expected, for the error message. A redirect
    may lead to a private or local address only when ``url`` itself is on one.
    """
    return fetch_with_origin(url, limits, transport, accept, wanted)[0]


def fetch_with_origin(url: str, limits: FetchLimits, transport: httpx.BaseTransport | None,
                      accept: Callable[[str], bool], wanted: str) -> tuple[bytes, bool]:
    """:func:`fetch_bytes`, and whether ``url`` was on a private or local address (as its own connection found)."""
    fetched = _fetch(url, limits, transport, accept, wanted, _Rule(wanted, None, None))
    return fetched.body, fetched.local


def _resolver(transport: httpx.BaseTransport | None,
              resolve: Callable[[str], list[str]] | None) -> Callable[[str], list[str]] | None:
    return _system_resolve if resolve is None and transport is None else resolve


@dataclass(frozen=True)
class _Rule:
    """Where a fetch may go: a private or local address only when ``local_ok`` (None: when its first URL is on one)."""

    what: str  # "the page", "the cover": for the message
    local_ok: bool | None
    resolve: Callable[[str], list[str]] | None  # a given transport's names (tests); None: the network decides


@dataclass(frozen=True)
class _Fetched:
    """One fetch's answer, and whether it was allowed on private or local addresses."""

    body: bytes
    url: str  # the final address after redirects
    content_type: str | None
    charset: str | None
    local: bool


def _fetch(url: str, limits: FetchLimits, transport: httpx.BaseTransport | None, accept: Callable[[str], bool],
           wanted: str, rule: _Rule) -> _Fetched:
    """GET ``url`` following redirects by hand.

    On the network (no ``transport``) names are looked up only by the connection itself (deadline.py),
    which refuses a local address unless allowed; the check here before each hop sees addresses and
    ``localhost``. A reserved name is refused before anything is looked up.
    """
    deadline = time.monotonic() + limits.timeout_seconds
    # identity: a compressed answer could inflate far beyond max_bytes before the cap sees it
    headers = {"User-Agent": _USER_AGENT, "Accept": "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.1",
               "Accept-Encoding": "identity"}
    first = url
    try:
        _check_hop(url, transport)
        if transport is None:  # the first connection decides, with its own lookup (deadline.py)
            backend = DeadlineBackend(deadline, rule.local_ok)
            allowed, client_transport = (lambda: backend.local_ok), deadline_transport(backend)
        else:
            fixed = _is_local(url, rule.resolve) if rule.local_ok is None else rule.local_ok
            allowed, client_transport = (lambda: fixed), transport
        with httpx.Client(transport=client_transport, timeout=limits.timeout_seconds,
                          follow_redirects=False, headers=headers, trust_env=False) as client:
            for _ in range(limits.max_redirects + 1):
                _check_hop(url, transport)
                if allowed() is False and _is_local(url, rule.resolve if transport is not None else None):
                    raise LocalAddressRefused(url)
                with client.stream("GET", url) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return _Fetched(*_body(response, url, limits, deadline, accept, wanted), bool(allowed()))
    except LocalAddressRefused:
        raise DraftError(f"{shown(first)}: {rule.what} is on a private or local address ({shown(url)}); refused") from None
    except NameNotResolved:
        raise DraftError(f"{shown(url)}: the name does not resolve") from None
    except (httpx.TimeoutException, httpcore.TimeoutException):
        raise DraftError(f"{shown(first)}: timed out (limit {limits.timeout_seconds:g} s for the whole fetch)") from None
    except httpx.InvalidURL:
        raise DraftError(f"{shown(url)}: not a valid address") from None
    except httpx.HTTPError as e:
        raise DraftError(f"{shown(url)}: cannot be fetched ({clean_line(type(e).__name__, 40)})") from None
    except OSError as e:
        raise DraftError(f"{shown(url)}: cannot be fetched ({clean_line(str(e) or type(e).__name__, 80)})") from None
    raise DraftError(f"{shown(url)}: more than {limits.max_redirects} redirects")


def _check_hop(url: str, transport: httpx.BaseTransport | None) -> None:
    """Refuse what is not http(s) with a host, and (on the network) a reserved name, before any lookup."""
    _check_http(url)
    if transport is None and _reserved(url):
        raise DraftError(f"{shown(url)}: a reserved name (.example, .invalid, .test) that never resolves")


def _reserved(url: str) -> bool:
    """RFC 2606/6761 names: looking them up would only leak a query to the resolver."""
    return _reserved_host(_host(url))


def _host(url: str) -> str:
    """The host httpx will connect to (IDNA-encoded, lower case, no final dot); raises httpx.InvalidURL.

    httpx's parser, not urlsplit: the two disagree on hostile addresses ("https://alice:pw#x@host/"
    is host "alice" to urlsplit), and a check must look at the host the connection would use.
    """
    return httpx.URL(url).raw_host.decode("ascii").rstrip(".").lower()


def _reserved_host(host: str) -> bool:
    return host.rsplit(".", 1)[-1] in ("example", "invalid", "test")


def _check_http(url: str) -> None:
    """Refuse what is not an http(s) address with a host, as httpx would read it."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        raise DraftError(f"{shown(url)}: not a valid address") from None
    if scheme not in ("http", "https"):
        raise DraftError(f"{shown(url)}: only http and https addresses can be read")
    try:
        host = _host(url)
    except (httpx.InvalidURL, UnicodeError):
        raise DraftError(f"{shown(url)}: not a valid address") from None
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
    """For :func:`is_local` alone; a fetch looks names up in its connection (deadline.py)."""
    try:
        return lookup(host, time.monotonic() + _IS_LOCAL_LOOKUP_SECONDS)
    except httpcore.TimeoutException:
        return []  # not taken as local: a fetch relying on this is the stricter for it


def _is_local(url: str, resolve: Callable[[str], list[str]] | None) -> bool:
    """Whether ``url``'s host is (or resolves to) a private, loopback, link-local or otherwise non-public address."""
    try:
        host = _host(url)
    except (httpx.InvalidURL, UnicodeError):
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    if ip_of(host) is None and _reserved_host(host):
        return False  # never resolves: looking it up would only leak a query
    addresses = [host] if ip_of(host) else (resolve(host) if resolve else [])
    return any(non_public(a) for a in addresses)
