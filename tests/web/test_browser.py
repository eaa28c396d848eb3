"""In headless Chromium: open an unsubscribe link, click the button, see the confirmation; the next send skips the address."""

from __future__ import annotations

import shutil

import pytest

from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.subscribers import import_csv
from outreach.tokens import make_token
from tests.helpers import keyring, subscriber_key
from tests.conftest import CHROMIUM_FLAGS, playwright_sync, require

pytestmark = pytest.mark.browser


def test_unsubscribe_by_clicking_in_a_browser(live, tmp_path, campaign_copy):
    exe = shutil.which("chromium")
    if exe is None:
        require("chromium", "install Debian's chromium package")
    playwright = playwright_sync()
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n", encoding="utf-8")
    import_csv(open_db(live.config), csv_file, "research")
    link = f"{live.url}/u/{make_token(keyring(b'web-test-key'), 'unsubscribe', subscriber_key(live.config, 1), 'research')}"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        for width in (1280, 375):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto(link)
            assert "Unsubscribe from DIIS research newsletter?" in page.inner_text("h1")
            page.screenshot(path=str(tmp_path / f"unsubscribe-{width}.png"))
            if width == 1280:
                page.get_by_role("button", name="Unsubscribe").click()
                page.wait_for_load_state()
                assert page.inner_text("h1") == "You are unsubscribed"
                assert page.get_by_role("button", name="Resubscribe").is_visible()
                page.screenshot(path=str(tmp_path / "unsubscribed.png"))
        browser.close()
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    result = send_email(live.config, plan)
    assert result.ledger["sent"] == 1
    sent = list((live.config.outbox / "email" / plan.campaign.slug).glob("*.eml"))
    assert [f.name for f in sent] == ["000000002.eml"]
