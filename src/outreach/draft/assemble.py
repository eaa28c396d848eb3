"""A read page → :class:`ReportFacts`: structured metadata first, then the page's own words."""

from __future__ import annotations

from dataclasses import replace

from .body import text_facts
from .body_html import html_facts
from .facts import ReportFacts, merge
from .metadata import page_metadata
from .source import SourcePage


def report_facts(page: SourcePage) -> ReportFacts:
    """Everything the page says about its report, each field from the best reader that found it.

    Metadata goes first, except for the abstract: a page's description is usually a
    teaser written for link cards, and its own lead paragraphs are the summary.
    """
    if page.html is None:
        return merge(text_facts(page.text or ""))
    metadata, words = page_metadata(page.html, page.url), html_facts(page.html, page.url)
    return replace(merge(metadata, words), abstract=merge(words, metadata).abstract)
