"""Bluesky: 300 grapheme clusters of the text as posted, where each link is shown as the app shows it.

The official app shortens a link's visible text when it is composed (social-app
``shortenLinks`` with ``toShortUrl``): host plus path, query and fragment, and
when those are longer than 15 characters, their first 13 followed by "...". The
link's facet keeps the full address. outreach sends its posts the same way, so
a report link with its UTM tags costs about 30 graphemes, not 120, and the count
is taken on the text as sent. The app warns before opening a link whose text
names another host than the facet's; the short text always starts with the real
host (as the browser's ``URL.host`` gives it), so it never does.

The lexicon limits of a post record and its link card (``app.bsky.feed.post``,
``app.bsky.richtext.facet``, ``app.bsky.embed.external``) are here too, so
``validate`` checks a campaign against the same numbers the PDS applies.
"""

from __future__ import annotations

import re

import grapheme

from .facts import ComposedText, Credential, LinkSpan, PlatformFacts, link_spans
from .web_url import parse

SHORT_PATH = 15  # characters of path, query and fragment the app shows whole
SHORT_KEEP = 13  # characters kept of a longer one, before "..."
TEXT_MAX_BYTES = 3000  # app.bsky.feed.post text: maxLength (UTF-8 bytes) …
TEXT_MAX_GRAPHEMES = 300  # … and maxGraphemes
TAG_MAX_GRAPHEMES = 64  # app.bsky.richtext.facet#tag: maxGraphemes (the app makes no tag of a longer one) …
TAG_MAX_BYTES = 640  # … and maxLength
THUMB_MAX_BYTES = 1_000_000  # app.bsky.embed.external thumb: maxSize, accept image/*
# @atproto/syntax isValidUri, the lexicon's "uri" format: /^\w+:(?:\/\/)?[^\s/][^\s]*$/ with JavaScript's \w and \s.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_LEXICON_URI = re.compile(f"[A-Za-z0-9_]+:(?://)?[^{_JS_SPACE}/][^{_JS_SPACE}]*")


def short_url(url: str) -> str:
    """A link's visible text as the Bluesky app writes it (``toShortUrl``); an address a browser refuses, as written."""
    parsed = parse(url)
    if parsed is None:
        return url
    path = ("" if parsed.pathname == "/" else parsed.pathname) + parsed.search + parsed.hash
    return parsed.host + (path[:SHORT_KEEP] + "..." if len(path) > SHORT_PATH else path)


def shorten_links(text: str) -> ComposedText:
    """The text as posted: each http(s) link's text shortened, its span carrying the full address (UTM tags included)."""
    pieces: list[str] = []
    links: list[LinkSpan] = []
    size = last = 0
    for start, end in link_spans(text):
        before = text[last:start]
        shown = short_url(text[start:end])
        pieces += [before, shown]
        size += len(before)
        links.append(LinkSpan(size, size + len(shown), text[start:end]))
        size += len(shown)
        last = end
    pieces.append(text[last:])
    return ComposedText("".join(pieces), tuple(links))


def bluesky_length(text: str) -> int:
    """Bluesky's count: grapheme clusters."""
    return grapheme.length(text)


def is_lexicon_uri(value: str) -> bool:
    """Whether ``value`` has the lexicon's ``uri`` format (a scheme, then no white space)."""
    return _LEXICON_URI.fullmatch(value) is not None


BLUESKY = PlatformFacts(
    name="bluesky", display="Bluesky", limit=TEXT_MAX_GRAPHEMES, length=bluesky_length, url_weight=None,
    max_images=4, max_image_bytes=THUMB_MAX_BYTES, image_formats=("PNG", "JPEG", "GIF", "WEBP"), max_alt=2000,
    credentials=(Credential("handle_env", "BLUESKY_HANDLE", "Bluesky handle"),
                 Credential("app_password_env", "BLUESKY_APP_PASSWORD", "Bluesky app password")),
    client="outreach.channels.bluesky:BlueskyChannel", link_card=True,
    options=(("service", "https://bsky.social"),),
    compose=shorten_links,
    shown_link=short_url,
)
