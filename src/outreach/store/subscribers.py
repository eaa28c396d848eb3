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
from .db import now
from .schema import audit, memberships, subscribers, suppressions

ALL_LISTS = "*"
BATCH = 2000


def normalise_email(raw: str) -> tuple[str, str]:
    """Return (identity key, display form) for an address; raise ``ValueError`` with the reason."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("empty email address")
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
    suppressed: int = 0

    @property
    def total_rows(self) -> int:
        """Data rows read from the file."""
        return self.added + self.updated + self.unchanged + len(self.rejected) + len(self.merged)


def _sniff(sample: str) -> csv.Dialect | type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 5)[0] + "\n", delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a subscriber CSV as (row number, lower-cased column -> value); handles BOM, ``;`` and CRLF."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SubscriberError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), _sniff(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise SubscriberError(f"{path}: the file is empty") from None
    if "email" not in header:
        raise SubscriberError(f"{path}:1: no 'email' column (found: {', '.join(header) or 'nothing'})")
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        yield number, {header[i]: cell.strip() for i, cell in enumerate(row) if i < len(header)}


def import_csv(engine: Engine, path: Path, list_name: str, source: str = "import") -> ImportReport:
    """Add or update the CSV's subscribers on ``list_name``; every rejected row is in the report."""
    report = ImportReport()
    seen: dict[str, int] = {}
    batch: list[tuple[int, str, str, str | None, dict]] = []
    for number, row in read_csv(path):
        try:
            key, display = normalise_email(row.get("email", ""))
        except ValueError as exc:
            report.rejected.append((number, row.get("email", ""), str(exc)))
            continue
        if key in seen:
            report.merged.append((number, seen[key], display))
            continue
        seen[key] = number
        attrs = {k: v for k, v in row.items() if k not in ("email", "name") and v}
        batch.append((number, key, display, row.get("name") or None, attrs))
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
        if new_rows:
            conn.execute(insert(subscribers), new_rows)
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
        if joining:
            conn.execute(insert(memberships), joining)


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
    found = conn.execute(select(suppressions.c.reason).where(suppressions.c.email == key, suppressions.c.list == list_name)).first()
    if found is None:
        conn.execute(insert(suppressions), [{"email": key, "list": list_name, "reason": reason, "detail": detail, "created_at": now()}])
    conn.execute(insert(audit), [{"at": now(), "action": reason, "email": key, "list": list_name, "source": source, "detail": detail}])


def unsuppress(conn: Connection, email: str, list_name: str, source: str) -> int:
    """Lift a per-list unsubscribe (never a bounce or complaint); return rows lifted."""
    key = email.strip().lower()
    n = conn.execute(delete(suppressions).where(suppressions.c.email == key, suppressions.c.list == list_name, suppressions.c.reason == "unsubscribed")).rowcount
    if n:
        conn.execute(insert(audit), [{"at": now(), "action": "resubscribed", "email": key, "list": list_name, "source": source}])
    return n


def suppression_list(engine: Engine) -> list[dict]:
    """Every suppressed address with its reason."""
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(suppressions).order_by(suppressions.c.created_at, suppressions.c.email))]
