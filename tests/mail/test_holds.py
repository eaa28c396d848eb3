"""Rows another run holds (from an adversarial review): a send never spins on them, and a dead holder's are given back.

- A queued row held by a live worker, due for its retry, is that worker's to send: a second send
  must not start pass after pass for it (it did, 1,760 times in 2 s).
- A run on this host whose process id now belongs to someone else (a kill, then pid reuse; or a
  container sharing the host name) is dead once its heartbeat is stale: its held rows go back.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

import outreach.mail.worker as worker
from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import now, open_db
from outreach.store.holds import recover
from outreach.store.schema import deliveries, runs
from tests.mail.smtp_server import SmtpServer
from tests.mail.test_send import subscribe

FAST = {"backoff": (0.05,) * 4, "max_attempts": 3}


@pytest.fixture
def smtp_server():
    with SmtpServer(pipelining=True) as server:
        yield server


@pytest.fixture
def plan(campaign_copy, smtp_config):
    return build_plan(load_campaign(campaign_copy()), smtp_config)


def _hold_by_another_run(engine, slug: str, pid: int, heartbeat_age: timedelta) -> int:
    """The queued row held by a run on this host with ``pid``, due for its retry 5 s ago; its id."""
    with engine.begin() as conn:
        run = conn.execute(insert(runs).returning(runs.c.id), [{"campaign": slug, "step": 1, "host": socket.gethostname(), "pid": pid,
                                                                "started_at": now() - heartbeat_age, "heartbeat_at": now() - heartbeat_age}]).scalar_one()
        row = conn.execute(select(deliveries.c.id).where(deliveries.c.state == "queued")).scalar_one()
        conn.execute(update(deliveries).where(deliveries.c.id == row).values(run_id=run, not_before=now() - timedelta(seconds=5)))
    return row


def _one_retry_left(plan, smtp_config, smtp_server, tmp_path) -> None:
    subscribe(smtp_config, tmp_path, 3)
    smtp_server.when("reader001@example.org", "451 try later")
    send_email(smtp_config, plan, wait_for_retries=False, **FAST)


def test_a_due_row_another_live_worker_holds_does_not_make_a_send_spin(plan, smtp_config, smtp_server, tmp_path, monkeypatch):
    _one_retry_left(plan, smtp_config, smtp_server, tmp_path)
    _hold_by_another_run(open_db(smtp_config), plan.campaign.slug, os.getpid(), timedelta(0))  # alive: this very process
    calls: list[int] = []
    real = worker.reserve_emails
    monkeypatch.setattr(worker, "reserve_emails", lambda *a, **k: calls.append(1) or real(*a, **k))
    stop = threading.Event()
    thread = threading.Thread(target=lambda: send_email(smtp_config, plan, stop=stop, **FAST), daemon=True)
    thread.start()
    thread.join(5)
    stop.set()
    thread.join(10)
    assert len(calls) < 20, f"{len(calls)} reservations: the send went round and round"


def test_a_dead_run_whose_pid_lives_on_gives_its_rows_back(plan, smtp_config, smtp_server, tmp_path):
    _one_retry_left(plan, smtp_config, smtp_server, tmp_path)
    engine = open_db(smtp_config)
    row = _hold_by_another_run(engine, plan.campaign.slug, 1, timedelta(hours=1))  # pid 1 exists; the heartbeat is an hour old
    recover(engine, plan.campaign.slug, 1)
    stop, results = threading.Event(), []
    thread = threading.Thread(target=lambda: results.append(send_email(smtp_config, plan, stop=stop, **FAST)), daemon=True)
    thread.start()
    thread.join(30)
    hung = thread.is_alive()
    stop.set()
    thread.join(10)
    assert not hung
    with engine.connect() as conn:
        assert conn.execute(select(deliveries.c.state).where(deliveries.c.id == row)).scalar_one() == "sent"
