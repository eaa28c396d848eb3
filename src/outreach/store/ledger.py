"""The delivery ledger: the one place delivery states change (see ``schema.py`` for the diagram).

A delivery is claimed by a conditional update (``state='queued'`` →
``sending``) that only one process can win, committed *before* the message
or post leaves, and finished by a second commit after the remote side
answers. So at any moment at most one row per sending thread is in
``sending``; if the process is killed, exactly those rows become
``unknown`` on the next start and everything else is either done or still
queued.
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator

from sqlalchemy import Connection, Engine, Insert, Table, and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from ..errors import OutreachError
from .db import now
from .schema import UTCDateTime, audit, deliveries, runs

STATES = ("queued", "sending", "sent", "failed", "bounced", "unknown", "suppressed")
HEARTBEAT = timedelta(seconds=5)
STALE = timedelta(seconds=60)


@dataclass(frozen=True)
class Outcome:
    """How a claimed delivery ended; ``also(connection)`` commits in the same transaction."""

    delivery_id: int
    state: str
    detail: str | None = None
    not_before: datetime | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    also: Callable[[Connection], None] | None = None

    def __post_init__(self) -> None:
        assert self.state in STATES, self.state


@dataclass(frozen=True)
class Claimed:
    """A delivery this process now owns; ``state`` is ``suppressed`` when the address left the list in the meantime."""

    id: int
    attempts: int
    state: str = "sending"


class DatabaseUnavailable(OutreachError):
    """The database failed mid-run (gone, disk full, read-only): the run ends; no row is in a wrong state."""


def database_errors(engine: Engine) -> tuple[type[BaseException], ...]:
    """What a failing database raises: SQLAlchemy's errors and, from raw DB-API cursors, the driver's."""
    dbapi = getattr(engine.dialect, "loaded_dbapi", None) or engine.dialect.dbapi
    return (SQLAlchemyError, dbapi.Error) if dbapi is not None else (SQLAlchemyError,)


def describe_db_error(exc: BaseException) -> str:
    """One line about a database error, without SQL or parameters (they can hold addresses)."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0][:200]
    return f"{type(orig).__name__}: {first}" if first else type(orig).__name__


def insert_ignoring(engine_or_conn: "Engine | Connection", table: Table, keys: list[str]) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO NOTHING`` for this database: safe when two runs insert the same rows at once."""
    dialect = engine_or_conn.dialect.name
    if dialect == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)
    raise NotImplementedError(f"conflict-safe insert on {dialect}")


def upsert(engine_or_conn: "Engine | Connection", table: Table, keys: list[str], update_columns: list[str]) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO UPDATE`` of ``update_columns`` to the inserted values."""
    dialect = engine_or_conn.dialect.name
    stmt = postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_columns})


@contextmanager
def database_guard(engine: Engine, doing: str) -> Iterator[None]:
    """Turn a database error raised inside into one :class:`DatabaseUnavailable` line."""
    try:
        yield
    except database_errors(engine) as exc:
        raise DatabaseUnavailable(f"the database failed while {doing} ({describe_db_error(exc)}); the run stopped: "
                                  "messages in flight will show as unknown, the rest stay queued; run it again when the database is back") from None


class Ledger:
    """Ledger writes for one run, serialised on one connection (SQLite has one writer anyway)."""

    def __init__(self, engine: Engine, campaign: str, step: int, suppression_list: str | None = None) -> None:
        """``suppression_list``: check the suppression list (for this list and all lists) in each claim."""
        self.engine = engine
        self.campaign = campaign
        self.step = step
        self.failure: str | None = None  # the heartbeat's last database error, if any
        self._errors = database_errors(engine)
        self._lock = threading.Lock()
        with database_guard(engine, "starting the run"):
            self._conn = engine.connect()
            self.run_id = self._start_run()
        self._dbapi = self._conn.connection.dbapi_connection
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._ts = UTCDateTime().bind_processor(engine.dialect) or (lambda value: value)
        self._claim_sql = (f"UPDATE deliveries SET state = 'sending', run_id = {mark}, attempts = attempts + 1, updated_at = {mark} "
                           f"WHERE id = {mark} AND state = 'queued' RETURNING attempts, state")
        self._claim_extra: tuple[str, ...] = ()
        if suppression_list is not None:
            # An unsubscribe that commits before the claim wins: the check is in the claim itself
            # (a primary-key probe of suppressions), so only messages already in flight can still go.
            self._claim_sql = (
                f"UPDATE deliveries SET state = CASE WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.email = deliveries.target "
                f"AND s.list IN ('*', {mark})) THEN 'suppressed' ELSE 'sending' END, run_id = {mark}, attempts = attempts + 1, "
                f"updated_at = {mark} WHERE id = {mark} AND state = 'queued' RETURNING attempts, state")
            self._claim_extra = (suppression_list,)
        self._finish_sql = (f"UPDATE deliveries SET state = {mark}, detail = {mark}, not_before = {mark}, remote_id = {mark}, remote_url = {mark}, "
                            f"updated_at = {mark} WHERE id = {mark} AND run_id = {mark}")
        self._beat = threading.Event()
        self._beater = threading.Thread(target=self._heartbeat, name="ledger-heartbeat", daemon=True)
        self._beater.start()

    # -- runs -----------------------------------------------------------------
    def _start_run(self) -> int:
        stamp = now()
        with self._lock:
            result = self._conn.execute(
                insert(runs).returning(runs.c.id),
                [{"campaign": self.campaign, "step": self.step, "host": socket.gethostname(), "pid": os.getpid(), "started_at": stamp, "heartbeat_at": stamp}],
            )
            run_id = int(result.scalar_one())
            self._conn.commit()
        return run_id

    def _heartbeat(self) -> None:
        # A failed beat is noted and tried again: the senders meet the same error and end the run.
        while not self._beat.wait(HEARTBEAT.total_seconds()):
            with self._lock:
                try:
                    self._conn.execute(update(runs).where(runs.c.id == self.run_id).values(heartbeat_at=now()))
                    self._conn.commit()
                    self.failure = None
                except self._errors as exc:
                    self.failure = describe_db_error(exc)
                    self._rollback_quietly()

    def _rollback_quietly(self) -> None:
        try:
            self._conn.rollback()
        except self._errors:
            pass  # the connection is gone; rows it held in 'sending' become 'unknown' on the next run

    def close(self) -> None:
        """Mark the run finished and release the connection (best effort when the database is gone)."""
        self._beat.set()
        self._beater.join(timeout=10)
        with self._lock:
            try:
                self._conn.execute(update(runs).where(runs.c.id == self.run_id).values(finished_at=now()))
                self._conn.commit()
            except self._errors:
                self._rollback_quietly()  # unfinished, its process gone: the next run recovers its rows
            try:
                self._conn.close()
            except self._errors:
                pass

    # -- deliveries -------------------------------------------------------------
    def advance(self, done: "Outcome | None", claim_id: int | None) -> Claimed | None:
        """Record ``done`` and claim ``claim_id`` in one commit (one commit per message on the hot path).

        The two statements go straight to the DB-API cursor: SQLAlchemy's per-statement
        overhead was a third of the per-message cost. Timestamps pass through the same
        processor SQLAlchemy uses, so the stored values are identical.
        """
        with self._lock, database_guard(self.engine, "recording deliveries"):
            stamp = self._ts(now())
            cursor = self._dbapi.cursor()
            try:
                if done is not None:
                    cursor.execute(self._finish_sql, (done.state, done.detail, self._ts(done.not_before) if done.not_before else None,
                                                      done.remote_id, done.remote_url, stamp, done.delivery_id, self.run_id))
                row = None
                if claim_id is not None:
                    cursor.execute(self._claim_sql, (*self._claim_extra, self.run_id, stamp, claim_id))
                    row = cursor.fetchone()
                if done is not None and done.also is not None:
                    done.also(self._conn)  # the same DB-API connection: one transaction with the statements above
                    self._conn.commit()
                else:
                    self._dbapi.commit()
            except BaseException:
                self._abort()
                raise
            finally:
                try:
                    cursor.close()
                except self._errors:
                    pass
        return Claimed(claim_id, row[0], row[1]) if row is not None and claim_id is not None else None

    def _abort(self) -> None:
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
            else:
                self._dbapi.rollback()
        except self._errors:
            pass  # a dead connection has nothing left to roll back

    def claim(self, delivery_id: int) -> Claimed | None:
        """Take a queued delivery (committed before anything is sent); None if another run has it."""
        return self.advance(None, delivery_id)

    def finish(self, outcome: "Outcome") -> None:
        """Record the outcome of a claimed delivery."""
        self.advance(outcome, None)

    def skip(self, delivery_id: int, detail: str) -> None:
        """Mark a queued delivery suppressed (the address left the list after the audience was frozen)."""
        with self._lock, database_guard(self.engine, "recording deliveries"):
            try:
                self._conn.execute(
                    update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.state == "queued").values(state="suppressed", detail=detail, updated_at=now())
                )
                self._conn.commit()
            except BaseException:
                self._abort()
                raise


def _alive(host: str, pid: int, heartbeat: datetime, finished: datetime | None, at: datetime) -> bool:
    if finished is not None:
        return False
    if host == socket.gethostname():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return at - heartbeat < STALE


def recover(engine: Engine, campaign: str, step: int) -> int:
    """Rows left in ``sending`` by a run that is gone become ``unknown``; return how many."""
    stamp = now()
    changed = 0
    with engine.begin() as conn:
        owners = conn.execute(
            select(runs.c.id, runs.c.host, runs.c.pid, runs.c.heartbeat_at, runs.c.finished_at)
            .where(runs.c.id.in_(select(deliveries.c.run_id).where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == "sending")))
        ).all()
        dead = [r.id for r in owners if not _alive(r.host, r.pid, r.heartbeat_at, r.finished_at, stamp)]
        orphaned = or_(deliveries.c.run_id.in_(dead), deliveries.c.run_id.is_(None)) if dead else deliveries.c.run_id.is_(None)
        changed = conn.execute(
            update(deliveries)
            .where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == "sending", orphaned)
            .values(state="unknown", detail="the sending process stopped before the outcome was known", updated_at=stamp)
        ).rowcount
        if changed:
            conn.execute(insert(audit), [{"at": stamp, "action": "marked-unknown", "source": "cli", "detail": f"{campaign} step {step}: {changed} deliveries"}])
    return changed


def requeue_unknown(engine: Engine, campaign: str, step: int, source: str = "cli") -> int:
    """A person asked to resend the unknown deliveries: put them back in the queue."""
    with engine.begin() as conn:
        n = conn.execute(
            update(deliveries)
            .where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == "unknown")
            .values(state="queued", not_before=None, detail="resend requested", updated_at=now())
        ).rowcount
        if n:
            conn.execute(insert(audit), [{"at": now(), "action": "resend-unknown", "source": source, "detail": f"{campaign} step {step}: {n} deliveries"}])
    return n


def counts(engine: Engine, campaign: str, step: int | None = None) -> dict[str, int]:
    """Deliveries per state for a campaign (or one step)."""
    q = select(deliveries.c.state, func.count()).where(deliveries.c.campaign == campaign).group_by(deliveries.c.state)
    if step is not None:
        q = q.where(deliveries.c.step == step)
    with engine.connect() as conn:
        found = dict(conn.execute(q).all())
    return {state: int(found.get(state, 0)) for state in STATES}


def rows_in(engine: Engine, campaign: str, states: Iterable[str], step: int | None = None, limit: int = 1000) -> list[dict]:
    """Ledger rows of a campaign in the given states (for status and reports)."""
    q = select(deliveries).where(deliveries.c.campaign == campaign, deliveries.c.state.in_(list(states))).order_by(deliveries.c.step, deliveries.c.id).limit(limit)
    if step is not None:
        q = q.where(deliveries.c.step == step)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def next_retry(engine: Engine, campaign: str, step: int) -> datetime | None:
    """When the earliest queued-for-retry delivery of a step may go."""
    with engine.connect() as conn:
        return conn.execute(
            select(func.min(deliveries.c.not_before)).where(and_(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == "queued"))
        ).scalar_one_or_none()
