"""Scheduled steps: what is due when, and what state each step is in."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select, update

from ..plan import Plan
from .db import now
from .schema import dispatchers, steps

OPEN_STATES = ("scheduled", "running")


def save_schedule(engine: Engine, plan: Plan, campaign_path: Path, due: dict[int, datetime]) -> None:
    """Record the plan's steps as scheduled at ``due`` (replacing any open schedule of the campaign)."""
    stamp = now()
    with engine.begin() as conn:
        existing = {r.step: r.state for r in conn.execute(select(steps.c.step, steps.c.state).where(steps.c.campaign == plan.campaign.slug))}
        for step in plan.steps:
            if step.number not in due:
                continue
            values = {"campaign_path": str(campaign_path.resolve()), "kind": step.kind, "channel": step.channel, "field": step.field,
                      "due_utc": due[step.number], "state": "scheduled", "detail": None, "updated_at": stamp}
            if step.number in existing:
                conn.execute(update(steps).where(steps.c.campaign == plan.campaign.slug, steps.c.step == step.number).values(**values))
            else:
                conn.execute(insert(steps), [{"campaign": plan.campaign.slug, "step": step.number, **values}])


def done_steps(engine: Engine, campaign: str) -> set[int]:
    """Steps that went out in full: scheduling again leaves them be.

    Failed, partly done and missed steps are scheduled again; the ledger skips
    every message or post that already went, so nothing is sent twice.
    """
    with engine.connect() as conn:
        return set(conn.execute(select(steps.c.step).where(steps.c.campaign == campaign, steps.c.state == "done")).scalars())


def claim_step(engine: Engine, campaign: str, step: int) -> bool:
    """scheduled -> running; True for exactly one caller."""
    with engine.begin() as conn:
        return conn.execute(update(steps).where(steps.c.campaign == campaign, steps.c.step == step, steps.c.state == "scheduled")
                            .values(state="running", updated_at=now())).rowcount == 1


def set_state(engine: Engine, campaign: str, step: int, state: str, detail: str | None = None, due: datetime | None = None) -> None:
    """Move a step to ``state``."""
    values: dict = {"state": state, "detail": detail, "updated_at": now()}
    if due is not None:
        values["due_utc"] = due
    with engine.begin() as conn:
        conn.execute(update(steps).where(steps.c.campaign == campaign, steps.c.step == step).values(**values))


def list_steps(engine: Engine, campaign: str | None = None) -> list[dict]:
    """Every scheduled step (of one campaign or all), in due order."""
    q = select(steps).order_by(steps.c.due_utc, steps.c.campaign, steps.c.step)
    if campaign:
        q = q.where(steps.c.campaign == campaign)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def open_steps(engine: Engine) -> list[dict]:
    """Steps still scheduled or running, anywhere."""
    return [r for r in list_steps(engine) if r["state"] in OPEN_STATES]


def heartbeat(engine: Engine, ident: str, started: datetime) -> None:
    """Say this dispatcher is alive."""
    stamp = now()
    with engine.begin() as conn:
        if conn.execute(update(dispatchers).where(dispatchers.c.id == ident).values(heartbeat_at=stamp)).rowcount == 0:
            conn.execute(insert(dispatchers), [{"id": ident, "started_at": started, "heartbeat_at": stamp}])


def forget_dispatcher(engine: Engine, ident: str) -> None:
    """This dispatcher stopped."""
    with engine.begin() as conn:
        conn.execute(delete(dispatchers).where(dispatchers.c.id == ident))


def live_dispatchers(engine: Engine, within: timedelta = timedelta(seconds=15)) -> list[dict]:
    """Dispatchers that sent a heartbeat recently."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(dispatchers))]
    cutoff = now() - within
    return [r for r in rows if r["heartbeat_at"] >= cutoff]
