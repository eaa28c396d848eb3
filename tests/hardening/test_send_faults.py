"""Issue 9 item 11: a database that fails mid-send ends the run in one line, never a hang or a traceback.

Real failures, in a real ``outreach send`` process:

- SQLite: the disk fills up. The child runs under a file-size limit (RLIMIT_FSIZE,
  which makes write() fail with EFBIG exactly as a full disk fails it with ENOSPC):
  the write-ahead log cannot grow, and SQLite reports "database or disk is full".
- PostgreSQL: the server drops every connection of the sending process
  (``pg_terminate_backend``), as a restart or failover does.

Then: the command ends within a bounded time, exits 1 with one ``error:`` line and no
traceback; and a rerun sends everyone else exactly once (rows in flight are ``unknown``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy

from outreach.campaign import load_campaign
from outreach.mail.send import EMAIL_STEP
from outreach.store.ledger import enqueue_audience
from outreach.plan import build_plan
from outreach.store.archive import store_archive
from outreach.store.db import forget_engines, open_db
from outreach.store.ledger_queries import counts, deliveries_in
from outreach.store.subscribers import import_csv
from tests.mail.conftest import smtp_server, write_csv  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow
SLUG = "soldier-defections-myanmar"
RECIPIENTS = 400


def _config_file(tmp_path: Path, database: str, port: int) -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text(
        f'database = "{database}"\noutbox = "{tmp_path / "outbox"}"\nrequire_approval = false\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nconnections = 3\ntimeout = 10\n'
        '[web]\nbase_url = "https://news.example.org"\n',
        encoding="utf-8",
    )
    return path


def _send(config: Path, campaign: Path, limit: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "OUTREACH_SECRET": "fault-test-key", "CI": "", "OUTREACH_DEBUG": ""}

    def cap_file_size() -> None:  # runs in the child only
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.Popen([sys.executable, "-m", "outreach", "--config", str(config), "send", str(campaign), "--now"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=cap_file_size)


def _prepare(database: str, tmp_path: Path, campaign: Path) -> list[str]:
    """Subscribers, the frozen audience and the archive: what a run writes before it sends."""
    from outreach.config import Config

    config = Config(database=database)
    engine = open_db(config)
    addresses = [f"d{i:04d}@example.org" for i in range(RECIPIENTS)]
    import_csv(engine, write_csv(tmp_path / "subs.csv", [(a, f"D {i}") for i, a in enumerate(addresses)]), "research")
    plan = build_plan(load_campaign(campaign), config.model_copy(update={"require_approval": False}))
    enqueue_audience(engine, SLUG, "research", EMAIL_STEP)
    store_archive(engine, SLUG, plan.email, "http://127.0.0.1:8080/archive/")
    return addresses


def _assert_clean_failure(proc: subprocess.Popen, started: float) -> None:
    out, err = proc.communicate(timeout=120)  # a hang fails here
    text = out.decode() + err.decode()
    assert proc.returncode == 1, text
    assert "Traceback" not in text and "internal error" not in text, text
    errors = [line for line in err.decode().splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "database" in errors[0], text
    assert "@example.org" not in text, "no addresses in the message"
    assert time.monotonic() - started < 120


def _assert_rerun_completes(config_path: Path, campaign: Path, database: str, smtp_server, addresses: list[str]) -> None:
    proc = _send(config_path, campaign)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out.decode() + err.decode()
    forget_engines()
    from outreach.config import Config

    engine = open_db(Config(database=database))
    ledger = counts(engine, SLUG, EMAIL_STEP)
    assert ledger["queued"] == ledger["sending"] == 0, ledger
    unknown = {r.target for r in deliveries_in(engine, SLUG, ["unknown"], step=EMAIL_STEP)}
    assert len(unknown) <= 3, "at most one message in flight per connection"
    received = smtp_server.handler.counts()
    for address in addresses:
        assert received[address] == 1 or (address in unknown and received[address] <= 1), address


def test_sqlite_disk_full_mid_send_ends_cleanly(tmp_path, campaign_copy, smtp_server):
    campaign = campaign_copy()
    db_file = tmp_path / "outreach.db"
    database = f"sqlite:///{db_file}"
    addresses = _prepare(database, tmp_path, campaign)
    forget_engines()
    config_path = _config_file(tmp_path, database, smtp_server.port)
    smtp_server.handler.delay = 0.002
    limit = db_file.stat().st_size + 256 * 1024  # the log fills up after some messages went out
    started = time.monotonic()
    proc = _send(config_path, campaign, limit=limit)
    _assert_clean_failure(proc, started)
    assert 0 < len(smtp_server.deliveries) < RECIPIENTS, "the disk filled up in the middle of the send"
    _assert_rerun_completes(config_path, campaign, database, smtp_server, addresses)


@pytest.mark.postgres
def test_postgres_dropping_connections_mid_send_ends_cleanly(tmp_path, campaign_copy, smtp_server, db_config):
    if not db_config.database.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    campaign = campaign_copy()
    app = f"outreach-fault-{uuid.uuid4().hex[:8]}"  # only this test's sending process is cut off
    database = f"{db_config.database}&application_name={app}"
    addresses = _prepare(database, tmp_path, campaign)
    forget_engines()
    config_path = _config_file(tmp_path, database, smtp_server.port)
    smtp_server.handler.delay = 0.01
    admin = sqlalchemy.create_engine(db_config.database.split("?")[0], isolation_level="AUTOCOMMIT")
    started = time.monotonic()
    proc = _send(config_path, campaign)
    deadline = time.monotonic() + 60
    while len(smtp_server.deliveries) < 40 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the send finished before the database went away"
    with admin.connect() as conn:
        killed = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'test' AND application_name = %s AND pid <> pg_backend_pid()",
            (app,)).scalar_one()
    admin.dispose()
    assert killed >= 1
    _assert_clean_failure(proc, started)
    assert len(smtp_server.deliveries) < RECIPIENTS
    _assert_rerun_completes(config_path, campaign, database, smtp_server, addresses)


# -- item 17: two first sends at once ----------------------------------------------------------

@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_first_freezes_and_archives_do_not_collide(db_config, campaign_copy, tmp_path, round_):
    import threading

    config = db_config.model_copy(update={"require_approval": False})
    engine = open_db(config)
    import_csv(engine, write_csv(tmp_path / "subs.csv", [(f"c{i}@example.org", f"C {i}") for i in range(50)]), "research")
    plan = build_plan(load_campaign(campaign_copy()), config)
    barrier = threading.Barrier(4)
    results: list = []

    def first_send() -> None:
        barrier.wait()
        try:
            results.append(enqueue_audience(engine, SLUG, "research", EMAIL_STEP))
            store_archive(engine, SLUG, plan.email, "http://127.0.0.1:8080/archive/")
        except Exception as exc:  # noqa: BLE001
            results.append(exc)

    threads = [threading.Thread(target=first_send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [50] * 4
    assert counts(engine, SLUG, EMAIL_STEP)["queued"] == 50


def test_two_real_first_sends_at_once_send_each_message_once(db_config, campaign_copy, tmp_path, smtp_server):
    engine = open_db(db_config)
    addresses = [f"t{i:03d}@example.org" for i in range(120)]
    import_csv(engine, write_csv(tmp_path / "subs.csv", [(a, "T") for a in addresses]), "research")
    campaign = campaign_copy()
    config_path = _config_file(tmp_path, db_config.database, smtp_server.port)
    smtp_server.handler.delay = 0.002
    procs = [_send(config_path, campaign) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        text = out.decode() + err.decode()
        assert proc.returncode != 70 and "internal error" not in text and "Traceback" not in text, text
    assert smtp_server.handler.counts() == {a: 1 for a in addresses}


# -- item 17: a full disk leaves no temp files in the outbox -----------------------------------

_OUTBOX_CHILD = """
import resource, sys
from pathlib import Path
from outreach.errors import Unavailable
from outreach.mail.transport import OutboxConnection
folder = Path(sys.argv[1])
folder.mkdir(parents=True, exist_ok=True)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))  # a disk with this much room per file
conn = OutboxConnection(folder)
outcomes = []
for i, size in enumerate([100, 5000, 200_000, 50]):
    try:
        conn.send("news@example.org", f"r{i}@example.org", b"x" * size, name=f"m{i}")
        outcomes.append("ok")
    except Unavailable:
        outcomes.append("unavailable")
print(",".join(outcomes))
"""


@pytest.mark.parametrize("room", [0, 1000, 100_000])
def test_a_full_disk_leaves_no_temp_files_in_the_outbox(tmp_path, room):
    folder = tmp_path / "outbox"
    proc = subprocess.run([sys.executable, "-c", _OUTBOX_CHILD, str(folder), str(room)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    outcomes = proc.stdout.strip().split(",")
    assert "unavailable" in outcomes, "the write really failed"
    assert not list(folder.glob("*.tmp*")), "no half-written temp files"
    written = sorted(p.name for p in folder.iterdir())
    assert written == sorted(f"m{i}.eml" for i, o in enumerate(outcomes) if o == "ok")
