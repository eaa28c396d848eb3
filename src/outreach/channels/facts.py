"""What outreach knows about a platform, declared once per platform.

Every reader (the campaign loader, ``validate``, rendering, the preview, the
channel clients and the config defaults) takes these numbers from the
platform's :class:`PlatformFacts` through :mod:`outreach.channels.registry`,
never from a constant of its own. This module and the ``*_facts`` modules stay
light (no HTTP client library), so the campaign model can import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from pydantic import BaseModel, ConfigDict, create_model


class PlatformSettings(BaseModel):
    """A platform's table in ``outreach.toml``: the names of the env vars holding its secrets, and its plain options."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Credential:
    """One secret a platform needs: the config setting that names its env var, and that var's default."""

    setting: str  # the field of the platform's config table, e.g. "api_key_env"
    default_env: str  # e.g. "X_API_KEY"
    purpose: str  # what it is, for messages ("X API key"); never its value


@dataclass(frozen=True)
class PlatformFacts:
    """A platform's limits and names, in one place."""

    name: str  # the channel id in campaign files and config tables ("x")
    display: str  # how people call it ("X")
    limit: int  # characters per post, by ``length``
    length: Callable[[str], int]  # the platform's own counting rule
    url_weight: int | None  # characters a link counts for (None: as written)
    max_images: int
    max_image_bytes: int
    image_formats: tuple[str, ...]  # by content, Pillow's names ("PNG", "JPEG", …)
    max_alt: int  # characters of alt text per image
    credentials: tuple[Credential, ...]
    client: str  # "module:Class" of the API client, imported only when posting
    link_card: bool = False  # a post without images carries a link card for the report (Bluesky)
    options: tuple[tuple[str, str], ...] = ()  # plain settings with their defaults, e.g. ("api_base", "https://api.x.com")
    utm_source: str = ""  # defaults to ``name``
    utm_medium: str = "social"

    @property
    def utm(self) -> tuple[str, str]:
        """``utm_source`` and ``utm_medium`` of the report link in this platform's posts."""
        return (self.utm_source or self.name, self.utm_medium)

    @cached_property
    def settings(self) -> type[PlatformSettings]:
        """The model of this platform's ``[name]`` table in the config: one field per credential and option."""
        fields: dict = {c.setting: (str, c.default_env) for c in self.credentials}
        fields.update({option: (str, default) for option, default in self.options})
        return create_model(f"{self.display}Settings", __base__=PlatformSettings,
                            __doc__=f"The [{self.name}] table: {self.display} credentials by env var name, and its options.", **fields)

    def default_env(self, setting: str) -> str:
        """The default env var name of credential ``setting`` (the config model's default)."""
        return next(c.default_env for c in self.credentials if c.setting == setting)

    def secret_envs(self, settings: object | None = None) -> list[str]:
        """The env var names holding this platform's secrets, as ``settings`` (a config table) names them."""
        return [getattr(settings, c.setting, None) or c.default_env for c in self.credentials]
