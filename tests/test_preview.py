"""The dry-run preview: complete, deterministic, and equal to the golden files."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import time_machine

from outreach.campaign import load_campaign
from outreach.preview import PREVIEW_FILES, write_preview
from outreach.validate import check
from tests.conftest import SAMPLE

GOLDEN = Path(__file__).resolve().parent / "golden" / "preview"
NOW = "2026-11-24T12:00:00Z"


def _preview(campaign_path: Path, out: Path, config) -> Path:
    with time_machine.travel(NOW, tick=False):
        checked = check(load_campaign(campaign_path), config)
        assert checked.ok, checked.errors
        return write_preview(checked, config, out).folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_preview_matches_golden_files(campaign_copy, tmp_path, config, regen_golden):
    folder = _preview(campaign_copy(), tmp_path / "preview", config)
    produced = _tree(folder)
    if regen_golden:
        for name, data in produced.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = _tree(GOLDEN)
    assert sorted(produced) == sorted(expected)
    for name in expected:
        assert produced[name] == expected[name], f"{name} differs from tests/golden/preview/{name}; rerun pytest with --regen-golden after reviewing the change"


def test_preview_is_byte_identical_across_runs(campaign_copy, tmp_path, config):
    path = campaign_copy()
    first = _tree(_preview(path, tmp_path / "a", config))
    second = _tree(_preview(path, tmp_path / "b", config))
    assert first == second
    assert set(PREVIEW_FILES) <= set(first)


def test_preview_changes_when_the_campaign_changes(campaign_copy, tmp_path, config):
    before = _tree(_preview(campaign_copy(), tmp_path / "a", config))
    edited = campaign_copy(lambda t: t.replace("Why do most stay?", "Why do so many stay?"))
    after = _tree(_preview(edited, tmp_path / "b", config))
    assert before["posts.json"] != after["posts.json"]
    assert before["email.eml"] == after["email.eml"]


def test_eml_is_multipart_alternative_text_first(campaign_copy, tmp_path, config):
    folder = _preview(campaign_copy(), tmp_path / "p", config)
    raw = (folder / "email.eml").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    # MIME text travels with CRLF line ends; the preview files keep the local ones
    assert parts[0].get_content().replace("\r\n", "\n") == (folder / "email.txt").read_text(encoding="utf-8")
    assert parts[1].get_content().replace("\r\n", "\n") == (folder / "email.html").read_text(encoding="utf-8")
    assert msg["Subject"] == "New DIIS report: why Myanmar’s soldiers defect, and why most stay"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/u/" in msg["List-Unsubscribe"] and "mailto:" in msg["List-Unsubscribe"]
    assert msg["Message-ID"].endswith("@outreach.invalid>")


def test_index_shows_everything_a_reviewer_needs(campaign_copy, tmp_path, config):
    folder = _preview(campaign_copy(lambda t: t.replace('url = "https://', 'url = "http://')), tmp_path / "p", config)
    page = (folder / "index.html").read_text(encoding="utf-8")
    posts = json.loads((folder / "posts.json").read_text(encoding="utf-8"))
    for needle in ("Timeline", "Europe/Copenhagen", "UTC", "Tue 12 Jan 2027 09:00", "Tue 12 Jan 2027 08:00",
                   "DIIS Research &lt;news@outreach.invalid&gt;", "Desktop, 600 px", "Mobile, 375 px",
                   "Plain-text part", "utm_source=newsletter", "Alt text: Report cover:", "/ 280 characters",
                   "non-https link: http://example.org", "Approval"):
        assert needle in page, needle
    assert [p["channel"] for p in posts][:3] == ["x", "mastodon", "bluesky"]  # (and LinkedIn, once the sample has one)
    assert len(posts[0]["parts"]) == 4
    assert posts[0]["at_utc"] == "2027-01-12T08:30:00Z"


def test_warning_for_steps_in_the_past(campaign_copy, config):
    campaign = load_campaign(campaign_copy())
    with time_machine.travel("2027-01-12T08:45:00Z", tick=False):
        warnings = [str(w) for w in check(campaign, config).warnings]
    assert sum("scheduled in the past" in w for w in warnings) == 2  # the email (08:00Z) and the X thread (08:30Z)


def test_preview_command_prints_where_to_open(cli, campaign_copy, tmp_path):
    out = tmp_path / "pv"
    result = cli("preview", campaign_copy(), "--out", out)
    assert result.code == 0, result.err
    assert f"Open {(out / 'index.html').resolve().as_uri()}" in result.out
    assert (out / "email.eml").is_file()
    assert not Path("outreach.db").exists(), "preview must not store anything"
    assert not Path("outbox").exists(), "preview must not send anything"


def test_preview_refuses_an_invalid_campaign(cli, campaign_copy, tmp_path):
    result = cli("preview", campaign_copy(lambda t: t.replace("{{ report.url }}", "{{ report.link }}", 1)), "--out", tmp_path / "pv")
    assert result.code == 1
    assert "posts[0].thread[3]" in result.err
    assert not (tmp_path / "pv").exists()


def test_posts_json_says_where_each_shortened_link_goes(tmp_path, cli):
    assert cli("preview", SAMPLE, "--out", tmp_path / "pv").code == 0
    posts = {p["channel"]: p for p in json.loads((tmp_path / "pv" / "posts.json").read_text(encoding="utf-8"))}
    [link] = posts["bluesky"]["parts"][0]["links"]
    assert link["shown"] == "example.org/PLACEHOLDER-..." and link["shown"] in posts["bluesky"]["parts"][0]["text"]
    assert link["opens"].endswith("?utm_source=bluesky&utm_medium=social&utm_campaign=soldier-defections-myanmar")
