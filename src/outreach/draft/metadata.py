"""HTML → PageFacts from JSON-LD, Highwire ``citation_*``, OpenGraph, microdata and ``<meta>``/``<title>``.

Each syntax is read on its own (extruct for JSON-LD, OpenGraph and microdata;
lxml for ``citation_*``, ``<link rel=canonical>``, ``<meta>``, ``<html lang>`` and
``<title>``), then combined field by field, best syntax first (the order of
:class:`~.facts.Origin`). A value that is only a guess — a description used as
the abstract, keywords or tags used as topics, a title with the site's name cut
off — is flagged for checking. Nothing is made up: a field no syntax states is
``None``.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import fields, replace
from datetime import date
from typing import Any, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import extruct
import lxml.etree
import lxml.html

from ..text import clean_line
from .facts import Found, Origin, PageFacts

# schema.org types that describe a publication, best first; WebPage last: it may describe the site's page.
_REPORT_TYPES = ("Report", "ScholarlyArticle", "TechArticle", "Article", "NewsArticle", "Book", "Thesis",
                 "CreativeWork", "WebPage")
_NOT_SERIES_TYPES = {"WebSite", "WebPage", "Organization", "ImageObject"}
_MAX_ITEMS = 50  # authors, topics, regions: more than this is not a report's own list
_MAX_NODES = 2_000  # JSON-LD/microdata nodes looked at: bounded work on a hostile page
_TAG_RE = re.compile(r"<[^<>]{0,500}>")
_PARA_BREAK_RE = re.compile(r"(?i)</p\s*>|<br\s*/?>|\n\s*\n")
_DATE_RE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![0-9])")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$")
_SUFFIX_RE = re.compile(r"^(?P<title>.{3,}?)\s+(?P<sep>[|–—·-])\s+(?P<site>[^|–—·]{2,80})$")
_DESCRIPTION = "the page's short description, used as the abstract: it may be a teaser, not the lead paragraphs"


def page_metadata(html: str, page_url: str | None) -> PageFacts:
    """What the page's structured metadata says; relative URLs resolved against ``page_url``."""
    tree = _parse(html)
    if tree is None:
        return PageFacts()
    base = page_url if _absolute(page_url) else _declared_base(tree)
    readers = [_jsonld(tree, base), _highwire(tree, base), _opengraph(tree, base), _microdata(tree, base),
               _html_meta(tree, base)]
    combined = _first(*readers)
    # The page's own <html lang> says what its text is in; og:locale only what it is shared as.
    language = _first(*(r for r in readers if r.language and r.language.origin is not Origin.OPENGRAPH),
                      *readers).language
    return replace(combined, language=language)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (lxml.etree.ParserError, ValueError):
        return None


def _first(*readers: PageFacts) -> PageFacts:
    """Field by field, the first reader's value that is not None."""
    values = {f.name: next((v for r in readers if (v := getattr(r, f.name)) is not None), None)
              for f in fields(PageFacts) if f.name != "paragraphs"}
    return PageFacts(**values)


# --- small readers of values ---------------------------------------------------------------------

def _absolute(url: str | None) -> bool:
    try:
        parts = urlsplit(url or "")
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _link(value: object, base: str | None) -> str | None:
    """An absolute http(s) address from ``value`` (resolved against ``base``), else None."""
    text = _text(value, 2000)
    if not text:
        return None
    try:
        url = urljoin(base, text) if base else text
    except ValueError:
        return None
    return url if _absolute(url) and not re.search(r"\s", url) else None


def _text(value: object, cap: int = 500) -> str | None:
    """One clean line from a string, a {"@value"} / {"name"} object or the first of a list."""
    if isinstance(value, list):
        value = next((v for v in value if _text(v, cap)), None)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
    if not isinstance(value, str):
        return None
    return clean_line(_TAG_RE.sub(" ", html_lib.unescape(value)), cap) or None


def _paragraphs(value: object) -> tuple[str, ...]:
    """A text that may hold HTML or blank lines → its paragraphs."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return ()
    parts = _PARA_BREAK_RE.split(value[:50_000])
    cleaned = (clean_line(_TAG_RE.sub(" ", html_lib.unescape(p)), 5000) for p in parts)
    return tuple(p for p in cleaned if p)[:20]


def _names(values: Iterable[object]) -> tuple[str, ...]:
    """Distinct clean names, in order, at most _MAX_ITEMS."""
    seen: dict[str, None] = {}
    for value in values:
        name = _text(value, 200)
        if name and name.casefold() not in (s.casefold() for s in seen):
            seen[name] = None
        if len(seen) >= _MAX_ITEMS:
            break
    return tuple(seen)


def _date(value: object) -> date | None:
    text = _text(value, 60)
    match = _DATE_RE.match(text or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _language(value: object) -> str | None:
    text = _text(value, 40)
    if not text or not _LANG_RE.match(text):
        return None
    primary, *rest = text.replace("_", "-").split("-")
    return "-".join([primary.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


def _split_keywords(values: Iterable[object]) -> tuple[str, ...]:
    """Keywords given as a list or as one "a, b; c" string, each with a capital first letter."""
    words: list[str] = []
    for value in values:
        text = _text(value, 2000) if not isinstance(value, dict) else _text(value.get("name"), 200)
        words += [w.strip() for w in re.split(r"[;,]", text or "")]
    return _names(w[:1].upper() + w[1:] if w.islower() else w for w in words if w)


def _found(value: Any, origin: Origin, check: str | None = None) -> Found[Any] | None:
    return None if value in (None, "", ()) else Found(value, origin, check)


def _title(text: str | None, site: str | None, origin: Origin) -> Found[str] | None:
    """A title, with a " | Site" suffix cut off and flagged."""
    if not text:
        return None
    match = _SUFFIX_RE.match(text)
    if match:
        named = site is not None and match["site"].strip().casefold() == site.casefold()
        # Without the site's name, only a <title> (which nearly always carries one) or a " | " is cut.
        if named or origin is Origin.META or match["sep"] == "|":
            return Found(match["title"].strip(), origin, f"the site's name ('{match['site'].strip()}') was cut off")
    if site and text.casefold().endswith(site.casefold()) and len(text) > len(site) + 3:
        return Found(text, origin, "the title may include the site's name")
    return Found(text, origin, "the page's <title>, which often differs from the report's" if origin is Origin.META
                 else None)


# --- JSON-LD and microdata -----------------------------------------------------------------------

def _extract(tree: lxml.html.HtmlElement, syntax: str, base: str | None) -> list[dict[str, Any]]:
    """One syntax's items; a syntax extruct cannot read gives nothing (the others still count)."""
    try:
        data = extruct.extract(tree, base_url=base, syntaxes=[syntax], uniform=True, errors="strict",
                               with_og_array=True)
    except Exception:  # extruct raises anything a broken page makes its parsers raise
        return []
    return [item for item in data.get(syntax, []) if isinstance(item, dict)]


def _nodes(items: list[Any]) -> Iterator[dict[str, Any]]:
    """Every object in ``items``, @graph and nested lists flattened (not nested properties), bounded."""
    stack = list(reversed(items))
    seen = 0
    while stack and seen < _MAX_NODES:
        item = stack.pop()
        seen += 1
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            if isinstance(item.get("@graph"), list):
                stack.extend(reversed(item["@graph"]))


def _types(node: object) -> set[str]:
    if not isinstance(node, dict):
        return set()
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", v)[-1] for v in values if isinstance(v, str)}


def _report_node(items: list[Any]) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """The node describing the publication (best type first), and every node by its @id."""
    nodes = list(_nodes(items))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for wanted in _REPORT_TYPES:
        for node in nodes:
            if wanted in _types(node):
                return node, by_id
    return None, by_id


def _list(value: object, by_id: dict[str, dict[str, Any]]) -> list[Any]:
    """A property's values as a list, {"@id"} references looked up."""
    values = value if isinstance(value, list) else [] if value is None else [value]
    return [by_id.get(v["@id"], v) if isinstance(v, dict) and set(v) == {"@id"} and isinstance(v["@id"], str) else v
            for v in values[:_MAX_ITEMS] if isinstance(v, (str, dict))]


def _schema(node: dict[str, Any], by_id: dict[str, dict[str, Any]], origin: Origin, base: str | None) -> PageFacts:
    """A schema.org publication node → PageFacts."""
    get = lambda key: _list(node.get(key), by_id)  # noqa: E731
    webpage = "WebPage" in _types(node) and not (_types(node) & set(_REPORT_TYPES[:-1]))
    guess = "from the page's WebPage description, which may describe the site's page" if webpage else None
    persons = [a for a in get("author") + get("creator") if isinstance(a, str) or "Organization" not in _types(a)]
    series = next((s for s in get("isPartOf") if isinstance(s, str) or not (_types(s) & _NOT_SERIES_TYPES)), None)
    abstract = _paragraphs(node.get("abstract"))
    images = get("image") + get("thumbnailUrl")
    url = next((u for v in get("url") + get("mainEntityOfPage") if (u := _link(_address(v, "@id"), base))), None)
    return PageFacts(
        title=_found(_text(node.get("name")) or _text(node.get("headline")), origin, guess),
        subtitle=_found(_text(node.get("alternativeHeadline")), origin, guess),
        series=_found(_text(series), origin, guess) or _found(_text(node.get("genre"), 200), origin,
                                                              "the page's genre, used as the series"),
        authors=_found(_names(_person(a) for a in persons), origin, guess),
        published=_found(_date(node.get("datePublished")), origin, guess),
        regions=_found(_names(get("spatialCoverage") + get("spatial")), origin, guess),
        topics=_found(_names(get("about")), origin, guess)
        or _found(_split_keywords(get("keywords")), origin, "the page's keywords, used as topics"),
        abstract=_found(abstract, origin, guess)
        or _found(_paragraphs(node.get("description")), origin, _DESCRIPTION),
        cover_url=_found(next((u for i in images if (u := _link(_address(i, "contentUrl"), base))), None), origin, guess),
        url=_found(url, origin, guess),
        language=_found(_language(node.get("inLanguage")), origin),
    )


def _person(value: object) -> object:
    if isinstance(value, dict) and not value.get("name") and (value.get("givenName") or value.get("familyName")):
        return f"{_text(value.get('givenName')) or ''} {_text(value.get('familyName')) or ''}"
    return value


def _address(value: object, other: str) -> object:
    """A string address, or an object's ``url`` (else its ``other`` key: "@id", "contentUrl")."""
    return (value.get("url") or value.get(other)) if isinstance(value, dict) else value


def _jsonld(tree: lxml.html.HtmlElement, base: str | None) -> PageFacts:
    node, by_id = _report_node(_extract(tree, "json-ld", base))
    return _schema(node, by_id, Origin.JSON_LD, base) if node else PageFacts()


def _microdata(tree: lxml.html.HtmlElement, base: str | None) -> PageFacts:
    node, by_id = _report_node(_extract(tree, "microdata", base))
    if not node:
        return PageFacts()
    # The cover's alt text, when the page gives one, is on the <img itemprop=image> itself.
    alt = next((a for img in tree.iter("img") if "image" in (img.get("itemprop") or "").split()
                and (a := _text(img.get("alt"), 2000))), None)
    return replace(_schema(node, by_id, Origin.MICRODATA, base), cover_alt=_found(alt, Origin.MICRODATA))


# --- OpenGraph -----------------------------------------------------------------------------------

def _opengraph(tree: lxml.html.HtmlElement, base: str | None) -> PageFacts:
    items = _extract(tree, "opengraph", base)
    if not items:
        return PageFacts()
    og: dict[str, Any] = {}
    for item in items:
        for key, value in item.items():
            og.setdefault(key, value)
    many = lambda key: og.get(key) if isinstance(og.get(key), list) else [og.get(key)]  # noqa: E731
    origin = Origin.OPENGRAPH
    authors = [a for a in many("article:author") if isinstance(a, str) and not _absolute(a.strip())]
    return PageFacts(
        title=_title(_text(og.get("og:title")), _text(og.get("og:site_name")), origin),
        authors=_found(_names(authors), origin),
        published=_found(_date(og.get("article:published_time")), origin),
        topics=_found(_split_keywords(many("article:tag")), origin, "the page's tags, used as topics"),
        abstract=_found(_paragraphs(og.get("og:description")), origin, _DESCRIPTION),
        cover_url=_found(_link(og.get("og:image") or og.get("og:image:url") or og.get("og:image:secure_url"), base),
                         origin),
        cover_alt=_found(_text(og.get("og:image:alt"), 2000), origin),
        url=_found(_link(og.get("og:url"), base), origin),
        language=_found(_language(og.get("og:locale")), origin),
    )


# --- Highwire citation_* and plain HTML ----------------------------------------------------------

def _metas(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Every ``<meta name=… content=…>``, by lower-case name, values in order."""
    found: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        name, content = el.get("name"), el.get("content")
        if name and content is not None and len(found) < 500:
            found.setdefault(name.strip().lower(), []).append(content)
    return found


def _highwire(tree: lxml.html.HtmlElement, base: str | None) -> PageFacts:
    meta = _metas(tree)
    one = lambda *names: next((meta[n][0] for n in names if meta.get(n)), None)  # noqa: E731
    origin = Origin.HIGHWIRE
    authors = meta.get("citation_author", []) + [a for v in meta.get("citation_authors", []) for a in v.split(";")]
    institution = one("citation_technical_report_institution")
    return PageFacts(
        title=_found(_text(one("citation_title")), origin),
        authors=_found(_names(_first_last(a) for a in authors), origin),
        published=_found(_date(one("citation_publication_date", "citation_date", "citation_online_date")), origin),
        series=_found(_text(one("citation_series_title", "citation_journal_title"), 200), origin)
        or _found(_text(institution, 200), origin, "the report's institution, not a series name"),
        topics=_found(_split_keywords(meta.get("citation_keywords", [])), origin, "the page's keywords, used as topics"),
        abstract=_found(_paragraphs(one("citation_abstract")), origin),
        url=_found(_link(one("citation_abstract_html_url", "citation_public_url"), base), origin),
        language=_found(_language(one("citation_language")), origin),
    )


def _first_last(name: str) -> str:
    """Highwire's "Last, First" → "First Last"; any other form as given."""
    parts = [p.strip() for p in name.split(",")]
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and all(parts) else name


def _html_meta(tree: lxml.html.HtmlElement, base: str | None) -> PageFacts:
    meta = _metas(tree)
    origin = Origin.META
    authors = [a for v in meta.get("author", []) for a in re.split(r"[;,]| and ", v)]
    title = next((t.text_content() for t in tree.iter("title")), None)
    return PageFacts(
        title=_title(_text(title), None, origin),
        authors=_found(_names(authors), origin, "the page's <meta name=author>"),
        topics=_found(_split_keywords(meta.get("keywords", [])), origin, "the page's keywords, used as topics"),
        abstract=_found(_paragraphs((meta.get("description") or [None])[0]), origin, _DESCRIPTION),
        url=_found(_canonical(tree, base), origin),
        language=_found(_language(tree.get("lang") or tree.get("xml:lang")), origin),
    )


def _canonical(tree: lxml.html.HtmlElement, base: str | None) -> str | None:
    for el in tree.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split():
            return _link(el.get("href"), base)
    return None


def _declared_base(tree: lxml.html.HtmlElement) -> str | None:
    """Without the page's own address: its canonical or og:url, to resolve relative links against."""
    canonical = _canonical(tree, None)
    if canonical:
        return canonical
    for el in tree.iter("meta"):
        if (el.get("property") or "").strip() == "og:url" and _absolute(el.get("content")):
            return el.get("content")
    return None
