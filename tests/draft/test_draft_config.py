"""What the [draft] table sets reaches the written campaign, and a bad [draft] table is one located error."""

from __future__ import annotations

import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from outreach.channels.registry import PLATFORMS
from outreach.config import Config, DraftConfig, ListConfig
from outreach.draft.run import draft_campaign
from outreach.errors import DraftError
from tests.draft.pages.expected import PAGES, SAMPLE_PAGE

THURSDAY = datetime(2027, 1, 7, 12, 0, tzinfo=timezone.utc)


def _drafted(tmp_path: Path, **draft: object) -> dict:
    lists = {"research": ListConfig(title="Research"), "press": ListConfig(title="Press")}
    config = Config(lists=lists, draft=DraftConfig(**draft))
    result = draft_campaign(str(SAMPLE_PAGE), config, out=tmp_path / "campaigns", now=THURSDAY)
    return tomllib.loads(result.path.read_text(encoding="utf-8"))


def test_timezone_channels_list_and_hashtags_reach_the_file(tmp_path: Path) -> None:
    data = _drafted(tmp_path, timezone="America/New_York", channels=["mastodon", "x"], email_list="press",
                    hashtags=["Peacebuilding"], send_time="08:15", stagger_minutes=45)
    assert data["timezone"] == "America/New_York"
    assert data["email"]["list"] == "press"
    assert data["email"]["send_at"] == datetime(2027, 1, 8, 8, 15)  # Friday, the next working day there
    assert [p["channel"] for p in data["posts"]] == ["mastodon", "x"]
    assert [p["at"] for p in data["posts"]] == [datetime(2027, 1, 8, 9, 0), datetime(2027, 1, 8, 9, 45)]
    assert "#Peacebuilding" in data["posts"][0]["text"]


def test_the_defaults_draft_every_platform_to_the_first_list(tmp_path: Path) -> None:
    data = _drafted(tmp_path)
    assert data["timezone"] == "Europe/Copenhagen" and data["email"]["list"] == "research"
    assert [p["channel"] for p in data["posts"]] == ["x", "mastodon", "bluesky", "linkedin"] == list(PLATFORMS)


def test_the_configured_hashtags_reach_the_linkedin_post(tmp_path: Path) -> None:
    data = _drafted(tmp_path, channels=["linkedin"], hashtags=["Peacebuilding"])
    assert [p["channel"] for p in data["posts"]] == ["linkedin"]
    assert data["posts"][0]["text"].rstrip().endswith("#Peacebuilding")


def test_an_email_list_that_is_not_configured_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DraftError, match=r"\[draft\] email_list 'nope' is not a list in \[lists\]"):
        _drafted(tmp_path, email_list="nope")


@pytest.mark.parametrize("table, field", [
    ('timezone = "Mars/Olympus"', "draft.timezone"),
    ('channels = ["x", "myspace"]', "draft.channels"),
    ('hashtags = ["#DIIS"]', "draft.hashtags"),
    ('send_time = "9am"', "draft.send_time"),
    ("stagger_minutes = -5", "draft.stagger_minutes"),
])
def test_a_bad_draft_table_is_one_line_naming_file_field_and_line(cli, tmp_path: Path, table: str, field: str) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "outreach.toml"
    config.write_text(f"[draft]\n{table}\n", encoding="utf-8")
    said = cli("--config", config, "draft", PAGES["highwire"].path)
    assert said.code != 0 and "Traceback" not in said.err
    line = next(line for line in said.err.splitlines() if field in line)
    assert str(config) in line and ":2" in line


def test_a_source_and_a_feed_together_are_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = cli("draft", PAGES["highwire"].path, "--feed", tmp_path / "feed.xml")
    assert said.code == 1 and "not both or neither" in said.err and not list(Path().glob("campaigns/*"))
