"""The report names each email step's audience in words, as it was frozen (terminal, HTML, JSON)."""

from __future__ import annotations

import json

from outreach.store.db import open_db
from tests.audience.conftest import EVERYONE, MATCHING, add_people
from tests.audience.test_segment_send import SLUG, WORDS, segment_campaign


def test_the_report_says_who_the_email_went_to(cli, db_config, audience_config, campaign_copy, tmp_path):
    config = audience_config()
    add_people(open_db(db_config), EVERYONE)
    assert cli("--config", config, "send", segment_campaign(campaign_copy), "--now").code == 0
    shown = cli("--config", config, "report", SLUG, "--json", tmp_path / "r.json", "--html", tmp_path / "r.html")
    assert shown.code == 0, shown.err
    assert WORDS in " ".join(shown.out.split()), shown.out  # the terminal table may wrap the words
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["email"]["audiences"] == [{"step": 1, "list": "research", "description": WORDS, "total": len(MATCHING)}]
    assert f"{WORDS} ({len(MATCHING)} addresses, step 1)" in (tmp_path / "r.html").read_text(encoding="utf-8")
