"""The preference centre over real HTTP, on SQLite and PostgreSQL: every change, its audit and consent, and its guards."""

from __future__ import annotations

import email
import email.policy
import html
import re
import time
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from outreach.config import ListConfig, PrivacyConfig
from outreach.store.consent import ConsentMethod, records_of
from outreach.store.db import now, open_db
from outreach.store.profile import topics_of
from outreach.store.schema import audit, memberships, outgoing_mail, subscribers, suppressions
from outreach.store.subscribers import import_csv
from outreach.tokens import make_form_key, make_token
from tests.helpers import keyring, subscriber_key

KEYS = keyring(b"web-test-key")
TWO_LISTS = {"research": ListConfig(title="DIIS research newsletter"), "events": ListConfig(title="Events and seminars")}


def people(config, tmp_path) -> None:
    """ann (row 1) and bob (row 2) on research."""
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n", encoding="utf-8")
    import_csv(open_db(config), csv_file, "research")


def link_token(config, sid: int = 1, purpose: str = "preferences", list_name: str = "research") -> str:
    return make_token(KEYS, purpose, subscriber_key(config, sid), list_name)


def form_key_of(page: str) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', page).group(1)


class Reader:
    """A browser-like client on one preference page: it reads the form key from the page and sends its Origin."""

    def __init__(self, server, sid: int = 1) -> None:
        self.server = server
        self.token = link_token(server.config, sid)
        self.url = f"{server.url}/p/{self.token}"

    def page(self) -> httpx.Response:
        return httpx.get(self.url)

    def post(self, action: str, data: dict | list, **headers: str) -> httpx.Response:
        key = form_key_of(self.page().text)
        items = list(data.items()) if isinstance(data, dict) else list(data)
        return httpx.post(f"{self.url}/{action}", content=urlencode([("form_key", key), *items]),
                          headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": self.server.url,
                                   "Sec-Fetch-Site": "same-origin", **headers})


def audit_rows(config) -> list[tuple]:
    with open_db(config).connect() as conn:
        return [(r.action, r.email, r.list, r.source) for r in conn.execute(select(audit).order_by(audit.c.id))]


def row_of(config, sid: int = 1):
    with open_db(config).connect() as conn:
        return conn.execute(select(subscribers).where(subscribers.c.id == sid)).one()


def status_of(config, sid: int, list_name: str) -> str | None:
    with open_db(config).connect() as conn:
        return conn.execute(select(memberships.c.status).where(memberships.c.subscriber_id == sid, memberships.c.list == list_name)).scalar_one_or_none()


def test_the_page_shows_everything_and_a_get_changes_nothing(live, tmp_path):
    people(live.config, tmp_path)
    before = audit_rows(live.config)
    page = Reader(live).page()
    assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
    assert "a***@example.org" in page.text and "ann@example.org" not in page.text
    for label in ("DIIS research newsletter", "Asia", "Peace and conflict", "Climate and development", "Pause for 30 days",
                  "Pause for 90 days", "Unsubscribe from everything", 'value="Ann"'):
        assert label in page.text, label
    assert page.text.count('name="form_key"') == 5, "every form carries the key"
    assert audit_rows(live.config) == before


def test_topics_are_saved_exactly_and_audited(live, tmp_path):
    people(live.config, tmp_path)
    reader = Reader(live)
    done = reader.post("topics", [("topic", "asia"), ("topic", "peace")])
    assert done.status_code == 200 and "Your topics are saved." in done.text
    with open_db(live.config).connect() as conn:
        assert topics_of(conn, 1) == ["asia", "peace"] and topics_of(conn, 2) == []
    assert reader.post("topics", [("topic", "peace")]).status_code == 200
    with open_db(live.config).connect() as conn:
        assert topics_of(conn, 1) == ["peace"]
        details = [r.detail for r in conn.execute(select(audit).where(audit.c.action == "topics changed", audit.c.source == "preferences"))]
    assert details == ["added asia, peace", "removed asia"]
    assert 'value="peace" checked' in reader.page().text


def test_an_unknown_topic_changes_nothing(live, tmp_path):
    people(live.config, tmp_path)
    reader = Reader(live)
    assert reader.post("topics", [("topic", "asia"), ("topic", "nonsense")]).status_code == 400
    with open_db(live.config).connect() as conn:
        assert topics_of(conn, 1) == []


def test_joining_is_a_consent_record_and_leaving_withdraws_and_suppresses(live_with, tmp_path):
    server = live_with(lists=TWO_LISTS, privacy=PrivacyConfig(truncate_ip=True))
    people(server.config, tmp_path)
    reader = Reader(server)
    page = reader.page().text
    assert "Events and seminars" in page and 'value="research" checked' in page and 'value="events" checked' not in page
    joined = reader.post("lists", [("list", "research"), ("list", "events")], **{"User-Agent": "Reader/1.0 (test)"})
    assert joined.status_code == 200 and "Your lists are saved." in joined.text
    assert status_of(server.config, 1, "events") == "active"
    with open_db(server.config).connect() as conn:
        record = [r for r in records_of(conn, 1) if r.list_name == "events"]
    assert len(record) == 1 and record[0].method == ConsentMethod.PREFERENCES
    assert record[0].evidence.ip == "127.0.0.0", "truncate_ip keeps the /24 only"
    assert record[0].evidence.user_agent == "Reader/1.0 (test)" and record[0].evidence.form_version.startswith("sha256:")
    left = reader.post("lists", [("list", "events")])
    assert left.status_code == 200 and status_of(server.config, 1, "research") == "unsubscribed"
    with open_db(server.config).connect() as conn:
        assert conn.execute(select(suppressions.c.reason).where(suppressions.c.email == "ann@example.org",
                                                                suppressions.c.list == "research")).scalar_one() == "unsubscribed"
        research = [r for r in records_of(conn, 1) if r.list_name == "research"]
    assert research and all(r.withdrawn_at is not None and r.withdrawn_by == "preferences" for r in research), "kept, and withdrawn"
    assert ("unsubscribed", "ann@example.org", "research", "preferences") in audit_rows(server.config)
    assert ("subscribed", "ann@example.org", "events", "preferences") in audit_rows(server.config)
    # joining again lifts the unsubscribe: a new, explicit opt-in with its own record
    assert reader.post("lists", [("list", "research"), ("list", "events")]).status_code == 200
    assert status_of(server.config, 1, "research") == "active"
    with open_db(server.config).connect() as conn:
        assert conn.execute(select(suppressions).where(suppressions.c.email == "ann@example.org")).first() is None
        assert [r.method for r in records_of(conn, 1) if r.list_name == "research"][-1] == ConsentMethod.PREFERENCES


def test_a_sign_up_waiting_for_confirmation_is_not_pre_ticked_and_saving_leaves_it_waiting(live_with, tmp_path):
    """A stranger signed ann up for events; her page must not tick it for her (a pre-ticked box is no consent)."""
    from outreach.store.membership import request_sign_up

    server = live_with(lists=TWO_LISTS)
    people(server.config, tmp_path)
    request_sign_up(open_db(server.config), "ann@example.org", None, "events")
    reader = Reader(server)
    page = reader.page().text
    assert 'value="events" checked' not in page and "waits for confirmation" in page
    assert reader.post("lists", [("list", "research")]).status_code == 200
    assert status_of(server.config, 1, "events") == "pending"
    with open_db(server.config).connect() as conn:
        assert not [r for r in records_of(conn, 1) if r.list_name == "events" and r.given_at is not None]
        assert conn.execute(select(suppressions).where(suppressions.c.list == "events")).first() is None
    assert reader.post("lists", [("list", "research"), ("list", "events")]).status_code == 200  # her own tick: consent
    assert status_of(server.config, 1, "events") == "active"


def test_a_bounced_address_cannot_join_from_here(live_with, tmp_path):
    server = live_with(lists=TWO_LISTS)
    people(server.config, tmp_path)
    with open_db(server.config).begin() as conn:
        conn.execute(suppressions.insert(), [{"email": "ann@example.org", "list": "*", "reason": "bounced", "created_at": now()}])
    done = Reader(server).post("lists", [("list", "research"), ("list", "events")])
    assert done.status_code == 200 and "cannot be added" in done.text
    assert status_of(server.config, 1, "events") is None


def test_name_pause_resume_and_everything(live, tmp_path):
    people(live.config, tmp_path)
    reader = Reader(live)
    assert "Your name is saved." in reader.post("name", {"name": "Ann\u202e Lee\r\nBcc: x"}).text
    assert row_of(live.config).name == "Ann Lee Bcc: x", "one clean line"
    paused = reader.post("pause", {"days": "30"})
    assert "paused for 30 days" in paused.text and "Resume emails now" in paused.text
    until = row_of(live.config).paused_until
    assert timedelta(days=29, hours=23) < until - now() <= timedelta(days=30)
    assert reader.post("pause", {"days": "7"}).status_code == 400, "only the configured pauses"
    assert "resumed" in reader.post("pause", {"days": "resume"}).text and row_of(live.config).paused_until is None
    gone = reader.post("everything", {})
    assert "unsubscribed from everything" in gone.text and status_of(live.config, 1, "research") == "unsubscribed"
    with open_db(live.config).connect() as conn:
        kept = records_of(conn, 1)
    assert kept and all(r.withdrawn_by == "preferences" for r in kept), "the records stay, withdrawn"
    assert status_of(live.config, 2, "research") == "active"
    actions = [(a, s) for a, e, _, s in audit_rows(live.config) if e == "ann@example.org" and s == "preferences"]
    assert [a for a, _ in actions] == ["name changed", "paused", "resumed", "unsubscribed"]


@pytest.mark.parametrize("forgery", ["no key", "forged key", "key of another link", "expired key", "foreign origin",
                                     "null origin, cross-site fetch", "cross-site fetch", "same-site fetch"])
def test_cross_site_posts_change_nothing(live, tmp_path, forgery):
    people(live.config, tmp_path)
    reader = Reader(live)
    key = form_key_of(reader.page().text)
    headers = {"Origin": live.url}
    if forgery == "no key":
        key = ""
    elif forgery == "forged key":
        key = key.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
    elif forgery == "key of another link":
        key = make_form_key(KEYS, link_token(live.config, 2), time.time())
    elif forgery == "expired key":
        key = make_form_key(KEYS, reader.token, time.time() - 13 * 3600)
    elif forgery == "foreign origin":
        headers = {"Origin": "https://evil.example"}
    elif forgery == "null origin, cross-site fetch":
        headers = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    elif forgery == "same-site fetch":  # a sibling subdomain is another origin
        headers = {"Origin": "null", "Sec-Fetch-Site": "same-site"}
    else:
        headers = {"Sec-Fetch-Site": "cross-site"}
    before = audit_rows(live.config)
    answer = httpx.post(f"{reader.url}/topics", data={"form_key": key, "topic": "asia"}, headers=headers)
    assert answer.status_code == 403 and "Nothing was changed" in answer.text
    gone = httpx.post(f"{reader.url}/everything", data={"form_key": key}, headers=headers)
    assert gone.status_code == 403
    assert audit_rows(live.config) == before and status_of(live.config, 1, "research") == "active"
    with open_db(live.config).connect() as conn:
        assert topics_of(conn, 1) == []


def test_a_browser_post_under_no_referrer_is_accepted(live, tmp_path):
    """Under Referrer-Policy: no-referrer, Chromium sends Origin: null and Sec-Fetch-Site: same-origin."""
    people(live.config, tmp_path)
    done = Reader(live).post("topics", {"topic": "asia"}, Origin="null", **{"Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 200
    with open_db(live.config).connect() as conn:
        assert topics_of(conn, 1) == ["asia"]


def test_bad_links_get_the_one_invalid_page(live, tmp_path):
    people(live.config, tmp_path)
    invalid = httpx.get(f"{live.url}/u/not-a-token-at-all-really").text
    good = link_token(live.config)
    for token in (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), link_token(live.config, purpose="unsubscribe"),
                  link_token(live.config, list_name="nosuchlist"), "x" * 30, "<script>"):
        page = httpx.get(f"{live.url}/p/{token}")
        assert page.status_code in (400, 404) and (page.text == invalid or page.status_code == 404), token
        post = httpx.post(f"{live.url}/p/{token}/everything", data={"form_key": "1.AAAAAAAAAAAAAAAAAAAAAA"}, headers={"Origin": live.url})
        assert post.status_code in (400, 404)
    assert status_of(live.config, 1, "research") == "active"


def test_a_test_copy_link_names_nobody(live, tmp_path):
    people(live.config, tmp_path)
    page = httpx.get(f"{live.url}/p/test-copy")
    assert page.status_code == 200 and "test copy" in page.text
    assert "test copy" in httpx.post(f"{live.url}/p/test-copy/everything", data={}).text
    assert status_of(live.config, 1, "research") == "active"


def _mails(config, n: int, timeout: float = 20.0) -> list:
    deadline = time.monotonic() + timeout
    while True:
        files = sorted((config.outbox / "email" / "confirmations").glob("preferences-*.eml"))
        if len(files) >= n or time.monotonic() > deadline:
            return files
        time.sleep(0.05)


def test_a_fresh_link_is_mailed_with_the_same_answer_for_known_and_unknown(live, tmp_path):
    people(live.config, tmp_path)
    form = httpx.get(f"{live.url}/preferences")
    assert form.status_code == 200 and 'name="email"' in form.text
    known = httpx.post(f"{live.url}/preferences", data={"email": "Ann@Example.org"})
    unknown = httpx.post(f"{live.url}/preferences", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200 and known.text == unknown.text and "Check your inbox" in known.text
    files = _mails(live.config, 1)
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"].lower() == "ann@example.org" and message["Subject"] == "Your subscription settings"
    link = re.search(r"(/p/[A-Za-z0-9_.-]+)", message.get_content()).group(1)
    assert "Manage your subscription" in httpx.get(f"{live.url}{link}").text
    with open_db(live.config).connect() as conn:
        rows = conn.execute(select(outgoing_mail.c.purpose, outgoing_mail.c.state)).all()
        assert [tuple(r) for r in rows] == [("preferences", "sent")], "nothing stored about the unknown address"
        assert conn.execute(select(audit).where(audit.c.email == "nobody@example.org")).first() is None
    bad = httpx.post(f"{live.url}/preferences", data={"email": "not an address"})
    assert bad.status_code == 400 and "does not look like" in bad.text


def test_link_requests_are_limited_per_address_and_per_client(live, tmp_path):
    people(live.config, tmp_path)
    answers = [httpx.post(f"{live.url}/preferences", data={"email": "ann@example.org"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429], "three a minute for one address"
    with open_db(live.config).connect() as conn:
        states = conn.execute(select(outgoing_mail.c.state).order_by(outgoing_mail.c.id)).scalars().all()
    assert states[0] in ("queued", "sending", "sent") and states[1:] == ["throttled", "throttled"], "one mail per address per 10 minutes"
    others = [httpx.post(f"{live.url}/preferences", data={"email": f"x{i}@example.org"}).status_code for i in range(8)]
    assert others[:6] == [200] * 6 and others[6:] == [429, 429], "ten a minute from one client"
    slow = httpx.post(f"{live.url}/preferences", data={"email": "bob@example.org"})
    assert slow.status_code == 429 and slow.headers["retry-after"] == "60"


def test_an_ipv6_client_cannot_dodge_the_link_request_limit_within_its_64(live, tmp_path):
    """Found by review: /preferences counted each IPv6 address apart, so one host could ask without limit."""
    def ask(client: str, i: int) -> int:  # behind the local proxy: uvicorn takes the client from X-Forwarded-For
        return httpx.post(f"{live.url}/preferences", data={"email": f"v{i}@example.org"}, headers={"X-Forwarded-For": client}).status_code

    assert [ask(f"2001:db8:1:2::{i + 1:x}", i) for i in range(11)] == [200] * 10 + [429]
    assert ask("2001:db8:1:3::1", 99) == 200, "another /64 is another client"


def test_every_campaign_email_links_to_the_page_of_its_list(live, tmp_path, campaign_copy):
    from outreach.campaign import load_campaign
    from outreach.mail.send import send_email
    from outreach.plan import build_plan

    people(live.config, tmp_path)
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    assert send_email(live.config, plan).ledger["sent"] == 2
    eml = sorted((live.config.outbox / "email" / plan.campaign.slug).glob("*.eml"))[0]
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text, body = (p.get_content() for p in message.iter_parts())
    link = re.search(r"Manage your subscription: (\S+)", text).group(1)
    assert link.startswith(f"{live.url}/p/") and f'href="{html.escape(link)}"' in body
    assert "Manage your subscription</a>" in body
    page = httpx.get(link)
    assert page.status_code == 200 and ("a***@example.org" in page.text or "b***@example.org" in page.text)


def test_the_next_campaign_honours_topics_and_a_pause(live, tmp_path, campaign_copy):
    """ann picks Asia, bob picks Defence then pauses: a campaign to Asia or Defence readers reaches ann alone; resumed, bob too."""
    from outreach.campaign import load_campaign
    from outreach.mail.send import send_email
    from outreach.plan import build_plan

    people(live.config, tmp_path)
    ann, bob = Reader(live, 1), Reader(live, 2)
    assert ann.post("topics", {"topic": "asia"}).status_code == 200
    assert bob.post("topics", {"topic": "defence"}).status_code == 200
    assert bob.post("pause", {"days": "90"}).status_code == 200

    def segment(text: str) -> str:
        return text.replace('list = "research"', 'audience = { list = "research", topics = { any = ["asia", "defence"] } }', 1)

    def recipients(name: str) -> list[str]:
        plan = build_plan(load_campaign(campaign_copy(segment, name=name)), live.config)
        send_email(live.config, plan)
        files = (live.config.outbox / "email" / plan.campaign.slug).glob("*.eml")
        return sorted(email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["To"].addresses[0].addr_spec for f in files)

    assert recipients("first.toml") == ["ann@example.org"]
    assert bob.post("pause", {"days": "resume"}).status_code == 200
    assert ann.post("topics", {"topic": "europe"}).status_code == 200
    assert recipients("second.toml") == ["bob@example.org"]


def test_a_test_copy_and_the_web_archive_lead_nowhere_personal(live, tmp_path, campaign_copy):
    """A [Test] copy's link is /p/test-copy; the archived copy's leads to /preferences, the form that mails a fresh link."""
    from outreach.campaign import load_campaign
    from outreach.mail.send import send_email, send_test
    from outreach.plan import build_plan

    people(live.config, tmp_path)
    plan = build_plan(load_campaign(campaign_copy()), live.config)
    send_test(live.config, plan, ["editor@example.org"])
    copy = next((live.config.outbox / "email").glob("test-*/*.eml"))
    text, body = (p.get_content().replace("\r\n", "\n") for p in email.message_from_bytes(copy.read_bytes(), policy=email.policy.default).iter_parts())
    assert f"Manage your subscription: {live.url}/p/test-copy\n" in text and f'href="{live.url}/p/test-copy"' in body
    send_email(live.config, plan)
    archived = httpx.get(f"{live.url}/archive/{plan.campaign.slug}").text
    assert "/p/" not in archived
    managed = re.findall(r'<a href="([^"]+)">Manage your subscription</a>', archived)
    assert managed == [f"{live.url}/preferences"] and 'name="email"' in httpx.get(managed[0]).text
    assert 'href="/preferences"' in httpx.get(f"{live.url}/unsubscribe").text, "the how-to-unsubscribe page leads there too"
