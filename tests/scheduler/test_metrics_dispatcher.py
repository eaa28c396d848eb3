"""The dispatcher reads reactions on its own, in the background: failures are stored and retried, never its end, never a delay.

Checkpoints of a few seconds (``[metrics] checkpoint_hours``) stand in for 1 h, 24 h
and 7 d; deadlines are measured from before anything slow starts, and conditions
are polled for, never slept on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.config import MetricsConfig, SchedulerConfig
from outreach.metrics import Poller, checkpoint_label
from outreach.posting import post_steps
from outreach.scheduler import Dispatcher
from outreach.store.db import open_db
from outreach.store.metrics_store import published_posts, samples_for
from outreach.store.schema import post_metrics
from tests.social.conftest import X_ENV, social_config  # noqa: F401  (fixture)
from tests.social.test_publish import plan_for  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow
SECOND = 1 / 3600  # of an hour


def fast(config, *hours: float, retry_minutes: float = 0.01):
    """The config with checkpoints a few seconds apart and failed reads retried within a second."""
    return config.model_copy(update={"metrics": MetricsConfig(checkpoint_hours=list(hours), retry_minutes=retry_minutes),
                                     "scheduler": SchedulerConfig(poll_seconds=0.1)})


def wait_for(condition, deadline: float, what: str) -> None:
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def read_at(config, label: str) -> set[int]:
    """Deliveries with a successful sample at checkpoint ``label``."""
    series = samples_for(open_db(config), [p.delivery_id for p in published_posts(open_db(config))])
    return {d for d, samples in series.items() if any(s.ok and s.checkpoint == label for s in samples)}


def in_thread(dispatcher: Dispatcher) -> tuple[threading.Thread, list[int]]:
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(dispatcher.run()), daemon=True)
    thread.start()
    return thread, codes


def test_failures_are_stored_retried_and_never_stop_the_dispatcher(plan_for, social_config, x_api, mastodon_api, bluesky_api):  # noqa: F811
    deadline = time.monotonic() + 120
    config = fast(social_config, 2 * SECOND, 5 * SECOND)
    assert all(r.done for r in post_steps(config, plan_for()))
    status_id = next(iter(mastodon_api.statuses))
    x_api.fail("/2/tweets", "503", "drop")
    mastodon_api.fail(f"/api/v1/statuses/{status_id}", "401", "garbage")
    bluesky_api.fail("/xrpc/app.bsky.feed.getPosts", "429 Retry-After=1")  # held 5 s (the shortest wait outreach keeps)
    said: list[str] = []
    dispatcher = Dispatcher(config, say=said.append, metrics_every=timedelta(seconds=0.2))
    thread, codes = in_thread(dispatcher)
    try:
        wait_for(lambda: len(read_at(config, checkpoint_label(5 * SECOND))) == 6, deadline, "every post read at the last checkpoint")
    finally:
        dispatcher.stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive() and codes == [0] and dispatcher.failure is None
    with open_db(config).connect() as conn:
        errors = [r.error for r in conn.execute(select(post_metrics).where(post_metrics.c.error.is_not(None)))]
    for words in ("HTTP 503", "no answer", "HTTP 401", "not JSON", "HTTP 429"):
        assert any(words in e for e in errors), (words, errors)
        assert any(words in line and line.startswith("dispatcher: reactions: ") for line in said), (words, said)
    assert all("\n" not in e and mastodon_api.token not in e and bluesky_api.password not in e for e in errors)
    assert not any("Traceback" in line for line in said)


def test_a_hanging_read_never_delays_the_dispatchers_tick(plan_for, social_config, x_api):  # noqa: F811
    deadline = time.monotonic() + 60
    config = fast(social_config, 1 * SECOND)
    assert all(r.done for r in post_steps(config, plan_for()))
    entered, release = threading.Event(), threading.Event()
    serve = x_api.routes[("GET", "/2/tweets")]

    def hang(request):
        entered.set()
        release.wait(60)
        return serve(request)

    x_api.routes[("GET", "/2/tweets")] = hang
    wait_for(lambda: all(p.sent_at.timestamp() + 1 < time.time() for p in published_posts(open_db(config))), deadline, "the checkpoint")
    dispatcher = Dispatcher(config, say=lambda line: None, metrics_every=timedelta(0))
    try:
        dispatcher._tick()
        assert entered.wait(30), "the dispatcher started reading reactions"
        ticks = threading.Thread(target=lambda: [dispatcher._tick() for _ in range(3)], daemon=True)
        ticks.start()
        ticks.join(timeout=30)
        assert not ticks.is_alive(), "a tick waited for a reactions read"
        assert sum(1 for r in x_api.requests if r["method"] == "GET") == 1, "one round at a time"
    finally:
        release.set()
        dispatcher._shutdown()
    assert dispatcher.reactions.thread is not None and not dispatcher.reactions.thread.is_alive()


def test_a_bug_in_a_round_is_one_line_and_the_next_round_still_runs(social_config, monkeypatch):  # noqa: F811
    deadline = time.monotonic() + 60

    def broken(self, stop=None, now=None):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(Poller, "poll", broken)
    said: list[str] = []
    dispatcher = Dispatcher(fast(social_config, 1.0), say=said.append, metrics_every=timedelta(seconds=0.1))
    thread, codes = in_thread(dispatcher)
    try:
        wait_for(lambda: sum("reactions: RuntimeError: boom; trying again later" in line for line in said) >= 2, deadline, "two rounds")
    finally:
        dispatcher.stop.set()
        thread.join(timeout=60)
    assert codes == [0] and dispatcher.failure is None and not any("second line" in line for line in said)


def test_outreach_run_reads_reactions_as_a_real_process(plan_for, social_config, x_api, mastodon_api, bluesky_api, tmp_path):  # noqa: F811
    deadline = time.monotonic() + 120
    config = fast(social_config, 1 * SECOND)
    assert all(r.done for r in post_steps(config, plan_for()))
    file = tmp_path / "run.toml"
    file.write_text(f'database = "{config.database}"\noutbox = "{config.outbox}"\n'
                    f'[x]\napi_base = "{x_api.url}"\n[mastodon]\ninstance = "{mastodon_api.url}"\n[bluesky]\nservice = "{bluesky_api.url}"\n'
                    f'[scheduler]\npoll_seconds = 0.2\n[metrics]\ncheckpoint_hours = [{SECOND!r}]\n', encoding="utf-8")
    env = {**os.environ, **X_ENV, "MASTODON_ACCESS_TOKEN": mastodon_api.token, "BLUESKY_HANDLE": bluesky_api.handle,
           "BLUESKY_APP_PASSWORD": bluesky_api.password, "CI": ""}
    wait_for(lambda: all(p.sent_at.timestamp() + 1 < time.time() for p in published_posts(open_db(config))), deadline, "the checkpoint")
    process = subprocess.Popen([sys.executable, "-m", "outreach", "--config", str(file), "run"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(read_at(config, checkpoint_label(SECOND))) == 6 or process.poll() is not None, deadline, "six samples")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and "Traceback" not in err, err
    assert len(read_at(config, "1s")) == 6
