"""Scheduled steps: what is due when, and what state each step is in."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, Row, delete, select, update

from ..plan import Plan
from .db import now
from .schema import dispatchers, steps
from .upsert import upsert_row

OPEN_STATES = ("scheduled", "running")
# A dispatcher silent this long is taken for dead and its running step is taken over. It matches the
# ledger's STALE, so the rows its run left in 'sending' are then marked unknown, never sent again.
# (On the same host a dead process is seen at once.)
STALE_AFTER = timedelta(seconds=60)


def save_schedule(engine: Engine, plan: Plan, campaign_path: Path, due: dict[int, datetime]) -> None:
    """Record the plan's steps as scheduled at ``due`` (replacing any open schedule of the campaign)."""
    stamp = now()
    with engine.begin() as conn:
        for step in plan.steps:
            if step.number not in due:
                continue
            values = {"campaign_path": str(campaign_path.resolve()), "kind": step.kind, "channel": step.channel, "field": step.field,
                      "due_utc": due[step.number], "state": "scheduled", "detail": None, "owner": None,
                      "timezone": plan.campaign.timezone, "updated_at": stamp}
            upsert_row(conn, steps, {"campaign": plan.campaign.slug, "step": step.number, **values}, ["campaign", "step"], list(values))


def done_steps(engine: Engine, campaign: str) -> set[int]:
    """Steps that went out in full: scheduling again leaves them be.

    Failed, partly done and missed steps are scheduled again; the ledger skips
    every message or post that already went, so nothing is sent twice.
    """
    with engine.connect() as conn:
        return set(conn.execute(select(steps.c.step).where(steps.c.campaign == campaign, steps.c.state == "done")).scalars())


def claim_step(engine: Engine, campaign: str, step: int, owner: str) -> bool:
    """scheduled -> running, owned by dispatcher ``owner``; True for exactly one caller."""
    with engine.begin() as conn:
        return conn.execute(update(steps).where(steps.c.campaign == campaign, steps.c.step == step, steps.c.state == "scheduled")
                            .values(state="running", owner=owner, updated_at=now())).rowcount == 1


def finish_step(engine: Engine, campaign: str, step: int, owner: str, state: str, detail: str | None, due: datetime | None = None) -> bool:
    """running -> ``state`` for the step ``owner`` runs; False if another dispatcher took it over meanwhile."""
    values: dict = {"state": state, "detail": detail, "owner": None, "updated_at": now()}
    if due is not None:
        values["due_utc"] = due
    with engine.begin() as conn:
        return conn.execute(update(steps).where(steps.c.campaign == campaign, steps.c.step == step, steps.c.state == "running",
                                                steps.c.owner == owner).values(**values)).rowcount == 1


def set_state(engine: Engine, campaign: str, step: int, state: str, detail: str | None = None, due: datetime | None = None,
              only_from: tuple[str, ...] | None = None) -> bool:
    """Move a step to ``state`` (only if it is in one of ``only_from``, when given); True if it moved."""
    values: dict = {"state": state, "detail": detail, "owner": None, "updated_at": now()}
    if due is not None:
        values["due_utc"] = due
    q = update(steps).where(steps.c.campaign == campaign, steps.c.step == step)
    if only_from is not None:
        q = q.where(steps.c.state.in_(only_from))
    with engine.begin() as conn:
        return conn.execute(q.values(**values)).rowcount == 1


@dataclass(frozen=True)
class StepRow:
    """One scheduled dispatch step as the database holds it."""

    campaign: str
    step: int
    campaign_path: str
    kind: str  # email | post
    channel: str
    field: str
    due_utc: datetime
    state: str  # scheduled | running | done | partly done | failed | missed | cancelled
    detail: str | None
    updated_at: datetime
    owner: str | None
    timezone: str | None


@dataclass(frozen=True)
class DispatcherRow:
    """A dispatcher that said it is alive."""

    id: str
    started_at: datetime
    heartbeat_at: datetime
    host: str | None
    pid: int | None


def _step_row(row: Row) -> StepRow:
    return StepRow(**{f.name: getattr(row, f.name) for f in fields(StepRow)})


def list_steps(engine: Engine, campaign: str | None = None) -> list[StepRow]:
    """Every scheduled step (of one campaign or all), in due order."""
    q = select(steps).order_by(steps.c.due_utc, steps.c.campaign, steps.c.step)
    if campaign:
        q = q.where(steps.c.campaign == campaign)
    with engine.connect() as conn:
        return [_step_row(r) for r in conn.execute(q)]


def open_steps(engine: Engine) -> list[StepRow]:
    """Steps still scheduled or running, anywhere."""
    return [r for r in list_steps(engine) if r.state in OPEN_STATES]


def heartbeat(engine: Engine, ident: str, started: datetime) -> None:
    """Say this dispatcher is alive."""
    stamp = now()
    row = {"id": ident, "started_at": started, "heartbeat_at": stamp, "host": socket.gethostname(), "pid": os.getpid()}
    with engine.begin() as conn:
        upsert_row(conn, dispatchers, row, ["id"], ["heartbeat_at"])


def forget_dispatcher(engine: Engine, ident: str) -> None:
    """This dispatcher stopped."""
    with engine.begin() as conn:
        conn.execute(delete(dispatchers).where(dispatchers.c.id == ident))


def live_dispatchers(engine: Engine, within: timedelta = timedelta(seconds=15)) -> list[DispatcherRow]:
    """Dispatchers that sent a heartbeat recently."""
    with engine.connect() as conn:
        rows = [DispatcherRow(r.id, r.started_at, r.heartbeat_at, r.host, r.pid) for r in conn.execute(select(dispatchers))]
    cutoff = now() - within
    return [r for r in rows if r.heartbeat_at >= cutoff]


def _gone(host: str | None, pid: int | None, beat: datetime | None, at: datetime) -> bool:
    """True when a dispatcher is certainly gone: its process is dead on this host, or it stopped beating."""
    if beat is None:
        return True  # no record: it stopped (or it predates owners being recorded)
    if host == socket.gethostname() and pid:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    return at - beat > STALE_AFTER


def stranded_steps(engine: Engine) -> list[tuple[str, int, str | None]]:
    """Running steps whose dispatcher is gone: ``(campaign, step, owner)``."""
    q = (select(steps.c.campaign, steps.c.step, steps.c.owner, dispatchers.c.host, dispatchers.c.pid, dispatchers.c.heartbeat_at)
         .select_from(steps.outerjoin(dispatchers, dispatchers.c.id == steps.c.owner)).where(steps.c.state == "running"))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    stamp = now()
    return [(r.campaign, r.step, r.owner) for r in rows if _gone(r.host, r.pid, r.heartbeat_at, stamp)]


def take_over(engine: Engine, campaign: str, step: int, previous: str | None, owner: str) -> bool:
    """Make ``owner`` the runner of a step stranded by dispatcher ``previous``; True for exactly one caller."""
    was = steps.c.owner.is_(None) if previous is None else steps.c.owner == previous
    with engine.begin() as conn:
        return conn.execute(update(steps).where(steps.c.campaign == campaign, steps.c.step == step, steps.c.state == "running", was)
                            .values(owner=owner, updated_at=now())).rowcount == 1


def overdue_steps(engine: Engine, older_than: timedelta) -> list[StepRow]:
    """Steps still ``scheduled`` whose due time passed more than ``older_than`` ago."""
    with engine.connect() as conn:
        rows = conn.execute(select(steps).where(steps.c.state == "scheduled", steps.c.due_utc < now() - older_than)).all()
    return [_step_row(r) for r in rows]
