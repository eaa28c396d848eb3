"""One row of a subscriber CSV: its columns mapped by header, its values cleaned and typed.

A column is the address, the name, the language (aliases ``lang``, ``locale``), the
country, the topics (alias ``interests``), or an attribute typed by the config's
``[attributes]`` (columns not declared there are text). Typed values are stored as
JSON: a number as an int or a float, a boolean as true/false, a date as its ISO
``YYYY-MM-DD`` text (so it sorts and compares as a date).

A value that cannot be taken (an unknown topic, a bad language, a value not of its
declared type) is a problem reported against its row and column; the rest of the row
is imported. Topics from a file are added to what a person follows, never removed.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, NamedTuple

from ..config import AttributeKind, Config
from ..errors import SubscriberError
from ..text import clean_line
from .import_report import ImportReport
from .subscribers import MAX_ATTR_VALUE, MAX_ATTRS, MAX_NAME, clean_value

ALIASES = {"email": "email", "name": "name", "language": "language", "lang": "language", "locale": "language",
           "country": "country", "topics": "topics", "interests": "topics"}
ATTRIBUTE = "attribute"
_TOPIC_SPLIT = re.compile(r"[;,|]")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
Value = str | int | float | bool


@dataclass(frozen=True)
class Column:
    """One CSV column: its (lower-cased) header, position, the field it fills and, for an attribute, its type."""

    header: str
    number: int
    field: str  # email | name | language | country | topics | attribute
    kind: AttributeKind | None = None
    declared: bool = False

    def describe(self) -> str:
        """``staff -> attribute staff (number)``: what the import does with the column."""
        if self.field != ATTRIBUTE:
            return f"{self.header} -> {self.field}"
        how = self.kind.value if self.declared and self.kind else "text, not declared in [attributes]"
        return f"{self.header} -> attribute {self.header} ({how})"


def map_columns(path: Path, header: list[str], attributes: dict[str, AttributeKind]) -> list[Column]:
    """The meaning of each named column; two columns for one field, or a ``lists`` column, refuse the file."""
    columns: list[Column] = []
    taken: dict[str, str] = {}
    for number, name in enumerate(header, start=1):
        if not name:
            continue
        if name == "lists":
            raise SubscriberError(f"{path}:1: column {number}: 'lists': an import adds everyone to the one list named by --list; "
                                  "split the file by list and remove this column")
        field = ALIASES.get(name, ATTRIBUTE)
        if field != ATTRIBUTE:
            if field in taken:
                raise SubscriberError(f"{path}:1: columns '{taken[field]}' and '{name}' are both the {field}: remove one of them")
            taken[field] = name
            columns.append(Column(name, number, field))
            continue
        kind = attributes.get(name)
        columns.append(Column(name, number, ATTRIBUTE, kind or AttributeKind.TEXT, kind is not None))
    return columns


def typed(kind: AttributeKind, text: str) -> Value:
    """``text`` (one clean line) as a value of ``kind``; raise ``ValueError`` saying what was expected."""
    if kind == AttributeKind.NUMBER:
        if not _NUMBER.match(text):
            raise ValueError(f"'{text[:40]}' is not a number (like 12 or 3.5)")
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(f"'{text[:40]}' is too large")
        if not re.fullmatch(r"[+-]?\d+", text):
            return number
        whole = int(text)
        if not INT64_MIN <= whole <= INT64_MAX:  # the databases store and compare 64-bit integers; SQLite overflows
            raise ValueError(f"'{text[:40]}' is too large (a whole number must be between {INT64_MIN} and {INT64_MAX})")
        return whole
    if kind == AttributeKind.BOOLEAN:
        lowered = text.lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise ValueError(f"'{text[:40]}' is not a yes/no value (true, false, yes, no, 1 or 0)")
    if kind == AttributeKind.DATE:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"'{text[:40]}' is not a date as YYYY-MM-DD") from None
    return text


def topic_ids(cell: str, topics: dict[str, str]) -> tuple[list[str], list[str]]:
    """The topic ids a cell names (ids or labels, any case; split on ``;``, ``,`` or ``|``) and the reasons for parts not known."""
    by_name = {**{label.lower(): tid for tid, label in topics.items()}, **{tid.lower(): tid for tid in topics}}
    found: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in _TOPIC_SPLIT.split(cell)):
        if not part:
            continue
        tid = by_name.get(part.lower())
        if tid is None:
            unknown.append(f"unknown topic '{part[:60]}'{hint(part.lower(), by_name)} (known: {', '.join(sorted(topics)) or 'none'})")
        elif tid not in found:
            found.append(tid)
    return found, unknown


def hint(word: str, names: dict[str, str]) -> str:
    """`` (did you mean 'peace'?)`` when ``word`` is close to one of ``names``; else nothing."""
    close = difflib.get_close_matches(word, list(names), n=1, cutoff=0.7)
    return f" (did you mean '{names[close[0]]}'?)" if close else ""


class Person(NamedTuple):
    """One row as it will be stored."""

    number: int
    key: str
    display: str
    name: str | None
    attrs: dict[str, Value]
    language: str | None
    country: str | None
    topics: tuple[str, ...]


class Memo:
    """Answers that repeat from row to row (a language, a country, a topics cell), worked out once per import."""

    LIMIT = 10_000  # distinct values remembered: a column of unique values is not kept

    def __init__(self, topics: dict[str, str]) -> None:
        from ..locale import normalise_country, normalise_language

        self.language, self.country = normalise_language, normalise_country
        self.topics = topics
        self._groups: tuple[list[Column], list[Column], list[Column], list[Column]] | None = None
        self._answers: dict[tuple[str, str], tuple[Any, str | None]] = {}

    def groups(self, columns: list[Column]) -> tuple[list[Column], list[Column], list[Column]]:
        """The attribute, language and country, and topics columns of ``columns`` (worked out once)."""
        if self._groups is None or self._groups[0] is not columns:
            self._groups = (columns, [c for c in columns if c.field == ATTRIBUTE], [c for c in columns if c.field in ("language", "country")],
                            [c for c in columns if c.field == "topics"])
        return self._groups[1:]

    def answer(self, what: str, value: str, work: Callable[[str], Any]) -> Any:
        """``work(value)``, remembered; a ``ValueError`` it raised is raised again, with its message."""
        found = self._answers.get((what, value))
        if found is None:
            try:
                found = (work(value), None)
            except ValueError as exc:
                found = (None, str(exc))
            if len(self._answers) < self.LIMIT:
                self._answers[(what, value)] = found
        if found[1] is not None:
            raise ValueError(found[1])
        return found[0]


def _attributes(number: int, row: dict[str, str], columns: list[Column], report: ImportReport) -> dict[str, Value]:
    attrs: dict[str, Value] = {}
    for column in columns:
        value = row.get(column.header, "")
        if column.field != ATTRIBUTE or not value:
            continue
        if len(attrs) == MAX_ATTRS:
            report.notes.append((number, column.header, f"more than {MAX_ATTRS} attributes: not imported"))
            continue
        cleaned = clean_value(number, column.header, value, MAX_ATTR_VALUE, report.notes)
        try:
            if cleaned:
                attrs[column.header] = typed(column.kind or AttributeKind.TEXT, cleaned)
        except ValueError as exc:
            report.problems.append((number, column.header, str(exc)))
    return attrs


def _locale(number: int, row: dict[str, str], columns: list[Column], report: ImportReport, memo: Memo) -> tuple[str | None, str | None]:
    found: dict[str, str | None] = {"language": None, "country": None}
    for column in columns:
        value = row.get(column.header, "")
        if column.field in found and value:
            work = memo.language if column.field == "language" else memo.country
            try:
                found[column.field] = memo.answer(column.field, value, lambda v: work(clean_line(v, 40)))
            except ValueError as exc:
                report.problems.append((number, column.header, str(exc)))
    return found["language"], found["country"]


def _topics(number: int, row: dict[str, str], columns: list[Column], memo: Memo, report: ImportReport) -> tuple[str, ...]:
    found: list[str] = []
    for column in columns:
        if column.field == "topics" and row.get(column.header):
            ids, unknown = memo.answer("topics", row[column.header], lambda v: topic_ids(clean_line(v), memo.topics))
            found += ids
            report.problems += [(number, column.header, reason) for reason in unknown]
    return tuple(found)


def person(number: int, row: dict[str, str], key: str, display: str, columns: list[Column], config: Config, report: ImportReport,
           memo: Memo | None = None) -> Person:
    """The row's values, cleaned and typed; every value not taken as written is noted or reported against the row."""
    memo = memo or Memo(config.topics)
    attributes, locale, topics = memo.groups(columns)
    name = clean_value(number, "name", row.get("name", ""), MAX_NAME, report.notes) or None
    language, country = _locale(number, row, locale, report, memo)
    return Person(number, key, display, name, _attributes(number, row, attributes, report), language, country,
                  _topics(number, row, topics, memo, report))
