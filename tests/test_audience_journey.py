"""The audience done-when, end to end: segments, a reader's own choices in a real browser, and the next campaign.

Subscribers arrive by every path (a CSV import, the sign-up form with its confirmation,
the preference centre), a campaign goes to the readers of Asia, one reader moves from
Asia to Climate in headless Chromium from the "Manage your subscription" link in her
email, and the next campaigns follow her choice. Every path leaves a consent record.
"""

from __future__ import annotations

import email
import email.policy
import re

import httpx
import pytest

from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.consent import ConsentMethod, iter_records
from outreach.store.db import open_db
from outreach.store.importer import import_csv
from tests.render.browser_checks import chromium_browser
from tests.signup.conftest import confirmation_links, serve  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

SEGMENT = 'audience = {{ list = "research", topics = {{ any = [{topics}] }} }}'


def _campaign(campaign_copy, slug: str, topics: str):  # type: ignore[no-untyped-def]
    return campaign_copy(lambda t: t.replace('list = "research"', SEGMENT.format(topics=topics)), name=f"{slug}.toml")


def _recipients(config, slug: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Address -> the "Manage your subscription" link, for every message of the campaign in the outbox."""
    found = {}
    for eml in sorted((config.outbox / "email" / slug).glob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        text = next(message.iter_parts()).get_content()
        found[message["To"].addresses[0].addr_spec] = re.search(r"Manage your subscription: (\S+)", text).group(1)
    return found


def _send(config, path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    plan = build_plan(load_campaign(path), config)
    send_email(config, plan)
    return _recipients(config, plan.campaign.slug)


def _sign_up(site, address: str, topic: str) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=site.url, timeout=20) as client:
        answer = client.post("/subscribe", data={"email": address, "list": "research", "topics": topic})
        assert answer.status_code == 200, answer.text
        (link,) = confirmation_links(site.config.outbox, 1)
        assert client.post(link).status_code == 200


def test_a_reader_moves_from_asia_to_climate_and_the_next_campaigns_follow(serve, campaign_copy, tmp_path):  # noqa: F811
    site = serve(truncate_ip=True)
    config, engine = site.config, open_db(site.config)
    people = tmp_path / "people.csv"
    people.write_text("email,name,topics\nann@example.org,Ann,Asia\nbob@example.org,Bob,asia;peace\ncat@example.org,Cat,climate\n", encoding="utf-8")
    assert not import_csv(engine, people, "research", config=config, basis="event sign-up sheets, 2026").rejected
    (tmp_path / "events.csv").write_text("email,topics\ndan@example.org,asia\n", encoding="utf-8")
    import_csv(engine, tmp_path / "events.csv", "events", config=config, basis="event guests who asked for news")
    _sign_up(site, "eve@example.org", "climate")

    first = _send(config, _campaign(campaign_copy, "asia-first", '"asia"'))
    assert sorted(first) == ["ann@example.org", "bob@example.org"], "only research readers of Asia, not dan on events"

    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 900})
        page.goto(first["ann@example.org"])
        page.get_by_label("Asia").uncheck()
        page.get_by_label("Climate and development").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save topics").click()
        assert "Your topics are saved." in page.inner_text("[role=status]")
        page.get_by_label("DIIS events").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save newsletters").click()
        assert page.get_by_label("DIIS events").is_checked()

    assert sorted(_send(config, _campaign(campaign_copy, "asia-second", '"asia"'))) == ["bob@example.org"]
    assert sorted(_send(config, _campaign(campaign_copy, "climate", '"climate"'))) == ["ann@example.org", "cat@example.org", "eve@example.org"]

    records = {(address, r.list_name, r.method) for address, r in iter_records(engine)}
    assert {("ann@example.org", "research", ConsentMethod.IMPORT), ("dan@example.org", "events", ConsentMethod.IMPORT),
            ("eve@example.org", "research", ConsentMethod.DOUBLE_OPT_IN), ("ann@example.org", "events", ConsentMethod.PREFERENCES)} <= records
    evidence = {(a, r.method): r.evidence for a, r in iter_records(engine)}
    assert evidence[("eve@example.org", ConsentMethod.DOUBLE_OPT_IN)].ip == "127.0.0.0", "the confirmation's address, truncated"
    assert evidence[("ann@example.org", ConsentMethod.PREFERENCES)].user_agent, "the browser that joined the list"
    assert evidence[("ann@example.org", ConsentMethod.IMPORT)].basis == "event sign-up sheets, 2026"
