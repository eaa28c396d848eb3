"""Social channels behind one interface (:mod:`.base`); :func:`channel_for` picks real or outbox.

Light on purpose: the campaign model imports the platform facts from this
package, so the API clients (tweepy, mastodon-py, atproto) are imported only
when a channel is built.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .registry import PLATFORMS, facts

if TYPE_CHECKING:
    from ..config import Config
    from .base import Channel

__all__ = ["PLATFORMS", "channel_for", "client_class", "facts"]


def client_class(name: str) -> type:
    """The API client class of platform ``name`` (imported now, not before)."""
    module, _, cls = facts(name).client.partition(":")
    return getattr(import_module(module), cls)


def channel_for(config: "Config", name: str) -> "Channel":
    """The channel named ``name``: the real API when its credentials are set, else the outbox."""
    from .outbox import OutboxChannel

    cls = client_class(name)
    real = cls.from_config(getattr(config, name))
    return real if real is not None else OutboxChannel(name, config.outbox / "posts", cls.payload)
