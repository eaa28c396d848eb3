"""The dispatcher under faults: a kill -9 mid-step, signals, a database that goes away, several dispatchers in one process."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from sqlalchemy import func, select

from outreach.cli import main
from outreach.config import load_config
from outreach.scheduler import Dispatcher
from outreach.store.db import open_db
from outreach.store.ledger_queries import counts, deliveries_in
from outreach.store.schema import runs
from outreach.store.steps import list_steps, live_dispatchers
from tests.scheduler.conftest import World, retime
from tests.social.conftest import X_ENV
from tests.scheduler.conftest import world, smtp_server, x_api, mastodon_api, bluesky_api  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
SLUG = "soldier-defections-myanmar"


def wait_for(condition, timeout: float = 60, what: str = "") -> None:
    """Wait for an observable state (never a fixed sleep): robust on a loaded machine."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def email_only(world: World, campaign, offset: float = 3) -> None:
    """Approve and schedule the email ``offset`` seconds from now; the posts are cancelled."""
    campaign.write_text(retime(campaign.read_text(encoding="utf-8"), [offset, 600, 600, 600]), encoding="utf-8")
    assert world.run("approve", str(campaign), "--by", "Jane Doe").returncode == 0
    assert world.run("schedule", str(campaign), "--now").returncode == 0  # --now: still runs if a slow machine took past its time
    assert world.run("cancel", str(campaign), "--step", "2", "--step", "3", "--step", "4").returncode == 0


def step_state(db_config, number: int = 1) -> str:
    return next(r.state for r in list_steps(open_db(db_config), SLUG) if r.step == number)


def test_killed_dispatcher_step_is_taken_over(world, campaign_copy, db_config, smtp_server):
    smtp_server.handler.delay = 0.4  # 20 messages on 2 connections: about 4 s of step to land the kill in
    campaign = campaign_copy()
    email_only(world, campaign)
    victim = world.start("run")
    wait_for(lambda: step_state(db_config) == "running" and counts(open_db(db_config), SLUG, 1)["sent"] >= 3, what="the step to be mid-send")
    victim.kill()  # SIGKILL: no cleanup at all
    victim.wait(timeout=30)
    assert step_state(db_config) == "running", "the killed dispatcher left its step running"
    before = counts(open_db(db_config), SLUG, 1)
    assert before["queued"] > 0, "killed before the end of the step"
    smtp_server.handler.delay = 0
    heir = world.run("run", "--until-idle", timeout=120)  # before the fix: never exits
    assert heir.returncode == 0, heir.stderr
    assert "taking it over" in heir.stderr and "Traceback" not in heir.stderr
    assert step_state(db_config) in ("done", "partly done")
    after = counts(open_db(db_config), SLUG, 1)
    assert after["sending"] == after["queued"] == 0
    assert after["sent"] + after["unknown"] == 20 and after["unknown"] <= 2, after  # at most one in flight per connection
    delivered = smtp_server.handler.counts()
    assert max(delivered.values()) == 1, "nobody got the mail twice"
    unknown = {r.target for r in deliveries_in(open_db(db_config), SLUG, ["unknown"], step=1)}
    for i in range(20):
        address = f"s{i:03d}@example.org"
        assert delivered[address] == 1 or address in unknown, f"{address} was skipped"
    with open_db(db_config).connect() as conn:
        assert conn.execute(select(func.count()).select_from(runs).where(runs.c.campaign == SLUG, runs.c.step == 1)).scalar_one() == 2


@pytest.mark.parametrize("moment, sig", [
    ("idle", signal.SIGTERM),
    ("mid-send", signal.SIGTERM),
    ("mid-send", signal.SIGINT),
    ("twice", signal.SIGTERM),
])
def test_signals_stop_the_dispatcher_without_a_traceback(world, campaign_copy, db_config, smtp_server, moment, sig):
    smtp_server.handler.delay = 0.4
    campaign = campaign_copy()
    email_only(world, campaign, offset=3 if moment != "idle" else 600)
    dispatcher = world.start("run")
    if moment == "idle":
        wait_for(lambda: "dispatcher started" in (dispatcher.stdout.readline() or "dispatcher started"), what="start")
        time.sleep(1)  # a few idle ticks
    else:
        wait_for(lambda: counts(open_db(db_config), SLUG, 1)["sent"] >= 2, what="the step to be mid-send")
    dispatcher.send_signal(sig)
    if moment == "twice":
        time.sleep(0.2)
        dispatcher.send_signal(sig)
    out, err = dispatcher.communicate(timeout=60)
    assert dispatcher.returncode == 0, err
    assert "Traceback" not in err and "Exception in thread" not in err, err
    assert "dispatcher stopped" in out
    ledger = counts(open_db(db_config), SLUG, 1)
    assert ledger["sending"] == 0
    if moment != "idle":
        assert step_state(db_config) == "scheduled", "an interrupted step is armed again for the next dispatcher"


def test_two_dispatchers_in_one_process_run_each_step_once(world, campaign_copy, db_config, smtp_server, x_api, mastodon_api, bluesky_api,
                                                           monkeypatch):
    for name in ("OUTREACH_SECRET", *X_ENV, "MASTODON_ACCESS_TOKEN", "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"):
        monkeypatch.setenv(name, world.env[name])
    campaign = campaign_copy()
    campaign.write_text(retime(campaign.read_text(encoding="utf-8"), [3, 3, 3, 3]), encoding="utf-8")
    config_path = str(world.config)
    assert main(["--config", config_path, "approve", str(campaign), "--by", "Jane Doe"]) == 0
    assert main(["--config", config_path, "schedule", str(campaign)]) == 0
    config = load_config(config_path)
    said: list[str] = []
    dispatchers = [Dispatcher(config, say=said.append) for _ in range(2)]
    assert dispatchers[0].ident != dispatchers[1].ident
    codes: list[int] = []
    threads = [threading.Thread(target=lambda d=d: codes.append(d.run(until_idle=True))) for d in dispatchers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert codes == [0, 0], said
    assert [r.state for r in list_steps(open_db(config), SLUG)] == ["done"] * 4, [r.detail for r in list_steps(open_db(config), SLUG)]
    assert sorted(smtp_server.handler.counts().values()) == [1] * 20
    assert (len(x_api.tweets), len(mastodon_api.statuses), len(bluesky_api.records)) == (4, 1, 1)
    with open_db(config).connect() as conn:
        per_step = dict(conn.execute(select(runs.c.step, func.count()).where(runs.c.campaign == SLUG).group_by(runs.c.step)).all())
    assert per_step == {1: 1, 2: 1, 3: 1, 4: 1}, "one run per step"


# -- a database that goes away (issue 9, item 11: the dispatcher part) ----------------------------


class FlakyProxy:
    """A TCP proxy to PostgreSQL that can drop every connection and refuse new ones: the database 'goes away'."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        import socket

        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = threading.Event()
        self.sockets: list = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, target) -> None:  # type: ignore[no-untyped-def]
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self) -> None:
        """Drop every open connection; refuse new ones until :meth:`restore`."""
        import socket

        self.down.set()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.sockets.clear()

    def restore(self) -> None:
        self.down.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()


class Lines:
    """Collect a process's stderr lines as they come (so a test can wait for one)."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.lines: list[str] = []
        self.thread = threading.Thread(target=lambda: [self.lines.append(line) for line in stream], daemon=True)
        self.thread.start()

    def has(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    @property
    def text(self) -> str:
        return "".join(self.lines)


@pytest.mark.postgres
@pytest.mark.parametrize("db_config", ["postgres"], indirect=True)
def test_dispatcher_survives_postgresql_going_away(world, campaign_copy, db_config, smtp_server):
    from sqlalchemy.engine import make_url

    from outreach.store.schema import dispatchers

    url = make_url(db_config.database)
    proxy = FlakyProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    text = world.config.read_text(encoding="utf-8")
    world.config.write_text(text.replace(f'database = "{db_config.database}"', f'database = "{proxied}"'), encoding="utf-8")
    try:
        dispatcher = world.start("run")
        errors = Lines(dispatcher.stderr)
        with open_db(db_config).connect() as conn:
            wait_for(lambda: conn.execute(select(func.count()).select_from(dispatchers)).scalar_one() == 1, what="the heartbeat")
        proxy.cut()  # PostgreSQL is gone for a few seconds
        wait_for(lambda: errors.has("database error"), what="one line about the database")
        time.sleep(4)
        proxy.restore()
        wait_for(lambda: errors.has("the database is back"), what="the dispatcher to notice the database is back")
        assert dispatcher.poll() is None, "the dispatcher survived"
        campaign = campaign_copy()
        email_only(world, campaign)  # it still dispatches
        wait_for(lambda: step_state(db_config) == "done", timeout=120, what="the step to run after the outage")
        dispatcher.send_signal(signal.SIGTERM)
        assert dispatcher.wait(timeout=60) == 0
        errors.thread.join(timeout=10)
    finally:
        proxy.close()
    assert "Traceback" not in errors.text and "Exception in thread" not in errors.text, errors.text
    assert all(len(line) < 400 for line in errors.lines), "one short line each, no SQL dump"
    assert sorted(smtp_server.handler.counts().values()) == [1] * 20


@pytest.fixture
def disk_full(db_config):
    """SQLite answers every statement with 'database or disk is full' while the returned event is set."""
    import sqlite3

    from sqlalchemy import event

    engine = open_db(db_config)
    full = threading.Event()

    def refuse(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if full.is_set():
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(engine, "before_cursor_execute", refuse)
    yield full
    event.remove(engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_dispatcher_survives_a_full_disk_and_says_so_once(db_config, disk_full, capfd):
    said: list[str] = []
    dispatcher = Dispatcher(db_config.model_copy(update={"scheduler": db_config.scheduler.model_copy(update={"poll_seconds": 0.2})}), say=said.append)
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(dispatcher.run()))
    runner.start()
    wait_for(lambda: bool(live_dispatchers(open_db(db_config))), what="the first heartbeat")
    disk_full.set()
    wait_for(lambda: any("database or disk is full" in s for s in said), what="one line about the full disk")
    time.sleep(1.5)  # several ticks while full: no crash, no repeated message
    disk_full.clear()
    wait_for(lambda: any("the database is back" in s for s in said), what="recovery")
    assert runner.is_alive(), "the dispatcher survived"
    dispatcher.stop.set()
    runner.join(timeout=30)
    assert codes == [0]
    assert sum("database or disk is full" in s and s.startswith("dispatcher: database error") for s in said) == 1, said
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_dispatcher_gives_up_after_a_long_outage(db_config, disk_full, capfd):
    from datetime import timedelta

    said: list[str] = []
    config = db_config.model_copy(update={"scheduler": db_config.scheduler.model_copy(update={"poll_seconds": 0.2})})
    dispatcher = Dispatcher(config, say=said.append, outage_limit=timedelta(seconds=2))
    open_db(config)
    disk_full.set()
    started = time.monotonic()
    assert dispatcher.run() == 1
    assert time.monotonic() - started < 60, "bounded"
    assert any(s.startswith("dispatcher stopped: the database was unreachable for more than 2 s") for s in said), said
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_an_outcome_the_database_refused_is_written_on_a_later_tick(db_config, disk_full):
    from datetime import datetime, timezone

    from sqlalchemy import insert

    from outreach.dispatch import StepOutcome
    from outreach.store.schema import steps

    said: list[str] = []
    dispatcher = Dispatcher(db_config, say=said.append)
    stamp = datetime.now(timezone.utc)
    with open_db(db_config).begin() as conn:
        conn.execute(insert(steps), [{"campaign": "c1", "step": 1, "campaign_path": "/x.toml", "kind": "email", "channel": "email", "field": "email",
                                      "due_utc": stamp, "state": "running", "owner": dispatcher.ident, "updated_at": stamp}])
    disk_full.set()
    dispatcher._record(("c1", 1), StepOutcome("done", "20 sent"))  # the step ended while the disk was full
    assert any("cannot record 'done'" in s and "database or disk is full" in s for s in said), said
    assert dispatcher._busy(), "an unwritten outcome keeps --until-idle waiting"
    disk_full.clear()
    dispatcher._tick()
    [row] = list_steps(open_db(db_config), "c1")
    assert (row.state, row.detail, row.owner) == ("done", "20 sent", None)
    dispatcher._shutdown()


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("host, pid, beat_age, stranded", [
    ("elsewhere.example", 1, 120, True),  # another host, silent for 2 min: gone
    ("elsewhere.example", 1, 5, False),  # another host, beating: alive (its step is left alone)
    ("HERE", "dead", 1, True),  # this host, process gone: gone at once, whatever its last beat
    ("HERE", "self", 1, False),  # this host, process alive and beating
    ("HERE", "self", 120, True),  # this host, alive but silent for 2 min (a reused pid, a hung process)
    (None, None, None, True),  # no dispatcher row at all
])
def test_which_running_steps_are_stranded(db_config, host, pid, beat_age, stranded):
    import os
    import socket
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import insert

    from outreach.store.schema import dispatchers, steps
    from outreach.store.steps import stranded_steps, take_over

    engine = open_db(db_config)
    stamp = datetime.now(timezone.utc)
    owner = "old-dispatcher"
    with engine.begin() as conn:
        if host is not None:
            conn.execute(insert(dispatchers), [{"id": owner, "started_at": stamp - timedelta(hours=1), "heartbeat_at": stamp - timedelta(seconds=beat_age),
                                                "host": socket.gethostname() if host == "HERE" else host,
                                                "pid": {"dead": _dead_pid(), "self": os.getpid()}.get(pid, pid)}])
        conn.execute(insert(steps), [{"campaign": "c1", "step": 1, "campaign_path": "/x.toml", "kind": "email", "channel": "email", "field": "email",
                                      "due_utc": stamp, "state": "running", "owner": owner, "updated_at": stamp}])
    assert stranded_steps(engine) == ([("c1", 1, owner)] if stranded else [])
    if stranded:  # exactly one taker
        assert take_over(engine, "c1", 1, owner, "new-a") is True
        assert take_over(engine, "c1", 1, owner, "new-b") is False
        assert list_steps(engine, "c1")[0].owner == "new-a"


def _operational() -> Exception:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    return OperationalError("UPDATE deliveries SET … WHERE email = ?", ("ann@example.org",), sqlite3.OperationalError("database or disk is full"))


def _integrity() -> Exception:
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    return IntegrityError("INSERT INTO subscribers …", ("ann@example.org",), sqlite3.IntegrityError("UNIQUE constraint failed"))


def _ledger_gave_up() -> Exception:
    from outreach.errors import DatabaseUnavailable

    return DatabaseUnavailable("the database failed while claiming (OperationalError: database is locked); the run stopped")


@pytest.mark.parametrize("make, state, words", [
    (_operational, "scheduled", "database or disk is full; trying again"),
    (_ledger_gave_up, "scheduled", "the database failed while claiming"),
    (_integrity, "failed", "internal error: IntegrityError (database)"),
    (lambda: ZeroDivisionError("boom"), "failed", "internal error: ZeroDivisionError: boom"),
])
def test_a_step_run_turns_errors_into_an_outcome(db_config, monkeypatch, make, state, words):
    from outreach import dispatch

    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise make()

    monkeypatch.setattr(dispatch, "_run", explode)
    outcome = dispatch.run_step(db_config, "c1", 1, threading.Event())
    assert outcome.state == state and words in (outcome.detail or ""), outcome
    assert "ann@example.org" not in (outcome.detail or ""), "no SQL parameters (personal data) in a step's detail"
    assert (outcome.again is not None) == (state == "scheduled")


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_a_step_that_keeps_hitting_database_errors_gives_up(db_config):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import insert, update

    from outreach.dispatch import DB_RETRIES, StepOutcome
    from outreach.store.schema import steps

    said: list[str] = []
    dispatcher = Dispatcher(db_config, say=said.append)
    stamp = datetime.now(timezone.utc)
    engine = open_db(db_config)
    with engine.begin() as conn:
        conn.execute(insert(steps), [{"campaign": "c1", "step": 1, "campaign_path": "/x.toml", "kind": "email", "channel": "email", "field": "email",
                                      "due_utc": stamp, "state": "scheduled", "updated_at": stamp}])
    for attempt in range(DB_RETRIES + 1):
        with engine.begin() as conn:  # claimed again by this dispatcher
            conn.execute(update(steps).values(state="running", owner=dispatcher.ident))
        dispatcher._record(("c1", 1), StepOutcome("scheduled", "database error: x; trying again", stamp + timedelta(seconds=30), database_error=True))
        row = list_steps(engine, "c1")[0]
        assert row.state == ("scheduled" if attempt < DB_RETRIES else "failed"), (attempt, row)
    assert f"gave up after {DB_RETRIES} tries" in row.detail
    dispatcher._shutdown()
