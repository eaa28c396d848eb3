"""Issue 12: every http(s) link of a sent campaign email is a signed ``/c/<token>`` link, nothing else is.

Real sends over SMTP (aiosmtpd on loopback) and to the outbox, on SQLite and
PostgreSQL. Each token is decoded with the signing key and must name a stored
``links`` row whose URL is the link as written; putting those URLs back where the
tokens are must give exactly the email as rendered (so nothing else changed).
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from datetime import datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.approval import approve, require_approval
from outreach.campaign import load_campaign
from outreach.config import Config, TrackingConfig
from outreach.mail.compose import campaign_factory
from outreach.mail.message import Recipient
from outreach.mail.send import send_email, send_test
from outreach.plan import build_plan
from outreach.render.email import personalise
from outreach.store.archive import archive_entry
from outreach.store.db import open_db
from outreach.store.ledger_queries import find_by_message_id
from outreach.store.links_store import LinkRow, links_of, store_links
from outreach.store.report_queries import link_rows
from outreach.store.schema import deliveries, subscribers
from outreach.store.schema import links as links_table
from outreach.tokens import CLICK_TOKEN_LENGTH, ClickMode, Keyring, read_click_token
from tests.mail.conftest import PUBLIC_BASE_URL
from tests.mail.test_send import FAST, subscribe

KEYS = Keyring.of(b"test-signing-key")
CLICK = PUBLIC_BASE_URL + "/c/"
_HREF = re.compile(r"""<a\s(?:[^>]*?\s)?href="([^"]*)\"""", re.I)
_TEXT_URL = re.compile(r"""https?://[^\s<>"]+""", re.I)
_TOKEN = re.compile(re.escape(CLICK) + r"([A-Za-z0-9_-]{%d})" % CLICK_TOKEN_LENGTH)

LONG = "https://example.org/long/" + "x" * 6000
# the hostile email's links as written, and which of them are wrapped
TRACKED_HTML = {
    f"{PUBLIC_BASE_URL}/archive/soldier-defections-myanmar",
    "https://example.org/a",
    "https://example.org/a?utm_source=newsletter&x=1",
    "https://example.org/q?t=\"x\"&y=<z>&s='",
    LONG,
}
TRACKED_TEXT_ONLY = {"https://example.org/ab", "https://example.org/paren", "https://example.org/text-only/page"}
NEVER = ["mailto:press@example.org", "tel:+4512345678", "ftp://example.org/f", f"{PUBLIC_BASE_URL}/u/abc",
         f"{PUBLIC_BASE_URL}/unsubscribe", f"{PUBLIC_BASE_URL}/subscribe?list=research", f"{PUBLIC_BASE_URL}/confirm/tok",
         f"{PUBLIC_BASE_URL}/preferences"]
LITERAL = "@@OUTREACH:CLICK:1@@ @@OUTREACH:CLICK:2:1@@ @@OUTREACH:NAME@@ @@OUTREACH:UNSUBSCRIBE_URL@@ @@OUTREACH-LIVE:click:1:00@@"

HOSTILE_MJML = """<mjml><mj-body><mj-section><mj-column><mj-text>
<p>Dear {{ subscriber.name }},</p>
<a href="{{ view_online_url }}">View &quot;online&quot; &amp; more</a>
<a href="https://example.org/a">A</a>
<a href="https://example.org/a?utm_source=newsletter&amp;x=1">A with tags</a>
<a href="https://example.org/q?t=&quot;x&quot;&amp;y=&lt;z&gt;&amp;s=&#39;">Quotes</a>
<a href="LONG">Long</a>
<a href="https://example.org/hello?n={{ subscriber.name }}">Personal</a>
<a href="mailto:press@example.org">Mail</a> <a href="tel:+4512345678">Call</a> <a href="ftp://example.org/f">FTP</a>
<a href="BASE/u/abc">u</a> <a href="BASE/unsubscribe">page</a> <a href="BASE/subscribe?list=research">subscribe</a>
<a href="BASE/confirm/tok">confirm</a> <a href="BASE/preferences">preferences</a>
<p>Literal: LITERAL</p>
<a href="{{ unsubscribe_url }}">Unsubscribe</a>
</mj-text></mj-column></mj-section></mj-body></mjml>
"""
HOSTILE_TEXT = """Dear {{ subscriber.name }},
View "online": {{ view_online_url }}
A: https://example.org/a
A with tags: https://example.org/a?utm_source=newsletter&x=1
Longer, only here: https://example.org/ab and (https://example.org/paren).
See also https://example.org/text-only/page.
Quotes: https://example.org/q?t="x"&y=<z>&s='
Long: LONG
Personal: https://example.org/hello?n={{ subscriber.name }}
Elsewhere: mailto:press@example.org tel:+4512345678 ftp://example.org/f
Pages: BASE/u/abc BASE/unsubscribe BASE/subscribe?list=research BASE/confirm/tok BASE/preferences
Literal: LITERAL
Unsubscribe: {{ unsubscribe_url }}
"""


def _fill(template: str) -> str:
    return template.replace("LONG", LONG).replace("BASE", PUBLIC_BASE_URL).replace("LITERAL", LITERAL)


def hostile_campaign(campaign_copy) -> Path:
    """The sample campaign with an email template of hostile links (the campaign folder's own template)."""
    path = campaign_copy(lambda t: t.replace('[email]\nlist = "research"', '[email]\ntemplate = "hostile"\nlist = "research"'))
    folder = path.parent / "templates" / "email"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.mjml.j2").write_text(_fill(HOSTILE_MJML), encoding="utf-8")
    (folder / "hostile.txt.j2").write_text(_fill(HOSTILE_TEXT), encoding="utf-8")
    return path


def short(urls) -> set[str]:
    """URLs for an assertion message (the 6,000-character one as LONG)."""
    return {"LONG" if u == LONG else u for u in urls}


def with_clicks(config: Config, mode: str) -> Config:
    return config.model_copy(update={"tracking": TrackingConfig(clicks=mode)})


def parts(data: bytes) -> tuple[object, str, str]:
    msg = message_from_bytes(data, policy=policy.default)
    text, body = (p.get_content().replace("\r\n", "\n") for p in msg.iter_parts())
    return msg, text, body


def stored(config: Config, slug: str) -> dict[int, str]:
    return {row["id"]: row["url"] for row in links_of(open_db(config), slug)}


def decode(text: str, body: str, links: dict[int, str]) -> tuple[list, str, str]:
    """Every token's claims, and both parts with each ``/c/`` link put back to the stored URL it names."""
    claims = []

    def back(match: re.Match[str], escape: bool) -> str:
        c = read_click_token(KEYS, match.group(1))
        claims.append(c)
        return html.escape(links[c.link_id]) if escape else links[c.link_id]

    return claims, _TOKEN.sub(lambda m: back(m, False), text), _TOKEN.sub(lambda m: back(m, True), body)


def hrefs(body: str) -> list[str]:
    return [html.unescape(h) for h in _HREF.findall(body)]


def normal_hrefs(body: str) -> str:
    """The HTML with every href value written one way (unescaped), to compare two HTML parts."""
    return _HREF.sub(lambda m: m.group(0).replace(m.group(1), html.unescape(m.group(1))), body)


def preferences_of(msg) -> str:
    """The message's own "Manage your subscription" link (its text part holds it), or "" for a template without one."""
    found = re.search(r"(http\S+/p/[A-Za-z0-9_.-]+)", parts(msg.as_bytes())[1])
    return found.group(1) if found else ""


def as_rendered(plan, msg, text_part: bool) -> str:
    """The part as the rendered (approved) email personalises it for this message's recipient."""
    unsubscribe = re.search(r"<(http[^>]+/u/[^>]+)>", msg["List-Unsubscribe"]).group(1)
    name = msg["To"].addresses[0].display_name
    body = plan.email.text if text_part else plan.email.html
    return personalise(body, {"name": name, "unsubscribe_url": unsubscribe, "preferences_url": preferences_of(msg)}, is_html=not text_part)


def check_message(plan, data: bytes, links: dict[int, str], tracked: set[str]) -> list:
    """One sent message: each http(s) link wrapped or on the never list, tokens naming the stored links; returns the claims."""
    msg, text, body = parts(data)
    claims, text_back, body_back = decode(text, body, links)
    assert text_back == as_rendered(plan, msg, True)
    assert normal_hrefs(body_back) == normal_hrefs(as_rendered(plan, msg, False))
    assert short(links[c.link_id] for c in claims) == short(tracked)
    for url in hrefs(body) + _TEXT_URL.findall(text):
        if url.lower().startswith(("http://", "https://")) and not url.startswith(CLICK):
            assert url.startswith((f"{PUBLIC_BASE_URL}/u/", f"{PUBLIC_BASE_URL}/p/")) or url.startswith("https://example.org/hello?n=") or \
                any(url.startswith(n) for n in NEVER), url[:200]
    assert len({(c.message, c.sent_at, c.mode) for c in claims}) == 1, "one message number and time for all of a message's links"
    assert "/c/" not in msg["List-Unsubscribe"]
    return claims


@pytest.fixture
def hostile(campaign_copy, smtp_config):
    return build_plan(load_campaign(hostile_campaign(campaign_copy)), smtp_config)


def test_aggregate_wraps_every_http_link_of_both_parts_and_nothing_else(hostile, smtp_config, smtp_server, tmp_path):
    plan = hostile
    subscribe(smtp_config, tmp_path, 2, [("ann@example.org", "Ann & <Bo>")])  # a name that HTML escapes
    before = int(datetime.now(timezone.utc).timestamp())
    assert send_email(smtp_config, plan, **FAST).this_run == {"sent": 3}
    after = int(datetime.now(timezone.utc).timestamp())
    links = stored(smtp_config, plan.campaign.slug)
    assert short(links.values()) == short(TRACKED_HTML | TRACKED_TEXT_ONLY), "only the trackable links are stored"
    engine = open_db(smtp_config)
    with engine.connect() as conn:
        delivery_ids = set(conn.scalars(select(deliveries.c.id)))
        subscriber_ids = set(conn.scalars(select(subscribers.c.id)))
    numbers = []
    for delivery in smtp_server.deliveries:
        claims = check_message(plan, delivery.data, links, TRACKED_HTML | TRACKED_TEXT_ONLY)
        msg, text, body = parts(delivery.data)
        assert f"Literal: {LITERAL}" in text and f"Literal: {html.escape(LITERAL)}" in body, "marker-like campaign text stays text"
        name = msg["To"].addresses[0].display_name
        assert f"https://example.org/hello?n={name}\n" in text, "a link with a personal field is personal, and left as written"
        assert f'href="https://example.org/hello?n={html.escape(name)}"' in body
        for c in claims:
            assert c.mode == ClickMode.AGGREGATE and before <= c.sent_at <= after
        numbers.append(claims[0].message)
    assert len(set(numbers)) == 3, "each message its own random number"
    assert not set(numbers) & (delivery_ids | subscriber_ids), "no number ties a click to a delivery or a subscriber"


def test_individual_tokens_carry_the_delivery(plan_default, smtp_config, smtp_server, tmp_path):
    config = with_clicks(smtp_config, "individual")
    subscribe(config, tmp_path, 3)
    send_email(config, plan_default, **FAST)
    links = stored(config, plan_default.campaign.slug)
    tracked = {f"{PUBLIC_BASE_URL}/archive/soldier-defections-myanmar", plan_default.email.links()[1].url}
    assert set(links.values()) == tracked
    for delivery in smtp_server.deliveries:
        claims = check_message(plan_default, delivery.data, links, tracked)
        row = find_by_message_id(open_db(config), parts(delivery.data)[0]["Message-ID"])
        assert {(c.mode, c.message) for c in claims} == {(ClickMode.INDIVIDUAL, row.id)}
    assert set(individual_flags(config).values()) == {True}, "the links went out with individual tracking"
    # the setting goes back to aggregate and a resumed run goes on: these links can no longer name everyone who clicked
    from outreach.tracking.links import tracked_email

    tracked_email(with_clicks(smtp_config, "aggregate"), open_db(config), Keyring.of(b"k"), plan_default.campaign.slug, plan_default.email)
    assert set(individual_flags(config).values()) == {False}


def individual_flags(config) -> dict[str, bool]:
    with open_db(config).connect() as conn:
        return {r.url: bool(r.individual) for r in conn.execute(select(links_table.c.url, links_table.c.individual))}


@pytest.fixture
def plan_default(campaign_copy, smtp_config):
    return build_plan(load_campaign(campaign_copy()), smtp_config)


def test_off_sends_the_bytes_of_today(plan_default, smtp_config, smtp_server, tmp_path):
    config = with_clicks(smtp_config, "off")
    subscribe(config, tmp_path, 2)
    send_email(config, plan_default, **FAST)
    factory = campaign_factory(config, plan_default.campaign, plan_default.email)  # the factory as it was: no clicks
    for delivery in smtp_server.deliveries:
        msg = parts(delivery.data)[0]
        addr = msg["To"].addresses[0]
        to = Recipient(delivery.rcpt, addr.display_name, re.search(r"<(http[^>]+)>", msg["List-Unsubscribe"]).group(1),
                       re.search(r"<(mailto:[^>]+)>", msg["List-Unsubscribe"]).group(1), msg["Message-ID"], preferences_of(msg))
        assert factory.build(to, msg["Date"].datetime) == delivery.data
        assert "/c/" not in delivery.data.decode("ascii")
    assert links_of(open_db(config), plan_default.campaign.slug) == []


def test_the_outbox_gets_wrapped_links_too(plan_default, smtp_config, tmp_path):
    config = smtp_config.model_copy(update={"smtp": None, "outbox": tmp_path / "outbox"})
    subscribe(config, tmp_path, 2)
    assert send_email(config, plan_default, **FAST).this_run == {"sent": 2}
    links = stored(config, plan_default.campaign.slug)
    files = sorted((tmp_path / "outbox").rglob("*.eml"))
    assert len(files) == 2
    numbers = {check_message(plan_default, f.read_bytes(), links, set(links.values()))[0].message for f in files}
    assert len(numbers) == 2


def only_in_test_copies(config) -> dict[str, bool]:
    """url -> whether only a [Test] copy carried the link so far."""
    with open_db(config).connect() as conn:
        return {r.url: bool(r.test_only) for r in conn.execute(select(links_table.c.url, links_table.c.test_only))}


def test_a_test_copy_counts_nothing_and_a_later_send_reuses_the_links(plan_default, smtp_config, smtp_server, tmp_path):
    send_test(smtp_config, plan_default, ["checker@example.org"])
    links = stored(smtp_config, plan_default.campaign.slug)
    report = plan_default.email.links()[1].url
    assert report in links.values() and any("/archive/soldier-defections-myanmar?k=" in u for u in links.values())
    [copy] = smtp_server.deliveries
    _, text, body = parts(copy.data)
    claims, _, _ = decode(text, body, links)
    assert claims and {(c.mode, c.message) for c in claims} == {(ClickMode.TEST, 0)}
    assert set(only_in_test_copies(smtp_config).values()) == {True}, "so far only the test copy carried them"
    # the real send: one run stopped by a temporary failure, a second run sends the rest with the same link ids
    subscribe(smtp_config, tmp_path, 2)
    smtp_server.when("reader001@example.org", "451 4.7.1 try later")
    send_email(smtp_config, plan_default, backoff=(60,), max_attempts=3, wait_for_retries=False)
    first_ids = stored(smtp_config, plan_default.campaign.slug)
    with open_db(smtp_config).begin() as conn:  # the retry is due now
        conn.execute(deliveries.update().values(not_before=None))
    send_email(smtp_config, plan_default, **FAST)
    assert stored(smtp_config, plan_default.campaign.slug) == first_ids
    assert set(links.items()) <= set(first_ids.items()), "the test copy's links still redirect, with the same ids"
    by_url = {u: i for i, u in first_ids.items()}
    assert by_url[report] == {u: i for i, u in links.items()}[report], "the test copy's link row is the real send's"
    flags = only_in_test_copies(smtp_config)
    assert flags[report] is False, "a link the real send carries is no longer the test copy's alone"
    assert all(flags[u] for u in flags if "?k=" in u), "the test copy's keyed archive link stays its own"
    assert not any("?k=" in link.url for link in link_rows(open_db(smtp_config), plan_default.campaign.slug)), "the report leaves it out"
    real = [d for d in smtp_server.deliveries if d.rcpt != "checker@example.org"]
    assert sorted(d.rcpt for d in real) == ["reader000@example.org", "reader001@example.org"]
    for delivery in real:
        claims = check_message(plan_default, delivery.data, first_ids,
                               {f"{PUBLIC_BASE_URL}/archive/soldier-defections-myanmar", report})
        assert {c.mode for c in claims} == {ClickMode.AGGREGATE}


def test_wrapping_leaves_the_approval_and_the_archive_as_approved(plan_default, smtp_config, smtp_server, tmp_path):
    config = smtp_config.model_copy(update={"require_approval": True})
    engine = open_db(config)
    approved = approve(engine, plan_default, "Editor")
    off_plan = build_plan(load_campaign(plan_default.campaign.path), with_clicks(config, "off"))
    assert approved.hashes == off_plan.hashes, "the mode does not enter the approval"
    subscribe(config, tmp_path, 2)
    send_email(config, plan_default, **FAST)
    assert "/c/" in smtp_server.deliveries[0].data.decode("ascii")
    assert plan_default.hashes == approved.hashes and "/c/" not in plan_default.email.html + plan_default.email.text
    require_approval(config, engine, build_plan(load_campaign(plan_default.campaign.path), config))
    page = archive_entry(engine, plan_default.campaign.slug)["html"]
    assert "/c/" not in page and html.escape(plan_default.email.links()[1].url) in page, "the web copy keeps the links as written"


def test_storing_links_is_idempotent_and_safe_when_runs_race(db_config):
    engine = open_db(db_config)
    rows = [LinkRow(f"https://example.org/{i}?utm_source=newsletter", f"Link {i}", i) for i in range(1, 6)] + [LinkRow(LONG, None, 6)]
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        results.append(store_links(engine, "race", rows))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert set(results[0]) == {r.url for r in rows}
    again = store_links(engine, "race", [LinkRow(rows[2].url, "other label", 9)])
    assert again == {rows[2].url: results[0][rows[2].url]}
    stored_rows = links_of(engine, "race")
    assert [(r["url"], r["label"], r["position"]) for r in stored_rows] == [(r.url, r.label, r.position) for r in rows]
    assert all(r["url_hash"] == hashlib.sha256(r["url"].encode()).hexdigest() for r in stored_rows)
    assert store_links(engine, "another campaign", rows[:1]) != {rows[0].url: results[0][rows[0].url]}, "ids are per campaign"


def test_each_sent_link_redirects_to_the_link_as_written(hostile, smtp_config, smtp_server, tmp_path):
    """The send side and ``outreach serve`` agree: every ``/c/`` link of a sent message and of a test copy redirects to its original."""
    from urllib.parse import unquote

    from starlette.testclient import TestClient

    from outreach.web.app import create_app

    subscribe(smtp_config, tmp_path, 1)
    send_test(smtp_config, hostile, ["checker@example.org"])
    send_email(smtp_config, hostile, **FAST)
    links = stored(smtp_config, hostile.campaign.slug)
    with TestClient(create_app(smtp_config), base_url=PUBLIC_BASE_URL) as client:
        for delivery in smtp_server.deliveries:
            _, text, body = parts(delivery.data)
            tokens = set(_TOKEN.findall(text)) | set(_TOKEN.findall(html.unescape(body)))
            assert len(tokens) >= len(TRACKED_HTML | TRACKED_TEXT_ONLY)
            for token in tokens:
                response = client.get(f"/c/{token}", follow_redirects=False)
                assert response.status_code == 302
                # the redirect percent-encodes what a URL may not hold as written (quotes, angle brackets)
                assert unquote(response.headers["location"]) == links[read_click_token(KEYS, token).link_id]
