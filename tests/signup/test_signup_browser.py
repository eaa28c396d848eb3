"""In headless Chromium: a reader ticks topics on the sign-up form, confirms from the mail, and follows them.

The honeypot field is off-screen and out of the tab order, so a person (and the browser's
autofill) leaves it empty and the sign-up goes through.
"""

from __future__ import annotations

import pytest

from tests.render.browser_checks import chromium_browser
from tests.signup.conftest import confirmation_links
from tests.signup.test_signup_web import _person

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)]


def test_a_reader_picks_topics_in_a_browser_and_follows_them_once_confirmed(serve):
    site = serve()
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(f"{site.url}/subscribe?list=events")
        trap = page.locator("#website").bounding_box()
        assert trap is not None and trap["x"] + trap["width"] <= 0, "the trap is off-screen"
        page.get_by_label("Email address").fill("ann.reader@example.org")
        page.locator(f"#topic-{list(site.config.topics)[-1]}").press("Tab")  # from the last topic, Tab skips the trap
        assert page.evaluate("document.activeElement.tagName") == "BUTTON"
        page.get_by_label("Asia").check()
        page.get_by_label("Peace and conflict").check()
        page.get_by_role("button", name="Subscribe").click()
        page.wait_for_load_state()
        assert page.inner_text("h1") == "Check your inbox"
        (link,) = confirmation_links(site.config.outbox, 1)
        page.goto(site.url + link)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        assert page.inner_text("h1") == "You are subscribed" and "DIIS events" in page.inner_text("body")
    _, (given,), topics = _person(site.config)
    assert topics == ["asia", "peace"] and given.list_name == "events"
    assert given.evidence.ip == "127.0.0.1" and "Chrome" in (given.evidence.user_agent or "")
