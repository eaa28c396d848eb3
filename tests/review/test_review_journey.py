"""The issue's done-when, end to end: two reviewers approve in Chromium from their mailed links, the campaign is
scheduled, someone edits a post, the second reviewer's page shows the word-level diff, dispatch is refused with the
diff named, and after both approve again it runs. Both databases.

Everything is real: ``outreach review`` mails the links (to the outbox: no SMTP), uvicorn serves the app on loopback,
Debian's Chromium (through Playwright) opens each link from its mail and presses the buttons, and the schedule and the
send are the real commands against the same database.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from outreach.config import load_config
from tests.render.browser_checks import chromium_browser
from tests.review.conftest import ReviewServer
from tests.web.conftest import free_port

pytestmark = pytest.mark.slow

ANN = "Ann Analyst <ann@example.org>"
BOB = "Bob Board <bob@example.org>"
OLD_WORDS = "drawing on defectors’ own voices"
NEW_WORDS = "drawing on interviews with defectors"


def _config_file(tmp_path: Path, database: str, port: int) -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text(
        f'database = "{database}"\noutbox = "{tmp_path / "outbox"}"\n'
        f'[web]\nhost = "127.0.0.1"\nport = {port}\nbase_url = "http://127.0.0.1:{port}"\n'
        '[review]\napprovals_required = 2\nowner = "Olive Owner <olive@example.org>"\n',
        encoding="utf-8")
    return path


def _links_from_outbox(outbox: Path) -> dict[str, str]:
    """Each review mail's recipient and the review link in its body."""
    found = {}
    for path in sorted((outbox / "email").rglob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",)).get_content()
        match = re.search(r"http://127\.0\.0\.1:\d+/review/[A-Za-z0-9_.-]+", body)
        if match:
            found[email.utils.parseaddr(str(msg["To"]))[1]] = match.group(0)
    return found


def _approve_in_browser(browser, url: str, expect_diff: tuple[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.goto(url)
    frame = page.frame_locator("iframe").first
    assert "Soldier Defections in Myanmar" in frame.locator("body").inner_text(), "the review page shows the preview"
    if expect_diff is not None:
        removed, added = expect_diff
        assert removed in page.locator("del").all_inner_texts() and added in page.locator("ins").all_inner_texts(), page.content()
    with page.expect_navigation():  # the POST answers 303 back to the page: wait for that load, not the old page's
        page.get_by_role("button", name=re.compile(r"^Approve")).click()
    assert "You approved this version" in page.locator("body").inner_text()
    assert not failed, failed
    assert not [e for e in errors if "404" not in e or failed], errors  # a 404 is the browser's own favicon.ico
    page.close()


def test_two_reviewers_approve_an_edit_voids_it_and_they_approve_again(db_config, cli, campaign_copy, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OUTREACH_SECRET", "journey-key")
    port = free_port()
    config_path = _config_file(tmp_path, db_config.database, port)
    campaign = campaign_copy()
    people = tmp_path / "people.csv"
    people.write_text("email\nreader@example.org\n", encoding="utf-8")
    assert cli("--config", config_path, "subscribers", "import", people, "--list", "research", "--consent", "journey").code == 0

    asked = cli("--config", config_path, "review", campaign, "--reviewer", ANN, "--reviewer", BOB)
    assert asked.code == 0, asked.err
    links = _links_from_outbox(tmp_path / "outbox")
    assert set(links) == {"ann@example.org", "bob@example.org"}, links

    server = ReviewServer(load_config(config_path)).__enter__()
    try:
        with chromium_browser() as browser:
            refused = cli("--config", config_path, "schedule", campaign)
            assert refused.code == 1 and "waiting on Ann Analyst, Bob Board" in refused.err, refused.err
            _approve_in_browser(browser, links["ann@example.org"])
            assert cli("--config", config_path, "schedule", campaign).code == 1, "one of two approvals is not enough"
            _approve_in_browser(browser, links["bob@example.org"])
            scheduled = cli("--config", config_path, "schedule", campaign)
            assert scheduled.code == 0, scheduled.err

            campaign.write_text(campaign.read_text(encoding="utf-8").replace(OLD_WORDS, NEW_WORDS, 1), encoding="utf-8")
            refused = cli("--config", config_path, "send", campaign, "--now")
            assert refused.code == 1
            assert "changed since approval" in refused.err and "posts[2]" in refused.err
            assert "{+interviews with +}defectors[-’ own voices-]" in refused.err, refused.err
            assert not (tmp_path / "outbox" / "email" / "soldier-defections-myanmar").exists(), "nothing was sent"
            status = cli("--config", config_path, "status", campaign)
            assert status.code == 0 and "2 more approvals" in status.out, status.out

            _approve_in_browser(browser, links["bob@example.org"], expect_diff=("’ own voices", "interviews with "))
            assert cli("--config", config_path, "send", campaign, "--now").code == 1, "Ann has not approved the edit"
            _approve_in_browser(browser, links["ann@example.org"], expect_diff=("’ own voices", "interviews with "))
    finally:
        server.__exit__(None, None, None)
    sent = cli("--config", config_path, "send", campaign, "--now")
    assert sent.code == 0, sent.err
    assert len(list((tmp_path / "outbox" / "email" / "soldier-defections-myanmar").glob("*.eml"))) == 1
