"""Subscribers, list memberships, the suppression list and the audit trail.

Addresses are normalised once (trimmed, checked by email-validator with no
DNS, lower-cased for identity) so ``Ann@Example.org`` and ``ann@example.org ``
are one subscriber. Suppression is by address, so no re-import or list change
gets around it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, Engine, and_, delete, exists, func, insert, or_, select, update

from ..errors import SubscriberError
from ..text import clean_line, control_chars
from .db import now
from .upsert import insert_ignore
from .schema import audit, memberships, subscribers, suppressions

ALL_LISTS = "*"
BATCH = 2000
# The same limits on every database, checked here before any row reaches one
# (PostgreSQL enforces VARCHAR lengths, SQLite does not).
MAX_ADDRESS = 320
MAX_NAME = 200
MAX_ATTR_KEY = 64
MAX_ATTR_VALUE = 1000
MAX_ATTRS = 50


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


@dataclass
class ImportReport:
    """What an import did, row by row where a row was not taken as it was."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, value, reason)
    merged: list[tuple[int, int, str]] = field(default_factory=list)  # (row, first row, address)
    # (row, column, what was done): a value taken, but not exactly as it was in the file
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    suppressed: int = 0

    @property
    def total_rows(self) -> int:
        """Data rows read from the file."""
        return self.added + self.updated + self.unchanged + len(self.rejected) + len(self.merged)


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


def read_csv(path: Path, notes: list[tuple[int, str, str]] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a subscriber CSV as (row number, lower-cased column -> value); handles BOM, ``;`` and CRLF.

    Cells with no column name, or beyond the header, are not taken: each such row gets a note.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SubscriberError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = _header(path, next(reader))
    except StopIteration:
        raise SubscriberError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise SubscriberError(f"{path}:1: not a readable CSV header: {exc}") from None
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        lost = [i + 1 for i, cell in enumerate(row) if cell.strip() and (i >= len(header) or not header[i])]
        if lost and notes is not None:
            notes.append((number, "columns " + ", ".join(map(str, lost)), "values with no column name were not imported"))
        yield number, {header[i]: cell.strip() for i, cell in enumerate(row) if i < len(header) and header[i]}


def _clean_value(number: int, column: str, value: str, limit: int, notes: list[tuple[int, str, str]]) -> str:
    """``value`` as one safe line of at most ``limit`` characters; a note says what was changed."""
    cleaned = clean_line(value, limit)
    if control_chars(value):
        notes.append((number, column, f"control characters removed ({', '.join(control_chars(value))})"))
    if len(clean_line(value)) > limit:
        notes.append((number, column, f"cut to {limit} characters"))
    return cleaned


def clean_row(number: int, row: dict[str, str], notes: list[tuple[int, str, str]]) -> tuple[str | None, dict[str, str]]:
    """The row's name and attributes, cleaned and capped; every change is noted against the row."""
    name = _clean_value(number, "name", row.get("name", ""), MAX_NAME, notes) or None
    attrs: dict[str, str] = {}
    for key, value in row.items():
        if key in ("email", "name") or not value:
            continue
        if len(attrs) == MAX_ATTRS:
            notes.append((number, key, f"more than {MAX_ATTRS} attributes: not imported"))
            continue
        if cleaned := _clean_value(number, key, value, MAX_ATTR_VALUE, notes):
            attrs[key] = cleaned
    return name, attrs


def import_csv(engine: Engine, path: Path, list_name: str, source: str = "import") -> ImportReport:
    """Add or update the CSV's subscribers on ``list_name``; every rejected row is in the report."""
    report = ImportReport()
    seen: dict[str, int] = {}
    batch: list[tuple[int, str, str, str | None, dict]] = []
    for number, row in read_csv(path, report.notes):
        try:
            key, display = normalise_email(row.get("email", ""))
        except ValueError as exc:
            report.rejected.append((number, clean_line(row.get("email", ""), MAX_ADDRESS), str(exc)))
            continue
        if key in seen:
            report.merged.append((number, seen[key], display))
            continue
        seen[key] = number
        name, attrs = clean_row(number, row, report.notes)
        batch.append((number, key, display, name, attrs))
        if len(batch) >= BATCH:
            _upsert(engine, batch, list_name, source, report)
            batch = []
    if batch:
        _upsert(engine, batch, list_name, source, report)
    with engine.begin() as conn:
        report.suppressed = conn.execute(
            select(func.count()).select_from(memberships.join(subscribers)).where(memberships.c.list == list_name, suppressed_clause(list_name))
        ).scalar_one()
        conn.execute(insert(audit), [{"at": now(), "action": "imported", "list": list_name, "source": source,
                                      "detail": f"{path.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, {len(report.rejected)} rejected"}])
    return report


def _upsert(engine: Engine, batch: list[tuple[int, str, str, str | None, dict]], list_name: str, source: str, report: ImportReport) -> None:
    stamp = now()
    with engine.begin() as conn:
        keys = [b[1] for b in batch]
        existing = {r.email: r for r in conn.execute(select(subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.attrs).where(subscribers.c.email.in_(keys)))}
        new_rows = [{"email": k, "display_email": d, "name": n, "attrs": a, "created_at": stamp, "updated_at": stamp} for _, k, d, n, a in batch if k not in existing]
        insert_ignore(conn, subscribers, new_rows, ["email"])  # a sign-up may add one of them meanwhile
        ids = dict(conn.execute(select(subscribers.c.email, subscribers.c.id).where(subscribers.c.email.in_(keys))).all())
        member = {r.subscriber_id: r.status for r in conn.execute(select(memberships.c.subscriber_id, memberships.c.status).where(memberships.c.list == list_name, memberships.c.subscriber_id.in_(ids.values())))}
        joining: list[dict] = []
        for _, key, display, name, attrs in batch:
            sid = ids[key]
            old = existing.get(key)
            changed = False
            if old is not None:
                merged_attrs = {**(old.attrs or {}), **attrs}
                new_name = name or old.name
                if new_name != old.name or merged_attrs != (old.attrs or {}):
                    conn.execute(update(subscribers).where(subscribers.c.id == sid).values(name=new_name, attrs=merged_attrs, updated_at=stamp))
                    changed = True
            status = member.get(sid)
            if status is None:
                joining.append({"subscriber_id": sid, "list": list_name, "status": "active", "source": source, "updated_at": stamp})
                changed = old is not None or changed
            elif status == "pending":
                conn.execute(update(memberships).where(memberships.c.subscriber_id == sid, memberships.c.list == list_name).values(status="active", source=source, updated_at=stamp))
                changed = True
            # an "unsubscribed" membership stays so: an import never overrides a subscriber's choice
            if old is None:
                report.added += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
        insert_ignore(conn, memberships, joining, ["subscriber_id", "list"])


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
    """Remove an address from one list (or from every list and the subscriber table); return rows removed."""
    key, _ = normalise_email(email)
    with engine.begin() as conn:
        sid = conn.execute(select(subscribers.c.id).where(subscribers.c.email == key)).scalar_one_or_none()
        if sid is None:
            return 0
        if list_name:
            n = conn.execute(delete(memberships).where(memberships.c.subscriber_id == sid, memberships.c.list == list_name)).rowcount
        else:
            conn.execute(delete(memberships).where(memberships.c.subscriber_id == sid))
            n = conn.execute(delete(subscribers).where(subscribers.c.id == sid)).rowcount
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
