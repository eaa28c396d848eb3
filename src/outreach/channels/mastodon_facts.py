"""Mastodon: grapheme clusters, every URL counted as 23 and a remote mention ``@user@domain`` as ``@user``;
limit 500 (an instance may publish its own, which the client reads before posting).

Followers see a link as Mastodon's ``TextFormatter#link_to_url`` writes it: the
prefix ``http://``, ``https://`` (with a following ``www.``) in an invisible span,
then the next 30 characters, and the rest invisible, with an "…" (the web app's
``.ellipsis::after``) when anything was cut. The prefix match is case-sensitive,
as Mastodon's ``URL_PREFIX_REGEX`` is.
"""

from __future__ import annotations

import re

import grapheme

from .facts import Credential, PlatformFacts

URL_WEIGHT = 23
DISPLAY_CHARS = 30  # characters of a link shown after its hidden prefix
_PREFIX = re.compile(r"\A(https?://(www\.)?|xmpp:)")
_REMOTE_MENTION = re.compile(r"(?<![\w@])(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mastodon_length(text: str) -> int:
    """Mastodon's count: graphemes, URLs as 23, remote mentions by local part."""
    from twitter_text import extract_urls_with_indices  # here: its emoji tables take half a second to load

    pieces: list[str] = []
    last = 0
    for url in extract_urls_with_indices(text):
        start, end = url["indices"]
        pieces.append(text[last:start])
        pieces.append("x" * URL_WEIGHT)
        last = end
    pieces.append(text[last:])
    return grapheme.length(_REMOTE_MENTION.sub(r"\1", "".join(pieces)))


def shown_url(url: str) -> str:
    """A link's visible text in a Mastodon post: no scheme or ``www.``, 30 characters, "…" when longer."""
    prefix = _PREFIX.match(url)
    rest = url[prefix.end():] if prefix else url
    return rest[:DISPLAY_CHARS] + ("…" if len(rest) > DISPLAY_CHARS else "")


MASTODON = PlatformFacts(
    name="mastodon", display="Mastodon", limit=500, length=mastodon_length, url_weight=URL_WEIGHT,
    max_images=4, max_image_bytes=16_000_000, image_formats=("PNG", "JPEG", "GIF", "WEBP"), max_alt=1500,
    credentials=(Credential("access_token_env", "MASTODON_ACCESS_TOKEN", "Mastodon access token"),),
    client="outreach.channels.mastodon:MastodonChannel",
    options=(("instance", "https://mastodon.social"),),
    shown_link=shown_url, page_card=True,  # with no media, Mastodon draws a preview card from the page's tags
)
