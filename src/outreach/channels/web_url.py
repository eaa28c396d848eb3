"""A web address read the way browsers read it (the WHATWG URL standard), for http and https only.

Bluesky's app shows a link from the browser's ``URL`` object (its ``host``,
``pathname``, ``search`` and ``hash``), so shortening a link as the app does
needs those parts exactly as a browser gives them: the host in lower case and
punycode, without user info and without the scheme's default port; the path
with its dot segments resolved and ``\\`` read as ``/``; non-ASCII characters
(and the few ASCII ones the standard escapes) percent-encoded. Python's
``urllib.parse`` does none of this, hence this small reader. It covers what a
campaign's links can hold (no white space: they come from
:func:`~outreach.channels.facts.link_spans`); anything it cannot read is
``None``, and the caller shows that link as written.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import idna

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
DEFAULT_PORTS = {"http": 80, "https": 443}
# The standard's "forbidden domain code points": a host holding one is not a URL at all.
_FORBIDDEN_HOST = frozenset("\x00\t\n\r #/:<>?@[\\]^|%\x7f") | frozenset(chr(c) for c in range(0x20))
# Percent-encode sets (WHATWG URL, 1.3): what each part escapes besides C0 controls and non-ASCII.
_PATH_SET = frozenset(' "#<>?`{}')  # the standard added ^ in 2024; browsers and Node do not escape it yet
_QUERY_SET = frozenset(" \"#<>'")  # the special-query set (http and https are special schemes)
_FRAGMENT_SET = frozenset(' "<>`')
_SINGLE_DOT = frozenset({".", "%2e"})
_DOUBLE_DOT = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


@dataclass(frozen=True)
class WebUrl:
    """An http(s) address's parts as a browser's ``URL`` object gives them."""

    scheme: str  # "http" or "https"
    hostname: str  # lower case, punycode; an IPv6 address in brackets
    port: int | None  # None for the scheme's default
    pathname: str  # starts with "/"
    search: str  # "" or "?…"
    hash: str  # "" or "#…"

    @property
    def host(self) -> str:
        """The hostname with its port when that is not the scheme's default (``URL.host``)."""
        return self.hostname if self.port is None else f"{self.hostname}:{self.port}"


def parse(url: str) -> WebUrl | None:
    """The parts of an http(s) address as a browser reads them; None for another scheme or an address it refuses."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(chr(c) for c in range(0x21))))
    scheme = _SCHEME.match(url)
    if scheme is None or scheme.group(1).lower() not in DEFAULT_PORTS:
        return None
    kind = scheme.group(1).lower()
    rest = url[scheme.end():].lstrip("/\\")  # a special scheme skips any slashes before the authority
    end = next((i for i, ch in enumerate(rest) if ch in "/\\?#"), len(rest))
    authority, rest = rest[:end], rest[end:]
    server = _server(authority.rpartition("@")[2], kind)
    if server is None:
        return None
    rest, _, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    search = _encoded(query, _QUERY_SET) if query else ""
    return WebUrl(kind, server[0], server[1], _pathname(path), "?" + search if search else "",
                  "#" + _encoded(fragment, _FRAGMENT_SET) if fragment else "")


def _server(text: str, scheme: str) -> tuple[str, int | None] | None:
    """(hostname, port) of an authority without its user info; None when the standard refuses it."""
    if text.startswith("["):
        close = text.find("]")
        host_text, after = text[:close + 1], text[close + 1:]
        if close < 0 or (after and not after.startswith(":")):
            return None
        port_text = after[1:]
    else:
        host_text, _, port_text = text.partition(":")
    port = _port(port_text, scheme) if port_text else None
    if port_text and port == -1:
        return None
    hostname = _hostname(host_text)
    return None if hostname is None else (hostname, port)


def _port(text: str, scheme: str) -> int | None:
    """The port, None for the scheme's default, -1 when it is not one."""
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        return -1
    number = int(text)
    return None if number == DEFAULT_PORTS[scheme] else number


def _hostname(text: str) -> str | None:
    """The host as the standard serialises it: an IPv6 or IPv4 address, or a domain in lower-case punycode."""
    if text.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(text[1:-1]).compressed}]"
        except ValueError:
            return None
    try:
        domain = unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not domain:
        return None
    if not domain.isascii() or any(label.lower().startswith("xn--") for label in domain.split(".")):
        try:
            domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    domain = domain.lower()
    if not domain or any(ch in _FORBIDDEN_HOST for ch in domain):
        return None
    try:
        return _ipv4(domain) or domain
    except ValueError:
        return None


def _ipv4(domain: str) -> str | None:
    """A domain that ends in a number is an IPv4 address (decimal, 0x hex or 0 octal parts): dotted decimal.

    None for a domain that does not end in a number; ValueError for one that does but is no address."""
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    last = parts[-1]
    if not (last.isdigit() or re.fullmatch(r"0x[0-9a-f]*", last)):
        return None
    numbers = []
    for part in parts:
        match = re.fullmatch(r"0x([0-9a-f]*)|(0[0-7]*)|([1-9][0-9]*)", part)
        if match is None:
            raise ValueError(domain)
        hexa, octal, decimal = match.groups()
        numbers.append(int(hexa or "0", 16) if hexa is not None else int(octal, 8) if octal is not None else int(decimal))
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(domain)  # the standard calls this a failure, not a domain
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return str(ipaddress.IPv4Address(value))


def _pathname(path: str) -> str:
    """The path with ``\\`` as ``/``, dot segments resolved, and each segment percent-encoded."""
    segments: list[str] = []
    pieces = path.replace("\\", "/").split("/")[1:] if path else [""]
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        if piece.lower() in _DOUBLE_DOT:
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif piece.lower() in _SINGLE_DOT:
            if last:
                segments.append("")
        else:
            segments.append(_encoded(piece, _PATH_SET))
    return "/" + "/".join(segments)


def _encoded(part: str, escaped: frozenset[str]) -> str:
    """``part`` with C0 controls, DEL-and-above and the part's own set percent-encoded as UTF-8; ``%`` kept."""
    return "".join(ch if " " < ch < "\x7f" and ch not in escaped else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
                   for ch in part)
