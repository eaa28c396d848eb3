"""HTML → PageFacts from JSON-LD, OpenGraph, microdata, Highwire ``citation_*`` and ``<meta>`` (stub)."""

from __future__ import annotations

from .facts import PageFacts


def page_metadata(html: str, page_url: str | None) -> PageFacts:
    """What the page's structured metadata says; relative URLs resolved against ``page_url``."""
    return PageFacts()
