"""README (dispatcher): two dispatchers never run a step twice; scheduling again re-arms failed, partly done and missed
steps; `status` shows what needs a person. All through real `outreach` processes."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from outreach.store.db import open_db
from outreach.store.schema import runs
from outreach.store.steps import list_steps
from tests.scheduler.conftest import World, retime

pytestmark = pytest.mark.slow
SLUG = "soldier-defections-myanmar"


def _approve_and_schedule(world: World, campaign, offsets, *extra: str):
    campaign.write_text(retime(campaign.read_text(encoding="utf-8"), offsets), encoding="utf-8")
    assert world.run("approve", str(campaign), "--by", "Jane Doe").returncode == 0
    scheduled = world.run("schedule", str(campaign), *extra)
    assert scheduled.returncode == 0, scheduled.stderr
    return scheduled


def _cancel(world: World, campaign, *steps: int) -> None:
    args = [a for s in steps for a in ("--step", str(s))]
    assert world.run("cancel", str(campaign), *args).returncode == 0


def _states(db_config) -> dict[int, str]:
    return {r.step: r.state for r in list_steps(open_db(db_config), SLUG)}


def _runs_per_step(db_config) -> dict[int, int]:
    with open_db(db_config).connect() as conn:
        return dict(conn.execute(select(runs.c.step, func.count()).where(runs.c.campaign == SLUG).group_by(runs.c.step)).all())


# Breaks if: store/steps.claim_step stops being a conditional update (scheduled -> running for exactly one caller), so
# two dispatchers that both fire the job both run the step (the ledger alone hides it: check the runs, not the mail).
def test_three_dispatchers_run_each_step_once(world, campaign_copy, db_config, smtp_server, x_api, mastodon_api, bluesky_api):
    smtp_server.handler.delay = 0.05  # the email step lasts a while: a second run would overlap it
    campaign = campaign_copy()
    _approve_and_schedule(world, campaign, [15, 15, 15, 15])  # room for slow approve/schedule processes
    dispatchers = [world.start("run", "--until-idle") for _ in range(3)]
    for d in dispatchers:
        out, err = d.communicate(timeout=180)
        assert d.returncode == 0, err
    assert _states(db_config) == {1: "done", 2: "done", 3: "done", 4: "done"}
    assert sorted(smtp_server.handler.counts().values()) == [1] * 20
    assert (len(x_api.tweets), len(mastodon_api.statuses), len(bluesky_api.records)) == (4, 1, 1)
    per_step = _runs_per_step(db_config)
    assert per_step.get(1) == 1, f"the email step ran {per_step.get(1)} times"
    assert all(n == 1 for n in per_step.values()), per_step


# Breaks if: store/steps.done_steps (what `schedule` leaves alone) counts missed steps as done; or the dispatcher stops
# marking a step missed beyond misfire_grace_seconds; or `status` drops the missed state or its hint.
def test_scheduling_again_rearms_a_missed_step(world, campaign_copy, db_config, smtp_server):
    world.config.write_text(world.config.read_text(encoding="utf-8").replace("misfire_grace_seconds = 3600", "misfire_grace_seconds = 1"), encoding="utf-8")
    campaign = campaign_copy()
    _approve_and_schedule(world, campaign, [15, 600, 600, 600])
    _cancel(world, campaign, 2, 3, 4)
    due = next(r.due_utc for r in list_steps(open_db(db_config), SLUG) if r.step == 1)
    while time.time() < due.timestamp() + 3:  # no dispatcher runs when the email is due, nor for 3 s after
        time.sleep(0.2)
    assert world.run("run", "--until-idle").returncode == 0
    assert _states(db_config)[1] == "missed" and not smtp_server.deliveries
    status = world.run("status", SLUG)
    assert "missed" in status.stdout and "beyond the" in status.stdout, status.stdout
    [email] = [s for s in json.loads(world.run("status", SLUG, "--json").stdout)["steps"] if s["step"] == 1]
    assert email["state"] == "missed" and f"outreach schedule {SLUG} --now" in email["detail"], email

    # the grace back to normal, or the re-armed step (due now) is missed again before the dispatcher starts
    world.config.write_text(world.config.read_text(encoding="utf-8").replace("misfire_grace_seconds = 1\n", "misfire_grace_seconds = 3600\n"), encoding="utf-8")
    again = world.run("schedule", str(campaign), "--now")
    assert again.returncode == 0 and "left alone" not in again.stdout, again.stdout + again.stderr
    _cancel(world, campaign, 2, 3, 4)
    assert world.run("run", "--until-idle").returncode == 0
    assert _states(db_config)[1] == "done"
    assert sorted(smtp_server.handler.counts().values()) == [1] * 20


# Breaks if: store/steps.done_steps counts partly done steps as done (a thread stopped at an unknown part is never
# finished after a person resolves it); or `status` stops listing the unknown part under "needs a person".
def test_scheduling_again_rearms_a_partly_done_thread(world, campaign_copy, db_config, x_api):
    campaign = campaign_copy()
    x_api.fail("/2/tweets", "ok", "drop")  # part 2 is created but its answer is lost: unknown
    _approve_and_schedule(world, campaign, [600, 15, 600, 600])
    _cancel(world, campaign, 1, 3, 4)
    assert world.run("run", "--until-idle").returncode == 0
    assert _states(db_config)[2] == "partly done" and len(x_api.tweets) == 2
    status = world.run("status", SLUG)
    assert "needs a person" in status.stdout and "part-2" in status.stdout and "unknown" in status.stdout, status.stdout
    attention = json.loads(world.run("status", SLUG, "--json").stdout)["attention"]
    assert [(a["step"], a["target"], a["state"]) for a in attention] == [(2, "part-2", "unknown")]

    second = list(x_api.tweets)[1]
    resolved = world.run("post", str(campaign), "--resolve", "--step", "2", "--part", "2", "--posted", f"https://x.com/i/web/status/{second}")
    assert resolved.returncode == 0, resolved.stderr
    again = world.run("schedule", str(campaign), "--now")
    assert again.returncode == 0 and "left alone" not in again.stdout, again.stdout + again.stderr
    _cancel(world, campaign, 1, 3, 4)
    assert world.run("run", "--until-idle").returncode == 0
    assert _states(db_config)[2] == "done"
    ids = list(x_api.tweets)
    assert len(ids) == 4, "a part was posted twice or skipped"
    assert [t["reply_to"] for t in x_api.tweets.values()] == [None, *ids[:3]]
