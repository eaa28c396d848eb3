"""The page's own words → PageFacts: title block, byline, lead paragraphs, claims, regions, topics, experts.

Two readers: :func:`text_facts` here for a plain-text copy of a report page, and
:func:`~.body_html.html_facts` for HTML (trafilatura for the main text, lxml for the title
block and the labelled blocks such as "Regions" or "Experts"), which shares the helpers
below. Every value here is read
off the page by position or label, so anything that is a guess carries a
``check`` reason; nothing is reworded except the fixes named in that reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from .claims import key_arguments, lead_paragraphs
from .experts import experts_from_lines, is_name, missing_parts
from .facts import ExpertFacts, Found, Origin, PageFacts

MAX_TEXT = 2_000_000  # characters of a page read at all; a report page is far smaller

LABELS = {
    "regions": ("regions", "region", "countries", "country", "regioner", "region", "lande", "geografi"),
    "topics": ("topics", "topic", "themes", "theme", "subjects", "keywords", "emner", "emne", "temaer", "tema"),
    "experts": ("experts", "expert", "contact", "contacts", "contact person", "contact persons", "press contact",
                "media contact", "eksperter", "ekspert", "kontakt", "kontaktperson", "kontaktpersoner"),
}
_SERIES_WORDS = re.compile(r"\b(?:report|brief|paper|analysis|analyse|rapport|notat|commentary|study|working paper"
                           r"|policy|note|review|kommentar)\b", re.I)
_COVER_CAPTION = re.compile(r"^(?:cover (?:for|of)\b|forside\b|omslag\b)", re.I)
BYLINE = re.compile(r"^(?:by|af|authors?:?|forfattere?:?|written by|skrevet af)\s+", re.I)
_REPORT_BY = re.compile(
    r"\b(?:report|brief|paper|study|analysis|rapport|analyse|notat)\b[^.]{0,40}?\b(?:by|af)\s+([^.;:]{3,300})", re.I)
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\bog\b|·|\|)\s*", re.I)
_MONTHS = {name: i + 1 for i, names in enumerate((
    ("january", "januar", "jan"), ("february", "februar", "feb"), ("march", "marts", "mar"), ("april", "apr"),
    ("may", "maj"), ("june", "juni", "jun"), ("july", "juli", "jul"), ("august", "aug"),
    ("september", "sep", "sept"), ("october", "oktober", "oct", "okt"), ("november", "nov"),
    ("december", "dec")))
    for name in names}
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zæøå]{3,9})\.?\s+(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),\s+(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

LEAD_CHECK = "the lead paragraphs before the report's claims, chosen by heuristic: check where the summary ends"
CLAIMS_CHECK = "the page's claim sentences shortened by deleting words: check each still says what the page says"


def label_of(text: str) -> str | None:
    """Which labelled block a heading/label text opens ("DIIS Experts:" → "experts"), if any."""
    words = " ".join(text.split()).rstrip(":").strip().lower()
    if len(words) > 40:
        return None
    for kind, names in LABELS.items():
        if words in names or (words.split(" ", 1)[-1] in names and words.split(" ", 1)[0].isalpha()
                              and len(words.split()) == 2 and words.split()[0].upper() == text.split()[0]):
            return kind
    return None


def items(values: Sequence[str]) -> tuple[str, ...]:
    """The entries of a labelled list: one per line, or comma-separated in one line; without duplicates."""
    found: list[str] = []
    for value in values:
        for part in re.split(r"\s*[,;·|]\s*", " ".join(value.split())):
            if part and part not in found and len(part) <= 80:
                found.append(part)
    return tuple(found[:20])


def normalise_apostrophes(text: str) -> tuple[str, bool]:
    """An acute accent used as an apostrophe ("Myanmar´s") → ’; whether anything changed."""
    fixed = re.sub(r"(?<=\w)´(?=\w)", "’", text)
    return fixed, fixed != text


def sentence_case(text: str) -> tuple[str, bool]:
    """A lower-case first letter → capital ("motivations and …" → "Motivations and …"); whether it changed."""
    if text[:1].islower():
        return text[0].upper() + text[1:], True
    return text, False


def heading(text: str, origin: Origin, check: str | None = None) -> Found[str]:
    """A title/subtitle/headline as found, with its accent and case fixed and each fix flagged."""
    value, accent = normalise_apostrophes(" ".join(text.split()))
    value, cased = sentence_case(value)
    reasons = [check] if check else []
    if accent:
        reasons.append("an acute accent (´) used as an apostrophe was written ’")
    if cased:
        reasons.append("the page writes it in lower case; its first letter was capitalised")
    return Found(value, origin, "; ".join(reasons) or None)


def authors_from_byline(text: str) -> tuple[str, ...]:
    """Names in a byline: "By A and B · 3 March 2024" / "Af A og B" / "A, B and C" → (A, B, C)."""
    text = re.split(r"\s+[·|]\s+|\.\s", " ".join(text.split())[:400])[0]
    names = [part.strip(" .") for part in _NAME_SEPARATORS.split(BYLINE.sub("", text))]
    return tuple(n for n in names if is_name(n))[:12]


def authors_from_sentence(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """Names after "This report by …" in the lead, each without its role ("DIIS senior researcher X" → X)."""
    for paragraph in paragraphs[:6]:
        match = _REPORT_BY.search(paragraph)
        if not match:
            continue
        names = []
        for part in _NAME_SEPARATORS.split(match.group(1)):
            run: list[str] = []
            for word in reversed(part.split()):  # the capitalised words at the end: the name after the role
                if not word[:1].isupper():
                    break
                run.insert(0, word)
            if is_name(" ".join(run[-4:])):
                names.append(" ".join(run[-4:]))
        if names:
            return tuple(names)
    return ()


def date_in(text: str) -> date | None:
    """The first date written as "3 March 2024", "12. januar 2024", "March 3, 2024" or 2024-03-03."""
    text = text[:500]
    for pattern, order in ((_ISO_DATE, "ymd"), (_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups()))
            month = int(parts["m"]) if parts["m"].isdigit() else _MONTHS.get(parts["m"].lower())
            try:
                return date(int(parts["y"]), month or 0, int(parts["d"]))
            except ValueError:
                continue
    return None


def experts_found(experts: tuple[ExpertFacts, ...], how: str) -> Found[tuple[ExpertFacts, ...]] | None:
    """Experts as a Found, flagged with the parts the page does not give and how they were read."""
    if not experts:
        return None
    missing = missing_parts(experts)
    reasons = [how] if how else []
    if missing:
        reasons.append(f"the page gives no {', '.join(missing)} for " + ("an expert" if len(experts) > 1 else "the expert"))
    return Found(experts, Origin.BODY, "; ".join(reasons) or None)


def argument_facts(paragraphs: Sequence[str], language: str) -> dict[str, Found[tuple[str, ...]]]:
    """The abstract (lead paragraphs) and key arguments of the main text, both flagged."""
    facts: dict[str, Found[tuple[str, ...]]] = {}
    lead = lead_paragraphs(paragraphs, language)
    if lead:
        facts["abstract"] = Found(tuple(normalise_apostrophes(p)[0] for p in lead), Origin.BODY, LEAD_CHECK)
    claims = key_arguments([normalise_apostrophes(p)[0] for p in paragraphs], language)
    if claims:
        facts["key_arguments"] = Found(claims, Origin.BODY, CLAIMS_CHECK)
    return facts


# ---------------------------------------------------------------- plain text


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-empty lines, separated by blank lines."""
    blocks: list[list[str]] = [[]]
    for line in text[:MAX_TEXT].replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(line.split())
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _is_prose(block: list[str]) -> bool:
    joined = " ".join(block)
    return len(joined.split()) >= 15 and joined[-1:] in ".!?”\")"


def _title_block(head: list[str]) -> dict[str, Found[str]]:
    """Series, headline and subtitle from the short lines above the first paragraph."""
    facts: dict[str, Found[str]] = {}
    lines = head[:3]
    if len(lines) >= 2 and len(lines[0].split()) <= 6 and _SERIES_WORDS.search(lines[0]):
        facts["series"] = Found(lines[0], Origin.BODY, "the short line above the headline: check it is the series")
        lines = lines[1:]
    elif len(lines) == 3:
        lines = lines[1:]
    position = None if "series" in facts and len(lines) == 2 else "read by position above the first paragraph"
    if lines:
        facts["headline"] = heading(lines[0], Origin.BODY, position)
    if len(lines) >= 2:
        facts["subtitle"] = heading(lines[1], Origin.BODY, position)
    return facts


def _sections(blocks: list[list[str]]) -> tuple[dict[str, list[str]], list[str]]:
    """Labelled blocks ("Regions", "DIIS Experts" …: their lines) and the cover caption's lines.

    A label's lines run to the end of their block; a label alone in its block takes the next block.
    """
    sections: dict[str, list[str]] = {}
    caption: list[str] = []
    current: list[str] | None = None
    for block in blocks:
        for line in block:
            label, _, rest = line.partition(":")
            kind = label_of(line) or (label_of(label) if rest.strip() else None)
            if _COVER_CAPTION.match(line):
                current = caption
            elif kind and kind not in sections:
                current = sections.setdefault(kind, [])
                if not label_of(line):
                    current.append(rest.strip())
            elif current is not None:
                current.append(line)
        if current:
            current = None
    return sections, caption


def text_facts(text: str) -> PageFacts:
    """What a plain-text copy of a report page says: title block, lead, claims, labelled blocks, cover caption."""
    blocks = _blocks(text)
    first_prose = next((i for i, b in enumerate(blocks) if _is_prose(b)), len(blocks))
    head = [line for block in blocks[:first_prose] for line in block]
    sections, caption = _sections(blocks[first_prose:])
    paragraphs = [" ".join(b) for b in blocks[first_prose:] if _is_prose(b)]
    facts: dict[str, object] = dict(_title_block(head))
    if caption:
        facts["title"] = heading(caption[0], Origin.BODY, "read from the cover caption: check it is the report's title")
    if sections.get("regions"):
        facts["regions"] = Found(items(sections["regions"]), Origin.BODY)
    if sections.get("topics"):
        facts["topics"] = Found(items(sections["topics"]), Origin.BODY)
    experts = experts_found(experts_from_lines(sections.get("experts", [])),
                            "read from the lines of the page's expert block")
    if experts:
        facts["experts"] = experts
    authors = authors_from_sentence(paragraphs)
    if authors:
        facts["authors"] = Found(authors, Origin.BODY, "names taken from the sentence \"… report by …\"")
    facts.update(argument_facts(paragraphs, "en"))
    return PageFacts(paragraphs=tuple(paragraphs), **facts)  # type: ignore[arg-type]
