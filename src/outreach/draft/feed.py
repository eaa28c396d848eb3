"""``outreach draft --feed``: an institute's RSS or Atom feed → one drafted campaign per item that has none yet.

An item "has a campaign" when a campaign file in the output folder already names its link as
``report.url`` (compared without UTM tags, fragment or trailing slash), or when the slug its title
gives is taken. Each remaining item's link is read and drafted; an item that fails is skipped with
its reason, and the others go on.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import httpx

from ..errors import DraftError, OutreachError
from ..text import clean_line, visible
from .run import DraftResult, draft_campaign, slugify
from .source import FetchLimits, fetch_bytes

MAX_ITEMS = 200  # a feed longer than this is read in part; the rest waits for the next run
MAX_CAMPAIGN_BYTES = 1_000_000  # a campaign file larger than this is not read for its report.url


@dataclass(frozen=True)
class Skipped:
    """A feed item not drafted, and why."""

    item: str  # its title, else its link
    reason: str


@dataclass
class FeedResult:
    """What one run over a feed did."""

    drafted: list[DraftResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def same_report(url: str) -> str:
    """``url`` as compared between a feed item and a campaign: no fragment, UTM tags or trailing slash; lower-case host."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), query, ""))


def known_reports(folder: Path) -> set[str]:
    """The ``report.url`` of every campaign file in ``folder``, compared as :func:`same_report` does."""
    found: set[str] = set()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            if path.stat().st_size > MAX_CAMPAIGN_BYTES:
                continue
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # a broken campaign is validate's business; it just cannot say which report it is
        url = data.get("report", {}).get("url") if isinstance(data.get("report"), dict) else None
        if isinstance(url, str):
            found.add(same_report(url))
    return found


def _is_feed_type(content_type: str) -> bool:
    """RSS, Atom and plain XML, however a server labels them (some send feeds as text/plain or text/html)."""
    return "xml" in content_type or "rss" in content_type or "atom" in content_type or content_type.startswith("text/")


def read_feed(source: str, limits: FetchLimits, transport: httpx.BaseTransport | None = None) -> list[Any]:
    """The feed's items (feedparser entries), from an http(s) URL or a file; raise :class:`DraftError` when it is not a feed."""
    if urlsplit(source).scheme in ("http", "https"):
        # source.py's fetcher: hand-followed redirects (http/https only), a streamed cap and a total deadline
        data = fetch_bytes(source, limits, transport, _is_feed_type, "an RSS or Atom feed")
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read(limits.max_bytes + 1)
        except OSError as exc:
            raise DraftError(f"{visible(source)}: cannot read the feed ({exc.strerror})") from None
        if len(data) > limits.max_bytes:
            raise DraftError(f"{visible(source)}: the feed is larger than {limits.max_bytes:,} bytes")
    parsed = feedparser.parse(data)  # bytes, never a name: feedparser would fetch a URL-looking string itself
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise DraftError(f"{visible(source)}: not an RSS or Atom feed")
    return list(parsed.entries[:MAX_ITEMS])


def draft_feed(feed_source: str, config: Any, out: Path = Path("campaigns"), *, now: datetime | None = None,
               transport: httpx.BaseTransport | None = None) -> FeedResult:
    """Draft a campaign in ``out`` for each feed item that has none yet; say which were skipped and why."""
    result = FeedResult()
    known = known_reports(Path(out))
    for entry in read_feed(feed_source, FetchLimits.from_config(config.draft), transport):
        link = clean_line(str(entry.get("link") or ""), 2000)
        name = clean_line(str(entry.get("title") or ""), 200) or link or "(an item without title or link)"
        if urlsplit(link).scheme not in ("http", "https"):
            result.skipped.append(Skipped(name, "no http(s) link to the report"))
        elif same_report(link) in known:
            result.skipped.append(Skipped(name, "a campaign already has this report's address"))
        elif (slug := slugify(name)) and (Path(out) / f"{slug}.toml").exists():
            result.skipped.append(Skipped(name, f"{Path(out) / f'{slug}.toml'} exists"))
        else:
            try:
                drafted = draft_campaign(link, config, out=Path(out), now=now, transport=transport)
            except OutreachError as exc:
                result.skipped.append(Skipped(name, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
                continue
            result.drafted.append(drafted)
            known |= {same_report(link), same_report(drafted.url)}
    return result
