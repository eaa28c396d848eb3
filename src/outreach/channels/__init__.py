"""Social channels behind one interface (:mod:`.base`); :func:`channel_for` picks real or outbox."""

from __future__ import annotations

from ..config import Config
from .base import Channel
from .outbox import OutboxChannel


def channel_for(config: Config, name: str) -> Channel:
    """The channel named ``name``: the real API when its credentials are set, else the outbox."""
    if name == "x":
        from .x import XChannel as cls
        real = cls.from_config(config.x)
    elif name == "mastodon":
        from .mastodon import MastodonChannel as cls  # type: ignore[assignment]
        real = cls.from_config(config.mastodon)
    elif name == "bluesky":
        from .bluesky import BlueskyChannel as cls  # type: ignore[assignment]
        real = cls.from_config(config.bluesky)
    else:
        raise KeyError(name)
    return real if real is not None else OutboxChannel(name, config.outbox / "posts", cls.payload)
