"""Issue 11: a ``send-test`` copy has no broken link or image.

Its cover and "view in browser" link point at the web archive, which only the
real send used to fill: they answered 404 until then. ``send-test`` now
publishes the archive entry and cover, unlisted: the archive index shows it
only once the real send lists it, and a later test never changes what the real
send published. Checked against the real web app (Starlette's TestClient).
"""

from __future__ import annotations

import html
import re

import pytest
from starlette.testclient import TestClient

from outreach.campaign import load_campaign
from outreach.config import Config, TrackingConfig
from outreach.mail.send import send_email, send_test
from outreach.plan import build_plan
from outreach.store.archive import archive_entry, archived
from outreach.store.db import open_db
from outreach.web.app import create_app
from tests.mail.conftest import PUBLIC_BASE_URL
from tests.mail.test_send import FAST, subscribe

_URL_ATTR = re.compile(r"""(?:href|src|background)\s*=\s*["']([^"']+)["']""", re.I)


def urls_in(message_html: str) -> set[str]:
    """Every link and image address in the HTML part (attributes and CSS url())."""
    found = {html.unescape(u) for u in _URL_ATTR.findall(message_html)}
    found |= {u.strip("'\" ") for u in re.findall(r"url\(([^)]+)\)", message_html)}
    return {u for u in found if u.lower().startswith(("http://", "https://"))}


@pytest.fixture
def client(smtp_config: Config):
    with TestClient(create_app(smtp_config), base_url=PUBLIC_BASE_URL) as c:
        yield c


def send_a_test_copy(smtp_config: Config, smtp_server, campaign_copy) -> tuple[object, str, set[str]]:
    # the links as written (click tracking off): their wrapped form is checked in test_click_links.py
    smtp_config = smtp_config.model_copy(update={"tracking": TrackingConfig(clicks="off")})
    plan = build_plan(load_campaign(campaign_copy()), smtp_config)
    send_test(smtp_config, plan, ["checker@example.org"])
    [delivery] = smtp_server.deliveries
    body = delivery.message.get_body(("html",)).get_content()
    return plan, body, urls_in(body)


def test_every_link_and_image_of_a_test_copy_works_before_the_real_send(smtp_config, smtp_server, campaign_copy, client):
    plan, body, urls = send_a_test_copy(smtp_config, smtp_server, campaign_copy)
    ours = {u for u in urls if u.startswith(PUBLIC_BASE_URL + "/")}
    elsewhere = urls - ours
    [view] = [u for u in ours if u.startswith(f"{PUBLIC_BASE_URL}/archive/{plan.campaign.slug}?k=")]  # the view-in-browser link
    assert any(u.startswith(f"{PUBLIC_BASE_URL}/archive/{plan.campaign.slug}/cover.png?k=") for u in ours), "the cover image"
    assert all(u.startswith(plan.campaign.report.url) for u in elsewhere), elsewhere  # the report itself, not ours to serve
    unsubscribe = {u for u in ours if "/u/" in u}
    assert len(unsubscribe) == 1
    for url in sorted(ours - unsubscribe):
        response = client.get(url[len(PUBLIC_BASE_URL):])
        assert response.status_code == 200, (url, response.status_code)
        if ".png?" in url:
            assert response.headers["content-type"] == "image/png" and response.content.startswith(b"\x89PNG")
    # the published page the "view in browser" link opens: its own links work too (its unsubscribe
    # link, with nobody's token in it, leads to the page that says how to unsubscribe)
    page = client.get(view[len(PUBLIC_BASE_URL):]).text
    page_links = {u for u in urls_in(page) if u.startswith(PUBLIC_BASE_URL + "/")}
    assert f"{PUBLIC_BASE_URL}/unsubscribe" in page_links
    for url in sorted(page_links):
        assert client.get(url[len(PUBLIC_BASE_URL):]).status_code == 200, url
    # its unsubscribe link names nobody: following it (or a one-click POST) changes nothing
    [link] = unsubscribe
    assert client.get(link[len(PUBLIC_BASE_URL):]).status_code < 500
    assert client.post(link[len(PUBLIC_BASE_URL):], data={"List-Unsubscribe": "One-Click"}).status_code < 500


def test_the_test_copys_unsubscribe_link_says_it_is_a_test_copy(smtp_config, smtp_server, campaign_copy, client):
    _, body, urls = send_a_test_copy(smtp_config, smtp_server, campaign_copy)
    [link] = [u for u in urls if "/u/" in u]
    for response in (client.get(link[len(PUBLIC_BASE_URL):]), client.post(link[len(PUBLIC_BASE_URL):], data={"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 200
        assert "test copy" in response.text.lower()


def test_a_test_publishes_unlisted_and_the_real_send_lists_it(smtp_config, smtp_server, campaign_copy, client, tmp_path):
    engine = open_db(smtp_config)
    plan, _, _ = send_a_test_copy(smtp_config, smtp_server, campaign_copy)
    slug = plan.campaign.slug
    assert archive_entry(engine, slug) is not None and archived(engine) == []
    assert slug not in client.get("/archive/").text, "the archive index does not show a campaign before it is sent"
    subscribe(smtp_config, tmp_path, 2)
    send_email(smtp_config, plan, **FAST)
    assert [e["campaign"] for e in archived(engine)] == [slug]
    assert f"/archive/{slug}" in client.get("/archive/").text


def test_a_later_test_leaves_the_published_entry_as_sent(smtp_config, smtp_server, campaign_copy, tmp_path):
    engine = open_db(smtp_config)
    path = campaign_copy()
    subscribe(smtp_config, tmp_path, 1)
    send_email(smtp_config, build_plan(load_campaign(path), smtp_config), **FAST)
    sent = archive_entry(engine, "soldier-defections-myanmar")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('subject = "', 'subject = "Edited after the send: ', 1), encoding="utf-8")
    edited = build_plan(load_campaign(path), smtp_config)
    assert edited.email.subject.startswith("Edited after the send")
    send_test(smtp_config, edited, ["checker@example.org"])
    assert archive_entry(engine, "soldier-defections-myanmar") == sent
    assert len(archived(engine)) == 1


def test_a_test_after_an_edit_refreshes_the_unlisted_entry(smtp_config, smtp_server, campaign_copy):
    engine = open_db(smtp_config)
    path = campaign_copy()
    send_test(smtp_config, build_plan(load_campaign(path), smtp_config), ["checker@example.org"])
    path.write_text(path.read_text(encoding="utf-8").replace('subject = "', 'subject = "Second draft: ', 1), encoding="utf-8")
    send_test(smtp_config, build_plan(load_campaign(path), smtp_config), ["checker@example.org"])
    entry = archive_entry(engine, "soldier-defections-myanmar")
    assert entry is not None and entry["subject"].startswith("Second draft: ") and not entry["listed"]


def test_a_test_copys_page_stays_out_of_search_engines_until_the_real_send(smtp_config, smtp_server, campaign_copy, client, tmp_path):
    plan, _, urls = send_a_test_copy(smtp_config, smtp_server, campaign_copy)
    page = f"/archive/{plan.campaign.slug}"
    [view] = [u for u in urls if u.startswith(f"{PUBLIC_BASE_URL}{page}?k=")]
    before = client.get(view[len(PUBLIC_BASE_URL):])
    assert before.status_code == 200 and before.headers["x-robots-tag"] == "noindex, nofollow"
    assert before.headers["cache-control"] == "private, no-store"
    subscribe(smtp_config, tmp_path, 1)
    send_email(smtp_config, plan, **FAST)
    after = client.get(page)
    assert "x-robots-tag" not in after.headers and after.headers["cache-control"].startswith("public")


@pytest.mark.parametrize("key", [None, "", "AAAAAAAAAAAAAAAAAAAAAA", "wrong-key"])
def test_before_the_real_send_the_page_and_cover_open_only_with_the_test_copys_key(smtp_config, smtp_server, campaign_copy, client, tmp_path, key):
    """A report under embargo cannot be read by guessing its archive address after a test send."""
    plan, _, urls = send_a_test_copy(smtp_config, smtp_server, campaign_copy)
    page = f"/archive/{plan.campaign.slug}"
    query = "" if key is None else f"?k={key}"
    for path in (page, f"{page}/cover.png"):
        assert client.get(path + query).status_code == 404, path + query
    other = build_plan(load_campaign(campaign_copy(name="another-report.toml")), smtp_config)
    send_test(smtp_config, other, ["checker@example.org"])  # published unlisted too, under its own key
    assert archive_entry(open_db(smtp_config), other.campaign.slug) is not None
    [keyed] = [u for u in urls if u.startswith(f"{PUBLIC_BASE_URL}{page}?k=")]
    assert client.get(f"/archive/{other.campaign.slug}?k={keyed.split('?k=')[1]}").status_code == 404, "a key opens one campaign only"
    subscribe(smtp_config, tmp_path, 1)
    send_email(smtp_config, plan, **FAST)
    for path in (page, f"{page}/cover.png"):
        assert client.get(path).status_code == 200, "the real send publishes it for everyone"
