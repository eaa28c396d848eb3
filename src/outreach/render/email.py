"""Render the campaign email once: MJML -> HTML, plus the plain-text part.

The result still holds *markers* for the personal fields (the subscriber's
name, their signed unsubscribe link). :func:`personalise` swaps them per
recipient with plain string replacement, so MJML runs once per campaign,
never once per subscriber.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import mjml
from jinja2 import TemplateError, TemplateNotFound

from ..campaign import Campaign
from ..config import Config
from ..errors import RenderError
from .environment import template_dirs, template_env
from .posts import campaign_context

MARKERS = {
    "name": "@@OUTREACH:NAME@@",
    "unsubscribe_url": "@@OUTREACH:UNSUBSCRIBE_URL@@",
}
DEFAULT_NAME = "reader"
_MARKER_RE = re.compile("(" + "|".join(re.escape(m) for m in MARKERS.values()) + ")")
_HREF_RE = re.compile(r"""<a\b[^>]*?\bhref="([^"]+)"[^>]*>(.*?)</a>""", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Link:
    """A link found in the email, with its visible text."""

    url: str
    text: str


@dataclass(frozen=True)
class RenderedEmail:
    """The campaign email with personal markers still in place."""

    subject: str
    preheader: str
    html: str
    text: str
    list_name: str
    list_title: str
    cover_path: Path | None
    cover_url: str | None

    def links(self) -> list[Link]:
        """Every distinct link in the HTML part, in order."""
        seen: dict[str, Link] = {}
        for url, inner in _HREF_RE.findall(self.html):
            url = html.unescape(url)
            text = " ".join(html.unescape(_TAG_RE.sub(" ", inner)).split())
            seen.setdefault(url, Link(url, text))
        return list(seen.values())


def archive_url(config: Config, campaign: Campaign) -> str:
    """The public web copy of the campaign ("view in browser")."""
    return f"{config.web.base_url}/archive/{campaign.slug}"


def cover_asset(campaign: Campaign) -> tuple[Path | None, str | None]:
    """The cover's file and its file name as published under the archive."""
    if campaign.report.cover is None:
        return None, None
    path = campaign.asset(campaign.report.cover.image, "report.cover.image")
    return path, f"cover{path.suffix.lower()}"


def render_email(campaign: Campaign, config: Config) -> RenderedEmail:
    """Render the campaign's email with personal markers; raise :class:`RenderError` on failure."""
    if campaign.email is None:
        raise RenderError(f"{campaign.path}: the campaign has no [email] section")
    spec = campaign.email
    list_cfg = config.lists.get(spec.list)
    list_title = list_cfg.title if list_cfg else spec.list
    cover_path, cover_name = cover_asset(campaign)
    cover_url = f"{archive_url(config, campaign)}/{cover_name}" if cover_name else None
    context = campaign_context(campaign, "email")
    context.update(
        subscriber={"name": MARKERS["name"]},
        unsubscribe_url=MARKERS["unsubscribe_url"],
        view_online_url=archive_url(config, campaign),
        cover_url=cover_url,
        list_title=list_title,
    )
    env = template_env(campaign.folder)
    names = (f"email/{spec.template}.mjml.j2", f"email/{spec.template}.txt.j2")
    try:
        mjml_source = env.get_template(names[0]).render(context)
        text = env.get_template(names[1]).render(context)
    except TemplateNotFound as exc:
        searched = ", ".join(str(d) for d in template_dirs(campaign.folder))
        raise RenderError(f"{campaign.path}: email.template: no template '{exc.name}' (searched {searched})") from None
    except TemplateError as exc:
        raise RenderError(f"{campaign.path}: email template '{spec.template}': {exc}") from None
    try:
        body = mjml.mjml2html(mjml_source)
    except ValueError as exc:
        raise RenderError(f"{campaign.path}: email template '{spec.template}' is not valid MJML: {exc}") from None
    return RenderedEmail(
        subject=spec.subject,
        preheader=spec.preheader,
        html=body,
        text=_normalise_text(text),
        list_name=spec.list,
        list_title=list_title,
        cover_path=cover_path,
        cover_url=cover_url,
    )


def _normalise_text(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out = "\n".join(lines).strip("\n")
    return re.sub(r"\n{4,}", "\n\n\n", out) + "\n"


def marker_values(values: Mapping[str, str], *, is_html: bool) -> dict[str, str]:
    """What each personal marker becomes for one recipient (HTML-escaped for the HTML part)."""
    out = {}
    for key, marker in MARKERS.items():
        value = values.get(key) or (DEFAULT_NAME if key == "name" else "")
        out[marker] = html.escape(value) if is_html else value
    return out


def split_markers(body: str) -> list[str]:
    """``body`` cut at the markers: static text and marker strings alternate, static first."""
    return _MARKER_RE.split(body)


def personalise(body: str, values: Mapping[str, str], *, is_html: bool) -> str:
    """Replace the personal markers in ``body``; values are HTML-escaped for the HTML part."""
    replacements = marker_values(values, is_html=is_html)
    return "".join(replacements.get(piece, piece) for piece in split_markers(body))
