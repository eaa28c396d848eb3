"""Approval: dispatch refuses an unapproved campaign or one that changed since approval."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import replace_once


def _subscribe(cli, tmp_path):
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email\nann@example.org\n", encoding="utf-8")
    assert cli("subscribers", "import", csv_file, "--list", "research", "--consent", "test subscribers").code == 0


def test_send_refuses_until_approved_then_sends_to_outbox(cli, campaign_copy, tmp_path):
    path = campaign_copy()
    _subscribe(cli, tmp_path)
    refused = cli("send", path, "--now")
    assert refused.code == 1
    assert "is not approved" in refused.err and "outreach approve soldier-defections-myanmar --by NAME" in refused.err
    approved = cli("approve", path, "--by", "Jane Doe")
    assert approved.code == 0 and "approved by Jane Doe" in approved.out
    sent = cli("send", path, "--now")
    assert sent.code == 0, sent.err
    assert len(list(Path("outbox/email/soldier-defections-myanmar").glob("*.eml"))) == 1


def test_edit_after_approval_names_what_changed(cli, campaign_copy, tmp_path):
    path = campaign_copy()
    _subscribe(cli, tmp_path)
    assert cli("approve", path, "--by", "Jane Doe").code == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("New DIIS report: why", "NEW DIIS report: why").replace("Why do most stay?", "Why do many stay?"), encoding="utf-8")
    refused = cli("send", path, "--now")
    assert refused.code == 1
    assert "changed since approval by Jane Doe at" in refused.err
    assert "email subject" in refused.err and "posts[0]" in refused.err and "posts[1]" not in refused.err


def test_send_before_due_needs_now(cli, campaign_copy, tmp_path):
    path = campaign_copy()
    _subscribe(cli, tmp_path)
    cli("approve", path, "--by", "J")
    result = cli("send", path)
    assert result.code == 1
    assert "email is due 2027-01-12 09:00 Europe/Copenhagen; use --now" in result.err


def test_preview_shows_the_approval_state(cli, campaign_copy, tmp_path):
    path = campaign_copy()
    cli("approve", path, "--by", "Jane Doe")
    cli("preview", path, "--out", tmp_path / "p")
    assert "approved by Jane Doe at" in (tmp_path / "p" / "index.html").read_text(encoding="utf-8")
    edited = campaign_copy(replace_once("Why do most stay?", "Why do many stay?"))
    cli("preview", edited, "--out", tmp_path / "q")
    assert "changed since approval by Jane Doe" in (tmp_path / "q" / "index.html").read_text(encoding="utf-8")


def test_approval_can_be_turned_off(cli, campaign_copy, tmp_path):
    Path("outreach.toml").write_text("require_approval = false\n", encoding="utf-8")
    path = campaign_copy()
    _subscribe(cli, tmp_path)
    assert cli("send", path, "--now").code == 0
