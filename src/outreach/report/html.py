"""The report as one self-contained HTML file: inline CSS, charts as inline SVG, no request of any kind.

A strict Content-Security-Policy meta tag (``default-src 'none'``) makes the
browser refuse anything the page might still try to load. Every string from
the database (link URLs and labels from campaign files, post URLs and errors
from platform APIs) is autoescaped by the template and shown with its control
characters escaped; only an ``http``/``https`` URL ever becomes a link.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup

from ..render.environment import template_env
from ..text import is_single_line, visible
from .charts import all_charts
from .data import REACTIONS, Report

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
TEMPLATE = "report/report.html.j2"


def safe_href(url: str | None) -> str | None:
    """``url`` when it may be a link (http or https, one line, no spaces or quotes); None otherwise (shown as text)."""
    if not url or not is_single_line(url) or any(c in url for c in " \"'<>\\`"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def render_html(report: Report) -> str:
    """The report page, ready to write to a file."""
    clicks_chart, post_charts = all_charts(report.clicks, report.posts)
    svgs = {c.key: Markup(c.svg) for c in (clicks_chart, *post_charts) if c is not None}  # matplotlib's own markup, titles escaped
    return template_env().get_template(TEMPLATE).render(
        report=report, csp=CSP, clicks_chart=clicks_chart, posts=list(zip(report.posts, post_charts)), svgs=svgs,
        reactions=REACTIONS, show=visible, href=safe_href,
    )


def write_html(report: Report, path: Path) -> None:
    """Write the report page to ``path`` (UTF-8)."""
    path.write_text(render_html(report), encoding="utf-8")
