"""X (Twitter): twitter-text v3 weighted length (URLs 23, CJK 2, emoji 2), limit 280."""

from __future__ import annotations

from twitter_text import parse_tweet

from .facts import Credential, PlatformFacts


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3)."""
    return parse_tweet(text).weightedLength


X = PlatformFacts(
    name="x", display="X", limit=280, length=x_length, url_weight=23,
    max_images=4, max_image_bytes=5_000_000, image_formats=("PNG", "JPEG", "GIF", "WEBP"), max_alt=1000,
    credentials=(Credential("api_key_env", "X_API_KEY", "X API key"),
                 Credential("api_secret_env", "X_API_SECRET", "X API secret"),
                 Credential("access_token_env", "X_ACCESS_TOKEN", "X access token"),
                 Credential("access_token_secret_env", "X_ACCESS_TOKEN_SECRET", "X access token secret")),
    client="outreach.channels.x:XChannel",
    options=(("api_base", "https://api.x.com"),),
)
