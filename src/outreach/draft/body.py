"""The page's own words → PageFacts: title block, lead paragraphs, claims, regions, experts (stub)."""

from __future__ import annotations

from .facts import PageFacts


def text_facts(text: str) -> PageFacts:
    """What a plain-text copy of a report page says."""
    return PageFacts()


def html_facts(html: str, page_url: str | None) -> PageFacts:
    """What a report page's main text says (trafilatura), with labelled blocks and expert tables."""
    return PageFacts()
