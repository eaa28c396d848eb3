"""Whether Bluesky's facts show a link as the official app does (host and a short path).

Tests that depend on it are strict xfails until then: they fail loudly if they pass early,
and pass once ``bluesky_facts.compose`` shortens links.
"""

from __future__ import annotations

import pytest

from outreach.channels.registry import PLATFORMS

_LONG = "https://example.org/" + "a" * 40
SHORTENED = PLATFORMS["bluesky"].compose(_LONG).text != _LONG
needs_short_links = pytest.mark.xfail(not SHORTENED, reason="Bluesky's compose does not shorten links yet", strict=True)
