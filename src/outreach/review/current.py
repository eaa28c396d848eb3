"""The server's current version of a campaign under review: what its file renders to now, stored as a version.

A review page shows the campaign as it renders *now*, so an edit to the
campaign file shows on the next page load. :class:`CurrentVersions` renders the
file named by the campaign's latest stored version (``source_path``) with
:func:`outreach.validate.check` and stores it with
:func:`outreach.review.snapshot.snapshot` (once per content hash). GETs under load
must not re-render each time: a render is kept while the stat of the campaign
file and of every file it names (images, the folder's email templates) is
unchanged (looked at on every request: a few stat calls), for at most
:data:`CACHE_SECONDS` (an edit that kept a file's size within one timestamp tick
still shows after that). A POST asks for a fresh render (``fresh=True``); POSTs that
arrive together share one.

When this server cannot read the campaign file (it was moved, or ``serve`` runs
on another host sharing the database), the latest stored version is shown with a
one-line reason and may still be decided on: a decision records a hash, and
dispatch counts only approvals of what renders where it runs. When the file is
there but no longer validates or renders, the latest stored version is shown and
nothing may be approved, though changes may still be asked for.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine

from ..campaign import Campaign, read_campaign
from ..config import Config
from ..errors import CampaignError, OutreachError
from ..store.reviews import StoredVersion, latest_version
from ..text import visible
from ..plan import Plan
from ..validate import check
from .snapshot import snapshot

CACHE_SECONDS = 10.0  # the longest a render is served while the files' stats stay the same
MAX_TEMPLATE_FILES = 100  # files of a campaign folder's templates/ that are watched


class Standing(str, enum.Enum):
    """Where the version a review page shows comes from."""

    FRESH = "fresh"  # the campaign file rendered now
    UNREADABLE = "unreadable"  # this server cannot read the file: the latest stored version, which may be decided on
    BROKEN = "broken"  # the file no longer validates or renders: the latest stored version; changes may be asked for


@dataclass(frozen=True)
class Current:
    """The version a review page shows, and why it is not a fresh render when it is not."""

    version: StoredVersion
    problem: str | None = None  # one line: why this is not a fresh render
    title: str | None = None  # the report's title, when the file could be read
    plan: Plan | None = None  # the fresh render (None with a problem): what approval_state counts against
    standing: Standing = Standing.FRESH

    def __post_init__(self) -> None:
        if (self.problem is None) != (self.standing is Standing.FRESH):
            raise ValueError("a Current has a problem exactly when it is not a fresh render")

    @property
    def approvable(self) -> bool:
        """Whether this version may be approved: a fresh render, or the stored one when this server cannot read the file."""
        return self.standing is not Standing.BROKEN


Fingerprint = tuple[tuple[str, int, int, int], ...]


@dataclass
class _Entry:
    source: str | None
    files: tuple[Path, ...]
    fingerprint: Fingerprint
    current: Current
    rendered_at: float


class CurrentVersions:
    """Renders and caches the current version of each campaign under review (thread-safe; one per server)."""

    def __init__(self, config: Config, engine: Engine, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.config, self.engine, self.ttl, self.clock = config, engine, ttl, clock
        self.renders = 0  # how many times a campaign file was rendered (the load test reads it)
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, campaign: str, fresh: bool = False) -> Current | None:
        """The current version of ``campaign`` (None when no version of it was ever stored).

        ``fresh``: render now (a POST), unless a render started after this call is already done.
        """
        asked = self.clock()
        with self._lock(campaign):
            entry = self._entries.get(campaign)
            # an unreadable file is looked for again on every request: `outreach review` from where it moved is followed at once
            if entry is not None and entry.current.standing is not Standing.UNREADABLE and (entry.rendered_at >= asked or (
                    not fresh and self.clock() - entry.rendered_at < self.ttl and _fingerprint(entry.files) == entry.fingerprint)):
                return entry.current
            latest = latest_version(self.engine, campaign)
            if latest is None:
                return None
            files = entry.files if entry is not None and entry.source == latest.source_path else _named(latest.source_path, None)
            before = _fingerprint(files)
            started = self.clock()
            current, campaign_file = self._render(latest)
            named = _named(latest.source_path, campaign_file)
            stamp = before if named == files else _fingerprint(named)
            self._entries[campaign] = _Entry(latest.source_path, named, stamp, current, started)
            return current

    def _lock(self, campaign: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(campaign, threading.Lock())

    def _render(self, latest: StoredVersion) -> tuple[Current, Campaign | None]:
        """Render the campaign file now: its stored version, or the latest stored one with the reason it is not fresh."""
        self.renders += 1
        when = f"{latest.created_at:%Y-%m-%d %H:%M} UTC"
        if not latest.source_path or not _readable(Path(latest.source_path)):
            name = visible(Path(latest.source_path).name) if latest.source_path else "the campaign file"
            return Current(latest, f"This server cannot read the campaign file ({name}), so this is the version stored {when}: "
                                   "a decision here is about that version, and dispatch still compares it with what the "
                                   "campaign renders where dispatch runs", standing=Standing.UNREADABLE), None
        path = Path(latest.source_path)
        campaign, shape = read_campaign(path)
        try:
            checked = check(campaign, self.config) if campaign is not None and not shape else None
            errors = shape if checked is None else checked.errors
            title = campaign.report.title if campaign is not None else None
            if checked is None or errors:
                return _broken(latest, f"{visible(path.name)} no longer validates ({_first(errors)})", when, title), campaign
            if checked.plan.campaign.slug != latest.campaign:
                return _broken(latest, f"{visible(path.name)} is now another campaign", when, title), campaign
            return Current(snapshot(self.engine, checked, self.config), None, title, checked.plan), campaign
        except OutreachError as exc:
            reason = visible(str(exc).splitlines()[0]) if str(exc) else exc.__class__.__name__
            return _broken(latest, f"{visible(path.name)} does not render ({reason})", when,
                           campaign.report.title if campaign else None), campaign


def _broken(latest: StoredVersion, why: str, when: str, title: str | None) -> Current:
    """The latest stored version of a campaign whose file is there but does not render: changes may be asked for."""
    return Current(latest, f"{why}: this is the version stored {when}, and it cannot be approved; you can still ask for changes",
                   title, standing=Standing.BROKEN)


def _readable(path: Path) -> bool:
    """Whether this server can open ``path`` as a file (not a folder, a pipe, or a file it may not read)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb"):
            return True
    except OSError:
        return False


def _first(errors: list[CampaignError]) -> str:
    if not errors:
        return "unknown problem"
    first = errors[0]
    where = f"line {first.line}: " if first.line is not None else ""
    more = f"; {len(errors) - 1} more" if len(errors) > 1 else ""
    return visible(f"{where}{first.field + ': ' if first.field else ''}{first.message}{more}")


def _named(source: str | None, campaign: Campaign | None) -> tuple[Path, ...]:
    """The campaign file and every file it names (images), with the email templates of its folder."""
    if not source:
        return ()
    path = Path(source)
    files = [path]
    if campaign is not None:
        files += [campaign.folder / relative for relative, _ in campaign.image_fields()]
    templates = path.parent / "templates"
    if templates.is_dir():
        files += sorted(p for p in templates.rglob("*") if p.is_file())[:MAX_TEMPLATE_FILES]
    return tuple(files)


def _fingerprint(files: tuple[Path, ...]) -> Fingerprint:
    """The stat of each file (a missing one as zeros): any edit, replacement or removal changes it."""
    out = []
    for path in files:
        try:
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append((str(path), 0, 0, 0))
    return tuple(out)
