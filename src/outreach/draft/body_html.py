"""A report page's HTML → PageFacts from its own words: trafilatura for the main text, lxml for the rest.

The title block (h1, subtitle, standfirst, series) by element and class, the byline, the
labelled blocks ("Regions", "Topics", "Experts" in headings, dt/dd, bold or inline
labels), expert tables, and the cover ``<img>`` with only its own alt text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from .body import (MAX_TEXT, BYLINE, argument_facts, authors_from_byline, authors_from_sentence, date_in, experts_found, heading, items, label_of)
from .experts import experts_from_lines, experts_from_table
from .facts import Found, Origin, PageFacts

_BLOCKS = frozenset({"p", "div", "li", "dd", "dt", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                     "table", "section", "article", "header", "footer", "figure", "figcaption", "blockquote", "head",
                     "list", "item", "row", "cell"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_ELEMENTS = 20_000
_CLASSES = {
    "series": re.compile(r"^(?:series|serie|series-label|kicker|eyebrow|label|publication-type|doctype|pretitle)$"),
    "subtitle": re.compile(r"^(?:subtitle|sub-title|subheading|undertitel|sub|deck|alternative-headline)$"),
    "headline": re.compile(r"^(?:headline|lede|lead|standfirst|manchet|teaser|intro|summary-line)$"),
    "byline": re.compile(r"^(?:byline|authors?|forfattere?|info|meta|credits|contributors)$"),
    "date": re.compile(r"^(?:date|published|pubdate|dato|publication-date)$"),
}


def _parse(html: str) -> lxml_html.HtmlElement | None:
    text = html[:MAX_TEXT]
    try:
        return lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]{0,200}>", "", text))
    except (etree.ParserError, ValueError):
        return None


def _text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def lines_of(element: etree._Element, most: int = 20_000) -> list[str]:
    """The element's text, a line per block element or <br> (iterative: no recursion on deep trees)."""
    parts: list[str] = []
    size = 0
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if not isinstance(node.tag, str) or size > most:
            continue
        tag = node.tag.lower()
        if event == "start":
            parts.append("\n" if tag in _BLOCKS or tag in ("br", "lb") else "")
            parts.append(node.text or "")
        else:
            parts.append("\n" if tag in _BLOCKS else "")
            parts.append(node.tail or "" if node is not element else "")
        size += len(parts[-1])
    return [" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip()]


def _main(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    for path in ("//main//article", "//article", "//main", "//*[@role='main']", "//body"):
        found = tree.xpath(path)
        if found:
            return found[0]
    return tree


def _classed(root: lxml_html.HtmlElement, kind: str, longest: int = 300) -> lxml_html.HtmlElement | None:
    """The first element whose class names ``kind`` ("lede" for a headline …) and whose text is short."""
    pattern = _CLASSES[kind]
    for element in root.iter():
        if isinstance(element.tag, str) and any(pattern.match(c) for c in (element.get("class") or "").lower().split()):
            if 0 < len(_text(element)) <= longest:
                return element
    return None


def _title_facts(root: lxml_html.HtmlElement) -> dict[str, Found[str]]:
    """Title (h1), subtitle, headline and series from the page's title block."""
    facts: dict[str, Found[str]] = {}
    h1 = next(iter(root.iter("h1")), None)
    if h1 is not None and _text(h1):
        facts["title"] = heading(_text(h1), Origin.BODY, "the page's main heading (h1): check it is the report's title")
    subtitle = _classed(root, "subtitle", 250)
    after = h1.getnext() if h1 is not None else None
    if subtitle is not None:
        facts["subtitle"] = heading(_text(subtitle), Origin.BODY)
    elif after is not None and after.tag in ("h2", "h3") and _text(after) and not label_of(_text(after)):
        facts["subtitle"] = heading(_text(after), Origin.BODY, "the heading under the title: check it is the subtitle")
    headline = _classed(root, "headline", 250)
    if headline is not None and len(_text(headline).split()) <= 35:
        facts["headline"] = heading(_text(headline), Origin.BODY, "the page's standfirst: check it works as the headline")
    series = _classed(root, "series", 80)
    if series is not None and len(_text(series).split()) <= 8:
        value = re.sub(r"\s+(?:no\.?\s*|nr\.?\s*)?\d{1,4}(?:[:/.-]\d{1,4})?$", "", _text(series), flags=re.I)
        facts["series"] = Found(value, Origin.BODY, "the label above the title: check it is the series")
    return facts


def _byline_facts(root: lxml_html.HtmlElement) -> dict[str, Found]:
    """Authors and publication date from the byline, a date element or <time datetime>."""
    facts: dict[str, Found] = {}
    byline = _classed(root, "byline")
    if byline is None:
        byline = next((e for e in root.iter("p", "div", "span") if BYLINE.match(_text(e)) and len(_text(e)) <= 300), None)
    names = authors_from_byline(_text(byline)) if byline is not None else ()
    if names:
        facts["authors"] = Found(names, Origin.BODY, "names read from the byline")
    times = [t.get("datetime", "") for t in root.iter("time")]
    dated = _classed(root, "date", 100)
    texts = [*times, *(_text(e) for e in (dated, byline) if e is not None)]
    published = next((d for d in map(date_in, texts) if d), None)
    if published:
        facts["published"] = Found(published, Origin.BODY, "the date written on the page: check it is the publication date")
    return facts


def _following(element: lxml_html.HtmlElement, most: int = 10) -> list[lxml_html.HtmlElement]:
    """The siblings after a heading, up to the next heading."""
    found = []
    for sibling in element.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag in _HEADINGS or len(found) >= most:
            break
        found.append(sibling)
    return found


def _label_at(element: lxml_html.HtmlElement) -> tuple[str | None, str | None]:
    """Which block a label element opens, and the text after "Label:" when it is inline ("Regions: A, B")."""
    if element.tag in _HEADINGS or element.tag in ("dt", "b", "strong"):
        return label_of(_text(element)[:100]), None
    own = " ".join((element.text or "").split())
    if ":" not in own:  # a label alone in its element ("<p>Contact</p>") opens the block after it
        return (label_of(own) if len(element) == 0 else None), None
    kind = label_of(own.partition(":")[0])
    inline = _text(element)[:300].partition(":")[2].strip() if kind else ""
    return kind, inline or None


def _labelled(root: lxml_html.HtmlElement) -> dict[str, list[lxml_html.HtmlElement | str]]:
    """Each labelled block's content: the elements after a "Regions"/"Experts" heading, the <dd>s after a
    <dt>, the text after a bold "Regions:", or the text after "Regions:" in a paragraph."""
    blocks: dict[str, list[lxml_html.HtmlElement | str]] = {}
    for count, element in enumerate(root.iter(*_HEADINGS, "dt", "b", "strong", "p", "div", "span")):
        if count > _MAX_ELEMENTS:
            break
        kind, inline = _label_at(element)
        if kind is None or kind in blocks:
            continue
        if inline is not None:
            blocks[kind] = [inline]
        elif element.tag == "dt":
            siblings = list(element.itersiblings())[:50]
            cut = next((i for i, s in enumerate(siblings) if s.tag == "dt"), None)
            blocks[kind] = [s for s in siblings[:cut] if s.tag == "dd"]
        elif element.tag in ("b", "strong"):
            after = [(element.tail or "").lstrip(": "), *(_text(s) for s in list(element.itersiblings())[:20])]
            blocks[kind] = [" ".join(after)]
        else:
            blocks[kind] = _following(element)
    return blocks


def _values(content: Sequence[lxml_html.HtmlElement | str]) -> list[str]:
    return [line for part in content for line in ([part] if isinstance(part, str) else lines_of(part))]


def _experts(root: lxml_html.HtmlElement, content: Sequence[lxml_html.HtmlElement | str]) -> Found | None:
    """Experts from a table in the expert block (or any table naming a Name column), else its lines."""
    tables = [t for part in content if not isinstance(part, str) for t in part.iter("table")]
    tables += [t for t in root.iter("table") if t not in tables]
    for table in tables[:10]:
        found = experts_from_table(table)
        if found:
            return experts_found(found, "")
    return experts_found(experts_from_lines(_values(content)), "read from the lines of the page's expert block")


def _paragraphs(html: str, page_url: str | None, root: lxml_html.HtmlElement) -> list[str]:
    """The main text paragraph by paragraph (trafilatura), up to the first labelled block."""
    try:
        document = trafilatura.bare_extraction(html[:MAX_TEXT], url=page_url, output_format="python",
                                               include_comments=False, include_tables=False, with_metadata=False)
    except Exception:  # noqa: BLE001 - a third-party parser on hostile input: fall back to lxml's paragraphs
        document = None
    body = getattr(document, "body", None)
    elements = list(body) if body is not None else list(root.iter("p", *_HEADINGS))
    paragraphs: list[str] = []
    for element in elements[:_MAX_ELEMENTS]:
        text = " ".join(lines_of(element))
        label = text if element.tag in ("head", *_HEADINGS) else text[:40].partition(":")[0] if ":" in text[:40] else ""
        if label and label_of(label):  # "Regions" as a heading, or "Regions: A, B" as a paragraph
            break
        if element.tag == "p" and text:
            paragraphs.append(text)
    return paragraphs


def _language(tree: lxml_html.HtmlElement, paragraphs: Sequence[str]) -> tuple[str, bool]:
    """The page's language from <html lang>, else guessed from its words ("da" or "en"); whether guessed."""
    declared = (tree.get("lang") or "").strip().split("-")[0].lower()
    if declared:
        return declared, False
    words = " ".join(paragraphs).lower().split()[:2000]
    danish = sum(w in ("og", "at", "det", "er", "af", "til", "på", "med", "ikke", "har", "som") for w in words)
    english = sum(w in ("the", "and", "of", "to", "is", "that", "in", "with", "on", "are", "has") for w in words)
    return ("da" if danish > english else "en"), True


def _cover(root: lxml_html.HtmlElement, base: str) -> dict[str, Found[str]]:
    """The report's cover <img> (class/alt/src/figure naming a cover) and the page's own alt text for it."""
    for img in root.iter("img"):
        figure = next(img.iterancestors("figure"), None)
        said = " ".join([img.get("class") or "", img.get("alt") or "", img.get("src") or "",
                         (figure.get("class") or "") if figure is not None else ""]).lower()
        if img.get("src") and re.search(r"cover|forside|omslag", said):
            address = urljoin(base, img.get("src").strip())
            relative = "" if address.startswith(("http://", "https://")) else " (relative, with no page address)"
            facts = {"cover_url": Found(address, Origin.BODY, "an image on the page named as the cover"
                                        f"{relative}: check it is the report's cover")}
            if (img.get("alt") or "").strip():
                facts["cover_alt"] = Found(" ".join(img.get("alt").split()), Origin.BODY,
                                           "the page's own alt text for the cover: check it describes the image")
            return facts
    return {}


def html_facts(html: str, page_url: str | None) -> PageFacts:
    """What a report page's main text says (trafilatura), with labelled blocks and expert tables."""
    tree = _parse(html)
    if tree is None:
        return PageFacts()
    for junk in tree.xpath("//script|//style|//noscript|//template|//svg"):
        junk.drop_tree()
    root = _main(tree)
    paragraphs = _paragraphs(html, page_url, root)
    language, guessed = _language(tree, paragraphs)
    facts: dict[str, object] = {**_title_facts(root), **_byline_facts(root)}
    blocks = _labelled(root)
    for kind in ("regions", "topics"):
        if items(_values(blocks.get(kind, []))):
            facts[kind] = Found(items(_values(blocks[kind])), Origin.BODY)
    experts = _experts(root, blocks.get("experts", []))
    if experts:
        facts["experts"] = experts
    if "authors" not in facts and (authors := authors_from_sentence(paragraphs)):
        facts["authors"] = Found(authors, Origin.BODY, "names taken from the sentence \"… report by …\"")
    facts.update(argument_facts(paragraphs, language))
    canonical = next(iter(tree.xpath("//link[@rel='canonical']/@href")), "")
    facts.update(_cover(root, page_url or canonical))
    if page_url and page_url.startswith(("http://", "https://")):
        facts["url"] = Found(page_url, Origin.BODY, "the address the page was read from: check it is the report's own")
    if guessed:
        facts["language"] = Found(language, Origin.BODY, "guessed from the page's words")
    return PageFacts(paragraphs=tuple(paragraphs), **facts)  # type: ignore[arg-type]
