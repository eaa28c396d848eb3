"""Which run holds which rows: workers reserve queued rows, and a run that is gone gives back what it held.

A run (``runs``: host, pid, heartbeat) holds a row while ``deliveries.run_id`` names it:
queued rows it reserved, ``sending`` rows it claimed. Several workers share a step by
reserving batches; a worker that dies is found gone (on this host by its process, from
elsewhere by a heartbeat older than :data:`STALE`) and its rows are given back.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, or_, select, update

from .db import now
from .delivery import DeliveryState
from .ledger_queries import QueuedEmail, emails_of
from .schema import audit, deliveries, runs

HEARTBEAT = timedelta(seconds=5)
STALE = timedelta(seconds=60)


def _alive(host: str, pid: int, heartbeat: datetime, finished: datetime | None, at: datetime) -> bool:
    """A run is alive while unfinished with a fresh heartbeat; on this host, also while its process exists.

    The heartbeat counts on this host too: a pid can be reused after a kill, and containers that
    share a host name see each other's pids in other namespaces.
    """
    if finished is not None:
        return False
    if host == socket.gethostname():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # someone else's process: the heartbeat decides
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
    free = (select(deliveries.c.id)
            .where(deliveries.c.campaign == campaign, deliveries.c.step == step, deliveries.c.state == DeliveryState.QUEUED,
                   deliveries.c.run_id.is_(None), deliveries.c.id > after,
                   or_(deliveries.c.not_before.is_(None), deliveries.c.not_before <= now()))
            .order_by(deliveries.c.id).limit(limit).with_for_update(skip_locked=True))
    with engine.begin() as conn:
        ids = conn.execute(update(deliveries).where(deliveries.c.id.in_(free)).values(run_id=run_id).returning(deliveries.c.id)).scalars().all()
        return emails_of(conn, list_name, sorted(ids)) if ids else []
