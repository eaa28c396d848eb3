"""X (Twitter): twitter-text v3 weighted length (URLs 23, CJK 2, emoji 2), limit 280.

Every link counts 23 whatever its length (X wraps it in t.co); followers see its
``display_url`` instead: the address without its scheme and a leading ``www.``,
the host as written, a path of just "/" left out, and a longer path (with query
and fragment) cut to its first 15 characters and "…". X computes it on its
servers and documents no rule; this one agrees with every pair of
``expanded_url``/``display_url`` in X's own API answers we checked, e.g.
``https://www.youtube.com/channel/UCvRALvKBx3DUKpkukyHDjJQ`` →
``youtube.com/channel/UCvRAL…`` and ``https://www.instagram.com/andrewnguyen03/``
→ ``instagram.com/andrewnguyen03/`` (16 characters after the host are shown whole:
cutting one for the "…" would save nothing).
"""

from __future__ import annotations

import re


from .facts import Credential, PlatformFacts


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3)."""
    from twitter_text import parse_tweet  # here: its emoji tables take half a second to load, and most commands never count

    return parse_tweet(text).weightedLength


DISPLAY_PATH = 15  # characters of path, query and fragment kept in a cut display URL
_PREFIX = re.compile(r"(?i)https?://(?:www\.)?")


def display_url(url: str) -> str:
    """The link's ``display_url``: what X shows in the post instead of the t.co address."""
    rest = url[_PREFIX.match(url).end():] if _PREFIX.match(url) else url
    end = next((i for i, ch in enumerate(rest) if ch in "/?#"), len(rest))
    host, tail = rest[:end], rest[end:]
    if tail == "/":
        tail = ""
    return host + (tail[:DISPLAY_PATH] + "…" if len(tail) > DISPLAY_PATH + 1 else tail)


X = PlatformFacts(
    name="x", display="X", limit=280, length=x_length, url_weight=23,
    max_images=4, max_image_bytes=5_000_000, image_formats=("PNG", "JPEG", "GIF", "WEBP"), max_alt=1000,
    credentials=(Credential("api_key_env", "X_API_KEY", "X API key"),
                 Credential("api_secret_env", "X_API_SECRET", "X API secret"),
                 Credential("access_token_env", "X_ACCESS_TOKEN", "X access token"),
                 Credential("access_token_secret_env", "X_ACCESS_TOKEN_SECRET", "X access token secret")),
    client="outreach.channels.x:XChannel",
    options=(("api_base", "https://api.x.com"),),
    shown_link=display_url, page_card=True,
)
