"""Subscriber import: a CSV's columns mapped by header, typed values, consent records, forgotten addresses refused.

The entry point, :func:`import_csv`: the file is read a chunk at a time
(:mod:`.import_reader`), each row checked and typed (:mod:`.import_rows`), and the
people handed in batches to a writer thread (:mod:`.import_writer`); what was done is an
:class:`ImportReport` (:mod:`.import_report`). An address that was forgotten on request
is refused for its row. A row repeating an earlier row's address is not imported: its
values are counted as not imported.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from ..config import Config
from ..text import clean_line
from ..tokens import Keyring
from .db import current_user, now
from .import_reader import Addresses, Read, Seen, chunks, read_rows
from .import_report import Duplicate, ImportReport, Spool
from .import_rows import ALIASES, ATTRIBUTE, Column, Memo, Person, Value, hint, map_columns, person, topic_ids, typed
from .import_writer import LOOKUP, Basis, Bulk, Run, Writer, upsert_batch
from .privacy import keyring, mark
from .schema import audit, memberships, subscribers, suppressions
from .subscribers import ALL_LISTS, BATCH, MAX_ADDRESS, open_csv, suppressed_clause

__all__ = ["ALIASES", "ATTRIBUTE", "Addresses", "Basis", "Bulk", "Column", "Duplicate", "ImportReport", "Memo", "Person", "Read", "Run",
           "Seen", "Spool", "Value", "Writer", "hint", "import_csv", "map_columns", "person", "topic_ids", "typed"]

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
    seen, run.writer = Seen(), Writer(run, TX_ROWS)
    try:
        for chunk in chunks(read_rows(path, header, reader), CHUNK):
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
            upsert_batch(conn, run, batch)


def _forgotten(engine: Engine, keys: Keyring, addresses: list[str]) -> set[str]:
    """:func:`outreach.store.privacy.forgotten_in` for a batch: every mark of every address, looked up at once."""
    by_mark = {mark(k, a): a for a in addresses for k in keys.keys}
    marks, found = list(by_mark), set()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # one array, not thousands of parameters to parse
            hits = conn.exec_driver_sql("SELECT email FROM suppressions WHERE list = %s AND email = ANY(%s)", (ALL_LISTS, marks))
            return {by_mark[m] for m in hits.scalars()}
        for i in range(0, len(marks), LOOKUP):
            hits = conn.execute(select(suppressions.c.email).where(suppressions.c.email.in_(marks[i:i + LOOKUP]), suppressions.c.list == ALL_LISTS))
            found |= {by_mark[m] for m in hits.scalars()}
    return found
