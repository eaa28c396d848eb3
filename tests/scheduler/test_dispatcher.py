"""The dispatcher as a real process: on time, once, only when approved; missed steps, two dispatchers, SIGTERM."""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from outreach.store.db import open_db
from outreach.store.ledger_queries import counts
from outreach.store.schema import runs
from outreach.store.steps import list_steps
from tests.scheduler.conftest import World, retime

pytestmark = pytest.mark.slow
SLUG = "soldier-defections-myanmar"


def _step_state(db_config, number: int) -> str | None:
    return next((r.state for r in list_steps(open_db(db_config), SLUG) if r.step == number), None)


def schedule(world: World, campaign, offsets, approve=True, *extra, late_ok=True):
    """Retime, approve and schedule; ``late_ok``: a step that fell due while a slow machine approved runs at once (--now)."""
    campaign.write_text(retime(campaign.read_text(encoding="utf-8"), offsets), encoding="utf-8")
    if approve:
        assert world.run("approve", str(campaign), "--by", "Jane Doe").returncode == 0
    return world.run("schedule", str(campaign), *extra, *(["--now"] if late_ok else []))


def test_approve_schedule_run_delivers_on_time(world, campaign_copy, db_config, smtp_server, x_api, mastodon_api, bluesky_api):
    campaign = campaign_copy()
    scheduled = schedule(world, campaign, [3, 4, 5, 5])
    assert scheduled.returncode == 0, scheduled.stderr
    due = {r.step: r.due_utc for r in list_steps(open_db(db_config), SLUG)}
    run = world.run("run", "--until-idle", timeout=120)
    assert run.returncode == 0, run.stderr
    assert len(smtp_server.deliveries) == 20
    assert (len(x_api.tweets), len(mastodon_api.statuses), len(bluesky_api.records)) == (4, 1, 1)
    steps = {r.step: r for r in list_steps(open_db(db_config), SLUG)}
    assert all(s.state == "done" for s in steps.values()), steps
    for number, row in steps.items():  # on time: not before its due time, and within the poll interval plus work
        ran = row.updated_at.replace(tzinfo=timezone.utc) if row.updated_at.tzinfo is None else row.updated_at
        assert due[number] <= ran, (number, due[number], ran)
    status = json.loads(world.run("status", SLUG, "--json").stdout)
    assert [s["state"] for s in status["steps"]] == ["done"] * 4
    assert status["steps"][0]["counts"] == {"sent": 20}
    assert len(status["steps"][1]["urls"]) == 4 and status["steps"][1]["counts"] == {"posted": 4} and status["next_due"] is None


def test_schedule_refuses_unapproved_and_past_steps(world, campaign_copy):
    campaign = campaign_copy()
    refused = schedule(world, campaign, [60, 60, 60, 60], approve=False)
    assert refused.returncode == 1 and "is not approved" in refused.stderr
    past = schedule(world, campaign, [-120, 60, 60, 60], late_ok=False)
    assert past.returncode == 1 and "step 1 (email" in past.stderr and "is in the past" in past.stderr and "--now" in past.stderr
    assert "Traceback" not in past.stderr


def test_edited_after_approval_is_not_sent(world, campaign_copy, db_config, smtp_server):
    campaign = campaign_copy()
    assert schedule(world, campaign, [3, 300, 300, 300]).returncode == 0
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("New DIIS report: why", "NEW DIIS report: why"), encoding="utf-8")
    assert world.run("cancel", str(campaign), "--step", "2", "--step", "3", "--step", "4").returncode == 0
    assert world.run("run", "--until-idle").returncode == 0
    [email] = [r for r in list_steps(open_db(db_config), SLUG) if r.step == 1]
    assert email.state == "failed" and "changed since approval by Jane Doe" in email.detail and "email subject" in email.detail
    assert not smtp_server.deliveries
    # a person reviews the edit and approves it: scheduling again re-arms the failed step
    assert schedule(world, campaign, [3, 300, 300, 300]).returncode == 0
    assert world.run("cancel", str(campaign), "--step", "2", "--step", "3", "--step", "4").returncode == 0
    assert world.run("run", "--until-idle").returncode == 0
    [email] = [r for r in list_steps(open_db(db_config), SLUG) if r.step == 1]
    assert email.state == "done" and len(smtp_server.deliveries) == 20


def test_scheduling_again_replaces_jobs_and_never_doubles(world, campaign_copy, db_config, smtp_server, x_api):
    campaign = campaign_copy()
    assert schedule(world, campaign, [300, 300, 300, 300]).returncode == 0
    assert schedule(world, campaign, [3, 3, 300, 300]).returncode == 0  # edited times take effect
    assert world.run("cancel", str(campaign), "--step", "3", "--step", "4").returncode == 0
    assert world.run("run", "--until-idle").returncode == 0
    assert len(smtp_server.deliveries) == 20 and len(x_api.tweets) == 4
    again = schedule(world, campaign, [3, 3, 3, 3])
    assert "left alone (already ran): steps 1, 2" in again.stdout
    assert world.run("run", "--until-idle").returncode == 0
    assert len(smtp_server.deliveries) == 20 and len(x_api.tweets) == 4


def test_step_added_while_running_is_picked_up_within_2_s(world, campaign_copy, db_config, smtp_server):
    dispatcher = world.start("run")
    try:
        time.sleep(1.5)
        campaign = campaign_copy()
        # The email step is already due (scheduled with --now): the clock starts when `schedule` has returned.
        assert schedule(world, campaign, [-60, 600, 600, 600]).returncode == 0
        scheduled_at = time.monotonic()
        while _step_state(db_config, 1) == "scheduled" and time.monotonic() - scheduled_at < 10:
            time.sleep(0.05)
        picked_up = time.monotonic() - scheduled_at
        assert picked_up <= 2.5, f"the dispatcher took {picked_up:.2f} s to pick up a step added while it ran (README: within 2 s)"
        deadline = time.monotonic() + 20
        while len(smtp_server.deliveries) < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(smtp_server.deliveries) == 20
        status = world.run("status", "--json")
        assert json.loads(status.stdout)["dispatchers"], "status shows the running dispatcher"
    finally:
        dispatcher.send_signal(signal.SIGTERM)
        assert dispatcher.wait(timeout=15) == 0


@pytest.mark.parametrize("grace, expected", [(60, "done"), (1, "missed")])
def test_missed_step_within_and_beyond_grace(world, campaign_copy, db_config, smtp_server, grace, expected):
    world.config.write_text(world.config.read_text(encoding="utf-8").replace("misfire_grace_seconds = 3600", f"misfire_grace_seconds = {grace}"), encoding="utf-8")
    campaign = campaign_copy()
    assert schedule(world, campaign, [3, 600, 600, 600]).returncode == 0
    assert world.run("cancel", str(campaign), "--step", "2", "--step", "3", "--step", "4").returncode == 0
    time.sleep(5)  # the dispatcher is down when the email is due
    assert world.run("run", "--until-idle").returncode == 0
    [email] = [r for r in list_steps(open_db(db_config), SLUG) if r.step == 1]
    assert email.state == expected, email
    assert len(smtp_server.deliveries) == (20 if expected == "done" else 0)
    if expected == "missed":
        assert "beyond the" in email.detail
        out = world.run("status", SLUG).stdout
        assert "missed" in out


def test_two_dispatchers_never_run_a_step_twice(world, campaign_copy, db_config, smtp_server, x_api, mastodon_api, bluesky_api):
    campaign = campaign_copy()
    assert schedule(world, campaign, [4, 4, 4, 4]).returncode == 0
    first, second = world.start("run", "--until-idle"), world.start("run", "--until-idle")
    for dispatcher in (first, second):
        _, err = dispatcher.communicate(timeout=120)
        assert dispatcher.returncode == 0 and "Traceback" not in err, err
    assert sorted(smtp_server.handler.counts().values()) == [1] * 20
    assert (len(x_api.tweets), len(mastodon_api.statuses), len(bluesky_api.records)) == (4, 1, 1)
    with open_db(db_config).connect() as conn:  # one run per step, not just one delivery
        per_step = dict(conn.execute(select(runs.c.step, func.count()).where(runs.c.campaign == SLUG).group_by(runs.c.step)).all())
    assert per_step == {1: 1, 2: 1, 3: 1, 4: 1}


def test_sigterm_mid_send_finishes_cleanly_and_resumes(world, campaign_copy, db_config, smtp_server):
    smtp_server.handler.delay = 0.6  # 20 messages on 2 connections take 6 s: room to stop mid-send even on a loaded machine
    campaign = campaign_copy()
    assert schedule(world, campaign, [3, 600, 600, 600]).returncode == 0
    dispatcher = world.start("run")
    deadline = time.monotonic() + 30
    while len(smtp_server.deliveries) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    dispatcher.send_signal(signal.SIGTERM)
    _, err = dispatcher.communicate(timeout=15)
    assert dispatcher.returncode == 0 and "Traceback" not in err, err
    assert time.monotonic() - started < 10
    ledger = counts(open_db(db_config), SLUG, 1)
    assert ledger["sending"] == 0 and ledger["sent"] + ledger["queued"] + ledger["unknown"] == 20 and ledger["queued"] > 0
    smtp_server.handler.delay = 0
    assert world.run("cancel", str(campaign), "--step", "2", "--step", "3", "--step", "4").returncode == 0
    assert world.run("run", "--until-idle").returncode == 0
    assert counts(open_db(db_config), SLUG, 1)["sent"] + counts(open_db(db_config), SLUG, 1)["unknown"] == 20
    assert max(smtp_server.handler.counts().values()) == 1


def test_dst_change_between_schedule_and_send(world, campaign_copy, db_config):
    campaign = campaign_copy()
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("send_at = 2027-01-12T09:00:00", "send_at = 2026-11-03T09:00:00")
                        .replace("at = 2027-01-12T09:30:00", "at = 2026-10-20T09:30:00"), encoding="utf-8")
    assert world.run("approve", str(campaign), "--by", "J").returncode == 0
    # scheduled in summer time (CEST, UTC+2) for steps on both sides of the 25 October change
    from outreach.cli import main

    with time_machine.travel(datetime(2026, 10, 1, 12, 0, tzinfo=timezone.utc), tick=False):
        assert main(["--config", str(world.config), "schedule", str(campaign)]) == 0
    due = {r.step: r.due_utc for r in list_steps(open_db(db_config), SLUG)}
    assert due[1] == datetime(2026, 11, 3, 8, 0, tzinfo=timezone.utc)  # CET: 09:00 local is 08:00 UTC
    assert due[2] == datetime(2026, 10, 20, 7, 30, tzinfo=timezone.utc)  # CEST: 09:30 local is 07:30 UTC
    from outreach.config import load_config
    from outreach.scheduler import stored_jobs

    jobs = stored_jobs(load_config(world.config))
    assert jobs[f"{SLUG}:1"] == due[1] and jobs[f"{SLUG}:2"] == due[2]
