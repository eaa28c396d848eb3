"""Subscriber import: a CSV's columns mapped by header, typed values, consent records, forgotten addresses refused.

A column is the address, the name, the language (aliases ``lang``, ``locale``), the
country, the topics (alias ``interests``), or an attribute typed by the config's
``[attributes]`` (columns not declared there are text). Typed values are stored as
JSON: a number as an int or a float, a boolean as true/false, a date as its ISO
``YYYY-MM-DD`` text (so it sorts and compares as a date).

A value that cannot be taken (an unknown topic, a bad language, a value not of its
declared type) is a problem reported against its row and column; the rest of the row
is imported. Topics from a file are added to what a person follows, never removed.
Every membership an import creates or activates gets a consent record (method
``import``: the file, the row, who ran it, the ``--consent`` basis). An address that
was forgotten on request is refused for its row. A row repeating an earlier row's
address is not imported: its values are counted as not imported.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, func, insert, select, update

from ..config import AttributeKind, Config
from ..errors import SubscriberError
from ..text import clean_line
from ..tokens import Keyring
from .consent import ConsentMethod
from .db import current_user, now
from .privacy import forgotten_in, keyring
from .schema import audit, consents, memberships, subscriber_topics, subscribers
from .subscribers import (BATCH, MAX_ADDRESS, MAX_ATTR_VALUE, MAX_ATTRS, MAX_NAME, clean_value, normalise_email, open_csv, rows_of,
                          suppressed_clause)
from .upsert import insert_ignore

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


# -- what an import did ----------------------------------------------------------------------------

class Duplicate(NamedTuple):
    """A row whose address an earlier row of the file already has: only the earlier row is imported."""

    row: int
    first: int  # the row that was imported
    address: str
    values: tuple[str, ...]  # the columns with a (non-empty) value in this row, other than the address: not imported


@dataclass
class ImportReport:
    """What an import did, row by row where a row was not taken as it was."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, value, reason)
    merged: list[Duplicate] = field(default_factory=list)
    # (row, column, what was done): a value taken, but not exactly as it was in the file
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    # (row, column, reason): a value not taken (the rest of its row was)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    consents: int = 0
    suppressed: int = 0

    @property
    def total_rows(self) -> int:
        """Data rows read from the file."""
        return self.added + self.updated + self.unchanged + len(self.rejected) + len(self.merged)

    @property
    def values_not_imported(self) -> int:
        """Values in the file that are not stored: the problems, and every value of a duplicate row."""
        return len(self.problems) + sum(len(d.values) for d in self.merged)

    @property
    def complete(self) -> bool:
        """True when every row and every value of the file was taken (a note is a change, not a loss)."""
        return not (self.rejected or self.problems or any(d.values for d in self.merged))


# -- one row -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """One row as it will be stored."""

    number: int
    key: str
    display: str
    name: str | None
    attrs: dict[str, Value]
    language: str | None
    country: str | None
    topics: tuple[str, ...]


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


def _locale(number: int, row: dict[str, str], columns: list[Column], report: ImportReport) -> tuple[str | None, str | None]:
    from ..locale import normalise_country, normalise_language

    found: dict[str, str | None] = {"language": None, "country": None}
    for column in columns:
        value = row.get(column.header, "")
        if column.field in found and value:
            try:
                found[column.field] = (normalise_language if column.field == "language" else normalise_country)(clean_line(value, 40))
            except ValueError as exc:
                report.problems.append((number, column.header, str(exc)))
    return found["language"], found["country"]


def _topics(number: int, row: dict[str, str], columns: list[Column], topics: dict[str, str], report: ImportReport) -> tuple[str, ...]:
    found: list[str] = []
    for column in columns:
        if column.field == "topics" and row.get(column.header):
            ids, unknown = topic_ids(clean_line(row[column.header]), topics)
            found += ids
            report.problems += [(number, column.header, reason) for reason in unknown]
    return tuple(found)


def person(number: int, row: dict[str, str], key: str, display: str, columns: list[Column], config: Config, report: ImportReport) -> Person:
    """The row's values, cleaned and typed; every value not taken as written is noted or reported against the row."""
    name = clean_value(number, "name", row.get("name", ""), MAX_NAME, report.notes) or None
    language, country = _locale(number, row, columns, report)
    return Person(number, key, display, name, _attributes(number, row, columns, report), language, country,
                  _topics(number, row, columns, config.topics, report))


# -- storing -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Basis:
    """Where an import's consent came from: kept in every consent record it writes."""

    file_name: str
    collected_by: str
    basis: str | None


def import_csv(engine: Engine, path: Path, list_name: str, source: str = "import", *, config: Config | None = None,
               basis: str | None = None, collected_by: str | None = None, encoding: str = "utf-8") -> ImportReport:
    """Add or update the CSV's subscribers on ``list_name``; every rejected row and every value not taken is in the report.

    The file is UTF-8 unless ``encoding`` is ``cp1252``; a file that does not decode, or
    that cannot be read as CSV to its end, raises ``SubscriberError`` before anything is stored.
    """
    config = config or Config()
    report = ImportReport()
    header, reader = open_csv(path, encoding)
    report.columns = map_columns(path, header, dict(config.attributes))
    why = Basis(path.name, collected_by or current_user(), basis)
    keys = keyring(config, engine)
    seen: dict[str, int] = {}
    batch: list[Person] = []
    for number, row in rows_of(header, reader, report.notes, report.problems, path):
        try:
            key, display = normalise_email(row.get("email", ""))
        except ValueError as exc:
            report.rejected.append((number, clean_line(row.get("email", ""), MAX_ADDRESS), str(exc)))
            continue
        if key in seen:
            values = tuple(column for column, value in row.items() if value and column != "email")
            report.merged.append(Duplicate(number, seen[key], display, values))
            continue
        seen[key] = number
        batch.append(person(number, row, key, display, report.columns, config, report))
        if len(batch) >= BATCH:
            _store(engine, keys, batch, list_name, source, why, report)
            batch = []
    if batch:
        _store(engine, keys, batch, list_name, source, why, report)
    _finish(engine, path, list_name, source, report)
    return report


def _finish(engine: Engine, path: Path, list_name: str, source: str, report: ImportReport) -> None:
    with engine.begin() as conn:
        report.suppressed = conn.execute(
            select(func.count()).select_from(memberships.join(subscribers)).where(memberships.c.list == list_name, suppressed_clause(list_name))
        ).scalar_one()
        conn.execute(insert(audit), [{"at": now(), "action": "imported", "list": list_name, "source": source,
                                      "detail": f"{path.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                                                f"{len(report.rejected)} rejected, {report.consents} consent records"}])


def _store(engine: Engine, keys: Keyring, batch: list[Person], list_name: str, source: str, why: Basis, report: ImportReport) -> None:
    """Store one batch in one transaction; forgotten addresses are rejected first."""
    forgotten = forgotten_in(engine, keys, [p.key for p in batch])
    for p in batch:
        if p.key in forgotten:
            report.rejected.append((p.number, p.display, "this address was forgotten at the person's request (subscribers forget): "
                                                         "it is not imported again; only they can sign up again"))
    batch = [p for p in batch if p.key not in forgotten]
    if batch:
        _upsert(engine, batch, list_name, source, why, report)


def _upsert(engine: Engine, batch: list[Person], list_name: str, source: str, why: Basis, report: ImportReport) -> None:
    stamp = now()
    with engine.begin() as conn:
        keys = [p.key for p in batch]
        existing = {r.email: r for r in conn.execute(select(subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.attrs,
                                                            subscribers.c.language, subscribers.c.country).where(subscribers.c.email.in_(keys)))}
        new_rows = [{"email": p.key, "display_email": p.display, "name": p.name, "attrs": p.attrs, "language": p.language,
                     "country": p.country, "created_at": stamp, "updated_at": stamp} for p in batch if p.key not in existing]
        insert_ignore(conn, subscribers, new_rows, ["email"])  # a sign-up may add one of them meanwhile
        ids = dict(conn.execute(select(subscribers.c.email, subscribers.c.id).where(subscribers.c.email.in_(keys))).all())
        member = {r.subscriber_id: r.status for r in conn.execute(select(memberships.c.subscriber_id, memberships.c.status)
                                                                  .where(memberships.c.list == list_name, memberships.c.subscriber_id.in_(ids.values())))}
        followed = {(r.subscriber_id, r.topic) for r in conn.execute(select(subscriber_topics).where(subscriber_topics.c.subscriber_id.in_(ids.values())))}
        joining: list[dict] = []
        consenting: list[dict] = []
        new_topics: list[dict] = []
        for p in batch:
            sid, old = ids[p.key], existing.get(p.key)
            changed = old is not None and _update(conn, sid, p, old, stamp)
            added = [{"subscriber_id": sid, "topic": t} for t in p.topics if (sid, t) not in followed]
            new_topics += added
            status = member.get(sid)
            if status is None:
                joining.append({"subscriber_id": sid, "list": list_name, "status": "active", "source": source, "updated_at": stamp})
            elif status == "pending":
                conn.execute(update(memberships).where(memberships.c.subscriber_id == sid, memberships.c.list == list_name)
                             .values(status="active", source=source, updated_at=stamp))
            # an "unsubscribed" membership stays so: an import never overrides a subscriber's choice
            if status in (None, "pending"):
                consenting.append(_consent(sid, list_name, p.number, why, stamp))
            changed = changed or bool(added) or (old is not None and status in (None, "pending"))
            if old is None:
                report.added += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
        insert_ignore(conn, memberships, joining, ["subscriber_id", "list"])
        insert_ignore(conn, subscriber_topics, new_topics, ["subscriber_id", "topic"])
        if consenting:
            conn.execute(insert(consents), consenting)
            report.consents += len(consenting)


def _update(conn, sid: int, p: Person, old, stamp) -> bool:  # type: ignore[no-untyped-def]
    """Merge a row into an existing subscriber (a value the file leaves empty keeps what was stored); whether anything changed."""
    values = {"name": p.name or old.name, "attrs": {**(old.attrs or {}), **p.attrs},
              "language": p.language or old.language, "country": p.country or old.country}
    if values == {"name": old.name, "attrs": old.attrs or {}, "language": old.language, "country": old.country}:
        return False
    conn.execute(update(subscribers).where(subscribers.c.id == sid).values(**values, updated_at=stamp))
    return True


def _consent(sid: int, list_name: str, number: int, why: Basis, stamp) -> dict:  # type: ignore[no-untyped-def]
    """A consent record of the import (written in bulk: one insert per batch, not per row)."""
    return {"subscriber_id": sid, "list": list_name, "method": ConsentMethod.IMPORT.value, "requested_at": None, "given_at": stamp,
            "ip": None, "user_agent": None, "form_version": None, "source_file": clean_line(why.file_name, 255), "source_row": number,
            "collected_by": clean_line(why.collected_by, 200), "basis": why.basis, "withdrawn_at": None, "withdrawn_by": None}
