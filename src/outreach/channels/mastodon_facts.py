"""Mastodon: grapheme clusters, every URL counted as 23 and a remote mention ``@user@domain`` as ``@user``;
limit 500 (an instance may publish its own, which the client reads before posting)."""

from __future__ import annotations

import re

import grapheme
from twitter_text import extract_urls_with_indices

from .facts import Credential, PlatformFacts

URL_WEIGHT = 23
_REMOTE_MENTION = re.compile(r"(?<![\w@])(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mastodon_length(text: str) -> int:
    """Mastodon's count: graphemes, URLs as 23, remote mentions by local part."""
    pieces: list[str] = []
    last = 0
    for url in extract_urls_with_indices(text):
        start, end = url["indices"]
        pieces.append(text[last:start])
        pieces.append("x" * URL_WEIGHT)
        last = end
    pieces.append(text[last:])
    return grapheme.length(_REMOTE_MENTION.sub(r"\1", "".join(pieces)))


MASTODON = PlatformFacts(
    name="mastodon", display="Mastodon", limit=500, length=mastodon_length, url_weight=URL_WEIGHT,
    max_images=4, max_image_bytes=16_000_000, image_formats=("PNG", "JPEG", "GIF", "WEBP"), max_alt=1500,
    credentials=(Credential("access_token_env", "MASTODON_ACCESS_TOKEN", "Mastodon access token"),),
    client="outreach.channels.mastodon:MastodonChannel",
    options=(("instance", "https://mastodon.social"),),
)
