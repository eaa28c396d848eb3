"""Issue 16's "done when": the sample campaign, LinkedIn post included, posts through `outreach post` to all four
emulators, and to the outbox with no credentials; its Bluesky post shows its link as the app does and counts well
under the limit. Every count here is the emulators' own (tests/social/emulators.py, linkedin_emulator.py)."""

from __future__ import annotations

import json
from pathlib import Path

import grapheme
import pytest

from tests.conftest import SAMPLE
from tests.social.conftest import X_ENV

SLUG = "soldier-defections-myanmar"
PLATFORM_ENV = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET", "MASTODON_ACCESS_TOKEN",
                "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD", "LINKEDIN_ACCESS_TOKEN")


def write_config(database: str, extra: str = "") -> None:
    Path("outreach.toml").write_text(f'require_approval = false\ndatabase = "{database}"\n{extra}', encoding="utf-8")


def test_the_sample_posts_to_all_four_emulators(cli, campaign_copy, tmp_path, monkeypatch, x_api, mastodon_api, bluesky_api, linkedin_api):
    for name, value in {**X_ENV, "MASTODON_ACCESS_TOKEN": mastodon_api.token, "BLUESKY_HANDLE": bluesky_api.handle,
                        "BLUESKY_APP_PASSWORD": bluesky_api.password, "LINKEDIN_ACCESS_TOKEN": linkedin_api.token}.items():
        monkeypatch.setenv(name, value)
    write_config(f"sqlite:///{tmp_path / 'everywhere.db'}",
                 f'[x]\napi_base = "{x_api.url}"\n[mastodon]\ninstance = "{mastodon_api.url}"\n'
                 f'[bluesky]\nservice = "{bluesky_api.url}"\n'
                 f'[linkedin]\napi_base = "{linkedin_api.url}"\nauthor = "{linkedin_api.author}"\n')
    result = cli("post", campaign_copy(), "--now")
    assert result.code == 0, result
    assert len(x_api.tweets) == 4 and len(mastodon_api.statuses) == 1
    [record] = [r["record"] for r in bluesky_api.records.values()]
    [post] = linkedin_api.posts.values()
    # Bluesky: the link's visible text is the app's short form, starting with the real host; the facet opens the full UTM address.
    assert grapheme.length(record["text"]) <= 200, record["text"]
    link = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#link"))
    shown = record["text"].encode()[link["index"]["byteStart"]:link["index"]["byteEnd"]].decode()
    assert shown == "example.org/PLACEHOLDER-..." and shown.startswith("example.org")
    assert link["features"][0]["uri"] == ("https://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar"
                                          f"?utm_source=bluesky&utm_medium=social&utm_campaign={SLUG}")
    assert record["embed"]["external"]["thumb"]["ref"]["$link"] in bluesky_api.blobs
    # LinkedIn: the whole text arrived (nothing cut at a reserved character), with the report as its article card.
    assert not post["truncated"] and "(the Tatmadaw)" in post["text"] and "utm_source=linkedin" in post["text"]
    assert post["content"]["article"]["thumbnail"] in linkedin_api.images
    assert result.out.count("https://www.linkedin.com/feed/update/urn:li:share:") == 1


def test_the_sample_posts_to_the_outbox_with_no_credentials(cli, campaign_copy, tmp_path, monkeypatch):
    for name in PLATFORM_ENV:
        monkeypatch.delenv(name, raising=False)
    write_config(f"sqlite:///{tmp_path / 'outbox.db'}")
    result = cli("post", campaign_copy(), "--now")
    assert result.code == 0, result
    written = sorted((Path("outbox") / "posts" / SLUG).glob("*.json"))
    channels = [json.loads(p.read_text(encoding="utf-8"))["channel"] for p in written]
    assert channels.count("x") == 4 and {"mastodon", "bluesky", "linkedin"} <= set(channels), channels
    linkedin = json.loads(next(p for p in written if "-linkedin-" in p.name).read_text(encoding="utf-8"))["request"]
    assert "\\(the Tatmadaw\\)" in linkedin["commentary"] and linkedin["content"]["article"]["title"] == "Soldier Defections in Myanmar"


@pytest.mark.parametrize("channel", ["x", "mastodon", "bluesky", "linkedin"])
def test_the_sample_has_a_post_on_each_platform(channel):
    assert f'channel = "{channel}"' in SAMPLE.read_text(encoding="utf-8")
