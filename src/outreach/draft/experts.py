"""An expert block → :class:`ExpertFacts`: lines of text (name, then unit/role/phone/email in any order) or a table."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml import html as lxml_html

from .facts import ExpertFacts

MAX_EXPERTS = 10
_MAX_LINES = 200
_MAX_LINE = 200

_PHONE = re.compile(r"^(?:(?:tel|phone|telephone|telefon|mobil|mobile|direct)\.?:?\s*)?(\+?[\d\s().-]{8,24})$", re.I)
_EMAIL = re.compile(r"^(?:e-?mail:?\s*|mailto:)?([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24})$", re.I)
_ROLE = re.compile(
    r"\b(?:senior researcher|researcher|research fellow|fellow|postdoc|ph\.?d\.? (?:student|fellow)|professor"
    r"|associate professor|assistant professor|lecturer|analyst|head of|director|deputy director|programme manager"
    r"|program manager|project manager|coordinator|chief|advisor|adviser|economist|scientist|press officer"
    r"|communications? (?:officer|manager|adviser)|seniorforsker|forsker|seniorrådgiver|rådgiver|analytiker"
    r"|ph\.d\.-studerende|lektor|adjunkt|professor emeritus|afdelingsleder|forskningsleder|direktør|chefanalytiker"
    r"|presseansvarlig|kommunikationschef)\b", re.I)
# A person's name: two to five words, each capitalised (particles like "van", "af", "bin" allowed between).
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*$")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "af", "la", "le", "bin", "ibn", "al", "el"})
_HEADERS = {
    "name": ("name", "navn", "expert", "ekspert", "contact", "kontakt", "person"),
    "role": ("role", "title", "position", "job title", "stilling", "titel", "rolle"),
    "unit": ("unit", "department", "section", "research unit", "team", "area", "afdeling", "enhed", "forskningsenhed",
             "research area", "programme", "program"),
    "phone": ("phone", "telephone", "tel", "tel.", "mobile", "telefon", "mobil", "direct"),
    "email": ("email", "e-mail", "mail", "e-post"),
}


def _clean(line: str) -> str:
    return " ".join(line.split())[:_MAX_LINE].strip(" ·|,;")


def is_phone(line: str) -> bool:
    """A phone number: 8 or more digits among spaces, dots, dashes and brackets, maybe after "Tel.:"."""
    match = _PHONE.match(line)
    return bool(match) and sum(c.isdigit() for c in match.group(1)) >= 8


def is_email(line: str) -> bool:
    """An e-mail address on its own, maybe after "E-mail:" or "mailto:"."""
    return bool(_EMAIL.match(line))


def is_role(line: str) -> bool:
    """A job title such as Senior Researcher, Professor, Head of …, Seniorforsker."""
    return bool(_ROLE.search(line)) and len(line.split()) <= 8


def is_name(line: str) -> bool:
    """Two to five capitalised words with no digits: how a person's name looks in an expert block."""
    words = line.split()
    if not 2 <= len(words) <= 5 or any(c.isdigit() for c in line) or is_role(line):
        return False
    capitalised = [w for w in words if w.lower() not in _PARTICLES]
    return len(capitalised) >= 2 and all(_NAME_WORD.match(w) for w in capitalised) and words[0] in capitalised


def _value(line: str, pattern: re.Pattern[str]) -> str:
    match = pattern.match(line)
    return match.group(1).strip() if match else line


def experts_from_lines(lines: Iterable[str]) -> tuple[ExpertFacts, ...]:
    """Experts from the lines of a block: a name starts one, then unit/role/phone/email lines in any order.

    A line that is none of name, phone, email or role is the unit (the first one only). A
    name-like line starts a new expert once the current one has a unit, phone or email; before
    that it is read as the unit ("Middle East Studies" looks like a name). A second role line
    after such a unit shows the unit was the next expert's name, and it moves there.
    """
    experts: list[ExpertFacts] = []
    current: dict[str, str] | None = None
    for raw in list(lines)[:_MAX_LINES]:
        line = _clean(raw)
        if not line:
            continue
        if current is None or (is_name(line) and any(current[k] for k in ("unit", "phone", "email"))):
            if current is not None:
                experts.append(ExpertFacts(**current))
            current = _new(line) if is_name(line) else None  # text before the first name is not an expert
        elif is_email(line) and not current["email"]:
            current["email"] = _value(line, _EMAIL)
        elif is_phone(line) and not current["phone"]:
            current["phone"] = _value(line, _PHONE)
        elif is_role(line) and current["role"] and is_name(current["unit"]) and not current["phone"]:
            experts.append(ExpertFacts(**{**current, "unit": ""}))
            current = {**_new(current["unit"]), "role": line}
        elif is_role(line) and not current["role"]:
            current["role"] = line
        elif not current["unit"] and not is_phone(line) and not is_email(line):
            current["unit"] = line
    if current is not None:
        experts.append(ExpertFacts(**current))
    return tuple(experts[:MAX_EXPERTS])


def _new(name: str) -> dict[str, str]:
    return {"name": name, "role": "", "unit": "", "phone": "", "email": ""}


def _cell_text(cell: lxml_html.HtmlElement) -> str:
    return _clean(cell.text_content())


def _column(header: str) -> str | None:
    label = header.lower().rstrip(":").strip()
    return next((field for field, names in _HEADERS.items() if label in names), None)


def _rows(table: lxml_html.HtmlElement) -> list[list[lxml_html.HtmlElement]]:
    rows = [row for row in table.iter("tr")][:_MAX_LINES]
    return [[c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")] for row in rows]


def experts_from_table(table: lxml_html.HtmlElement) -> tuple[ExpertFacts, ...]:
    """Experts from a table: a header row naming columns, or label cells ("Name | …") row by row.

    A table with neither is read row by row as lines (one expert per row).
    """
    rows = [r for r in _rows(table) if r]
    if not rows:
        return ()
    columns = [_column(_cell_text(c)) for c in rows[0]]
    if "name" in columns and sum(c is not None for c in columns) >= 2:
        return _by_columns(rows[1:], columns)
    if all(len(r) >= 2 and _column(_cell_text(r[0])) for r in rows):
        return _by_labels(rows)
    return tuple(e for r in rows for e in experts_from_lines(_cell_text(c) for c in r))[:MAX_EXPERTS]


def _by_columns(rows: Sequence[list[lxml_html.HtmlElement]], columns: list[str | None]) -> tuple[ExpertFacts, ...]:
    experts = []
    for row in rows:
        parts = {field: _cell_text(cell) for field, cell in zip(columns, row) if field}
        if parts.get("name"):
            parts["email"] = _value(parts.get("email", ""), _EMAIL)
            experts.append(ExpertFacts(**{k: v for k, v in parts.items()}))
    return tuple(experts[:MAX_EXPERTS])


def _by_labels(rows: Sequence[list[lxml_html.HtmlElement]]) -> tuple[ExpertFacts, ...]:
    experts: list[ExpertFacts] = []
    current: dict[str, str] = {}
    for row in rows:
        field, value = _column(_cell_text(row[0])), _cell_text(row[1])
        if field == "name" and current.get("name"):
            experts.append(ExpertFacts(**current))
            current = {}
        if field and value:
            current[field] = _value(value, _EMAIL) if field == "email" else value
    if current.get("name"):
        experts.append(ExpertFacts(**current))
    return tuple(experts[:MAX_EXPERTS])


def missing_parts(experts: Sequence[ExpertFacts]) -> tuple[str, ...]:
    """The parts ("role", "unit", "phone", "email") any of ``experts`` lacks, for a ``# CHECK:`` reason."""
    parts = ("role", "unit", "phone", "email")
    return tuple(p for p in parts if any(not getattr(e, p) for e in experts))
