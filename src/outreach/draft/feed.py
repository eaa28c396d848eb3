"""``outreach draft --feed``: an institute's RSS or Atom feed → one drafted campaign per item that has none yet.

An item "has a campaign" when a campaign file in the output folder already names its link as
``report.url`` (compared without scheme, UTM tags, fragment or trailing slash), or when the slug its
title gives is taken; after its page is read, also when the page's final or canonical address is
known (checked before anything is written). At most :data:`MAX_ITEMS` of the remaining items are
read per run, the rest are skipped with that reason. An item's page, like every redirect, may not be
on a private or local address unless the feed itself was. An item that fails is skipped with its
reason, and the others go on. Addresses are shown only through :func:`.source.shown`.
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
from .run import ALREADY_DRAFTED, DraftResult, check_out, draft_campaign, slugify
from .source import FetchLimits, fetch_with_origin, shown

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
    """``url`` as compared between a feed item and a campaign: http and https alike; no user info, fragment,
    UTM tags or trailing slash; lower-case host."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return url.strip()
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")])
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    return urlunsplit((scheme, host, parts.path.rstrip("/"), query, ""))


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


def _is_url(source: str) -> bool:
    try:
        return urlsplit(source).scheme in ("http", "https")
    except ValueError:
        return False


def _is_feed_type(content_type: str) -> bool:
    """RSS, Atom and plain XML, however a server labels them (some send feeds as text/plain or text/html)."""
    return "xml" in content_type or "rss" in content_type or "atom" in content_type or content_type.startswith("text/")


def read_feed(source: str, limits: FetchLimits, transport: httpx.BaseTransport | None = None) -> tuple[list[Any], bool]:
    """The feed's items (feedparser entries), from an http(s) URL or a file, and whether the feed was on a
    private or local address (as its own connection found; a file: no). Raise :class:`DraftError` when it is not a feed."""
    local = False
    if _is_url(source):
        # source.py's fetcher: hand-followed redirects (http/https only), a streamed cap and a total deadline
        data, local = fetch_with_origin(source, limits, transport, _is_feed_type, "an RSS or Atom feed")
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read(limits.max_bytes + 1)
        except OSError as exc:
            raise DraftError(f"{visible(shown(source))}: cannot read the feed ({exc.strerror})") from None
        if len(data) > limits.max_bytes:
            raise DraftError(f"{visible(shown(source))}: the feed is larger than {limits.max_bytes:,} bytes")
    parsed = feedparser.parse(data)  # bytes, never a name: feedparser would fetch a URL-looking string itself
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise DraftError(f"{visible(shown(source))}: not an RSS or Atom feed")
    return list(parsed.entries), local  # bounded by max_bytes; the per-run cap is on items to draft, see draft_feed


def _not_new(link: str, known: set[str]) -> str | None:
    """Why the item with this link needs no draft, or None when it may."""
    try:
        scheme = urlsplit(link).scheme
    except ValueError:
        return "the item's link is not a valid address"
    if scheme not in ("http", "https"):
        return "no http(s) link to the report"
    if same_report(link) in known:
        return ALREADY_DRAFTED
    return None


def draft_feed(feed_source: str, config: Any, out: Path = Path("campaigns"), *, now: datetime | None = None,
               transport: httpx.BaseTransport | None = None) -> FeedResult:
    """Draft a campaign in ``out`` for each feed item that has none yet (at most :data:`MAX_ITEMS` a run);
    say which were skipped and why."""
    out = Path(out)
    check_out(out)
    result = FeedResult()
    known = known_reports(out)
    limits = FetchLimits.from_config(config.draft)
    # a feed on the machine's own network may list pages there; a public feed or a file may not
    entries, local_ok = read_feed(feed_source, limits, transport)
    attempted = 0
    for entry in entries:
        link = clean_line(str(entry.get("link") or ""), 2000)
        name = clean_line(str(entry.get("title") or ""), 200) or shown(link) or "(an item without title or link)"
        slug = slugify(name)
        if (reason := _not_new(link, known)) is not None:
            result.skipped.append(Skipped(name, reason))
        elif slug and (out / f"{slug}.toml").exists():
            result.skipped.append(Skipped(name, f"{out / f'{slug}.toml'} exists"))
        elif attempted >= MAX_ITEMS:
            result.skipped.append(Skipped(name, f"over the per-run limit of {MAX_ITEMS}; run again for the rest"))
        else:
            attempted += 1
            try:
                drafted = draft_campaign(link, config, out=out, now=now, transport=transport, local_ok=local_ok,
                                         already=lambda url: same_report(url) in known)
            except OutreachError as exc:
                result.skipped.append(Skipped(name, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
                continue
            result.drafted.append(drafted)
            known |= {same_report(link), same_report(drafted.url)}
    return result
