"""The platforms outreach posts to: one line each. A new platform adds its line here."""

from __future__ import annotations

from .bluesky_facts import BLUESKY
from .facts import PlatformFacts
from .mastodon_facts import MASTODON
from .x_facts import X

PLATFORMS: dict[str, PlatformFacts] = {
    X.name: X,
    MASTODON.name: MASTODON,
    BLUESKY.name: BLUESKY,
}


def facts(channel: str) -> PlatformFacts:
    """The facts of ``channel``; KeyError for a name that is not a platform."""
    return PLATFORMS[channel]
