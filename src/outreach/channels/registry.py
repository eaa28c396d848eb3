"""The platforms outreach posts to: one line each.

Adding a platform (say LinkedIn):

1. ``channels/linkedin_facts.py``: its counting rule and a :class:`~.facts.PlatformFacts`
   (limit, URL weight, images, alt text, display name, credential variables, client path).
2. ``channels/linkedin.py``: an :class:`~.base.ApiChannel` subclass filling in the steps
   (connect, authenticate, payload/prepare, upload, post) and ``answer_of`` (how its
   library hands over an HTTP answer). The base class does the sequence and the errors.
3. One line below.
4. Its emulator in ``tests/social/emulators.py`` (and a fixture in ``tests/social/conftest.py``).

Its ``[linkedin]`` config table comes from its facts (credentials and ``options``).
"""

from __future__ import annotations

from .bluesky_facts import BLUESKY
from .facts import PlatformFacts
from .linkedin_facts import LINKEDIN
from .mastodon_facts import MASTODON
from .x_facts import X

PLATFORMS: dict[str, PlatformFacts] = {
    X.name: X,
    MASTODON.name: MASTODON,
    BLUESKY.name: BLUESKY,
    LINKEDIN.name: LINKEDIN,
}


def facts(channel: str) -> PlatformFacts:
    """The facts of ``channel``; KeyError for a name that is not a platform."""
    return PLATFORMS[channel]
