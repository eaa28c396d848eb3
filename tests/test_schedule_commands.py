"""schedule / reschedule / cancel / status / calendar in-process (no dispatcher needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outreach.cli import main
from outreach.commands import COMMANDS


def _ready(cli, campaign_copy):
    path = campaign_copy()
    assert cli("approve", path, "--by", "Jane Doe").code == 0
    assert cli("schedule", path).code == 0
    return path


def test_reschedule_moves_one_step(cli, campaign_copy):
    path = _ready(cli, campaign_copy)
    moved = cli("reschedule", path, "--step", "2", "--at", "2027-03-30T09:30")
    assert moved.code == 0, moved.err
    assert "step 2 now at 2027-03-30 09:30 Europe/Copenhagen (2027-03-30 07:30 UTC)" in moved.out  # summer time by then
    steps = {s["step"]: s for s in json.loads(cli("status", "--json").out)["steps"]}
    assert steps[2]["due_utc"].startswith("2027-03-30T07:30") and steps[2]["state"] == "scheduled"
    assert steps[1]["due_utc"].startswith("2027-01-12T08:00")


@pytest.mark.parametrize("args, message", [
    (["--step", "2", "--at", "2020-01-01T09:00"], "that is in the past"),
    (["--step", "9", "--at", "2027-03-30T09:30"], "no step 9"),
    (["--step", "2", "--at", "tomorrow"], "not a date-time"),
    (["--step", "2", "--at", "2027-03-30T09:30+02:00"], "without an offset"),
    (["--step", "2", "--at", "2027-03-28T02:30"], "does not exist in Europe/Copenhagen"),
])
def test_reschedule_refuses_bad_times(cli, campaign_copy, args, message):
    path = _ready(cli, campaign_copy)
    result = cli("reschedule", path, *args)
    assert result.code == 1 and message in result.err and "Traceback" not in result.err


def test_cancel_and_status(cli, campaign_copy):
    path = _ready(cli, campaign_copy)
    assert cli("cancel", path, "--step", "3").code == 0
    status = json.loads(cli("status", "--json").out)
    assert [s["state"] for s in status["steps"]] == ["scheduled", "scheduled", "cancelled", "scheduled", "scheduled"]
    assert status["next_due"]["step"] == 1 and status["dispatchers"] == []
    table = cli("status").out
    assert "next due: soldier-defections-myanmar step 1 (email) at 2027-01-12 09:00 Europe/Copenhagen" in table
    assert "dispatcher: not running" in table


def test_calendar_has_one_event_per_scheduled_step(cli, campaign_copy, tmp_path):
    path = _ready(cli, campaign_copy)
    cli("cancel", path, "--step", "4")
    out = tmp_path / "team.ics"
    result = cli("calendar", "--out", out)
    assert result.code == 0 and "4 scheduled steps" in result.out
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"BEGIN:VEVENT") == 4
    assert b"DTSTART:20270112T080000Z" in data and b"UID:soldier-defections-myanmar-step-1@outreach" in data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_every_command_has_help_with_an_example(capsys):
    names = list(COMMANDS)
    assert {"validate", "preview", "send", "send-test", "post", "schedule", "run", "cancel", "reschedule", "status", "calendar", "serve", "approve", "subscribers", "cover"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert "Example:" in capsys.readouterr().out, name


def test_no_config_works_on_a_fresh_folder(cli, campaign_copy):
    assert not Path("outreach.toml").exists()
    assert cli("status").code == 0
    assert Path("outreach.db").is_file()


def _without_email(text: str) -> str:
    start = text.index("[email]")
    return text[:start] + text[text.index("[[posts]]", start):]


def test_status_of_steps_sent_by_hand_names_their_channel(cli, campaign_copy):
    path = campaign_copy(_without_email)  # no email: the X thread is step 1
    assert cli("approve", path, "--by", "J").code == 0
    assert cli("post", path, "--step", "1", "--now").code == 0
    [row] = json.loads(cli("status", "--json").out)["steps"]
    assert (row["step"], row["channel"], row["state"], row["counts"]) == (1, "post", "sent by hand", {"posted": 4})


def test_post_on_a_campaign_without_posts_says_so(cli, campaign_copy):
    path = campaign_copy(lambda t: t[: t.index("[[posts]]")])
    assert cli("approve", path, "--by", "J").code == 0
    result = cli("post", path, "--now")
    assert result.code == 1 and "the campaign has no [[posts]] to publish" in result.err
