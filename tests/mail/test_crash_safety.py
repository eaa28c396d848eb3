"""Kill a real `outreach send` with SIGKILL at several points; nobody gets it twice, nobody is skipped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outreach.store.db import open_db
from outreach.store.ledger_queries import counts, deliveries_in
from outreach.store.subscribers import import_csv
from tests.mail.conftest import write_csv

pytestmark = pytest.mark.slow
RECIPIENTS = 300
CONNECTIONS = 3
KILL_AFTER = (1, 70, 160)


def _config_file(tmp_path: Path, database: str, port: int) -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text(
        f'database = "{database}"\noutbox = "{tmp_path / "outbox"}"\nrequire_approval = false\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nconnections = {CONNECTIONS}\ntimeout = 10\n',
        encoding="utf-8",
    )
    return path


def _send(config: Path, campaign: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "OUTREACH_SECRET": "kill-test-key", "CI": ""}
    # a local test relay and the default http://127.0.0.1 links: allowed deliberately
    return subprocess.Popen([sys.executable, "-m", "outreach", "--config", str(config), "send", str(campaign), "--now", "--allow-insecure-links", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def test_kill_nine_at_several_points(db_config, smtp_server, campaign_copy, tmp_path):
    campaign = campaign_copy()
    config_path = _config_file(tmp_path, db_config.database, smtp_server.port)
    engine = open_db(db_config)
    addresses = [f"r{i:04d}@example.org" for i in range(RECIPIENTS)]
    import_csv(engine, write_csv(tmp_path / "subs.csv", [(a, f"R {i}") for i, a in enumerate(addresses)]), "research")
    smtp_server.handler.delay = 0.004  # slow enough that a kill lands mid-run

    unknown_after_kill = []
    for point in KILL_AFTER:
        proc = _send(config_path, campaign)
        deadline = time.monotonic() + 60
        while len(smtp_server.deliveries) < point and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert proc.poll() is None, f"send finished before the kill point {point}: {proc.communicate()}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # the next run's start turns the dead run's in-flight rows into 'unknown'
        from outreach.store.holds import recover

        recover(engine, "soldier-defections-myanmar", 1)
        unknown_after_kill.append(counts(engine, "soldier-defections-myanmar", 1)["unknown"])

    proc = _send(config_path, campaign)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    ledger = counts(engine, "soldier-defections-myanmar", 1)
    received = smtp_server.handler.counts()
    unknown = {r.target for r in deliveries_in(engine, "soldier-defections-myanmar", ["unknown"], step=1)}
    sent = {r.target for r in deliveries_in(engine, "soldier-defections-myanmar", ["sent"], step=1, limit=10_000)}

    # at most two in-flight messages per connection per kill became unknown (pipelined across
    # transactions: the one whose final reply was awaited, and the next one, claimed before its content went)
    increments = [b - a for a, b in zip([0, *unknown_after_kill], unknown_after_kill)]
    assert all(0 <= n <= 2 * CONNECTIONS for n in increments), increments
    assert ledger["queued"] == ledger["sending"] == 0
    assert sent | unknown == set(addresses), "someone was skipped"
    assert all(received[a] == 1 for a in sent), "someone got it twice"
    assert all(received[a] <= 1 for a in unknown)
    assert f"{len(unknown)} messages have an unknown outcome".encode() in out or not unknown

    # a person checks and asks for the unknown ones to be resent
    proc = _send(config_path, campaign, "--retry-unknown")
    proc.communicate(timeout=60)
    received = smtp_server.handler.counts()
    assert all(received[a] >= 1 for a in addresses), "someone was skipped"
    assert {a for a in addresses if received[a] > 1} <= unknown
    assert counts(engine, "soldier-defections-myanmar", 1)["sent"] == RECIPIENTS
