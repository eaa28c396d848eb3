"""The platforms outreach posts to: one line each.

Adding a platform (say Threads), the way LinkedIn was added:

1. ``channels/threads_facts.py``: its counting rule and a :class:`~.facts.PlatformFacts`
   (limit, URL weight, images, alt text, display name, credential variables, client path,
   options with their ``checks``, ``threads``/``compose``/``shown_link``/``feed_fold``).
2. ``channels/threads.py``: an :class:`~.base.ApiChannel` subclass filling in the steps
   (connect, authenticate, payload/prepare, upload, post, fetch_reactions) and ``answer_of``
   (how its HTTP library hands over an answer; LinkedIn's is httpx's ``HTTPStatusError``).
   The base class does the sequence and the errors; ``post_is_idempotent`` says whether a
   lost answer may be resent (Mastodon's idempotency key) or is ``unknown`` (X, LinkedIn).
3. One line below.
4. Its emulator, a subclass of ``tests/social/emulators.py``'s ``Emulator`` in a module of its
   own (``tests/social/linkedin_emulator.py``), and a fixture in ``tests/social/conftest.py``.
5. ``metrics.platform_of``: how a post marked posted by hand is known to be on it.

Its ``[threads]`` config table comes from its facts (credentials and ``options``).
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
