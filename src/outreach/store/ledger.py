"""The delivery ledger: the only writer of delivery state (reads are in :mod:`.ledger_queries`).

Every transition of a ``deliveries`` row is a function here, in :mod:`.holds`
(which run holds a row) or in :mod:`.late_events` (what comes back later)::

    enqueue ─▶ queued ─claim─▶ sending ─finish─▶ sent ─record_bounce─▶ bounced
                 ▲  │             │                  └─record_complaint─▶ complained
                 │  │             ├─ retry: queued (attempts+1, not before the retry time)
                 │  │             ├─ failed | bounced (refused at send time)
                 │  │             └─ unknown (no answer, or the process died: ``holds.recover``)
                 │  └─skip─▶ suppressed (the address left the list after the audience froze)
                 └── requeue_unknown / resolve_part (a person decided)

A delivery is claimed by a conditional update (``state='queued'`` →
``sending``) that only one process can win, committed *before* the message
or post leaves, and finished by a later commit after the remote side
answers. A sending thread has at most two rows in ``sending`` (pipelined
SMTP: the one whose reply is on its way and the next, claimed meanwhile); if
the process is killed, exactly those rows become ``unknown`` and everything
else is either done or still queued. Late events (a bounce, a complaint, a
person's decision) are kept in ``delivery_events`` next to the state they caused.
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator, Sequence

from sqlalchemy import Engine, func, insert, literal, null, select, update
from sqlalchemy.sql.elements import ColumnElement

from ..errors import OutreachError
from .db import now
from .delivery import DeliveryState, EventKind
from .guard import database_errors, database_guard, describe_db_error
from .holds import HEARTBEAT
from .late_events import keep_event
from .schema import UTCDateTime, audiences, audit, deliveries, memberships, runs, subscribers
from .upsert import insert_ignoring



@dataclass(frozen=True)
class Outcome:
    """How a claimed delivery ended. ``payload``: a post's payload to store with it (its remote ids)."""

    delivery_id: int
    state: DeliveryState
    detail: str | None = None
    not_before: datetime | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    payload: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if type(self.state) is not DeliveryState:
            object.__setattr__(self, "state", DeliveryState(self.state))


@dataclass(frozen=True)
class Claimed:
    """A delivery this process now owns; ``state`` is ``suppressed`` when the address left the list in the meantime."""

    id: int
    attempts: int
    state: DeliveryState = DeliveryState.SENDING


@dataclass(frozen=True)
class QueuedPart:
    """One post or thread part to enqueue: its number (1 = first) and what it says."""

    number: int
    text: str
    of: int


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
        self._ts = UTCDateTime().bind_processor(engine.dialect) or (lambda value: value)
        self._claim_sql, self._claim_extra = _claim_sql(engine, suppression_list)
        mark = _mark(engine)
        self._address_sql = f"UPDATE deliveries SET message_id = {mark}, envelope_sender = {mark} WHERE id = {mark} AND state = 'queued'"
        self._finish_sql = (f"UPDATE deliveries SET state = {mark}, detail = {mark}, not_before = {mark}, remote_id = {mark}, remote_url = {mark}, "
                            f"updated_at = {mark}, run_id = {mark} WHERE id = {mark} AND run_id = {mark}")
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
            try:  # the rows it held and did not send are free for any worker
                self._conn.execute(update(deliveries).where(deliveries.c.run_id == self.run_id, deliveries.c.state == DeliveryState.QUEUED)
                                   .values(run_id=None))
                self._conn.execute(update(runs).where(runs.c.id == self.run_id).values(finished_at=now()))
                self._conn.commit()
            except self._errors:
                self._rollback_quietly()  # unfinished, its process gone: the next run recovers its rows
            try:
                self._conn.close()
            except self._errors:
                pass

    # -- deliveries -------------------------------------------------------------
    def address(self, addressed: list[tuple[int, str, str]]) -> None:
        """Keep the Message-ID and envelope sender (``(delivery id, Message-ID, envelope sender)``) of queued emails about to go.

        A bounce or complaint days later finds its row by them. One commit per batch, before
        the batch is claimed: writing them in each claim cost an index page per message.
        """
        if not addressed:
            return
        with self._cursor() as cursor:
            cursor.executemany(self._address_sql, [(message_id, sender, delivery_id) for delivery_id, message_id, sender in addressed])
            self._dbapi.commit()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A DB-API cursor on the ledger's connection, under its lock; any failure rolls back and says one line."""
        with self._lock, database_guard(self.engine, "recording deliveries"):
            cursor = self._dbapi.cursor()
            try:
                yield cursor
            except BaseException:
                self._abort()
                raise
            finally:
                try:
                    cursor.close()
                except self._errors:
                    pass

    def advance(self, done: Outcome | Sequence[Outcome] | None, claim_id: int | None) -> Claimed | None:
        """Record ``done`` (one outcome or several) and claim ``claim_id`` in one commit (one commit per message on the hot path).

        The statements go straight to the DB-API cursor: SQLAlchemy's per-statement
        overhead was a third of the per-message cost. Timestamps pass through the same
        processor SQLAlchemy uses, so the stored values are identical. An outcome that puts
        its row back in the queue also gives up this run's hold on it (``run_id`` cleared),
        so any worker takes it when it is due.
        """
        outcomes = [] if done is None else [done] if isinstance(done, Outcome) else list(done)
        with self._cursor() as cursor:
            stamp = self._ts(now())
            for o in outcomes:
                held = None if o.state == DeliveryState.QUEUED else self.run_id
                cursor.execute(self._finish_sql, (o.state.value, o.detail, self._ts(o.not_before) if o.not_before else None,
                                                  o.remote_id, o.remote_url, stamp, held, o.delivery_id, self.run_id))
            row = None
            if claim_id is not None:
                cursor.execute(self._claim_sql, (*self._claim_extra, self.run_id, stamp, claim_id))
                row = cursor.fetchone()
            self._commit(outcomes)
        return Claimed(claim_id, row[0], DeliveryState(row[1])) if row is not None and claim_id is not None else None

    def _commit(self, outcomes: list[Outcome]) -> None:
        """Commit; an outcome with more to keep (a refused address, a post's payload) adds it to the same transaction."""
        extra = [o for o in outcomes if o.state == DeliveryState.BOUNCED or o.payload is not None]
        if not extra:
            self._dbapi.commit()
            return
        # the same DB-API connection as the cursor above: one transaction
        for done in extra:
            if done.payload is not None:
                self._conn.execute(update(deliveries).where(deliveries.c.id == done.delivery_id).values(payload=done.payload))
            if done.state == DeliveryState.BOUNCED:
                keep_event(self._conn, done.delivery_id, EventKind.BOUNCED_HARD, done.detail, "bounce", now())
        self._conn.commit()

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

    def finish(self, outcome: Outcome) -> None:
        """Record the outcome of a claimed delivery."""
        self.advance(outcome, None)

    def finish_all(self, outcomes: Sequence[Outcome]) -> None:
        """Record the outcomes of several claimed deliveries in one commit."""
        if outcomes:
            self.advance(outcomes, None)

    def release(self, delivery_ids: Sequence[int]) -> None:
        """Let go of held rows this run will not send after all (still queued): any worker, or this run's next pass, takes them."""
        with self._lock, database_guard(self.engine, "recording deliveries"):
            try:
                self._conn.execute(update(deliveries).where(deliveries.c.id.in_(list(delivery_ids)), deliveries.c.run_id == self.run_id,
                                                            deliveries.c.state == DeliveryState.QUEUED).values(run_id=None))
                self._conn.commit()
            except BaseException:
                self._abort()
                raise

    def skip(self, delivery_id: int, detail: str) -> None:
        """Mark a queued delivery suppressed (the address left the list after the audience was frozen)."""
        with self._lock, database_guard(self.engine, "recording deliveries"):
            try:
                self._conn.execute(
                    update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.state == DeliveryState.QUEUED)
                    .values(state=DeliveryState.SUPPRESSED, detail=detail, updated_at=now())
                )
                self._conn.commit()
            except BaseException:
                self._abort()
                raise


def _mark(engine: Engine) -> str:
    return "?" if engine.dialect.paramstyle == "qmark" else "%s"


def _claim_sql(engine: Engine, suppression_list: str | None) -> tuple[str, tuple[str, ...]]:
    """The claim statement and its leading parameters (the list, when the claim checks suppressions)."""
    mark = _mark(engine)
    tail = f"run_id = {mark}, attempts = attempts + 1, updated_at = {mark} WHERE id = {mark} AND state = 'queued' RETURNING attempts, state"
    if suppression_list is None:
        return f"UPDATE deliveries SET state = 'sending', {tail}", ()
    # An unsubscribe that commits before the claim wins: the check is in the claim itself
    # (a primary-key probe of suppressions), so only messages already in flight can still go.
    return (f"UPDATE deliveries SET state = CASE WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.email = deliveries.target "
            f"AND s.list IN ('*', {mark})) THEN 'suppressed' ELSE 'sending' END, {tail}"), (suppression_list,)


# -- enqueueing -------------------------------------------------------------------------

def enqueue_audience(engine: Engine, campaign: str, list_name: str, step: int, *, members: ColumnElement[bool] | None = None,
                     description: str | None = None, filter: dict[str, Any] | None = None) -> int:
    """Queue one delivery per subscriber of the audience, once; later runs reuse it (never re-reading the filter).

    The audience: ``members`` (a condition on ``memberships`` joined with ``subscribers``, from
    :func:`outreach.store.segments.audience_clause`), or every active, unsuppressed member of
    ``list_name``. ``description`` (the audience in words) and ``filter`` (its JSON) are kept with
    the frozen audience. Two runs starting at once both insert, conflict-free: each row and the
    audience exist once, and both return the total the first one recorded.
    """
    from .subscribers import active_clause  # here: store.subscribers imports this module

    where = (audiences.c.campaign == campaign, audiences.c.step == step)
    with engine.begin() as conn:
        found = conn.execute(select(audiences.c.total).where(*where)).scalar_one_or_none()
        if found is not None:
            return int(found)
        stamp = now()
        source = (
            select(literal(campaign), literal(step), subscribers.c.email, subscribers.c.id, literal(DeliveryState.QUEUED.value), literal(0), literal(stamp))
            .select_from(memberships.join(subscribers))
            .where(active_clause(list_name) if members is None else members)
            .order_by(subscribers.c.id)
        )
        columns = ["campaign", "step", "target", "subscriber_id", "state", "attempts", "updated_at"]
        conn.execute(insert_ignoring(conn, deliveries, ["campaign", "step", "target"]).from_select(columns, source))
        total = conn.execute(select(func.count()).where(deliveries.c.campaign == campaign, deliveries.c.step == step)).scalar_one()
        conn.execute(insert_ignoring(conn, audiences, ["campaign", "step"]).values(
            campaign=campaign, step=step, list=list_name, total=total, enqueued_at=stamp, description=description,
            filter=null() if filter is None else filter))  # SQL NULL, not JSON null: the whole list
        return int(conn.execute(select(audiences.c.total).where(*where)).scalar_one())


def enqueue_parts(engine: Engine, campaign: str, step: int, parts: list[QueuedPart]) -> None:
    """Queue each part of a post step once (parts already in the ledger keep their state)."""
    stamp = now()
    rows = [{"campaign": campaign, "step": step, "target": f"part-{p.number}", "part": p.number, "state": DeliveryState.QUEUED.value,
             "attempts": 0, "updated_at": stamp, "payload": {"text": p.text, "of": p.of}} for p in parts]
    if rows:
        with engine.begin() as conn:
            conn.execute(insert_ignoring(conn, deliveries, ["campaign", "step", "target"]), rows)


# -- what a person decides ------------------------------------------------------------------

def requeue_unknown(engine: Engine, campaign: str, step: int, source: str = "cli") -> int:
    """A person asked to resend the unknown deliveries: put them back in the queue."""
    with engine.begin() as conn:
        n = conn.execute(
            update(deliveries)
            .where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == DeliveryState.UNKNOWN)
            .values(state=DeliveryState.QUEUED, not_before=None, detail="resend requested", updated_at=now())
        ).rowcount
        if n:
            conn.execute(insert(audit), [{"at": now(), "action": "resend-unknown", "source": source, "detail": f"{campaign} step {step}: {n} deliveries"}])
    return n


def resolve_part(engine: Engine, campaign: str, step: int, part: int, *, posted_url: str | None, resend: bool, by: str = "cli") -> DeliveryState:
    """A person settles an unknown post part: it was posted (at ``posted_url``), or it should go again."""
    with engine.begin() as conn:
        row = conn.execute(select(deliveries.c.id, deliveries.c.state)
                           .where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.part == part)).first()
        if row is None:
            raise OutreachError(f"{campaign}: step {step} has no part {part} in the ledger")
        if row.state != DeliveryState.UNKNOWN:
            raise OutreachError(f"{campaign}: step {step} part {part} is {row.state}, not unknown; nothing to resolve")
        if resend:
            values: dict[str, Any] = {"state": DeliveryState.QUEUED, "not_before": None, "detail": "resend requested by a person"}
        else:
            remote_id = posted_url.rstrip("/").rsplit("/", 1)[-1] if posted_url else None
            values = {"state": DeliveryState.SENT, "remote_id": remote_id, "remote_url": posted_url, "detail": "marked posted by a person"}
        stamp = now()
        conn.execute(update(deliveries).where(deliveries.c.id == row.id, deliveries.c.state == DeliveryState.UNKNOWN).values(updated_at=stamp, **values))
        keep_event(conn, row.id, EventKind.RESOLVED, f"{values['state']} ({values['detail']})", by, stamp)
        conn.execute(insert(audit), [{"at": stamp, "action": "resolved", "source": by, "detail": f"{campaign} step {step} part {part}: {values['state']}"}])
    return DeliveryState(values["state"])
