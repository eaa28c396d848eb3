"""The emulated posts' reactions over time reach the campaign report (JSON and HTML), on SQLite and PostgreSQL.

The sample's posts are published to the emulators the real way; the poller reads them at the 1 h and
24 h checkpoints (the emulators' clocks moved in between, so their counts grow); ``outreach report``
then shows each post with its URL and both readings, and draws a chart per post.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from outreach.metrics import Poller
from outreach.posting import post_steps
from outreach.store.db import open_db
from outreach.store.metrics_store import published_posts
from tests.social.test_publish import plan_for  # noqa: F401  (fixture)

H = timedelta(hours=1)


def test_emulated_posts_show_their_reactions_over_time_in_the_report(plan_for, social_config, x_api, mastodon_api, bluesky_api, linkedin_api,  # noqa: F811
                                                                    cli, tmp_path, monkeypatch):
    campaign = plan_for().campaign
    assert all(r.done for r in post_steps(social_config, plan_for()))
    posts = published_posts(open_db(social_config))
    sent = max(p.sent_at for p in posts)
    poller = Poller(social_config)
    assert len(poller.poll(now=lambda: sent + H + timedelta(minutes=1))) == len(posts)
    for api in (x_api, mastodon_api, bluesky_api, linkedin_api):
        api.advance((24 * H).total_seconds())
    assert len(poller.poll(now=lambda: sent + 24 * H + timedelta(minutes=1))) == len(posts)

    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{social_config.database}"\n', encoding="utf-8")
    result = cli("--config", config_file, "report", campaign.path, "--json", "-")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    published = [p for p in report["posts"] if not p["outbox"]]
    assert len(published) == len(posts) == 7
    assert {p["channel"] for p in published} == {"x", "mastodon", "bluesky", "linkedin"}
    for post in published:
        assert post["url"].startswith(("https://", "http://")), post["url"]
        readings = post["readings"]
        assert [r["checkpoint"] for r in readings] == ["1h", "24h"], post
        assert readings[1]["likes"] > readings[0]["likes"] and (readings[1]["reposts"] or 0) >= (readings[0]["reposts"] or 0)  # LinkedIn shows none

    page = tmp_path / "report.html"
    assert cli("--config", config_file, "report", campaign.path, "--html", page).code == 0
    html = page.read_text(encoding="utf-8")
    assert len(re.findall(r"<svg\b", html)) == len(posts), "one reactions chart per post (no email went out: no clicks chart)"
    for post in published:
        assert post["url"].replace("&", "&amp;") in html
