"""Several `outreach send` processes share one email step on PostgreSQL (issue 17), against a real SMTP server.

Every delivery is counted by the server: nobody gets a message twice, nobody is skipped
beyond the rows a killed worker had in flight, each worker does a share, and ``[smtp] rate``
holds for all of them together. Time is read from the server's arrival stamps and counts,
never from sleeps, so a loaded machine only makes the tests slower.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy import Engine, func, select

from outreach.config import Config
from outreach.store.db import open_db
from outreach.store.schema import deliveries, runs
from outreach.store.subscribers import import_csv
from tests.conftest import private_database
from tests.mail.conftest import write_csv
from tests.mail.smtp_server import SmtpServer
from tests.mail.test_crash_safety import _config_file, _send

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SLUG = "soldier-defections-myanmar"
WORKERS = 3
CONNECTIONS = 4
IN_FLIGHT = 2 * CONNECTIONS  # a killed worker's unknown rows: the reply it awaited and the message after it, per connection
WAIT = 60.0  # seconds: only a hung run gets this far


@pytest.fixture
def relay() -> Iterator[SmtpServer]:
    """The loopback SMTP server, offering PIPELINING and CHUNKING like a real relay."""
    with SmtpServer(chunking=True) as server:
        yield server


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    """A fresh PostgreSQL schema of this test's own."""
    with private_database("postgres", tmp_path) as url:
        yield url


@pytest.fixture
def setup(pg_url: str, relay: SmtpServer, campaign_copy, tmp_path: Path) -> Callable[..., tuple[Engine, Path, Path, list[str]]]:
    """Seed ``n`` subscribers and write a config for the relay; returns (engine, config file, campaign, addresses)."""

    def make(n: int, rate: float | None = None) -> tuple[Engine, Path, Path, list[str]]:
        engine = open_db(Config(database=pg_url, outbox=tmp_path / "outbox"))
        addresses = [f"w{i:05d}@example.org" for i in range(n)]
        import_csv(engine, write_csv(tmp_path / "subs.csv", [(a, f"W {i}") for i, a in enumerate(addresses)]), "research")
        config = _config_file(tmp_path, pg_url, relay.port)
        text = config.read_text(encoding="utf-8").replace("connections = 3\n", f"connections = {CONNECTIONS}\n")
        assert f"connections = {CONNECTIONS}\n" in text
        config.write_text(text + (f"rate = {rate}\n" if rate else ""), encoding="utf-8")
        return engine, config, campaign_copy(), addresses

    return make


@pytest.fixture
def spawn() -> Iterator[Callable[[Path, Path], subprocess.Popen]]:
    """Start one `outreach send` worker (the kill -9 test's launcher); any still running at the end are killed."""
    started: list[subprocess.Popen] = []

    def start(config: Path, campaign: Path) -> subprocess.Popen:
        started.append(_send(config, campaign))
        return started[-1]

    yield start
    _stop(started)


def _finish(procs: list[subprocess.Popen]) -> list[str]:
    """Wait for every worker (a hung one is killed and its stderr shown); the exit statuses are checked last, by :func:`_exits`."""
    said = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            _stop(procs)
            out, err = proc.communicate()
            pytest.fail(f"worker {proc.pid} still running after {WAIT:.0f} s; its stderr: {err.decode()[-3000:]}")
        said.append(f"worker {proc.pid} exited {proc.returncode}: {out.decode()[-1500:]} {err.decode()[-1500:]}")
    return said


def _exits(procs: list[subprocess.Popen], said: list[str]) -> None:
    """Every worker that was not killed exits 0: its share is done (a service manager would restart one that did not)."""
    failed = [line for proc, line in zip(procs, said) if proc.returncode != 0]
    assert not failed, "\n".join(failed)


def _stop(procs: list[subprocess.Popen]) -> None:
    """Kill the workers still running (a failed test leaves none behind)."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _wait_until(condition: Callable[[], bool], procs: list[subprocess.Popen], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if all(p.poll() is not None for p in procs):
            said = [f"worker {p.pid} exited {p.returncode}: {_tail(p)}" for p in procs]
            pytest.fail(f"every worker exited before {what}: " + " | ".join(said))
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def _tail(proc: subprocess.Popen) -> str:
    out, err = proc.communicate()
    return f"{out.decode()[-800:]} {err.decode()[-1500:]}"


def _states(engine: Engine) -> Counter:
    with engine.connect() as conn:
        q = select(deliveries.c.state, func.count()).where(deliveries.c.campaign == SLUG).group_by(deliveries.c.state)
        return Counter(dict(conn.execute(q).all()))


def _targets(engine: Engine, state: str) -> set[str]:
    with engine.connect() as conn:
        q = select(deliveries.c.target).where(deliveries.c.campaign == SLUG, deliveries.c.state == state)
        return set(conn.execute(q).scalars())


def _sent_by_pid(engine: Engine) -> Counter:
    """Rows each process sent: ``deliveries.run_id`` names the run, ``runs.pid`` its process."""
    with engine.connect() as conn:
        q = (select(runs.c.pid, func.count()).select_from(deliveries.join(runs, runs.c.id == deliveries.c.run_id))
             .where(deliveries.c.campaign == SLUG, deliveries.c.state == "sent").group_by(runs.c.pid))
        return Counter(dict(conn.execute(q).all()))


def _rows_of(engine: Engine, pid: int, *states: str) -> int:
    """Rows the run of process ``pid`` holds or held (in ``states``, if given)."""
    with engine.connect() as conn:
        q = (select(func.count()).select_from(deliveries.join(runs, runs.c.id == deliveries.c.run_id))
             .where(deliveries.c.campaign == SLUG, runs.c.pid == pid))
        if states:
            q = q.where(deliveries.c.state.in_(states))
        return int(conn.execute(q).scalar_one())


def _shares(engine: Engine, procs: list[subprocess.Popen]) -> dict[int, int]:
    by_pid = _sent_by_pid(engine)
    return {p.pid: by_pid.get(p.pid, 0) for p in procs}


def test_three_workers_share_one_step_and_each_subscriber_gets_one_message(setup, relay, spawn):
    engine, config, campaign, addresses = setup(3000)
    procs = [spawn(config, campaign) for _ in range(WORKERS)]
    said = _finish(procs)

    received = relay.handler.counts()
    twice = sorted(a for a, n in received.items() if n > 1)
    assert not twice, f"{len(twice)} subscribers got more than one message, e.g. {twice[:5]}"
    missing = [a for a in addresses if received[a] == 0]
    assert not missing, f"{len(missing)} subscribers got nothing, e.g. {missing[:5]}"
    assert set(received) == set(addresses)
    assert _states(engine) == Counter({"sent": len(addresses)})
    shares = _shares(engine, procs)
    assert sum(shares.values()) == len(addresses)
    assert all(n > 0 for n in shares.values()), f"not every worker sent a share (sent per worker pid: {shares})"
    print(f"sent per worker: {sorted(shares.values())}")
    _exits(procs, said)


def test_kill_nine_of_one_worker_then_a_fresh_one(setup, relay, spawn):
    engine, config, campaign, addresses = setup(3000)
    procs = [spawn(config, campaign) for _ in range(WORKERS)]
    victim = procs[0]
    # the server's count says when: mid-run, with the victim sending (a message of its own in flight, if it shows one soon)
    _wait_until(lambda: len(relay.deliveries) >= 500 and _rows_of(engine, victim.pid) > 0, procs, "500 deliveries")
    soon = time.monotonic() + 2
    while _rows_of(engine, victim.pid, "sending") == 0 and time.monotonic() < soon:
        time.sleep(0.002)
    assert victim.poll() is None, "the victim finished before the kill point"
    at_kill = len(relay.deliveries)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()  # reaped: its pid is gone, so the fresh worker sees its run is dead
    in_flight = _rows_of(engine, victim.pid, "sending")
    fresh = spawn(config, campaign)
    survivors = [*procs[1:], fresh]
    said = _finish(survivors)

    received = relay.handler.counts()
    states = _states(engine)
    unknown = _targets(engine, "unknown")
    sent = _targets(engine, "sent")
    assert at_kill < len(addresses), "the run had ended before the kill"
    assert states["queued"] == states["sending"] == 0, f"rows left behind: {dict(states)}"
    assert set(states) <= {"sent", "unknown"}, dict(states)
    assert sent | unknown == set(addresses), "someone was skipped"
    twice = sorted(a for a, n in received.items() if n > 1)
    assert not twice, f"{len(twice)} subscribers got more than one message, e.g. {twice[:5]}"
    assert all(received[a] == 1 for a in sent), "a 'sent' row whose message never arrived"
    assert len(unknown) <= IN_FLIGHT, f"{len(unknown)} unknown rows after one kill; at most {IN_FLIGHT} (2 x {CONNECTIONS} connections)"
    assert all(received[a] <= 1 for a in unknown)
    assert _rows_of(engine, victim.pid, "unknown") == len(unknown), "a worker that was not killed left unknown rows"
    print(f"killed after {at_kill} deliveries with {in_flight} of its rows in 'sending'; "
          f"unknown {len(unknown)}, of which arrived {sum(received[a] for a in unknown)}")
    _exits(survivors, said)


RATE, RATED = 100, 500  # 499 gaps of 1/100 s: about 5 s at the global rate, 1.7 s if each worker had its own
BURST = 2 * CONNECTIONS * WORKERS  # messages a stalled server lets pile up and then take in one go


def _busiest_second(stamps: list[float]) -> int:
    """The most arrivals in any one-second window."""
    best, start = 0, 0
    for end, at in enumerate(stamps):
        while at - stamps[start] > 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_the_rate_is_global_across_workers(setup, relay, spawn):
    engine, config, campaign, addresses = setup(RATED, rate=RATE)
    procs = [spawn(config, campaign) for _ in range(WORKERS)]
    said = _finish(procs)

    stamps = sorted(d.at for d in relay.deliveries)
    assert len(stamps) == RATED and set(relay.handler.counts()) == set(addresses)
    shares = _shares(engine, procs)
    assert all(n > 0 for n in shares.values()), f"not every worker sent a share, so the rate was not shared (pids: {shares})"
    took = stamps[-1] - stamps[0]
    floor = (RATED - 1) / RATE * 0.9
    busiest = _busiest_second(stamps)
    print(f"{RATED} messages in {took:.2f} s, at most {busiest} in one second; sent per worker: {sorted(shares.values())}")
    assert took >= floor, f"{RATED} messages at rate = {RATE} arrived within {took:.2f} s (at least {floor:.2f} s for one global rate)"
    assert busiest <= RATE * 1.25 + BURST, f"{busiest} messages arrived within one second at rate = {RATE} (shares per worker: {shares})"
    _exits(procs, said)
