"""SOURCE → SourcePage: an http(s) URL fetched within limits, a saved .html page, or a plain-text copy (stub)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SourceKind(str, Enum):
    """What SOURCE was."""

    URL = "url"
    HTML = "html"
    TEXT = "text"


@dataclass(frozen=True)
class SourcePage:
    """A report page as read: HTML (from a URL or a file) or plain text."""

    location: str  # the URL or file path as given, for messages and the campaign's header comment
    kind: SourceKind
    html: str | None  # None for a plain-text copy
    text: str | None  # the file's text for a plain-text copy; None for HTML
    url: str | None  # the final address after redirects (None for a file): base for relative links
