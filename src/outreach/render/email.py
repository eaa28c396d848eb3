"""Render the campaign email once: MJML -> HTML, plus the plain-text part.

The result still holds *markers* for the personal fields (the subscriber's
name, their signed unsubscribe and preference links). :func:`personalise` swaps them per
recipient with plain string replacement, so MJML runs once per campaign,
never once per subscriber.

Campaign text may contain marker text itself (``@@OUTREACH:NAME@@`` in an
abstract), and it must come out literally. So templates render with random,
unguessable markers; then each is swapped for the canonical marker if that text
appears nowhere in the output, else for a numbered variant that does not
(``@@OUTREACH:NAME:1@@``). The output is deterministic, identical to before for
ordinary text, and the markers of a rendered part travel with it
(:class:`MarkedText`), so :func:`personalise` always uses the right ones.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

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
    "preferences_url": "@@OUTREACH:PREFERENCES_URL@@",
}
DEFAULT_NAME = "reader"


class MarkedText(str):
    """A rendered part (a ``str``) that knows which markers it holds."""

    markers: Mapping[str, str]

    def __new__(cls, text: str, markers: Mapping[str, str]) -> "MarkedText":
        obj = super().__new__(cls, text)
        obj.markers = dict(markers)
        return obj


def _marker_re(markers: Mapping[str, str]) -> re.Pattern[str]:
    return re.compile("(" + "|".join(re.escape(m) for m in markers.values()) + ")")


_MARKER_RE = _marker_re(MARKERS)


def _numbered(n: int) -> dict[str, str]:
    return dict(MARKERS) if n == 0 else {key: f"{marker[:-2]}:{n}@@" for key, marker in MARKERS.items()}


def _settle_markers(parts: list[str], live: Mapping[str, str],
                    numbered: Callable[[int], Mapping[str, str]] = _numbered) -> tuple[list[str], dict[str, str]]:
    """Swap the random ``live`` markers for the first marker set that cuts every part exactly where they did.

    ``numbered(n)`` is the n-th candidate set (n = 0: the canonical markers); a marker that is
    already settled can be carried over by giving it as its own live and final text.
    """
    live_re = _marker_re(live)
    by_live = {m: key for key, m in live.items()}
    for n in range(1000):
        final = dict(numbered(n))
        final_re = _marker_re(final)
        swapped = [live_re.sub(lambda m: final[by_live[m.group(0)]], part) for part in parts]
        expected = [[final[by_live[p]] if p in by_live else p for p in live_re.split(part)] for part in parts]
        if all(final_re.split(text) == cut for text, cut in zip(swapped, expected)):
            return swapped, final
    raise RenderError("the email text contains too many copies of outreach's internal markers")


settle_markers = _settle_markers  # public name for the send-time link wrapping (outreach.tracking.wrap)
_HREF_RE = re.compile(r"""<a\b[^>]*?\bhref="([^"]+)"[^>]*>(.*?)</a>""", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_STYLE_ATTR_RE = re.compile(r'\bstyle="[^"]*"')


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


def render_email(campaign: Campaign, config: Config, archive_key: str | None = None) -> RenderedEmail:
    """Render the campaign's email with personal markers; raise :class:`RenderError` on failure.

    ``archive_key`` (a test copy) adds ``?k=KEY`` to the web page and cover links: before the
    real send, that page is unlisted and opens only with the key.
    """
    if campaign.email is None:
        raise RenderError(f"{campaign.path}: the campaign has no [email] section")
    spec = campaign.email
    list_cfg = config.lists.get(spec.list)
    list_title = list_cfg.title if list_cfg else spec.list
    cover_path, cover_name = cover_asset(campaign)
    query = f"?k={archive_key}" if archive_key else ""
    cover_url = f"{archive_url(config, campaign)}/{cover_name}{query}" if cover_name else None
    context = campaign_context(campaign, "email")
    nonce = secrets.token_hex(12)
    live = {key: f"@@OUTREACH-LIVE:{key}:{nonce}@@" for key in MARKERS}
    context.update(
        subscriber={"name": live["name"]},
        unsubscribe_url=live["unsubscribe_url"],
        preferences_url=live["preferences_url"],
        view_online_url=archive_url(config, campaign) + query,
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
    (body, text), markers = _settle_markers([_unit_free_zero(body), _normalise_text(text)], live)
    return RenderedEmail(
        subject=spec.subject,
        preheader=spec.preheader,
        html=MarkedText(body, markers),
        text=MarkedText(text, markers),
        list_name=spec.list,
        list_title=list_title,
        cover_path=cover_path,
        cover_url=cover_url,
    )


def _unit_free_zero(body: str) -> str:
    """MJML's layout ``font-size:0px`` written as the equal ``font-size:0``.

    SpamAssassin's raw-body pattern for tiny text (``font-size:[0-4]px;``, scored as
    HTML_FONT_TINY_NORDNS behind a relay without reverse DNS) matches the former only.
    Only style attributes change: campaign text is escaped, so it never forms one.
    """
    return _STYLE_ATTR_RE.sub(lambda m: m.group(0).replace("font-size:0px;", "font-size:0;"), body)


def _normalise_text(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out = "\n".join(lines).strip("\n")
    return re.sub(r"\n{4,}", "\n\n\n", out) + "\n"


def markers_of(body: str) -> Mapping[str, str]:
    """The markers a rendered part holds (the canonical ones for plain strings)."""
    return getattr(body, "markers", MARKERS)


def marker_values(values: Mapping[str, str], *, is_html: bool, markers: Mapping[str, str] = MARKERS) -> dict[str, str]:
    """What each personal marker becomes for one recipient (HTML-escaped for the HTML part)."""
    out = {}
    for key, marker in markers.items():
        value = values.get(key) or (DEFAULT_NAME if key == "name" else "")
        if key == "preferences_url" and not value:  # a caller that has no preference link: never an empty href
            value = values.get("unsubscribe_url") or ""
        out[marker] = html.escape(value) if is_html else value
    return out


def split_markers(body: str) -> list[str]:
    """``body`` cut at its markers: static text and marker strings alternate, static first."""
    markers = markers_of(body)
    return (_MARKER_RE if markers == MARKERS else _marker_re(markers)).split(body)


def personalise(body: str, values: Mapping[str, str], *, is_html: bool) -> str:
    """Replace the personal markers in ``body``; values are HTML-escaped for the HTML part."""
    replacements = marker_values(values, is_html=is_html, markers=markers_of(body))
    pieces = split_markers(body)
    # odd pieces are markers, even ones text (text that merely looks like a marker stays text)
    return "".join(replacements[piece] if i % 2 else piece for i, piece in enumerate(pieces))
