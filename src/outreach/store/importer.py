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

import base64
import difflib
import hmac
import io
import itertools
import json
import math
import pickle
import queue
import re
import secrets
import sqlite3
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Callable, Generic, Iterable, Iterator, NamedTuple, TypeVar

from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from sqlalchemy import Connection, Engine, Row, bindparam, func, insert, select, update

from ..config import AttributeKind, Config
from ..errors import SubscriberError
from ..text import clean_line
from ..tokens import Keyring
from .consent import ConsentMethod
from .db import current_user, now
from .privacy import MARK_PREFIX, keyring
from .schema import audit, memberships, subscriber_topics, subscribers, suppressions
from .subscribers import (ALL_LISTS, BATCH, MAX_ADDRESS, MAX_ATTR_VALUE, MAX_ATTRS, MAX_NAME, clean_value, normalise_email, open_csv, rows_of,
                          suppressed_clause)

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

T = TypeVar("T")


class Spool(Generic[T]):
    """A list that keeps its first :attr:`KEEP` entries in memory and the rest in a temporary file.

    A report of a million-row file with a problem in every row must still be printed in
    full, but never held in memory at once: the entries are read back in order.
    """

    KEEP = 1000

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._head: list[T] = []
        self._file: BinaryIO | None = None
        self._size = 0
        self.extend(items)

    def append(self, item: T) -> None:
        """Add ``item`` at the end."""
        if self._size < self.KEEP:
            self._head.append(item)
        else:
            if self._file is None:
                self._file = tempfile.TemporaryFile()
            pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._size += 1

    def extend(self, items: Iterable[T]) -> None:
        """Add ``items`` at the end, in order."""
        for item in items:
            self.append(item)

    def __iadd__(self, items: Iterable[T]) -> "Spool[T]":
        self.extend(items)
        return self

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[T]:
        size = self._size
        yield from self._head[:min(size, self.KEEP)]
        if self._file is None or size <= self.KEEP:
            return
        self._file.flush()
        at = 0
        for _ in range(size - self.KEEP):
            self._file.seek(at)
            item = pickle.load(self._file)  # our own file, written above
            at = self._file.tell()
            self._file.seek(0, io.SEEK_END)  # an append while the caller holds this iterator goes to the end
            yield item

    def __getitem__(self, index: int) -> T:
        if 0 <= index < len(self._head):
            return self._head[index]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("Spool index out of range")
        return next(itertools.islice(iter(self), index, None))

    def __contains__(self, item: object) -> bool:
        return any(entry == item for entry in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Spool, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        more = f", … {self._size - len(self._head)} more" if self._size > len(self._head) else ""
        return f"Spool({self._head!r}{more})"


class Duplicate(NamedTuple):
    """A row whose address an earlier row of the file already has: only the earlier row is imported."""

    row: int
    first: int  # the row that was imported
    address: str
    values: tuple[str, ...]  # the columns with a (non-empty) value in this row, other than the address: not imported


@dataclass
class ImportReport:
    """What an import did, row by row where a row was not taken as it was (long lists wait in temporary files)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: Spool[tuple[int, str, str]] = field(default_factory=Spool)  # (row, value, reason)
    merged: Spool[Duplicate] = field(default_factory=Spool)
    # (row, column, what was done): a value taken, but not exactly as it was in the file
    notes: Spool[tuple[int, str, str]] = field(default_factory=Spool)
    # (row, column, reason): a value not taken (the rest of its row was)
    problems: Spool[tuple[int, str, str]] = field(default_factory=Spool)
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


# -- reading: rows in chunks, duplicates found in a private file ---------------------------------------

class Read(NamedTuple):
    """A row as read, with what reading it noted (replayed into the report in row order) and its address or why not."""

    number: int
    values: dict[str, str]
    notes: list[tuple[int, str, str]]
    problems: list[tuple[int, str, str]]
    key: str | None  # None: the address was refused (``reason``)
    display: str
    reason: str


_ATEXT = r"A-Za-z0-9_!#$%&'*+\-/=?^`{|}~"  # RFC 5322 atext, as email-validator has it
_PLAIN_LOCAL = re.compile(f"[{_ATEXT}]+(?:\\.[{_ATEXT}]+)*\\Z")
_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9.-]+\Z")


class Addresses:
    """:func:`normalise_email`, with each domain checked once per import (checking a domain is most of its time).

    Only a plain address takes the short way: ASCII dot-atom before the one ``@``, at most
    64 characters, not a mailbox name the validator lower-cases (``postmaster``), and a domain of
    ASCII letters, digits, dots and single hyphens that the validator accepts (asked once, with
    a stand-in local part). It comes out exactly as the validator writes it; anything else, and
    every refusal, goes through :func:`normalise_email` itself.
    """

    LIMIT = 100_000  # domains remembered

    def __init__(self) -> None:
        self._domains: dict[str, str | None] = {}

    def normalise(self, raw: str) -> tuple[str, str]:
        """(identity key, display form) of ``raw``, as :func:`normalise_email`; raise ``ValueError`` with the reason."""
        text = (raw or "").strip()
        local, _, domain = text.partition("@")
        if (len(local) <= 64 and "@" not in domain and "--" not in domain and _PLAIN_LOCAL.match(local) and _PLAIN_DOMAIN.match(domain)
                and local.lower() not in CASE_INSENSITIVE_MAILBOX_NAMES):
            checked = self._domain(domain)
            display = f"{local}@{checked}"
            if checked is not None and len(display) <= 254:
                return display.lower(), display
        return normalise_email(raw)

    def _domain(self, domain: str) -> str | None:
        """The validator's form of ``domain``, or None when it refuses it (the address then goes the long way, for the reason)."""
        if domain in self._domains:
            return self._domains[domain]
        try:
            checked: str | None = normalise_email(f"a@{domain}")[1].partition("@")[2]
        except ValueError:
            checked = None
        if len(self._domains) < self.LIMIT:
            self._domains[domain] = checked
        return checked


_NONE: list[tuple[int, str, str]] = []  # shared by the rows that noted nothing (never appended to)


def _read(path: Path, header: list[str], reader: Iterator[list[str]]) -> Iterator[Read]:
    notes: list[tuple[int, str, str]] = []
    problems: list[tuple[int, str, str]] = []
    addresses = Addresses()
    for number, row in rows_of(header, reader, notes, problems, path):
        try:
            key, display = addresses.normalise(row.get("email", ""))
            reason = ""
        except ValueError as exc:
            key, display, reason = None, "", str(exc)
        yield Read(number, row, notes[:] if notes else _NONE, problems[:] if problems else _NONE, key, display, reason)
        notes.clear()
        problems.clear()


def _chunks(rows: Iterator[Read], size: int) -> Iterator[list[Read]]:
    chunk: list[Read] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Seen:
    """The first row of every address taken so far, in a private SQLite file: a million addresses in a dict take ~150 MB."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="outreach-import-")
        self._db = sqlite3.connect(Path(self._folder.name) / "seen.db", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-8000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE seen (address TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")

    def first_rows(self, keys: list[str]) -> dict[str, int]:
        """The row that first had each of ``keys``, for those taken before."""
        found: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            found.update(self._db.execute(f"SELECT address, row FROM seen WHERE address IN ({','.join('?' * len(part))})", part))
        return found

    def add(self, firsts: list[tuple[str, int]]) -> None:
        """Remember each (address, row) as taken."""
        self._db.execute("BEGIN")
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", firsts)
        self._db.execute("COMMIT")

    def close(self) -> None:
        """Delete the file."""
        self._db.close()
        self._folder.cleanup()


# -- storing -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Basis:
    """Where an import's consent came from: kept in every consent record it writes."""

    file_name: str
    collected_by: str
    basis: str | None


@dataclass
class Run:
    """One import's settings and the batch of rows waiting to be stored."""

    engine: Engine
    keys: Keyring
    list_name: str
    source: str
    why: Basis
    report: ImportReport
    columns: list[Column]
    config: Config
    memo: Memo
    batch: list[Person] = field(default_factory=list)
    writer: "Writer | None" = None


class Writer:
    """Stores the batches in a second thread, one after another, while the next rows are read and checked.

    The database does its part (SQLite's B-trees, PostgreSQL's server) without Python's
    lock, so it overlaps the parsing. At most one batch waits: memory stays bounded. A
    failed batch stops the writing; the error is raised in the importing thread.
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        self.conn: Connection | None = None  # the open transaction, and the rows in it
        self.rows = 0
        self.waiting: queue.Queue[list[Person] | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="import-writer", daemon=True)
        self.thread.start()

    def put(self, batch: list[Person]) -> None:
        """Queue ``batch`` (waiting while the one before it is queued); raise what a batch before it raised."""
        self._raise()
        self.waiting.put(batch)

    def close(self) -> None:
        """Wait for every queued batch to be stored; raise what one raised."""
        self.waiting.put(None)
        self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        while (batch := self.waiting.get()) is not None:
            if self.error is None:
                try:
                    self._store(batch)
                except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
                    self.error = exc
        try:
            self._commit()
        except BaseException as exc:  # noqa: BLE001 - the last commit failed: the import must say so
            self.error = exc

    def _store(self, batch: list[Person]) -> None:
        """Store ``batch`` in the open transaction (opened if none is); commit after :data:`TX_ROWS` rows."""
        if self.conn is None:
            self.conn = self.run.engine.connect()
            self.conn.begin()
        _upsert(self.conn, self.run, batch)
        self.rows += len(batch)
        if self.rows >= TX_ROWS:
            self._commit()

    def _commit(self) -> None:
        if self.conn is not None:
            try:
                if self.error is None:
                    self.conn.commit()
            finally:
                self.conn.close()
                self.conn, self.rows = None, 0


CHUNK = 2000  # rows read before their addresses are looked up among those taken
# Rows per transaction: SQLite copies every page a transaction changed back into the database
# (a checkpoint), so a million rows in 2,000-row transactions rewrote the hot index pages 500 times.
TX_ROWS = 20_000


def import_csv(engine: Engine, path: Path, list_name: str, source: str = "import", *, config: Config | None = None,
               basis: str | None = None, collected_by: str | None = None, encoding: str = "utf-8") -> ImportReport:
    """Add or update the CSV's subscribers on ``list_name``; every rejected row and every value not taken is in the report.

    The file is UTF-8 unless ``encoding`` is ``cp1252``; a file that does not decode, or
    that cannot be read as CSV to its end, raises ``SubscriberError`` before anything is stored.
    Memory stays bounded whatever the file's size: rows are read, checked and stored a batch at a time.
    """
    config = config or Config()
    report = ImportReport()
    header, reader = open_csv(path, encoding)
    report.columns = map_columns(path, header, dict(config.attributes))
    run = Run(engine, keyring(config, engine), list_name, source, Basis(path.name, collected_by or current_user(), basis), report,
              report.columns, config, Memo(config.topics))
    seen, run.writer = Seen(), Writer(run)
    try:
        for chunk in _chunks(_read(path, header, reader), CHUNK):
            _take(run, chunk, seen)
        if run.batch:
            _store(run)
    finally:
        seen.close()
        run.writer.close()  # every batch queued is stored (or the first error is raised) before the import returns
    _finish(engine, path, list_name, source, report)
    return report


def _take(run: Run, chunk: list[Read], seen: Seen) -> None:
    """The chunk's rows in order: refused, a duplicate of an earlier row, or a person for the next batch."""
    report = run.report
    firsts = seen.first_rows([r.key for r in chunk if r.key is not None])
    taken: list[tuple[str, int]] = []
    for r in chunk:
        if r.notes:
            report.notes += r.notes
        if r.problems:
            report.problems += r.problems
        if r.key is None:
            report.rejected.append((r.number, clean_line(r.values.get("email", ""), MAX_ADDRESS), r.reason))
            continue
        if r.key in firsts:
            values = tuple(column for column, value in r.values.items() if value and column != "email")
            report.merged.append(Duplicate(r.number, firsts[r.key], r.display, values))
            continue
        firsts[r.key] = r.number
        taken.append((r.key, r.number))
        run.batch.append(person(r.number, r.values, r.key, r.display, run.columns, run.config, report, run.memo))
        if len(run.batch) >= BATCH:
            _store(run)
    seen.add(taken)


def _finish(engine: Engine, path: Path, list_name: str, source: str, report: ImportReport) -> None:
    with engine.begin() as conn:
        report.suppressed = conn.execute(
            select(func.count()).select_from(memberships.join(subscribers)).where(memberships.c.list == list_name, suppressed_clause(list_name))
        ).scalar_one()
        conn.execute(insert(audit), [{"at": now(), "action": "imported", "list": list_name, "source": source,
                                      "detail": f"{path.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                                                f"{len(report.rejected)} rejected, {report.consents} consent records"}])


def _store(run: Run) -> None:
    """Hand the batch to the writer (its transaction holds up to :data:`TX_ROWS` rows); forgotten addresses are rejected first."""
    batch, run.batch = run.batch, []
    forgotten = _forgotten(run.engine, run.keys, [p.key for p in batch])
    for p in batch:
        if p.key in forgotten:
            run.report.rejected.append((p.number, p.display, "this address was forgotten at the person's request (subscribers forget): "
                                                             "it is not imported again; only they can sign up again"))
    batch = [p for p in batch if p.key not in forgotten]
    if batch and run.writer is not None:
        run.writer.put(batch)
    elif batch:
        with run.engine.begin() as conn:
            _upsert(conn, run, batch)


def _forgotten(engine: Engine, keys: Keyring, addresses: list[str]) -> set[str]:
    """:func:`outreach.store.privacy.forgotten_in`, each mark made by the one-shot HMAC (the same mark, a quarter of the time)."""
    by_mark = {MARK_PREFIX + hmac.digest(k, a.encode("utf-8"), "sha256").hex(): a for a in addresses for k in keys.keys}
    marks, found = list(by_mark), set()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # one array, not thousands of parameters to parse
            hits = conn.exec_driver_sql("SELECT email FROM suppressions WHERE list = %s AND email = ANY(%s)", (ALL_LISTS, marks))
            return {by_mark[m] for m in hits.scalars()}
        for i in range(0, len(marks), LOOKUP):
            hits = conn.execute(select(suppressions.c.email).where(suppressions.c.email.in_(marks[i:i + LOOKUP]), suppressions.c.list == ALL_LISTS))
            found |= {by_mark[m] for m in hits.scalars()}
    return found


def _upsert(conn: Connection, run: Run, batch: list[Person]) -> None:
    """Add the new people and merge the known ones, then their memberships, topics and consent records: a few statements per batch."""
    stamp, report = now(), run.report
    bulk = Bulk(conn, stamp)
    ids = bulk.add_subscribers(batch)  # those added now; the others were there (or a sign-up added them meanwhile)
    fresh = set(ids.values())  # rows of this open transaction: nothing else can hold a membership or topic of theirs yet
    existing = _existing(conn, [p.key for p in batch if p.key not in ids])
    ids.update((key, row.id) for key, row in existing.items())
    known = [row.id for row in existing.values()]  # only these can have memberships and topics already
    member, followed = _standing(conn, run.list_name, known)
    joining, activating, consenting, new_topics, changes = [], [], [], [], []
    for p in batch:
        sid, old = ids[p.key], existing.get(p.key)
        change = _change(p, old) if old is not None else None
        if change is not None:
            changes.append({"_id": sid, **change, "_updated": stamp})
        added = [(sid, t) for t in p.topics if (sid, t) not in followed]
        new_topics += added
        status = member.get(sid)
        if status is None:
            joining.append(sid)
        elif status == "pending":
            activating.append(sid)
        # an "unsubscribed" membership stays so: an import never overrides a subscriber's choice
        if status in (None, "pending"):
            consenting.append((sid, p.number))
        if old is None:
            report.added += 1
        elif change is not None or added or status in (None, "pending"):
            report.updated += 1
        else:
            report.unchanged += 1
    bulk.update_subscribers(changes)
    bulk.activate(activating, run.list_name, run.source)
    bulk.add_memberships(joining, run.list_name, run.source, fresh)
    bulk.add_topics(new_topics, fresh)
    bulk.add_consents(consenting, run.list_name, run.why)
    report.consents += len(consenting)


def _existing(conn: Connection, keys: list[str]) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for i in range(0, len(keys), LOOKUP):
        q = select(subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.attrs, subscribers.c.language,
                   subscribers.c.country).where(subscribers.c.email.in_(keys[i:i + LOOKUP]))
        found.update((r.email, r) for r in conn.execute(q))
    return found


def _standing(conn: Connection, list_name: str, ids: list[int]) -> tuple[dict[int, str], set[tuple[int, str]]]:
    """The memberships of ``list_name`` and the topics followed of subscribers ``ids``."""
    member: dict[int, str] = {}
    followed: set[tuple[int, str]] = set()
    for i in range(0, len(ids), LOOKUP):
        part = ids[i:i + LOOKUP]
        member.update((sid, status) for sid, status in conn.execute(select(memberships.c.subscriber_id, memberships.c.status)
                                                                    .where(memberships.c.list == list_name, memberships.c.subscriber_id.in_(part))))
        followed.update((sid, topic) for sid, topic in conn.execute(select(subscriber_topics.c.subscriber_id, subscriber_topics.c.topic)
                                                                    .where(subscriber_topics.c.subscriber_id.in_(part))))
    return member, followed


def _change(p: Person, old: Row) -> dict[str, Any] | None:
    """The merged values of a row and the stored subscriber (a value the file leaves empty keeps what was stored); None if all the same."""
    values = {"name": p.name or old.name, "attrs": {**(old.attrs or {}), **p.attrs},
              "language": p.language or old.language, "country": p.country or old.country}
    if values == {"name": old.name, "attrs": old.attrs or {}, "language": old.language, "country": old.country}:
        return None
    return {f"_{key}": value for key, value in values.items()}


LOOKUP = 500  # keys per IN (…) lookup
STAGE = "outreach_import_stage"  # PostgreSQL: the session's temporary table a batch of subscribers is copied into
VALUES_ROWS = 1000  # rows per multi-row INSERT on SQLite (9 values each: under its 32,766 parameters)


class Bulk:
    """A batch's writes as few statements as the database allows: one per table and batch.

    SQLite: the driver's executemany (and multi-row VALUES … RETURNING for the new ids);
    PostgreSQL: one ``INSERT … SELECT FROM unnest(arrays)`` per table, a single round trip
    whatever the batch's size. Inserts that a sign-up could race are ``ON CONFLICT DO NOTHING``,
    as :func:`outreach.store.upsert.insert_ignore` writes them. Values are converted by the
    columns' own SQLAlchemy types, so rows read back exactly as if Core had written them.
    """

    def __init__(self, conn: Connection, stamp: datetime) -> None:
        self.conn, self.when = conn, stamp
        self.pg = conn.dialect.name == "postgresql"
        if not self.pg and conn.dialect.name != "sqlite":
            raise NotImplementedError(f"bulk import on {conn.dialect.name}")
        self.stamp = stamp if self.pg else _processor(subscribers.c.created_at, conn)(stamp)
        self.json = json.dumps if self.pg else _processor(subscribers.c.attrs, conn)

    def add_subscribers(self, batch: list[Person]) -> dict[str, int]:
        """Insert the batch's subscribers whose address is new; their ids by address."""
        rows = [(p.key, token, p.display, p.name, self.json(p.attrs), p.language, p.country) for p, token in zip(batch, _token_keys(len(batch)))]
        columns = "email, token_key, display_email, name, attrs, language, country, created_at, updated_at"
        if self.pg:
            return self._copy_subscribers(rows, columns)
        ids: dict[str, int] = {}
        for i in range(0, len(rows), VALUES_ROWS):
            part = rows[i:i + VALUES_ROWS]
            sql = (f"INSERT INTO subscribers ({columns}) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(part))
                   + " ON CONFLICT (email) DO NOTHING RETURNING email, id")
            values = tuple(itertools.chain.from_iterable(row + (self.stamp, self.stamp) for row in part))
            ids.update((email, sid) for email, sid in self.conn.exec_driver_sql(sql, values))
        return ids

    def _copy_subscribers(self, rows: list[tuple], columns: str) -> dict[str, int]:
        """PostgreSQL: COPY the rows into a session's staging table, then one INSERT … ON CONFLICT from it (COPY alone cannot skip conflicts)."""
        with self.conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (email text, token_key text, display_email text, name text, attrs json, "
                           "language text, country text) ON COMMIT DELETE ROWS")
            with cursor.copy(f"COPY {STAGE} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO subscribers ({columns}) SELECT email, token_key, display_email, name, attrs, language, country, %s, %s "
                           f"FROM {STAGE} ON CONFLICT (email) DO NOTHING RETURNING email, id", (self.stamp, self.stamp))
            ids = {email: sid for email, sid in cursor.fetchall()}
            cursor.execute(f"TRUNCATE {STAGE}")
        return ids

    def add_memberships(self, ids: list[int], list_name: str, source: str, fresh: set[int]) -> None:
        """Active memberships of ``list_name`` for ``ids`` (one that a sign-up made meanwhile stays); ``fresh``: subscribers added in this transaction."""
        if self.pg:
            self._copy("memberships", "subscriber_id, list, status, source, updated_at",
                       [(sid, list_name, "active", source, self.stamp) for sid in ids if sid in fresh])
            known = [sid for sid in ids if sid not in fresh]
            if known:
                self.conn.exec_driver_sql("INSERT INTO memberships (subscriber_id, list, status, source, updated_at) "
                                          "SELECT s, %s, 'active', %s, %s FROM unnest(%s::bigint[]) AS u(s) "
                                          "ON CONFLICT (subscriber_id, list) DO NOTHING", (list_name, source, self.stamp, known))
            return
        if ids:
            self.conn.exec_driver_sql("INSERT INTO memberships (subscriber_id, list, status, source, updated_at) VALUES (?, ?, 'active', ?, ?) "
                                      "ON CONFLICT (subscriber_id, list) DO NOTHING", [(sid, list_name, source, self.stamp) for sid in ids])

    def add_topics(self, pairs: list[tuple[int, str]], fresh: set[int]) -> None:
        """Topics followed, as (subscriber id, topic); one already followed stays; ``fresh``: subscribers added in this transaction."""
        if self.pg:
            self._copy("subscriber_topics", "subscriber_id, topic", [pair for pair in pairs if pair[0] in fresh])
            known = [pair for pair in pairs if pair[0] not in fresh]
            if known:
                sids, topics = map(list, zip(*known))
                self.conn.exec_driver_sql("INSERT INTO subscriber_topics (subscriber_id, topic) SELECT s, t FROM unnest(%s::bigint[], %s::text[]) "
                                          "AS u(s, t) ON CONFLICT (subscriber_id, topic) DO NOTHING", (sids, topics))
            return
        if pairs:
            self.conn.exec_driver_sql("INSERT INTO subscriber_topics (subscriber_id, topic) VALUES (?, ?) "
                                      "ON CONFLICT (subscriber_id, topic) DO NOTHING", pairs)

    def _copy(self, table: str, columns: str, rows: list[tuple]) -> None:
        """PostgreSQL: ``rows`` straight into ``table`` with COPY (only rows no other transaction can conflict with)."""
        if rows:
            with self.conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)

    def add_consents(self, rows: list[tuple[int, int]], list_name: str, why: Basis) -> None:
        """A consent record of the import for each (subscriber id, file row)."""
        if not rows:
            return
        fixed = (list_name, ConsentMethod.IMPORT.value, self.stamp, clean_line(why.file_name, 255), clean_line(why.collected_by, 200), why.basis)
        columns = "subscriber_id, list, method, given_at, source_file, collected_by, basis, source_row"
        if self.pg:  # no unique key to conflict on: straight in with COPY
            self._copy("consents", columns, [(sid, *fixed, number) for sid, number in rows])
            return
        self.conn.exec_driver_sql(f"INSERT INTO consents ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(sid, *fixed, number) for sid, number in rows])

    def update_subscribers(self, changes: list[dict[str, Any]]) -> None:
        """Merged values for known subscribers (rare in a new list: Core's executemany is fast enough)."""
        if changes:
            self.conn.execute(update(subscribers).where(subscribers.c.id == bindparam("_id"))
                              .values(name=bindparam("_name"), attrs=bindparam("_attrs"), language=bindparam("_language"),
                                      country=bindparam("_country"), updated_at=bindparam("_updated")), changes)

    def activate(self, ids: list[int], list_name: str, source: str) -> None:
        """Pending memberships of ``list_name`` made active by the import."""
        for i in range(0, len(ids), LOOKUP):
            self.conn.execute(update(memberships).where(memberships.c.list == list_name, memberships.c.subscriber_id.in_(ids[i:i + LOOKUP]))
                              .values(status="active", source=source, updated_at=self.when))


def _token_keys(count: int) -> list[str]:
    """``count`` keys for signed links, as :func:`outreach.store.schema.new_token_key` makes them (token_urlsafe(16)), from one read of the OS's randomness."""
    raw = secrets.token_bytes(16 * count)
    return [base64.urlsafe_b64encode(raw[i:i + 16]).rstrip(b"=").decode("ascii") for i in range(0, 16 * count, 16)]


def _processor(column: Any, conn: Connection) -> Callable[[Any], Any]:
    """The bind processor of ``column``'s type on ``conn``'s database: what Core would send for a value."""
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process or (lambda value: value)
