"""``outreach draft SOURCE``: read the page, gather its facts, draw or fetch the cover, write ``<out>/<slug>.toml``."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from ..campaign import SLUG_RE
from ..channels.registry import PLATFORMS
from ..errors import DraftError
from ..text import visible
from .assemble import report_facts
from .facts import ReportFacts
from .posts import PostContext, draft_email, draft_posts, known
from .schedule import draft_schedule
from .source import FetchLimits, SourceKind, SourcePage, read_source
from .writer import CoverFile, Draft, completed, write_campaign

SLUG_FROM_TITLE_MAX = 60
ALREADY_DRAFTED = "a campaign already has this report's address"


@dataclass(frozen=True)
class DraftResult:
    """What ``draft_campaign`` wrote: the campaign file, its slug, the fields marked ``# CHECK:``, and the cover file."""

    path: Path
    slug: str
    checks: tuple[str, ...]
    cover: Path | None
    url: str  # the report address written (a placeholder when the page gave none)


def slugify(text: str, most: int = SLUG_FROM_TITLE_MAX) -> str:
    """``text`` as a campaign id: ASCII, lower case, hyphens, at most ``most`` characters (cut at a hyphen); "" if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("æ", "ae").replace("ø", "oe").replace("Æ", "Ae").replace("Ø", "Oe"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text[:1000]).strip("-")
    if len(slug) > most:
        slug = slug[:most + 1]
        slug = slug[: slug.rfind("-")] if "-" in slug[1:] else slug[:most]
    return slug.strip("-")


def choose_slug(facts: ReportFacts, page: SourcePage, given: str | None) -> str:
    """``--slug`` when given (checked), else from the title, else from the source's name, else "report"."""
    if given is not None:
        if not SLUG_RE.match(given):
            raise DraftError(f"--slug '{visible(given)}': use lower-case letters, digits and dashes (at most 80), starting with a letter or digit")
        return given
    name = Path(urlsplit(page.location).path).stem if page.url else Path(page.location).stem
    return slugify(known(facts.title)) or slugify(name) or "report"


def check_out(out: Path) -> None:
    """Refuse ``--out`` up front when it, or the nearest part of it that exists, is not a directory."""
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "" if existing == out else f" ({visible(existing)} is a file)"
        raise DraftError(f"--out {visible(out)}: not a directory{where}")


def _read(source: str, config: Any, transport: httpx.BaseTransport | None, local_ok: bool | None) -> SourcePage:
    """The page, read within ``[draft]`` fetch limits."""
    return read_source(source, FetchLimits.from_config(config.draft), transport=transport, local_ok=local_ok)


def _cover(facts: ReportFacts, folder: Path, slug: str, config: Any, page: SourcePage,
           transport: httpx.BaseTransport | None, force: bool) -> CoverFile:
    """The cover next to the campaign: the report's own, downloaded and checked, or one drawn from the title."""
    from .cover import cover_for

    result = cover_for(facts, folder, slug, FetchLimits.from_config(config.draft), page.url, transport=transport, force=force,
                       page_local=page.local if page.kind is SourceKind.URL else None)
    return CoverFile(str(result.path), result.origin == "downloaded", result.check)


def _email_list(config: Any) -> tuple[str | None, str | None]:
    """The list the email goes to, and why a person should check it."""
    chosen = config.draft.email_list
    if chosen is not None:
        if chosen not in config.lists:
            raise DraftError(f"[draft] email_list '{visible(chosen)}' is not a list in [lists] ({', '.join(config.lists) or 'none'})")
        return chosen, "[draft] email_list: confirm the audience"
    first = next(iter(config.lists), None)
    return first, "the first list in [lists]: pick the audience"


def _write(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` atomically; without ``force`` an existing file is never replaced, even one made meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the name exists: no check-then-write race
    except FileExistsError:
        raise DraftError(f"{path} exists; give --force to replace it, or --slug for another name") from None
    except OSError as exc:
        raise DraftError(f"{path}: cannot write the campaign ({exc.strerror})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def draft_campaign(source: str, config: Any, *, slug: str | None = None, out: Path = Path("campaigns"), force: bool = False,
                   now: datetime | None = None, transport: httpx.BaseTransport | None = None,
                   local_ok: bool | None = None, already: Callable[[str], bool] | None = None) -> DraftResult:
    """Draft ``<out>/<slug>.toml`` from a report page (https URL, saved .html, or plain-text copy).

    ``local_ok``: whether the page may be on a private or local address (default: when SOURCE is).
    ``already``: whether an address already has a campaign; the page's final and canonical addresses are
    asked before anything is written. Raises :class:`DraftError` (one line) when the source cannot be
    read, the slug is bad, the report is known, or the campaign exists and ``force`` is not given.
    """
    check_out(Path(out))
    page = _read(source, config, transport, local_ok)
    facts = report_facts(page)
    if already is not None and any(already(u) for u in (page.url, facts.url.value) if u):
        raise DraftError(ALREADY_DRAFTED)
    name = choose_slug(facts, page, slug)
    path = Path(out) / f"{name}.toml"
    if path.exists() and not force:
        raise DraftError(f"{path} exists; give --force to replace it, or --slug for another name")
    email_list, list_check = _email_list(config)
    cover = _cover(facts, Path(out), name, config, page, transport, force)
    facts = completed(facts, name, page.url)
    now = now or datetime.now(timezone.utc)
    channels = list(config.draft.channels if config.draft.channels is not None else PLATFORMS)
    ctx = PostContext(facts.url.value, name, tuple(config.draft.hashtags))
    posts = draft_posts(facts, channels, ctx)
    zone = zoneinfo.ZoneInfo(config.draft.timezone)
    draft = Draft(facts=facts, slug=name, source=page.location, drafted_on=now.astimezone(zone).date() if now.tzinfo else now.date(),
                  timezone=config.draft.timezone, email_list=email_list, email_list_check=list_check, email=draft_email(facts),
                  times=draft_schedule(now, config.draft, [p.channel for p in posts]), posts=posts, cover=cover)
    text, checks = write_campaign(draft)
    _write(path, text, force)
    return DraftResult(path, name, checks, Path(out) / cover.image if cover else None, facts.url.value)
