"""Click tracking on the send side: the fixed transformation that wraps an email's links.

The approval covers the email as rendered, with its original links. At send time,
when ``[tracking] clicks`` is not ``off``, :func:`wrap` turns that email into one whose
every trackable link is a personal marker, and :class:`ClickLinks` gives each
recipient's values for them: ``{base_url}/c/<token>``, where the token names the
stored link, the moment the message was built and one message number
(:func:`outreach.tokens.make_click_token`). ``outreach serve`` redirects it to the
link exactly as written, UTM tags included, looked up in the ``links`` table.

The transformation, fixed and documented (the preview says the same):

* trackable: every ``http://`` and ``https://`` link, in ``href="…"`` of ``<a>`` in the
  HTML part and written out in the plain-text part (a URL found only in the text
  part is a link too), including the "view in browser" page;
* never wrapped: the personal unsubscribe link (a marker), anything under
  ``{base_url}`` ``/u/``, ``/unsubscribe``, ``/subscribe``, ``/confirm``,
  ``/preferences`` or ``/c/``, a link holding a personal field (it differs per
  recipient), and ``mailto:``, ``tel:`` or any other scheme;
* in the HTML part only ``href`` values change; visible text stays as written;
* in the text part, exact occurrences of the link URLs are replaced, the longest
  first, so a URL that starts with another link's URL stays one link.

Headers (``List-Unsubscribe``) are never touched: they are not part of a body.
"""

from __future__ import annotations

import enum
import html
import re
import secrets
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from ..render.email import MarkedText, RenderedEmail, markers_of, settle_markers
from ..tokens import ClickClaims, ClickMode, Keyring, make_click_token

CLICK_PATH = "/c/"
NEVER_WRAPPED_PATHS = ("/u/", "/unsubscribe", "/subscribe", "/confirm", "/preferences", CLICK_PATH)
REDIRECT_FORM = "{base_url}/c/<token>"
_CLICK_MARKER = "@@OUTREACH:CLICK:{i}@@"

# ``<a … href="VALUE"``: the value's span is what is rewritten (MJML always writes double quotes)
_A_HREF_RE = re.compile(r"""(<a\s(?:[^>]*?\s)?href=")([^"]*)(")""", re.I)
_LABEL_RE = re.compile(r"""[^>]*>(.*?)</a>""", re.I | re.S)  # what follows the href up to the closing tag
_TAG_RE = re.compile(r"<[^>]+>")
_ALT_RE = re.compile(r'<img\b[^>]*?\salt="([^"]*)"', re.I)
# a URL written in the plain-text part: up to white space, angle brackets or quotes
_TEXT_URL_RE = re.compile(r"""(?i:https?://)[^\s<>"]+""")
_TRAILING = ".,;:!?'"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


class Skip(str, enum.Enum):
    """Why a link is left as written."""

    PERSONAL = "a personal link (the subscriber's own unsubscribe link or a personal field): never wrapped"
    SUBSCRIPTION = "an unsubscribe, sign-up, confirmation or preferences page: never wrapped"
    SCHEME = "not an http(s) link (mailto:, tel:, …): never wrapped"


@dataclass(frozen=True)
class FoundLink:
    """A link of the email as written, in order of first appearance."""

    url: str
    label: str | None  # its visible text where it first appears (None: a bare URL or an image)
    position: int  # 1 = the first link
    skip: Skip | None  # None: it is wrapped when tracking is on


def skip_reason(url: str, base_url: str, markers: Sequence[str] = ()) -> Skip | None:
    """Why ``url`` is never wrapped, or None when it is trackable."""
    if any(m in url for m in markers):
        return Skip.PERSONAL
    lower = url.lower()
    if not (lower.startswith("http://") or lower.startswith("https://")):
        return Skip.SCHEME
    base = base_url.lower().rstrip("/")
    if lower.startswith(base) and any(lower[len(base):].startswith(p) for p in NEVER_WRAPPED_PATHS):
        return Skip.SUBSCRIPTION
    return None


def _text_urls(text: str, known: Sequence[str]) -> list[str]:
    """The URLs written out in a plain-text part that are not ``known`` (the HTML's links).

    At each URL the longest reading wins: a known link that goes on past where a bare URL
    would stop (a quote in it) is that link; a URL that only starts like a known link is
    a URL of its own. Trailing punctuation and unbalanced closing brackets are not part of
    a URL; one that runs into a personal marker holds it (and is never wrapped).
    """
    known_set = set(known)
    by_start: dict[str, list[str]] = {}
    for k in sorted(known_set, key=len, reverse=True):
        by_start.setdefault(k[:8].lower(), []).append(k)
    out, pos = [], 0
    while (match := _TEXT_URL_RE.search(text, pos)) is not None:
        url = _trimmed(match.group(0))
        start = match.start()
        longer = next((k for k in by_start.get(text[start:start + 8].lower(), ()) if len(k) >= len(url) and text.startswith(k, start)), None)
        if longer is not None:
            url = longer
        elif len(url) > len("https://") and url not in known_set:
            out.append(url)
        pos = start + max(len(url), 1)
    return out


def _trimmed(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])):
            url = url[:-1]
            continue
        break
    return url


def find_links(email: RenderedEmail, base_url: str) -> list[FoundLink]:
    """Every distinct link of both parts: the HTML's ``<a href>`` first, then URLs found only in the text."""
    markers = list(markers_of(email.html).values()) + list(markers_of(email.text).values())
    seen: dict[str, FoundLink] = {}
    for match in _A_HREF_RE.finditer(email.html):
        url = html.unescape(match.group(2))
        if url and url not in seen:
            inner = _LABEL_RE.match(email.html, match.end())
            label = _label(inner.group(1)) if inner else ""
            seen[url] = FoundLink(url, label or None, len(seen) + 1, skip_reason(url, base_url, markers))
    for url in _text_urls(email.text, list(seen)):
        if url not in seen:
            seen[url] = FoundLink(url, None, len(seen) + 1, skip_reason(url, base_url, markers))
    return list(seen.values())


def _label(inner: str) -> str:
    """The visible text of a link, or the alt text of its image."""
    text = " ".join(html.unescape(_TAG_RE.sub(" ", inner)).split())
    if not text and (alt := _ALT_RE.search(inner)):
        text = " ".join(html.unescape(alt.group(1)).split())
    return text


@dataclass(frozen=True)
class WrappedEmail:
    """The email with a personal marker in place of each trackable link, and which link each marker names."""

    email: RenderedEmail
    link_of_key: Mapping[str, int]  # marker key ("click:N") -> link id


def _live_key(i: int) -> str:
    return f"click:{i}"


def wrap(email: RenderedEmail, link_ids: Mapping[str, int], base_url: str) -> WrappedEmail:
    """The email with every trackable link in ``link_ids`` (url -> stored id) replaced by a marker.

    Links not in ``link_ids``, and links that are never wrapped, stay as written. The
    markers' text is chosen, like the personal ones, so that it appears nowhere else.
    """
    found = find_links(email, base_url)
    links = [f for f in found if f.skip is None and f.url in link_ids]
    key_of = {f.url: _live_key(i) for i, f in enumerate(links, 1)}
    nonce = secrets.token_hex(12)
    live_clicks = {key: f"@@OUTREACH-LIVE:{key}:{nonce}@@" for key in key_of.values()}
    old = dict(markers_of(email.html))
    old_text = dict(markers_of(email.text))
    html_part = _wrap_html(email.html, key_of, live_clicks)
    text_part = _wrap_text(email.text, key_of, live_clicks, list(old_text.values()), [f.url for f in found])
    # settle each part on its own: the parts may carry different (numbered) personal markers
    (html_part,), html_markers = settle_markers([html_part], {**old, **live_clicks}, lambda n: {**old, **_click_markers(live_clicks, n)})
    (text_part,), text_markers = settle_markers([text_part], {**old_text, **live_clicks}, lambda n: {**old_text, **_click_markers(live_clicks, n)})
    wrapped = replace(email, html=MarkedText(html_part, html_markers), text=MarkedText(text_part, text_markers))
    return WrappedEmail(wrapped, {key_of[url]: link_ids[url] for url in key_of})


def _click_markers(live: Mapping[str, str], n: int) -> dict[str, str]:
    out = {}
    for key in live:
        marker = _CLICK_MARKER.format(i=key.split(":", 1)[1])
        out[key] = marker if n == 0 else f"{marker[:-2]}:{n}@@"
    return out


def _wrap_html(body: str, key_of: Mapping[str, str], live: Mapping[str, str]) -> str:
    """Only ``href`` values change, each trackable one to its marker."""

    def swap(match: re.Match[str]) -> str:
        key = key_of.get(html.unescape(match.group(2)))
        return match.group(0) if key is None else match.group(1) + live[key] + match.group(3)

    return _A_HREF_RE.sub(swap, body)


def _wrap_text(body: str, key_of: Mapping[str, str], live: Mapping[str, str], markers: list[str], every_url: list[str]) -> str:
    """Exact occurrences of the link URLs, longest first, each trackable one to its marker.

    The personal markers and every link (trackable or not) are in one alternation, longest
    first: a URL never matches inside a longer link, and a marker is never cut.
    """
    candidates = sorted(set(every_url) | set(key_of) | set(markers), key=len, reverse=True)
    if not key_of:
        return body
    pattern = re.compile("|".join(re.escape(c) for c in candidates))

    def swap(match: re.Match[str]) -> str:
        key = key_of.get(match.group(0))
        return match.group(0) if key is None else live[key]

    return pattern.sub(swap, body)


class ClickLinks:
    """Each recipient's values for the click markers of a wrapped email: one HMAC per link.

    ``mode`` AGGREGATE numbers each message at random (stored nowhere), INDIVIDUAL by its
    delivery row, TEST with 0.
    """

    def __init__(self, keys: Keyring, base_url: str, mode: ClickMode, link_of_key: Mapping[str, int]) -> None:
        self._keys, self._mode = keys, mode
        self._prefix = base_url.rstrip("/") + CLICK_PATH
        self._links = tuple(link_of_key.items())

    def values(self, sent_at: int, delivery_id: int | None = None) -> dict[str, str]:
        """Marker key -> ``{base_url}/c/<token>`` for one message built at ``sent_at`` (epoch seconds)."""
        if self._mode is ClickMode.AGGREGATE:
            message = secrets.randbits(63)
        elif self._mode is ClickMode.INDIVIDUAL:
            if delivery_id is None:
                raise ValueError("individual click tracking needs the delivery id")
            message = delivery_id
        else:
            message = 0
        keys, mode, prefix = self._keys, self._mode, self._prefix
        return {key: prefix + make_click_token(keys, ClickClaims(mode, link_id, sent_at, message)) for key, link_id in self._links}


def click_mode(setting: str, test_copy: bool = False) -> ClickMode | None:
    """The token mode for ``[tracking] clicks`` (None: off); a test copy's tokens count nothing."""
    if setting == "off":
        return None
    if test_copy:
        return ClickMode.TEST
    return ClickMode.INDIVIDUAL if setting == "individual" else ClickMode.AGGREGATE
