"""A read page → :class:`ReportFacts`: structured metadata first, then the page's own words."""

from __future__ import annotations

from .body import html_facts, text_facts
from .facts import ReportFacts, merge
from .metadata import page_metadata
from .source import SourcePage


def report_facts(page: SourcePage) -> ReportFacts:
    """Everything the page says about its report, each field from the best reader that found it."""
    if page.html is None:
        return merge(text_facts(page.text or ""))
    return merge(page_metadata(page.html, page.url), html_facts(page.html, page.url))
