"""Subscribers, list memberships, the suppression list and the audit trail.

Addresses are normalised once (trimmed, checked by email-validator with no
DNS, lower-cased for identity) so ``Ann@Example.org`` and ``ann@example.org ``
are one subscriber. Suppression is by address, so no re-import or list change
gets around it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator, NoReturn, TextIO

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, Engine, and_, delete, exists, func, insert, or_, select

from ..errors import SubscriberError
from ..text import clean_line, control_chars, is_single_line
from .consent import withdraw
from .db import now
from .upsert import insert_ignore
from .schema import audit, memberships, subscribers, suppressions

if TYPE_CHECKING:
    from .importer import ImportReport

ALL_LISTS = "*"
BATCH = 2000
# The same limits on every database, checked here before any row reaches one
# (PostgreSQL enforces VARCHAR lengths, SQLite does not).
MAX_ADDRESS = 320
MAX_NAME = 200
MAX_ATTR_KEY = 64
MAX_ATTR_VALUE = 1000
MAX_ATTRS = 50
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def normalise_email(raw: str) -> tuple[str, str]:
    """Return (identity key, display form) for an address; raise ``ValueError`` with the reason."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("empty email address")
    if len(text) > MAX_ADDRESS:
        raise ValueError(f"longer than {MAX_ADDRESS} characters")
    if control_chars(text):
        raise ValueError(f"has control characters ({', '.join(control_chars(text))})")
    try:
        # SMTPUTF8 local parts (zoë@…) are refused: most relays cannot carry them yet.
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    address = result.ascii_email or result.normalized
    return address.lower(), address


# -- reading a subscriber CSV (the import itself is store/importer.py) -------------------------------

class _Rfc4180(csv.excel):
    """RFC 4180 quoting (``""`` inside a quoted field is one ``"``) with the delimiter the file uses."""

    strict = False


def _dialect(sample: str) -> type[csv.Dialect]:
    """The file's delimiter, sniffed from the header line; everything else is RFC 4180.

    (The sniffer also guesses ``doublequote``, and from a header with no quotes it
    guesses False, which turns ``"O""Neil"`` into ``O"Neil"``.)
    """
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 5)[0] + "\n", delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return type("FileDialect", (_Rfc4180,), {"delimiter": delimiter})


def _header(path: Path, cells: list[str]) -> list[str]:
    """The lower-cased column names; refuse unsafe or duplicate names with a message naming them."""
    header = [h.strip().lower() for h in cells]
    for number, name in enumerate(header, start=1):
        if control_chars(name):
            raise SubscriberError(f"{path}:1: column {number}: the name has control characters ({', '.join(control_chars(name))})")
        if len(name) > MAX_ATTR_KEY:
            raise SubscriberError(f"{path}:1: column {number}: the name is longer than {MAX_ATTR_KEY} characters")
    if "email" not in header:
        raise SubscriberError(f"{path}:1: no 'email' column (found: {', '.join(header) or 'nothing'})")
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        where = "; ".join(f"'{h}' in columns {', '.join(str(i + 1) for i, x in enumerate(header) if x == h)}" for h in duplicates)
        raise SubscriberError(f"{path}:1: duplicate column names ({where}): rename or remove all but one")
    return header


ENCODINGS = ("utf-8", "cp1252")


_CHUNK = 1 << 20  # bytes read at a time: a file is never held whole in memory
_SAMPLE = 1 << 22  # at most this much of the first line is sniffed for the delimiter


def _snapshot(path: Path, encoding: str) -> TextIO:
    """The file's text, decoded once into a private temporary copy (UTF-8), rewound.

    The import reads the copy, so a file changed while it runs cannot reach the
    database half-checked, and no more than a chunk of it is in memory at a time.
    """
    if encoding not in ENCODINGS:
        raise SubscriberError(f"{path}: encoding {encoding!r}: give one of {', '.join(ENCODINGS)}")
    copy = tempfile.TemporaryFile()
    try:
        with path.open("rb") as source:
            _decode_into(path, source, copy, encoding)
    except OSError as exc:
        copy.close()
        raise SubscriberError(f"{path}: cannot read: {exc.strerror}") from None
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return io.TextIOWrapper(copy, encoding="utf-8", newline="")


def _decode_into(path: Path, source: BinaryIO, copy: BinaryIO, encoding: str) -> None:
    """Decode ``source`` chunk by chunk into ``copy``: UTF-8 (a BOM is dropped) unless ``cp1252``; a bad byte refuses the file."""
    head = source.read(3)
    bom = head.startswith(codecs.BOM_UTF8)
    if encoding == "cp1252" and bom:
        raise SubscriberError(f"{path}: starts with a UTF-8 byte order mark, so it is UTF-8: import it without --encoding cp1252")
    skip = 3 if bom else 0
    decoder = codecs.getincrementaldecoder("cp1252" if encoding == "cp1252" else "utf-8")()
    offset, newlines = skip, 0  # bytes and line breaks before the chunk
    chunk = head[skip:] + source.read(_CHUNK)
    while True:
        carried = decoder.getstate()[0]  # the start of a character cut by the previous chunk (never a line break)
        try:
            copy.write(decoder.decode(chunk, not chunk).encode("utf-8"))
        except UnicodeDecodeError as exc:
            at = offset - len(carried) + exc.start
            line = newlines + exc.object[:exc.start].count(b"\n") + 1
            _not_decodable(path, encoding, f"byte 0x{exc.object[exc.start]:02x} at offset {at}, line {line}")
        if not chunk:
            return
        offset, newlines = offset + len(chunk), newlines + chunk.count(b"\n")
        chunk = source.read(_CHUNK)


def _not_decodable(path: Path, encoding: str, where: str) -> NoReturn:
    if encoding == "cp1252":
        raise SubscriberError(f"{path}: not Windows-1252 ({where} is not a character in it): nothing was imported")
    # Guessing Windows-1252 would silently mangle names when the guess is wrong (Søren -> SÃ¸ren), so ask.
    raise SubscriberError(f"{path}: not UTF-8 ({where}): nothing was imported; if the file was saved as Windows-1252 "
                          "(Excel's 'CSV' on Windows), import it with --encoding cp1252 and check the names")


def _first_line(text: TextIO) -> str:
    """The text up to its first line feed (at most :data:`_SAMPLE` characters), for sniffing; the text is rewound."""
    parts: list[str] = []
    size = 0
    while size < _SAMPLE:
        part = text.read(1 << 16)
        parts.append(part)
        size += len(part)
        if not part or "\n" in part:
            break
    text.seek(0)
    return "".join(parts)


def _check_rows(path: Path, text: TextIO, dialect: type[csv.Dialect]) -> None:
    """Read every row once before anything is stored, so a file the CSV reader cannot read imports nothing; the text is rewound."""
    number = 1
    text.seek(0)
    try:
        for number, _ in enumerate(csv.reader(text, dialect), start=1):
            pass
    except csv.Error as exc:
        raise SubscriberError(f"{path}:{number + 1}: {_csv_problem(exc)}: nothing was imported") from None
    text.seek(0)


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {csv.field_size_limit():,} characters (an unterminated quote?)"
    return f"not readable as CSV ({exc})"


def open_csv(path: Path, encoding: str = "utf-8") -> tuple[list[str], Iterator[list[str]]]:
    """The lower-cased header of a subscriber CSV and a reader of its rows; handles BOM, ``;`` and CRLF.

    The file is UTF-8 unless ``encoding`` is ``cp1252``; a file that does not decode, or
    that the CSV reader cannot read to its end, is refused before anything is stored.
    The reader streams a private decoded copy of the file (see :func:`_snapshot`).
    """
    text = _snapshot(path, encoding)
    try:
        dialect = _dialect(_first_line(text))
        try:
            header = _header(path, next(csv.reader(text, dialect)))
        except StopIteration:
            raise SubscriberError(f"{path}: the file is empty") from None
        except csv.Error as exc:
            raise SubscriberError(f"{path}:1: not a readable CSV header: {exc}") from None
        _check_rows(path, text, dialect)
    except BaseException:
        text.close()
        raise
    reader = csv.reader(text, dialect)
    next(reader)  # the header, read above
    return header, reader


Problems = list[tuple[int, str, str]]


def rows_of(header: list[str], reader: Iterator[list[str]], notes: Problems, problems: Problems | None = None,
            path: Path | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as (row number, column -> value); cells with no column name, or beyond the header, get a note.

    A cell that runs over several lines (an unterminated quote swallows the rows after
    it) is a problem of its row and is left out (but for the address, which rejects the row).
    """
    number = 1
    end = getattr(reader, "line_num", 0)  # the file line the previous row ended on
    all_named = all(header)
    try:
        for number, row in enumerate(reader, start=2):
            start, end = end + 1, getattr(reader, "line_num", 0)
            joined = "".join(row)
            if not joined.strip():
                continue
            if all_named and len(row) <= len(header):  # the usual row: every cell has its column
                values = dict(zip(header, map(str.strip, row)))
            else:
                lost = [i + 1 for i, cell in enumerate(row) if cell.strip() and (i >= len(header) or not header[i])]
                if lost:
                    notes.append((number, "columns " + ", ".join(map(str, lost)), "values with no column name were not imported"))
                values = {header[i]: cell.strip() for i, cell in enumerate(row) if i < len(header) and header[i]}
            if "\n" in joined or "\r" in joined:
                values = _single_lines(number, values, (start, end), notes if problems is None else problems)
            yield number, values
    except csv.Error as exc:
        raise SubscriberError(f"{path or 'the file'}:{number + 1}: {_csv_problem(exc)}") from None


def _single_lines(number: int, values: dict[str, str], lines_of_row: tuple[int, int], problems: Problems) -> dict[str, str]:
    kept: dict[str, str] = {}
    for column, value in values.items():
        lines = len(_LINE_BREAK.split(value))
        if lines == 1:
            kept[column] = value
            continue
        start, end = lines_of_row
        where = f" (the row is file lines {start}-{end})" if end > start else ""
        problems.append((number, column, f"a quoted cell runs over {lines} lines{where} (an unterminated quote?); "
                                         "rows inside it were not read as rows" + ("" if column == "email" else "; the cell was not imported")))
        if column == "email":
            kept[column] = value
    return kept


def read_csv(path: Path, notes: Problems | None = None, encoding: str = "utf-8") -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a subscriber CSV as (row number, lower-cased column -> value)."""
    header, reader = open_csv(path, encoding)
    yield from rows_of(header, reader, notes if notes is not None else [], path=path)


def clean_value(number: int, column: str, value: str, limit: int, notes: list[tuple[int, str, str]]) -> str:
    """``value`` as one safe line of at most ``limit`` characters; a note says what was changed."""
    if len(value) <= limit and is_single_line(value) and unicodedata.is_normalized("NFC", value) and " ".join(value.split()) == value:
        return value  # what clean_line would return, with nothing to note (most values: checked without copying)
    cleaned = clean_line(value, limit)
    if control_chars(value):
        notes.append((number, column, f"control characters removed ({', '.join(control_chars(value))})"))
    if len(clean_line(value)) > limit:
        notes.append((number, column, f"cut to {limit} characters"))
    return cleaned


def import_csv(engine: Engine, path: Path, list_name: str, source: str = "import", **how: Any) -> "ImportReport":
    """Add or update a CSV's subscribers on ``list_name`` (see :func:`outreach.store.importer.import_csv`)."""
    from .importer import import_csv as run  # here: the importer imports this module

    return run(engine, path, list_name, source, **how)


def suppressed_clause(list_name: str):  # type: ignore[no-untyped-def]
    """SQL condition: the subscriber row's address is suppressed for ``list_name`` (or all lists)."""
    return exists().where(suppressions.c.email == subscribers.c.email, or_(suppressions.c.list == ALL_LISTS, suppressions.c.list == list_name))


def active_clause(list_name: str):  # type: ignore[no-untyped-def]
    """SQL condition: an active, unsuppressed member of ``list_name`` (join memberships and subscribers)."""
    return and_(memberships.c.list == list_name, memberships.c.status == "active", ~suppressed_clause(list_name))


def count(engine: Engine, list_name: str) -> dict[str, int]:
    """Members of a list by status, plus how many of the active ones are suppressed."""
    with engine.connect() as conn:
        by_status = dict(conn.execute(select(memberships.c.status, func.count()).where(memberships.c.list == list_name).group_by(memberships.c.status)).all())
        suppressed = conn.execute(
            select(func.count()).select_from(memberships.join(subscribers)).where(memberships.c.list == list_name, memberships.c.status == "active", suppressed_clause(list_name))
        ).scalar_one()
    return {"active": by_status.get("active", 0) - suppressed, "pending": by_status.get("pending", 0),
            "unsubscribed": by_status.get("unsubscribed", 0), "suppressed": suppressed}


def iter_members(engine: Engine, list_name: str, status: str | None = None) -> Iterator[dict]:
    """Stream a list's members (keyset pagination; never the whole list in memory)."""
    last = 0
    while True:
        with engine.connect() as conn:
            q = (
                select(subscribers.c.id, subscribers.c.display_email, subscribers.c.name, subscribers.c.attrs, memberships.c.status, suppressed_clause(list_name).label("suppressed"))
                .select_from(memberships.join(subscribers))
                .where(memberships.c.list == list_name, subscribers.c.id > last)
                .order_by(subscribers.c.id)
                .limit(BATCH)
            )
            if status:
                q = q.where(memberships.c.status == status)
            rows = conn.execute(q).all()
        if not rows:
            return
        for r in rows:
            yield {"id": r.id, "email": r.display_email, "name": r.name or "", "status": "suppressed" if r.suppressed and r.status == "active" else r.status, "attrs": r.attrs or {}}
        last = rows[-1].id


def remove(engine: Engine, email: str, list_name: str | None, source: str = "cli") -> int:
    """Take an address off one list (or every list); the memberships removed.

    The subscriber row stays, and with it the consent records, withdrawn: how a person
    joined is kept after they leave. To erase a person, ``subscribers forget``.
    """
    key, _ = normalise_email(email)
    with engine.begin() as conn:
        sid = conn.execute(select(subscribers.c.id).where(subscribers.c.email == key)).scalar_one_or_none()
        if sid is None:
            return 0
        lists = [list_name] if list_name else list(conn.execute(select(memberships.c.list).where(memberships.c.subscriber_id == sid)).scalars())
        n = conn.execute(delete(memberships).where(memberships.c.subscriber_id == sid, memberships.c.list.in_(lists))).rowcount
        for name in lists:
            withdraw(conn, sid, name, source)  # the record of how they joined stays, withdrawn
        conn.execute(insert(audit), [{"at": now(), "action": "removed", "email": key, "list": list_name or ALL_LISTS, "source": source}])
    return n


def suppress(conn: Connection, email: str, list_name: str, reason: str, source: str, detail: str | None = None) -> None:
    """Put an address on the suppression list (idempotent) and audit it."""
    key = email.strip().lower()
    # one statement, so two simultaneous unsubscribes of one address cannot collide; the first reason stays
    insert_ignore(conn, suppressions, [{"email": key, "list": list_name, "reason": reason, "detail": detail, "created_at": now()}], ["email", "list"])
    conn.execute(insert(audit), [{"at": now(), "action": reason, "email": key, "list": list_name, "source": source, "detail": detail}])


def unsuppress(conn: Connection, email: str, list_name: str, source: str) -> int:
    """Lift a per-list unsubscribe (never a bounce or complaint); return rows lifted."""
    key = email.strip().lower()
    n = conn.execute(delete(suppressions).where(suppressions.c.email == key, suppressions.c.list == list_name, suppressions.c.reason == "unsubscribed")).rowcount
    if n:
        conn.execute(insert(audit), [{"at": now(), "action": "resubscribed", "email": key, "list": list_name, "source": source}])
    return n


def is_suppressed(conn: Connection, email: str, list_name: str) -> bool:
    """True when ``email`` has a suppression row for exactly ``list_name`` (``ALL_LISTS`` for every list)."""
    key = email.strip().lower()
    return conn.execute(select(suppressions.c.email).where(suppressions.c.email == key, suppressions.c.list == list_name)).first() is not None


def lift(conn: Connection, email: str, list_name: str, reasons: tuple[str, ...], source: str, detail: str | None = None) -> int:
    """Lift a suppression of ``list_name`` whose reason is one of ``reasons`` (a person undid what caused it); audited."""
    key = email.strip().lower()
    n = conn.execute(delete(suppressions).where(suppressions.c.email == key, suppressions.c.list == list_name,
                                                suppressions.c.reason.in_(reasons))).rowcount
    if n:
        conn.execute(insert(audit), [{"at": now(), "action": "unsuppressed", "email": key, "list": list_name, "source": source, "detail": detail}])
    return n


def suppression_list(engine: Engine) -> list[dict]:
    """Every suppressed address with its reason."""
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(suppressions).order_by(suppressions.c.created_at, suppressions.c.email))]
