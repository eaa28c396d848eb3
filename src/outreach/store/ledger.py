"""The delivery ledger: the only writer of delivery state (reads are in :mod:`.ledger_queries`).

Every transition of a ``deliveries`` row is a function here::

    enqueue ─▶ queued ─claim─▶ sending ─finish─▶ sent ─record_bounce─▶ bounced
                 ▲  │             │                  └─record_complaint─▶ complained
                 │  │             ├─ retry: queued (attempts+1, not before the retry time)
                 │  │             ├─ failed | bounced (refused at send time)
                 │  │             └─ unknown (no answer, or the process died: ``recover``)
                 │  └─skip─▶ suppressed (the address left the list after the audience froze)
                 └── requeue_unknown / resolve_part (a person decided)

A delivery is claimed by a conditional update (``state='queued'`` →
``sending``) that only one process can win, committed *before* the message
or post leaves, and finished by a second commit after the remote side
answers. So at any moment at most one row per sending thread is in
``sending``; if the process is killed, exactly those rows become
``unknown`` on the next start and everything else is either done or still
queued. Late events (a bounce, a complaint, a person's decision) are kept in
``delivery_events`` next to the state they caused.
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, Engine, func, insert, literal, null, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from ..errors import OutreachError
from .db import now
from .delivery import DeliveryState, EventKind
from .guard import database_errors, database_guard, describe_db_error
from .ledger_queries import QueuedEmail, standing_events
from .schema import UTCDateTime, audiences, audit, deliveries, delivery_events, memberships, runs, subscribers
from .upsert import insert_ignoring

HEARTBEAT = timedelta(seconds=5)
STALE = timedelta(seconds=60)


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
                _keep_event(self._conn, done.delivery_id, EventKind.BOUNCED_HARD, done.detail, "bounce", now())
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


# -- a dead run's rows, and what a person decides -------------------------------------------

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
    """Rows a run that is gone left behind: ``sending`` ones become ``unknown``, held ``queued`` ones free again; how many became unknown.

    Any worker calls this when it starts and whenever it runs out of rows, so a killed
    worker's share is taken over by the others (a run on this host is gone when its process
    is; a run elsewhere when its heartbeat is older than :data:`STALE`).
    """
    stamp = now()
    mine = (deliveries.c.campaign == campaign, deliveries.c.step == step)
    held = deliveries.c.state.in_([DeliveryState.SENDING, DeliveryState.QUEUED])
    with engine.begin() as conn:
        owners = conn.execute(
            select(runs.c.id, runs.c.host, runs.c.pid, runs.c.heartbeat_at, runs.c.finished_at)
            .where(runs.c.id.in_(select(deliveries.c.run_id).where(*mine, held).distinct()))
        ).all()
        dead = [r.id for r in owners if not _alive(r.host, r.pid, r.heartbeat_at, r.finished_at, stamp)]
        orphaned = or_(deliveries.c.run_id.in_(dead), deliveries.c.run_id.is_(None)) if dead else deliveries.c.run_id.is_(None)
        changed = conn.execute(
            update(deliveries).where(*mine, deliveries.c.state == DeliveryState.SENDING, orphaned)
            .values(state=DeliveryState.UNKNOWN, detail="the sending process stopped before the outcome was known", updated_at=stamp)
        ).rowcount
        if dead:
            conn.execute(update(deliveries).where(*mine, deliveries.c.state == DeliveryState.QUEUED, deliveries.c.run_id.in_(dead)).values(run_id=None))
            conn.execute(update(runs).where(runs.c.id.in_(dead), runs.c.finished_at.is_(None)).values(finished_at=stamp))
        if changed:
            conn.execute(insert(audit), [{"at": stamp, "action": "marked-unknown", "source": "cli", "detail": f"{campaign} step {step}: {changed} deliveries"}])
    return changed


def reserve_emails(engine: Engine, campaign: str, step: int, list_name: str, run_id: int, after: int, limit: int) -> list[QueuedEmail]:
    """Hold the next ``limit`` due, free queued email rows after id ``after`` for run ``run_id``; with what their messages need.

    On PostgreSQL several workers reserve at once: ``FOR UPDATE SKIP LOCKED`` hands each
    row to one of them and nobody waits. A held row is still ``queued``: it is claimed one
    by one as it goes; a worker that dies leaves it to :func:`recover`.
    """
    from .ledger_queries import emails_of  # here: ledger_queries is the reading half

    free = (select(deliveries.c.id)
            .where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == DeliveryState.QUEUED,
                   deliveries.c.run_id.is_(None), deliveries.c.id > after,
                   or_(deliveries.c.not_before.is_(None), deliveries.c.not_before <= now()))
            .order_by(deliveries.c.id).limit(limit).with_for_update(skip_locked=True))
    with engine.begin() as conn:
        ids = conn.execute(update(deliveries).where(deliveries.c.id.in_(free)).values(run_id=run_id).returning(deliveries.c.id)).scalars().all()
        return emails_of(conn, list_name, sorted(ids)) if ids else []


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
        _keep_event(conn, row.id, EventKind.RESOLVED, f"{values['state']} ({values['detail']})", by, stamp)
        conn.execute(insert(audit), [{"at": stamp, "action": "resolved", "source": by, "detail": f"{campaign} step {step} part {part}: {values['state']}"}])
    return DeliveryState(values["state"])


# -- late events: what comes back after a message went out ------------------------------------

def _keep_event(conn: Connection, delivery_id: int, kind: EventKind, detail: str | None, source: str, at: datetime) -> None:
    conn.execute(insert(delivery_events), [{"delivery_id": delivery_id, "kind": kind.value, "detail": detail, "source": source, "occurred_at": at}])
    if kind in (EventKind.BOUNCED_HARD, EventKind.COMPLAINED):
        # a hard bounce or a complaint: no list sends to this address again (the first reason stays)
        from .subscribers import ALL_LISTS, suppress  # here: store.subscribers imports this module

        target = conn.execute(select(deliveries.c.target).where(deliveries.c.id == delivery_id, deliveries.c.part.is_(None))).scalar_one_or_none()
        if target is not None:
            suppress(conn, target, ALL_LISTS, "bounced" if kind == EventKind.BOUNCED_HARD else "complained", source, detail)


def _late(engine: Engine, delivery_id: int, kind: EventKind, to: DeliveryState, from_states: tuple[DeliveryState, ...],
          detail: str | None, source: str, occurred_at: datetime | None) -> DeliveryState:
    """Keep the event, and move the row to ``to`` if it is in ``from_states``; return the row's state now."""
    with engine.begin() as conn:
        return _late_in(conn, delivery_id, kind, to, from_states, detail, source, occurred_at)


def _late_in(conn: Connection, delivery_id: int, kind: EventKind, to: DeliveryState, from_states: tuple[DeliveryState, ...],
             detail: str | None, source: str, occurred_at: datetime | None) -> DeliveryState:
    """:func:`_late` inside the caller's transaction."""
    at = occurred_at or now()
    state = conn.execute(select(deliveries.c.state).where(deliveries.c.id == delivery_id)).scalar_one_or_none()
    if state is None:
        raise OutreachError(f"delivery {delivery_id} is not in the ledger")
    moved = conn.execute(update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.state.in_(from_states))
                         .values(state=to, detail=detail, updated_at=now())).rowcount
    _keep_event(conn, delivery_id, kind, detail, source, at)
    return to if moved else DeliveryState(state)


def record_bounce(engine: Engine, delivery_id: int, *, hard: bool, detail: str | None, source: str = "bounce",
                  occurred_at: datetime | None = None) -> DeliveryState:
    """A bounce came back for a delivery: ``sent`` (or ``unknown``: it did go out) → ``bounced``, the event kept.

    A hard bounce also suppresses the address on every list; a soft one only records what happened.
    A row in any other state keeps its state; the event is kept all the same. Returns the state now.
    """
    kind = EventKind.BOUNCED_HARD if hard else EventKind.BOUNCED_SOFT
    return _late(engine, delivery_id, kind, DeliveryState.BOUNCED, (DeliveryState.SENT, DeliveryState.UNKNOWN), detail, source, occurred_at)


def record_complaint(engine: Engine, delivery_id: int, *, detail: str | None, source: str = "complaint",
                     occurred_at: datetime | None = None) -> DeliveryState:
    """A recipient reported the message as spam: ``sent``, ``unknown`` or ``bounced`` → ``complained``.

    The address is suppressed on every list and the event kept. Returns the state now.
    """
    return _late(engine, delivery_id, EventKind.COMPLAINED, DeliveryState.COMPLAINED,
                 (DeliveryState.SENT, DeliveryState.UNKNOWN, DeliveryState.BOUNCED), detail, source, occurred_at)


_BOUNCE_FROM = (DeliveryState.SENT, DeliveryState.UNKNOWN)
_STATE_EVENTS = (EventKind.BOUNCED_HARD, EventKind.BOUNCED_SOFT, EventKind.COMPLAINED)  # what moves a row to bounced or complained
_COMPLAINT_FROM = (DeliveryState.SENT, DeliveryState.UNKNOWN, DeliveryState.BOUNCED)


def record_bounce_in(conn: Connection, delivery_id: int, *, hard: bool, detail: str | None, source: str,
                     occurred_at: datetime | None = None) -> DeliveryState:
    """:func:`record_bounce` inside the caller's transaction (the inbound recorder keeps a batch in one)."""
    kind = EventKind.BOUNCED_HARD if hard else EventKind.BOUNCED_SOFT
    return _late_in(conn, delivery_id, kind, DeliveryState.BOUNCED, _BOUNCE_FROM, detail, source, occurred_at)


def record_complaint_in(conn: Connection, delivery_id: int, *, detail: str | None, source: str,
                        occurred_at: datetime | None = None) -> DeliveryState:
    """:func:`record_complaint` inside the caller's transaction."""
    return _late_in(conn, delivery_id, EventKind.COMPLAINED, DeliveryState.COMPLAINED, _COMPLAINT_FROM, detail, source, occurred_at)


def record_unsubscribed_in(conn: Connection, delivery_id: int, *, detail: str | None, source: str) -> None:
    """Keep an unsubscribe by mail against the delivery it answers (the row's state stays: it was delivered)."""
    _keep_event(conn, delivery_id, EventKind.UNSUBSCRIBED, detail, source, now())


def undone_detail(kind: EventKind, inbound_id: int, by: str) -> str:
    """The detail of an ``undone`` event: it starts with the kind it lifts, which is how counts leave it out."""
    return f"{kind.value} undone: inbound message {inbound_id}, by {by}"


def record_undone_in(conn: Connection, delivery_id: int, kind: EventKind, inbound_id: int, by: str) -> DeliveryState:
    """A person lifted a ``kind`` event (the event stays; an ``undone`` event is added next to it).

    When no bounce or complaint is left standing on the row, a ``bounced`` or ``complained``
    row goes back to ``sent``: it was delivered. Returns the row's state now.
    """
    _keep_event(conn, delivery_id, EventKind.UNDONE, undone_detail(kind, inbound_id, by), "cli", now())
    state = DeliveryState(conn.execute(select(deliveries.c.state).where(deliveries.c.id == delivery_id)).scalar_one())
    left = standing_events(conn, [delivery_id]).get(delivery_id, {})
    if state in (DeliveryState.BOUNCED, DeliveryState.COMPLAINED) and not any(left.get(k) for k in _STATE_EVENTS):
        conn.execute(update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.state == state)
                     .values(state=DeliveryState.SENT, detail=f"{kind.value} undone by {by}", updated_at=now()))
        return DeliveryState.SENT
    return state


# -- forgetting a person (store.privacy.forget) ---------------------------------------------------

FORGOTTEN_TARGET = "forgotten-"  # the target of a delivery made anonymous: forgotten-<delivery id>

def forget_recipient_in(conn: Connection, subscriber_id: int | None, address: str, scrub: Callable[[str | None], str | None]) -> list[int]:
    """Make a forgotten person's email deliveries anonymous; their ids.

    The counts stay (each row keeps its campaign, step and state; a queued one becomes
    suppressed), but nothing names the person: the target becomes ``forgotten-<id>``, the
    subscriber, Message-ID, envelope sender and remote id are cleared (a mail log could tie
    them to the address), and ``scrub`` takes the address out of every detail.
    """
    mine = or_(deliveries.c.target == address, deliveries.c.subscriber_id == subscriber_id) if subscriber_id is not None else deliveries.c.target == address
    rows = conn.execute(select(deliveries.c.id, deliveries.c.state, deliveries.c.detail).where(deliveries.c.part.is_(None), mine)).all()
    for r in rows:
        state = DeliveryState.SUPPRESSED.value if r.state == DeliveryState.QUEUED.value else r.state
        detail = "forgotten" if r.state == DeliveryState.QUEUED.value else scrub(r.detail)
        conn.execute(update(deliveries).where(deliveries.c.id == r.id).values(
            target=f"{FORGOTTEN_TARGET}{r.id}", subscriber_id=None, state=state, detail=detail, message_id=None, envelope_sender=None,
            remote_id=None, remote_url=None, payload=None))
    ids = [int(r.id) for r in rows]
    for event in conn.execute(select(delivery_events.c.id, delivery_events.c.detail).where(delivery_events.c.delivery_id.in_(ids))).all():
        conn.execute(update(delivery_events).where(delivery_events.c.id == event.id).values(detail=scrub(event.detail)))
    return ids
