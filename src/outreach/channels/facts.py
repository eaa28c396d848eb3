"""What outreach knows about a platform, declared once per platform.

Every reader (the campaign loader, ``validate``, rendering, the preview, the
channel clients and the config defaults) takes these numbers from the
platform's :class:`PlatformFacts` through :mod:`outreach.channels.registry`,
never from a constant of its own. This module and the ``*_facts`` modules stay
light (no HTTP client library), so the campaign model can import them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Callable

from pydantic import AfterValidator, BaseModel, ConfigDict, create_model

# A link as the platforms' own finders take it (twitter-text, the Bluesky app's detectFacets, LinkedIn): http(s)://
# after no word or address character, up to white space, a direction mark or a character no address holds unescaped;
# less the sentence's closing punctuation and a ')' that closes nothing inside it (Wikipedia's addresses keep theirs).
_LINK_RUN = re.compile(r"(?<![\w@./:-])https?://[^\s<>\"'`\[\]{}|\\^\u200e\u200f\u202a-\u202e\u2066-\u2069）]+", re.IGNORECASE)
_CLOSING = ".,;:!?'\"*…»”’）"
# A host a link finder takes: dotted labels ending in a real-looking top-level label, localhost, or an IP address.
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\.?|localhost"
                   r"|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]", re.IGNORECASE)
# A hashtag as the feeds draw it (and LinkedIn keeps unescaped): '#' and word characters, after no word character or '#'.
HASHTAG = re.compile(r"(?<![\w#])#\w+")
# Settings every platform table has that only the preview reads: they never mean "this platform is configured".
PREVIEW_SETTINGS = (("account_name", ""), ("account_handle", ""))


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
class LinkSpan:
    """A link in a post's text as posted: its visible text at ``text[start:end]`` (characters), and the address it opens."""

    start: int
    end: int
    uri: str


@dataclass(frozen=True)
class ComposedText:
    """A post's text as the platform receives (and counts) it, with where its links are."""

    text: str
    links: tuple[LinkSpan, ...] = ()


def _has_host(url: str) -> bool:
    """Whether a link's authority names a host a link finder takes (``https://(internal)`` and ``https://{slug}.org`` do not)."""
    authority = re.split(r"[/?#]", url.split("://", 1)[1], maxsplit=1)[0].rsplit("@", 1)[-1]
    host = authority if authority.endswith("]") else re.sub(r":\d*$", "", authority)
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    return _HOST.fullmatch(host) is not None


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text``'s http(s) links are, as (start, end) character offsets, the way the platforms find them."""
    spans = []
    for match in _LINK_RUN.finditer(text):
        url = match.group(0)
        while url and (url[-1] in _CLOSING or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        if "://" in url and _has_host(url):
            spans.append((match.start(), match.start() + len(url)))
    return spans


def plain_links(text: str) -> ComposedText:
    """The text unchanged, each http(s) link shown as written (X, Mastodon, LinkedIn)."""
    return ComposedText(text, tuple(LinkSpan(a, b, text[a:b]) for a, b in link_spans(text)))


def as_written(url: str) -> str:
    """A link's visible text where the feed shows it as it was written."""
    return url


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
    threads: bool = True  # False: a post is one text (LinkedIn)
    compose: Callable[[str], ComposedText] = plain_links  # the text as sent, from the text as rendered (Bluesky shortens links)
    shown_link: Callable[[str], str] = as_written  # a link's visible text in the feed, from its address (X's display URL)
    feed_fold: int | None = None  # characters the feed shows before its "…see more" (LinkedIn); None: shown whole
    feed_fold_lines: int | None = None  # … or fewer: the lines it shows, a line break starting a new one (LinkedIn: 3)
    handle_prefix: str = "@"  # how the feed writes the account's handle; "" where it shows a line as written (a LinkedIn page's tagline)
    page_card: bool = False  # with no image, the platform draws a card from the linked page's own tags (X)
    checks: tuple[tuple[str, Callable[[str], str]], ...] = ()  # (option, check): raises ValueError for a bad value

    @property
    def utm(self) -> tuple[str, str]:
        """``utm_source`` and ``utm_medium`` of the report link in this platform's posts."""
        return (self.utm_source or self.name, self.utm_medium)

    @cached_property
    def settings(self) -> type[PlatformSettings]:
        """The model of this platform's ``[name]`` table in the config: one field per credential and option."""
        fields: dict = {c.setting: (str, c.default_env) for c in self.credentials}
        rules = dict(self.checks)
        fields.update({option: (Annotated[str, AfterValidator(rules[option])] if option in rules else str, default)
                       for option, default in self.options})
        fields.update({option: (str, default) for option, default in PREVIEW_SETTINGS})
        return create_model(f"{self.display}Settings", __base__=PlatformSettings,
                            __doc__=f"The [{self.name}] table: {self.display} credentials by env var name, and its options.", **fields)

    def default_env(self, setting: str) -> str:
        """The default env var name of credential ``setting`` (the config model's default)."""
        return next(c.default_env for c in self.credentials if c.setting == setting)

    def secret_envs(self, settings: object | None = None) -> list[str]:
        """The env var names holding this platform's secrets, as ``settings`` (a config table) names them."""
        return [getattr(settings, c.setting, None) or c.default_env for c in self.credentials]
