"""In headless Chromium: a reader opens "Manage your subscription" from the email in their outbox, changes topics, saves."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from sqlalchemy import select

from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.profile import topics_of
from outreach.store.schema import audit, subscribers
from outreach.store.subscribers import import_csv
from tests.render.browser_checks import chromium_browser

pytestmark = pytest.mark.browser


def _link_in_outbox(config, slug: str, address: str) -> str:
    for eml in sorted((config.outbox / "email" / slug).glob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        if message["To"].addresses[0].addr_spec == address:
            return re.search(r"Manage your subscription: (\S+)", next(message.iter_parts()).get_content()).group(1)
    raise AssertionError(f"no mail to {address}")


def test_a_reader_changes_topics_in_a_browser(live, tmp_path, campaign_copy):
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n", encoding="utf-8")
    import_csv(open_db(live.config), csv_file, "research")
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    assert send_email(live.config, plan).ledger["sent"] == 2
    link = _link_in_outbox(live.config, plan.campaign.slug, "bob@example.org")
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(link)
        assert page.inner_text("h1") == "Manage your subscription"
        page.get_by_label("Asia").check()
        page.get_by_label("Defence and security").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save topics").click()
        assert page.inner_text("h1") == "Manage your subscription", page.inner_text("main")
        assert "Your topics are saved." in page.inner_text("[role=status]")
        assert page.get_by_label("Asia").is_checked() and not page.get_by_label("Europe").is_checked()
        page.screenshot(path=str(tmp_path / "preferences.png"), full_page=True)
        page.get_by_label("Asia").uncheck()
        with page.expect_navigation():
            page.get_by_role("button", name="Save topics").click()
        assert not page.get_by_label("Asia").is_checked()
    engine = open_db(live.config)
    with engine.connect() as conn:
        bob = conn.execute(select(subscribers.c.id).where(subscribers.c.email == "bob@example.org")).scalar_one()
        ann = conn.execute(select(subscribers.c.id).where(subscribers.c.email == "ann@example.org")).scalar_one()
        assert topics_of(conn, bob) == ["defence"] and topics_of(conn, ann) == []
        sources = conn.execute(select(audit.c.source).where(audit.c.action == "topics changed", audit.c.email == "bob@example.org")).scalars().all()
    assert sources == ["preferences", "preferences"], "a real browser's POST passes the Origin check"
