"""The typed values of a draft: what a page states, where it was found, and what a person must check.

Each reader of a page (structured metadata, the page's own words) returns a
:class:`PageFacts` whose fields are ``None`` where it found nothing. :func:`merge`
takes, field by field, the first reader that found it; :class:`ReportFacts` is
the result, with every field present (a missing one is an empty value marked
for checking).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class Origin(str, Enum):
    """Where a value came from, best first."""

    JSON_LD = "JSON-LD"
    HIGHWIRE = "citation_* meta tags"
    OPENGRAPH = "OpenGraph"
    MICRODATA = "microdata"
    META = "HTML <meta>/<title>"
    BODY = "the page's text"
    MISSING = "nowhere: not in the page"


@dataclass(frozen=True)
class Found(Generic[T]):
    """One value read from a page.

    ``check`` is why a person must confirm it (a guess, a heuristic, a value the page
    does not state); ``None`` when the page states it plainly in structured metadata
    or in a labelled place.
    """

    value: T
    origin: Origin
    check: str | None = None

    def flagged(self, reason: str) -> "Found[T]":
        """The same value, marked for checking with ``reason`` (an earlier reason is kept)."""
        return replace(self, check=self.check or reason)


@dataclass(frozen=True)
class ExpertFacts:
    """A contact named on the page; "" where the page does not give a part."""

    name: str
    role: str = ""
    unit: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class PageFacts:
    """What one reader found in a page; ``None`` where it found nothing."""

    title: Found[str] | None = None
    subtitle: Found[str] | None = None
    headline: Found[str] | None = None
    series: Found[str] | None = None  # "DIIS Report", "Policy Brief"
    authors: Found[tuple[str, ...]] | None = None
    published: Found[date] | None = None
    regions: Found[tuple[str, ...]] | None = None
    topics: Found[tuple[str, ...]] | None = None
    abstract: Found[tuple[str, ...]] | None = None  # the lead paragraphs, each one string
    key_arguments: Found[tuple[str, ...]] | None = None
    experts: Found[tuple[ExpertFacts, ...]] | None = None
    cover_url: Found[str] | None = None  # absolute (resolved against the page's address)
    cover_alt: Found[str] | None = None  # only ever the page's own alt text; never invented
    url: Found[str] | None = None  # the canonical report address
    language: Found[str] | None = None  # BCP 47, e.g. "en", "da"
    paragraphs: tuple[str, ...] = ()  # the page's main text, paragraph by paragraph, for claims


@dataclass(frozen=True)
class ReportFacts:
    """Every field of a report, merged from all readers; missing ones are empty and flagged."""

    title: Found[str]
    subtitle: Found[str]
    headline: Found[str]
    series: Found[str]
    authors: Found[tuple[str, ...]]
    published: Found[date | None]
    regions: Found[tuple[str, ...]]
    topics: Found[tuple[str, ...]]
    abstract: Found[tuple[str, ...]]
    key_arguments: Found[tuple[str, ...]]
    experts: Found[tuple[ExpertFacts, ...]]
    cover_url: Found[str]
    cover_alt: Found[str]
    url: Found[str]
    language: Found[str]
    paragraphs: tuple[str, ...] = ()


_EMPTY: dict[str, object] = {
    "title": "", "subtitle": "", "headline": "", "series": "", "authors": (), "published": None,
    "regions": (), "topics": (), "abstract": (), "key_arguments": (), "experts": (),
    "cover_url": "", "cover_alt": "", "url": "", "language": "",
}


def merge(*readers: PageFacts) -> ReportFacts:
    """Field by field, the first reader's value that is not ``None`` and not empty.

    A value without a ``check`` (stated plainly) wins over an earlier reader's guess. A field no reader found is an empty value from :attr:`Origin.MISSING`, flagged
    "not found in the page". ``paragraphs`` is the first non-empty one.
    """
    merged: dict[str, object] = {}
    for name, empty in _EMPTY.items():
        candidates = [f for r in readers if (f := getattr(r, name)) is not None and f.value not in ("", (), None)]
        # What a page states plainly beats a guess from an earlier reader (a teaser
        # og:description loses to the page's own lead paragraphs).
        found = next((f for f in candidates if f.check is None), candidates[0] if candidates else None)
        merged[name] = found if found is not None else Found(empty, Origin.MISSING, "not found in the page")
    paragraphs = next((r.paragraphs for r in readers if r.paragraphs), ())
    return ReportFacts(paragraphs=paragraphs, **merged)  # type: ignore[arg-type]


def field_names() -> tuple[str, ...]:
    """The report fields, in the order a campaign file lists them."""
    return tuple(f.name for f in fields(ReportFacts) if f.name != "paragraphs")
