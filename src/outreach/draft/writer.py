"""ReportFacts and the drafted pieces → the campaign file's TOML, with a ``# CHECK:`` line above every field to confirm.

The layout follows the hand-written sample (``campaigns/soldier-defections-myanmar.toml``):
``timezone``, ``[report]``, ``[[experts]]``, ``[email]``, ``[[posts]]``. A required value the page does
not state gets a visible ``[CHECK]`` placeholder, so the file validates and nothing is guessed
silently. Page text is written as TOML data (tomlkit escapes it); it only becomes template source in
post texts, where :mod:`.posts` has escaped it.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import tomlkit
from tomlkit.items import Table

from ..text import clean_line
from .facts import ExpertFacts, Found, Origin, ReportFacts
from .posts import DraftedPost, EmailDraft
from .schedule import DraftTimes
from .source import has_secrets, shown, without_secrets

PLACEHOLDER_URL = "https://example.org/CHECK-report-url/{slug}"
MISSING = "[CHECK]"  # the start of every placeholder value
DRAFTED = "drafted from the page: edit and confirm before approval"
_HTTP_URL = re.compile(r"^https?://[^\s/]+")


@dataclass(frozen=True)
class CoverFile:
    """The cover image written next to the campaign: its name there, how it was made, and why to check it."""

    image: str
    downloaded: bool
    check: str | None = None


@dataclass(frozen=True)
class Draft:
    """Everything the campaign file says."""

    facts: ReportFacts  # completed: see :func:`completed`
    slug: str
    source: str  # the SOURCE as given; the header comment shows it through source.shown
    drafted_on: date
    timezone: str
    email_list: str | None  # None: no list configured, no [email]
    email_list_check: str | None
    email: EmailDraft
    times: DraftTimes
    posts: tuple[DraftedPost, ...]
    cover: CoverFile | None


def _placeholder(what: str) -> str:
    return f"{MISSING} {what}: not found in the page"


def _clean(found: Found[Any]) -> Found[Any]:
    """One-line page values as safe single lines (control, bidi and line-separator characters go)."""
    value = found.value
    if isinstance(value, str):
        return replace(found, value=clean_line(value))
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return replace(found, value=tuple(c for v in value if (c := clean_line(v))))
    return found


def _or(found: Found[Any], value: Any, reason: str) -> Found[Any]:
    """``found``, or ``value`` (flagged with ``reason``) when it is empty."""
    return found if found.value not in ("", (), None) else Found(value, Origin.MISSING, found.check or reason)


def completed(facts: ReportFacts, slug: str, page_url: str | None = None) -> ReportFacts:
    """Every field ready to write: page text cleaned, and a flagged placeholder where a required value is missing.

    A missing headline is the title (flagged); a missing report address is the address the page was read
    from (flagged), else ``https://example.org/CHECK-report-url/<slug>``. No report address keeps a user
    name, password, query or fragment: they are left out and flagged (a token must not reach every post).
    """
    title, subtitle, series = _clean(facts.title), _clean(facts.subtitle), _clean(facts.series)
    headline = _clean(facts.headline)
    if not headline.value and title.value:
        headline = Found(title.value, title.origin, "the page gives no headline apart from the title; write one")
    url = _report_url(_clean(facts.url), page_url, slug)
    abstract = replace(facts.abstract, value=tuple(p for v in facts.abstract.value if (p := clean_line(v))))
    experts = replace(facts.experts, value=tuple(ExpertFacts(**{k: clean_line(getattr(e, k)) for k in ("name", "role", "unit", "phone", "email")})
                                                 for e in facts.experts.value if clean_line(e.name)))
    return replace(
        facts,
        title=_or(title, _placeholder("title"), "not found in the page"),
        subtitle=subtitle, series=series,
        headline=_or(headline, _placeholder("headline"), "not found in the page"),
        authors=_or(_clean(facts.authors), (_placeholder("author"),), "not found in the page"),
        regions=_clean(facts.regions), topics=_clean(facts.topics),
        abstract=_or(abstract, (_placeholder("summary (the report's lead paragraphs)"),), "not found in the page"),
        key_arguments=_or(_clean(facts.key_arguments), (_placeholder("key argument"),), "not found in the page"),
        experts=_or(experts, (ExpertFacts(_placeholder("expert's name")),), "no expert named in the page"),
        cover_alt=_clean(facts.cover_alt), url=url,
    )


def _report_url(url: Found[str], page_url: str | None, slug: str) -> Found[str]:
    """The page's address for the report, else the one it was read from, else a placeholder; never with secrets."""
    if not _HTTP_URL.match(url.value):
        page_url = clean_line(page_url or "")
        url = (Found(page_url, Origin.MISSING, "the address the page was read from: confirm it is the report's own address")
               if _HTTP_URL.match(page_url)
               else Found(PLACEHOLDER_URL.format(slug=slug), Origin.MISSING, "the page gives no web address for the report: replace this placeholder"))
    if has_secrets(url.value):
        stripped = without_secrets(url.value)
        if not _HTTP_URL.match(stripped):
            return Found(PLACEHOLDER_URL.format(slug=slug), Origin.MISSING, "the page's address could not be used: replace this placeholder")
        url = Found(stripped, url.origin, f"{url.check or 'the report address'}; its user name, password, query or fragment "
                                          "were left out: put back only what the public address needs")
    return url


def _wrapped(paragraphs: tuple[str, ...], width: int = 88) -> str:
    """Paragraphs as lines of at most ``width`` (a long word stays whole), a blank line between them.

    ``Report.paragraphs`` joins a paragraph's lines again, so wrapping changes nothing that is
    sent; it keeps the file readable and its diffs small.
    """
    return "\n\n".join(textwrap.fill(p, width, break_long_words=False, break_on_hyphens=False) for p in paragraphs)


class _Writer:
    """Adds keys to tomlkit tables, each after its ``# CHECK:`` line when it has a reason; records the flagged fields."""

    def __init__(self) -> None:
        self.checks: list[str] = []

    def put(self, table: Any, field: str, key: str, value: Any, check: str | None = None) -> None:
        """``key = value`` in ``table``; with ``check``, a ``# CHECK: <reason>`` line above it."""
        if check:
            table.add(tomlkit.comment(f"CHECK: {clean_line(check, 300)}"))
            self.checks.append(field)
        table.add(key, value)

    def note(self, table: Any, field: str, check: str) -> None:
        """A ``# CHECK:`` line for a field left out (it has no value to write)."""
        table.add(tomlkit.comment(f"CHECK: {clean_line(check, 300)}"))
        self.checks.append(field)


def _array(items: list[Any]) -> Any:
    array = tomlkit.array()
    array.extend(items)
    if sum(len(str(i)) for i in items) > 60:
        array.multiline(True)
    return array


def _report(w: _Writer, d: Draft) -> Table:
    f, table = d.facts, tomlkit.table()
    for name in ("title", "subtitle", "headline", "series", "url"):
        found = getattr(f, name)
        w.put(table, f"report.{name}", name, found.value, found.check)
    for name in ("authors", "regions", "topics"):
        found = getattr(f, name)
        w.put(table, f"report.{name}", name, _array(list(found.value)), found.check)
    if f.published.value is not None:
        w.put(table, "report.published", "published", f.published.value, f.published.check)
    else:
        w.note(table, "report.published", f"published: no publication date ({f.published.check or 'not found'}); add published = YYYY-MM-DD")
    w.put(table, "report.abstract", "abstract", tomlkit.string(_wrapped(f.abstract.value), multiline=True), f.abstract.check)
    w.put(table, "report.key_arguments", "key_arguments", _array(list(f.key_arguments.value)), f.key_arguments.check)
    if d.cover is not None:
        alt = f.cover_alt.value if d.cover.downloaded else ""
        cover = tomlkit.inline_table()
        cover.update({"image": d.cover.image, "alt": alt})
        why = [d.cover.check or ("the report's own cover" if d.cover.downloaded else "a drawn cover")]
        why.append("the page's own alt text: confirm it describes the cover" if alt else "write the alt text (what the cover shows); it is never guessed")
        w.put(table, "report.cover", "cover", cover, "; ".join(why))
    return table


def _experts(w: _Writer, d: Draft) -> Any:
    found, tables = d.facts.experts, tomlkit.aot()
    for i, expert in enumerate(found.value):
        table = tomlkit.table()
        w.put(table, f"experts[{i}].name", "name", expert.name, found.check)
        for part in ("role", "unit", "phone"):
            value = getattr(expert, part)
            w.put(table, f"experts[{i}].{part}", part, value, None if value else f"the page gives no {part} for this expert")
        if expert.email:
            table.add("email", expert.email)
        tables.append(table)
    return tables


def _email(w: _Writer, d: Draft) -> Table:
    table = tomlkit.table()
    w.put(table, "email.list", "list", d.email_list, d.email_list_check)
    w.put(table, "email.subject", "subject", d.email.subject, DRAFTED)
    w.put(table, "email.preheader", "preheader", d.email.preheader, DRAFTED if d.email.preheader else "no summary in the page to take it from")
    w.put(table, "email.send_at", "send_at", d.times.email, "the next working day at [draft] send_time: pick the launch time")
    return table


def _posts(w: _Writer, d: Draft) -> Any:
    tables = tomlkit.aot()
    for i, (post, at) in enumerate(zip(d.posts, d.times.posts)):
        table = tomlkit.table()
        table.add("channel", post.channel)
        w.put(table, f"posts[{i}].at", "at", at, "[draft] stagger_minutes after the previous step")
        if post.image and d.cover is not None:
            table.add("image", "cover")
        why = f"{DRAFTED}; {post.check}" if post.check else DRAFTED  # e.g. too long for its platform
        if post.thread:
            if post.numbered:
                table.add("numbered", True)
            w.put(table, f"posts[{i}].thread", "thread", _array(list(post.parts)), why)
        else:
            text = post.parts[0]
            w.put(table, f"posts[{i}].text", "text", tomlkit.string(text, multiline="\n" in text), why)
        tables.append(table)
    return tables


def write_campaign(d: Draft) -> tuple[str, tuple[str, ...]]:
    """The campaign file's text, and the fields marked ``# CHECK:`` in it (``report.title``, ``posts[0].at``, …)."""
    w, doc = _Writer(), tomlkit.document()
    doc.add(tomlkit.comment(f"Drafted by `outreach draft` from {shown(d.source)} on {d.drafted_on:%Y-%m-%d}."))
    doc.add(tomlkit.comment("Every field under a `# CHECK:` line needs a person's confirmation before approval."))
    doc.add(tomlkit.comment("Every time below is local to `timezone`."))
    doc.add("timezone", d.timezone)
    doc.add(tomlkit.nl())
    doc.add("report", _report(w, d))
    doc.add("experts", _experts(w, d))
    if d.email_list is not None:
        doc.add("email", _email(w, d))
    if d.posts:
        doc.add("posts", _posts(w, d))
    return tomlkit.dumps(doc), tuple(w.checks)
