"""Storing an import's batches: a writer thread, each batch in a few bulk statements (executemany on SQLite, COPY on PostgreSQL).

Every membership an import creates or activates gets a consent record (method
``import``: the file, the row, who ran it, the ``--consent`` basis).
"""

from __future__ import annotations

import base64
import itertools
import json
import queue
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import Connection, Engine, Row, bindparam, select, update

from ..config import Config
from ..text import clean_line
from ..tokens import Keyring
from .consent import ConsentMethod
from .db import now
from .import_report import ImportReport
from .import_rows import Column, Memo, Person
from .schema import memberships, subscriber_topics, subscribers


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

    def __init__(self, run: Run, tx_rows: int) -> None:
        self.run, self.tx_rows = run, tx_rows  # rows per transaction
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
        """Store ``batch`` in the open transaction (opened if none is); commit after ``tx_rows`` rows."""
        if self.conn is None:
            self.conn = self.run.engine.connect()
            self.conn.begin()
        upsert_batch(self.conn, self.run, batch)
        self.rows += len(batch)
        if self.rows >= self.tx_rows:
            self._commit()

    def _commit(self) -> None:
        if self.conn is not None:
            try:
                if self.error is None:
                    self.conn.commit()
            finally:
                self.conn.close()
                self.conn, self.rows = None, 0


LOOKUP = 500  # keys per IN (…) lookup
STAGE = "outreach_import_stage"  # PostgreSQL: the session's temporary table a batch of subscribers is copied into
VALUES_ROWS = 1000  # rows per multi-row INSERT on SQLite (9 values each: under its 32,766 parameters)


def upsert_batch(conn: Connection, run: Run, batch: list[Person]) -> None:
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
