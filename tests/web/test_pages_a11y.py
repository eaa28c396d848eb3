"""The public pages in Chromium, light and dark: axe-core finds nothing serious; headings stay headings.

Result pages announce their outcome in a ``role="status"`` paragraph: a status
role on the ``<h1>`` would take the heading out of the heading outline that
screen-reader users navigate by. The archived copies' footer "Unsubscribe"
link has to lead somewhere that tells a reader how to unsubscribe.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.render.environment import packaged_templates, template_env
from outreach.store.db import open_db
from outreach.review.current import Current
from outreach.review.pieces import RenderedPieces
from outreach.store.preferences import Settings
from outreach.store.reviews import ReviewerLink, StoredVersion
from outreach.store.subscribers import import_csv
from outreach.tokens import make_token
from outreach.web.review import View
from tests.helpers import keyring, subscriber_key
from tests.render.browser_checks import SCHEMES, axe_script, axe_violations, chromium_browser

_WHEN = datetime(2026, 11, 27, tzinfo=timezone.utc)
RESULT_PAGES = ("check_inbox", "confirmed", "resubscribed", "slow_down", "test_copy", "unsubscribed",
                "preferences_sent", "preferences_slow_down", "preferences_test_copy")
CONTEXT = {"list_title": "Research", "token": "T", "address": "a***@example.org", "already": False, "blocked": False,
           "lists": {}, "chosen": "", "entries": [], "error": "", "base_url": "https://news.example.org", "contact": "news@example.org",
           # the preference page's
           "settings": Settings(1, "a@example.org", "a@example.org", "Ann", ("asia",), None, {"research": "active"}, False),
           "form_key": "1.K", "notice": "Saved.", "topics": {"asia": "Asia"}, "picked": [], "pause_days": [30],
           # the review page's
           "link": ReviewerLink(1, 1, "c", "Ada", "ada@example.org", "k", _WHEN, _WHEN, None),
           "current": Current(StoredVersion(1, "c", "0" * 64, {}, RenderedPieces(), None, _WHEN), None, "Title"),
           "view": View((), "1 more approval", False, None, None, None, ("index.html",)), "comment": "", "max_comment": 4000}


class _Roles(HTMLParser):
    """Each element's tag and role, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs).get("role")))


def _roles(html: str) -> list[tuple[str, str | None]]:
    parser = _Roles()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("blocked", [False, True])
def test_every_page_keeps_one_h1_and_result_pages_have_a_separate_status(blocked):
    env = template_env(None)
    names = sorted(p.name.removesuffix(".html.j2") for p in (packaged_templates() / "web").glob("*.html.j2") if p.name != "base.html.j2")
    assert set(RESULT_PAGES) <= set(names)
    for name in names:
        found = _roles(env.get_template(f"web/{name}.html.j2").render(**{**CONTEXT, "blocked": blocked}))
        headings = [(tag, role) for tag, role in found if tag == "h1"]
        assert headings == [("h1", None)], f"{name}: {headings}"
        if name in RESULT_PAGES:
            assert ("p", "status") in found, f"{name} has no status message"


def _confirmation_link(outbox: Path, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while not (files := sorted((outbox / "email" / "confirmations").glob("*.eml"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert files, "no confirmation mail"
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    return re.search(r"(/confirm/\S+)", message.get_body(("plain",)).get_content()).group(1)


def _footer_unsubscribe_href(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_role("link", name="Unsubscribe", exact=True).get_attribute("href")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_serious_on_any_page(live, tmp_path, campaign_copy, scheme):
    axe_script()
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email,name\nann@example.org,Ann\n", encoding="utf-8")
    import_csv(open_db(live.config), csv_file, "research")
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    send_email(live.config, plan)
    token = make_token(keyring(b"web-test-key"), "unsubscribe", subscriber_key(live.config, 1), "research")
    problems: dict[str, list[str]] = {}
    with chromium_browser() as browser:
        page = browser.new_page(color_scheme=scheme, bypass_csp=True)  # the pages forbid scripts; axe is one

        def check(name: str, heading: str) -> None:
            page.wait_for_load_state()
            assert heading in page.get_by_role("heading", level=1).inner_text(), name
            problems[name] = axe_violations(page)

        page.goto(f"{live.url}/u/{token}")
        check("unsubscribe", "Unsubscribe from")
        page.get_by_role("button", name="Unsubscribe").click()
        check("unsubscribed", "You are unsubscribed")
        assert page.get_by_role("status").inner_text().startswith("You will get no more emails")
        page.get_by_role("button", name="Resubscribe").click()
        check("resubscribed", "subscribed again")
        page.goto(f"{live.url}/subscribe")
        check("subscribe", "Subscribe")
        page.fill("#email", "not-an-address")
        page.eval_on_selector("form", "f => { f.noValidate = true; }")
        page.get_by_role("button", name="Subscribe").click()
        check("subscribe with an error", "Subscribe")
        assert "does not look like an email address" in page.get_by_role("alert").inner_text()
        page.fill("#email", "new.reader@example.org")
        page.get_by_role("button", name="Subscribe").click()
        check("check_inbox", "Check your inbox")
        page.goto(live.url + _confirmation_link(live.config.outbox))
        check("confirm", "Confirm your subscription")
        page.get_by_role("button", name="Confirm").click()
        check("confirmed", "You are subscribed")
        page.goto(f"{live.url}/archive/")
        check("archive index", "Newsletter archive")
        page.goto(f"{live.url}/archive/{plan.campaign.slug}")
        check("archive page", "Defecting soldiers")
        page.goto(f"{live.url}/unsubscribe")
        check("how to unsubscribe", "How to unsubscribe")
        page.goto(f"{live.url}/u/test-copy")
        check("test copy", "This is a test copy")
        page.goto(f"{live.url}/u/not-a-token-at-all-000000")
        check("invalid", "This link does not work")
        page.goto(f"{live.url}/no-such-page")
        check("not_found", "Not found")
    bad = {name: lines for name, lines in problems.items() if lines}
    assert len(problems) == 14 and not bad, f"axe-core in {scheme} mode:\n" + "\n".join(f"{n}: {line}" for n, lines in bad.items() for line in lines)


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_how_to_unsubscribe_page_needs_no_token(live):
    page = httpx.get(f"{live.url}/unsubscribe")
    assert page.status_code == 200
    assert "How to unsubscribe" in page.text and "use the link at its bottom" in page.text
    assert f'href="mailto:{live.config.email.sender_address}"' in page.text
    assert '<a href="/unsubscribe">How to unsubscribe</a>' in httpx.get(f"{live.url}/archive/").text


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_archived_copy_footer_unsubscribe_leads_to_the_help_page(live, tmp_path, campaign_copy):
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email,name\nann@example.org,Ann\n", encoding="utf-8")
    import_csv(open_db(live.config), csv_file, "research")
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    send_email(live.config, plan)
    archived = httpx.get(f"{live.url}/archive/{plan.campaign.slug}").text
    hrefs = re.findall(r'<a href="([^"]+)">Unsubscribe</a>', archived)
    assert hrefs == [f"{live.url}/unsubscribe"], hrefs
    assert "How to unsubscribe" in httpx.get(hrefs[0]).text
