"""Issue 9 item 3 (header side): no subscriber name or config value can add a header or break the message.

Names are cleaned where they enter (import, sign-up), but a name already in the
database, or one that slipped past, must still give a safe message: the header
builder makes every value one line, and never raises for any name.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from outreach.campaign import load_campaign
from outreach.mail.message import MessageFactory, Recipient
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.render.email import MARKERS, RenderedEmail
from outreach.store.db import now, open_db
from outreach.store.ledger_queries import counts
from outreach.store.schema import memberships, subscribers
from tests.mail.conftest import smtp_config, smtp_server  # noqa: F401  (fixtures)

ADDRESS = "reader@example.org"
EVIL = "victim@evil.example"
BODY_TEXT = "Dear " + MARKERS["name"] + ",\nThe report is out.\nUnsubscribe: " + MARKERS["unsubscribe_url"] + "\n"
BODY_HTML = "<p>Dear " + MARKERS["name"] + ",</p><p>The report is out.</p><a href=\"" + MARKERS["unsubscribe_url"] + "\">unsubscribe</a>"

PAYLOADS = [
    f"Eve\r\nBcc: {EVIL}",
    f"Eve\nBcc: {EVIL}\nSubject: Win a prize",
    f"Eve\rBcc: {EVIL}",
    f"Eve\u2028Bcc: {EVIL}",
    f"Eve\u0085Bcc: {EVIL}",
    f"Eve\x00Bcc: {EVIL}",
    f"Eve\r\n\r\nReplaced body, click http://evil.example",
    "Zoë Ærø " * 40 + f"\r\nBcc: {EVIL}",  # long, non-ASCII: the fold() path
    "x" * 300 + f"\nBcc: {EVIL}\nSubject: second",  # long ASCII: the fold() path
    f"\"Eve\\\"\r\nBcc: {EVIL}",  # quotes and backslashes leave the fast path
    "\u202eevE\r\n\tBcc: " + EVIL,  # a bidi override and a folded continuation line
]


def factory() -> MessageFactory:
    rendered = RenderedEmail("The report is out", "", BODY_HTML, BODY_TEXT, "research", "Research", None, None)
    return MessageFactory(rendered, sender="News <news@example.org>", reply_to=None, list_id='"Research" <research.example.org>')


def build(name: str | None) -> bytes:
    to = Recipient(ADDRESS, name, "https://example.org/u/token", "mailto:unsubscribe@example.org?subject=unsubscribe", "<m.1@example.org>")
    return factory().build(to, datetime(2026, 1, 2, tzinfo=timezone.utc))


def assert_safe(data: bytes, address: str = ADDRESS, subject: str = "The report is out") -> None:
    """Exactly the headers we wrote, once each; the body is the campaign's."""
    msg = message_from_bytes(data, policy=policy.default)
    assert msg.get_all("Subject") == [subject]
    assert msg.get_all("Bcc") is None and msg.get_all("Cc") is None
    assert len(msg.get_all("To")) == 1 and address in msg["To"]
    assert EVIL not in str(msg["To"].addresses[0].addr_spec)
    assert [a.addr_spec for a in msg["To"].addresses] == [address]
    assert msg.get_content_type() == "multipart/alternative"
    text, html = (p.get_content() for p in msg.iter_parts())
    assert "The report is out." in text and "The report is out." in html
    assert "Replaced body" not in "\n".join(line for line in text.splitlines() if not line.startswith("Dear "))
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert len(line) <= 998 and b"\r" not in line and b"\n" not in line and b"\x00" not in line


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_name_cannot_add_headers_or_replace_the_body(name):
    data = build(name)
    assert_safe(data)
    assert b"\nBcc:" not in data and b"\nSubject: Win" not in data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=0, max_size=400))
def test_any_name_gives_a_safe_message_and_never_raises(name):
    assert_safe(build(name))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["\r", "\n", "\u2028", "\x85", "\x00", "\t", " ", "Bcc: e@x.org", "é", "\"", "\\", "a" * 70]), max_size=20))
def test_names_built_from_breaks_and_payloads(parts):
    assert_safe(build("".join(parts)))


@pytest.fixture
def plan(campaign_copy, smtp_config):
    return build_plan(load_campaign(campaign_copy()), smtp_config)


def _raw_subscriber(engine, i: int, name: str) -> str:
    """A row straight into the database: as an old release, or a bug elsewhere, could leave it."""
    address = f"raw{i}@example.org"
    stamp = now()
    with engine.begin() as conn:
        sid = conn.execute(insert(subscribers).returning(subscribers.c.id), [{
            "email": address, "display_email": address, "name": name[:200], "attrs": {}, "created_at": stamp, "updated_at": stamp}]).scalar_one()
        conn.execute(insert(memberships), [{"subscriber_id": sid, "list": "research", "status": "active", "source": "import", "updated_at": stamp}])
    return address


def test_names_already_in_the_database_are_sent_safely(plan, smtp_config, smtp_server):
    engine = open_db(smtp_config)
    names = [p[:200] for p in PAYLOADS if "\x00" not in p] + ["Zoë " * 30 + "\r\nBcc: " + EVIL]  # PostgreSQL text cannot hold NUL
    addresses = [_raw_subscriber(engine, i, n) for i, n in enumerate(names)]
    result = send_email(smtp_config, plan, backoff=(0.05,), max_attempts=2)
    assert counts(engine, plan.campaign.slug, 1)["sent"] == len(addresses), result
    assert counts(engine, plan.campaign.slug, 1)["unknown"] == 0
    assert sorted(d.rcpt for d in smtp_server.deliveries) == sorted(addresses), "nobody else got a copy"
    for delivery in smtp_server.deliveries:
        msg = delivery.message
        assert msg.get_all("Subject") == [plan.email.subject]
        assert msg.get_all("Bcc") is None
        assert [a.addr_spec for a in msg["To"].addresses] == [delivery.rcpt]
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert "Replaced body" not in msg.get_body(("html",)).get_content().split("Dear", 1)[0]
