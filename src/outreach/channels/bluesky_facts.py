"""Bluesky: 300 grapheme clusters of the text as posted (a link counts as written)."""

from __future__ import annotations

import grapheme

from .facts import Credential, PlatformFacts


def bluesky_length(text: str) -> int:
    """Bluesky's count: grapheme clusters."""
    return grapheme.length(text)


BLUESKY = PlatformFacts(
    name="bluesky", display="Bluesky", limit=300, length=bluesky_length, url_weight=None,
    max_images=4, max_image_bytes=1_000_000, image_formats=("PNG", "JPEG", "GIF", "WEBP"), max_alt=2000,
    credentials=(Credential("handle_env", "BLUESKY_HANDLE", "Bluesky handle"),
                 Credential("app_password_env", "BLUESKY_APP_PASSWORD", "Bluesky app password")),
    client="outreach.channels.bluesky:BlueskyChannel", link_card=True,
    options=(("service", "https://bsky.social"),),
)
