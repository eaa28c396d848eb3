"""Issue 12: the preview shows the links as written and says whether and how the send will track them."""

from __future__ import annotations

import html
import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import time_machine

from outreach.campaign import load_campaign
from outreach.config import Config, TrackingConfig
from outreach.preview import write_preview
from outreach.validate import check

NOW = "2026-11-24T12:00:00Z"
REPORT = ("https://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar"
          "?utm_source=newsletter&utm_medium=email&utm_campaign=soldier-defections-myanmar")
ARCHIVE = "http://127.0.0.1:8080/archive/soldier-defections-myanmar"


def preview(campaign_path: Path, out: Path, mode: str) -> Path:
    config = Config(tracking=TrackingConfig(clicks=mode))
    with time_machine.travel(NOW, tick=False):
        checked = check(load_campaign(campaign_path), config)
        return write_preview(checked, config, out).folder


@pytest.mark.parametrize("mode", ["aggregate", "individual"])
def test_the_preview_says_how_links_will_be_tracked(campaign_copy, tmp_path, mode):
    folder = preview(campaign_copy(), tmp_path / "p", mode)
    page = (folder / "index.html").read_text(encoding="utf-8")
    doc = json.loads((folder / "links.json").read_text(encoding="utf-8"))
    assert f"Click tracking: {mode}." in page
    assert "<code>http://127.0.0.1:8080/c/&lt;token&gt;</code>" in page and "with its UTM tags" in page
    assert (doc["clicks"], doc["tracked"], doc["redirect"]) == (mode, True, "http://127.0.0.1:8080/c/<token>")
    assert ("is sealed" in doc["how"]) == (mode == "aggregate") and ("who clicked" in doc["how"]) == (mode == "individual")
    assert doc["how"] in page.replace("&#39;", "'")
    fate = {link["url"]: (link["wrapped"], link["not_wrapped_because"]) for link in doc["links"]}
    assert fate[ARCHIVE] == (True, None) and fate[REPORT] == (True, None)
    assert fate["tel:+4540963309"][0] is False and "never wrapped" in fate["tel:+4540963309"][1]
    assert fate["@@OUTREACH:UNSUBSCRIBE_URL@@"][0] is False and "unsubscribe" in fate["@@OUTREACH:UNSUBSCRIBE_URL@@"][1]
    assert fate["@@OUTREACH:PREFERENCES_URL@@"][0] is False and "personal link" in fate["@@OUTREACH:PREFERENCES_URL@@"][1]
    rows = page.split("<h3>Links</h3>", 1)[1].split("</table>", 1)[0]
    assert rows.count("<td>wrapped</td>") == 2 and rows.count("never wrapped") == 3  # tel:, Manage your subscription, Unsubscribe


def test_the_preview_shows_the_links_as_written_whatever_the_mode(campaign_copy, tmp_path):
    path = campaign_copy()
    folders = {mode: preview(path, tmp_path / mode, mode) for mode in ("aggregate", "individual", "off")}
    for name in ("email.html", "email.txt", "email.eml", "posts.json"):
        contents = {mode: (folder / name).read_bytes() for mode, folder in folders.items()}
        assert len(set(contents.values())) == 1, name
        assert b"/c/" not in contents["aggregate"], name
    assert REPORT in (folders["aggregate"] / "email.txt").read_text(encoding="utf-8")
    eml = message_from_bytes((folders["aggregate"] / "email.eml").read_bytes(), policy=policy.default)
    text, body = (part.get_content() for part in eml.iter_parts())
    assert REPORT in text and ARCHIVE in text
    assert f'href="{html.escape(REPORT)}"' in body and f'href="{ARCHIVE}"' in body


def test_the_preview_says_when_tracking_is_off(campaign_copy, tmp_path):
    folder = preview(campaign_copy(), tmp_path / "p", "off")
    page = (folder / "index.html").read_text(encoding="utf-8")
    doc = json.loads((folder / "links.json").read_text(encoding="utf-8"))
    assert "Click tracking: off." in page and "/c/&lt;token&gt;" not in page and "<td>wrapped</td>" not in page
    assert (doc["clicks"], doc["tracked"], doc["redirect"]) == ("off", False, None)
    assert not any(link["wrapped"] for link in doc["links"])
