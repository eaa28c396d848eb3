"""Sending to a real SMTP server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.mail.send import send_email, send_test
from outreach.plan import build_plan
from outreach.store.archive import archive_entry
from outreach.store.db import open_db
from outreach.store.delivery import DeliveryState, EventKind
from outreach.store.ledger_queries import counts, deliveries_in, events_of, find_by_message_id
from outreach.store.subscribers import count, import_csv, suppression_list
from outreach.tokens import Keyring, read_token
from tests.mail.conftest import write_csv
from tests.mail.smtp_server import SmtpServer

FAST = {"backoff": (0.05, 0.05, 0.05, 0.05), "max_attempts": 3}


@pytest.fixture(params=["one-at-a-time", "pipelining", "chunking"])
def smtp_server(request):
    """The loopback server three ways: as aiosmtpd is, offering PIPELINING (one round trip per message), and offering CHUNKING (BDAT)."""
    with SmtpServer(pipelining=request.param == "pipelining", chunking=request.param == "chunking") as server:
        yield server


@pytest.fixture
def plan(campaign_copy, smtp_config):
    return build_plan(load_campaign(campaign_copy()), smtp_config)


def subscribe(config: Config, tmp_path: Path, n: int = 10, extra: list[tuple[str, str]] = ()) -> list[str]:
    rows = [(f"reader{i:03d}@example.org", f"Reader {i}") for i in range(n)] + list(extra)
    report = import_csv(open_db(config), write_csv(tmp_path / "subs.csv", rows), "research")
    assert report.added == len(rows)
    return [e for e, _ in rows]


def test_each_subscriber_gets_one_correct_message(plan, smtp_config, smtp_server, tmp_path):
    subscribe(smtp_config, tmp_path, 12, [("Aase@Example.DK", "Åse Ærø")])
    result = send_email(smtp_config, plan, **FAST)
    assert result.this_run == {"sent": 13}
    expected = {f"reader{i:03d}@example.org": 1 for i in range(12)} | {"Aase@example.dk": 1}  # domain lower-cased, local part kept
    assert smtp_server.handler.counts() == expected
    ids = set()
    for delivery in smtp_server.deliveries:
        msg = delivery.message
        assert delivery.mail_from == "news@outreach.invalid"
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert msg["Subject"] == plan.email.subject
        assert msg["Date"] and msg["List-Id"] == '"DIIS research newsletter" <research.outreach.invalid>'
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = re.search(r"<(http[^>]+/u/([^>]+))>", msg["List-Unsubscribe"])
        assert url and "<mailto:unsubscribe@outreach.invalid?subject=unsubscribe%20" in msg["List-Unsubscribe"]
        claims = read_token(Keyring.of(b"test-signing-key"), "unsubscribe", url.group(2), 365)
        assert claims.list_name == "research"
        text, html = (p.get_content() for p in msg.iter_parts())
        assert url.group(1) in text and url.group(1) in html, "visible unsubscribe link in both parts"
        assert msg["Message-ID"].endswith("@outreach.invalid>")
        ids.add(msg["Message-ID"])
        assert delivery.rcpt in msg["To"]
    assert len(ids) == 13
    greeting = {d.rcpt: d.message.get_body(("plain",)).get_content().split("Dear ", 1)[1].split(",", 1)[0] for d in smtp_server.deliveries}
    assert greeting["reader003@example.org"] == "Reader 3"
    assert "Åse Ærø" in greeting.values()


def test_sending_again_sends_nothing(plan, smtp_config, smtp_server, tmp_path):
    subscribe(smtp_config, tmp_path, 5)
    send_email(smtp_config, plan, **FAST)
    again = send_email(smtp_config, plan, **FAST)
    assert again.this_run == {}
    assert len(smtp_server.deliveries) == 5
    assert counts(open_db(smtp_config), plan.campaign.slug)["sent"] == 5


def test_temporary_failures_retry_on_a_fresh_connection(plan, smtp_config, smtp_server, tmp_path):
    subscribe(smtp_config, tmp_path, 6)
    smtp_server.when("reader001@example.org", "451 4.7.1 try later")
    smtp_server.when("reader002@example.org", "drop-before-data")
    smtp_server.when("reader003@example.org", "data:452 4.3.1 out of space")
    result = send_email(smtp_config, plan, **FAST)
    assert result.ledger["sent"] == 6 and result.ledger["queued"] == 0
    assert smtp_server.handler.counts() == {f"reader{i:03d}@example.org": 1 for i in range(6)}
    rows = {r.target: r for r in deliveries_in(open_db(smtp_config), plan.campaign.slug, ["sent"])}
    assert rows["reader001@example.org"].attempts == 2
    assert rows["reader002@example.org"].attempts == 2
    assert rows["reader000@example.org"].attempts == 1


def test_permanent_failure_bounces_and_suppresses(plan, smtp_config, smtp_server, tmp_path):
    subscribe(smtp_config, tmp_path, 4)
    smtp_server.when("reader002@example.org", "550 5.1.1 no such user")
    result = send_email(smtp_config, plan, **FAST)
    assert result.ledger["bounced"] == 1 and result.ledger["sent"] == 3
    engine = open_db(smtp_config)
    [bounced] = deliveries_in(engine, plan.campaign.slug, ["bounced"])
    assert "550 5.1.1 no such user" in bounced.detail
    assert [(s["email"], s["reason"], s["list"]) for s in suppression_list(engine)] == [("reader002@example.org", "bounced", "*")]
    [event] = events_of(engine, bounced.id)  # the refusal is kept as the event that made it bounced
    assert (event.kind, event.source) == (EventKind.BOUNCED_HARD, "bounce") and "550 5.1.1" in event.detail
    # re-importing the bounced address does not get it past the suppression list
    import_csv(engine, write_csv(tmp_path / "again.csv", [("READER002@example.org", "again")]), "research")
    assert count(engine, "research")["suppressed"] == 1


def test_retries_give_up_after_max_attempts(plan, smtp_config, smtp_server, tmp_path):
    subscribe(smtp_config, tmp_path, 2)
    smtp_server.when("reader001@example.org", *["451 busy"] * 5)
    result = send_email(smtp_config, plan, **FAST)
    [failed] = deliveries_in(open_db(smtp_config), plan.campaign.slug, ["failed"])
    assert failed.target == "reader001@example.org" and "gave up after 3 attempts" in failed.detail
    assert result.ledger["sent"] == 1


def test_drop_after_data_is_unknown_and_resent_only_on_request(plan, smtp_config, smtp_server, tmp_path):
    subscribe(smtp_config, tmp_path, 3)
    smtp_server.when("reader001@example.org", "drop-after-data")
    result = send_email(smtp_config, plan, **FAST)
    assert result.ledger["unknown"] == 1 and result.ledger["sent"] == 2
    assert send_email(smtp_config, plan, **FAST).this_run == {}
    resent = send_email(smtp_config, plan, retry_unknown=True, **FAST)
    assert resent.this_run == {"sent": 1}
    assert smtp_server.handler.counts()["reader001@example.org"] == 2  # the server had it; a person chose to resend


def test_suppressed_after_freeze_is_skipped_not_sent(plan, smtp_config, smtp_server, tmp_path):
    from outreach.store.ledger import enqueue_audience
    from outreach.store.subscribers import suppress

    subscribe(smtp_config, tmp_path, 3)
    engine = open_db(smtp_config)
    enqueue_audience(engine, plan.campaign.slug, "research", 1)
    with engine.begin() as conn:
        suppress(conn, "reader000@example.org", "research", "unsubscribed", "one-click")
    result = send_email(smtp_config, plan, **FAST)
    assert result.ledger["suppressed"] == 1 and result.ledger["sent"] == 2
    assert "reader000@example.org" not in smtp_server.handler.counts()


def test_pending_and_other_lists_get_nothing(plan, smtp_config, smtp_server, tmp_path):
    from outreach.store.schema import memberships
    from sqlalchemy import update

    subscribe(smtp_config, tmp_path, 3)
    engine = open_db(smtp_config)
    with engine.begin() as conn:
        conn.execute(update(memberships).where(memberships.c.subscriber_id == 1).values(status="pending"))
    send_email(smtp_config, plan, **FAST)
    assert len(smtp_server.deliveries) == 2


def test_send_test_goes_only_to_given_addresses_and_records_nothing(plan, smtp_config, smtp_server, tmp_path):
    subscribe(smtp_config, tmp_path, 3)
    results = send_test(smtp_config, plan, ["checker@example.org", "Boss@Example.org"])
    assert [a for a, _ in results] == ["checker@example.org", "Boss@example.org"]
    assert sorted(smtp_server.handler.counts()) == ["Boss@example.org", "checker@example.org"]
    assert all(d.message["Subject"].startswith("[Test] ") for d in smtp_server.deliveries)
    assert counts(open_db(smtp_config), plan.campaign.slug) == {s: 0 for s in counts(open_db(smtp_config), plan.campaign.slug)}


def test_outbox_is_the_default_transport(campaign_copy, db_config, tmp_path, monkeypatch):
    monkeypatch.delenv("OUTREACH_SECRET", raising=False)
    config = db_config.model_copy(update={"require_approval": False})
    plan = build_plan(load_campaign(campaign_copy()), config)
    subscribe(config, tmp_path, 4)
    result = send_email(config, plan, **FAST)
    assert result.ledger["sent"] == 4
    files = sorted((config.outbox / "email" / plan.campaign.slug).glob("*.eml"))
    assert len(files) == 4
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in files[0].read_bytes()


def test_auth_failure_is_a_clear_error(plan, smtp_config, tmp_path, monkeypatch):
    from outreach.config import SmtpConfig
    from outreach.errors import ConfigError

    config = smtp_config.model_copy(update={"smtp": SmtpConfig(host="127.0.0.1", port=smtp_config.smtp.port, security="none", username_env="T_SMTP_USER", password_env="T_SMTP_PASS")})
    monkeypatch.delenv("T_SMTP_USER", raising=False)
    with pytest.raises(ConfigError, match="T_SMTP_USER"):
        send_email(config, plan, **FAST)


def test_refused_login_is_one_clear_error_and_nothing_is_lost(campaign_copy, db_config, tmp_path, monkeypatch):
    from outreach.config import SmtpConfig, WebConfig
    from outreach.errors import AuthFailed
    from tests.mail.conftest import PUBLIC_BASE_URL
    from tests.mail.smtp_server import SmtpServer

    monkeypatch.setenv("OUTREACH_SECRET", "k")
    monkeypatch.setenv("T_SMTP_USER", "news")
    monkeypatch.setenv("T_SMTP_PASS", "wrong-password")
    with SmtpServer(refuse_logins=True) as server:
        smtp = SmtpConfig(host="127.0.0.1", port=server.port, security="none", username_env="T_SMTP_USER", password_env="T_SMTP_PASS", connections=2)
        config = db_config.model_copy(update={"smtp": smtp, "require_approval": False, "web": WebConfig(base_url=PUBLIC_BASE_URL)})
        plan = build_plan(load_campaign(campaign_copy()), config)
        subscribe(config, tmp_path, 3)
        with pytest.raises(AuthFailed, match="refused the login") as failure:
            send_email(config, plan, **FAST)
        assert "wrong-password" not in str(failure.value)
        assert not server.deliveries
    # issue 9 item 17: the login is checked before any work, so nothing was frozen or published
    engine = open_db(config)
    assert sum(counts(engine, plan.campaign.slug).values()) == 0
    assert archive_entry(engine, plan.campaign.slug) is None
    with SmtpServer() as good:
        ok = config.model_copy(update={"smtp": SmtpConfig(host="127.0.0.1", port=good.port, security="none")})
        assert send_email(ok, plan, **FAST).ledger["sent"] == 3, "nothing was lost"


@pytest.mark.parametrize("retry_first", [False, True], ids=["first-try", "after-a-retry"])
def test_each_row_keeps_the_message_id_and_envelope_sender_it_went_out_with(plan, smtp_config, smtp_server, tmp_path, retry_first):
    """A bounce or complaint days later quotes the Message-ID or comes back to the envelope sender: both are on the row."""
    subscribe(smtp_config, tmp_path, 4)
    if retry_first:
        smtp_server.when("reader001@example.org", "451 4.7.1 try later")
    send_email(smtp_config, plan, **FAST)
    engine = open_db(smtp_config)
    rows = {r.target: r for r in deliveries_in(engine, plan.campaign.slug, ["sent"])}
    arrived = {d.rcpt: d for d in smtp_server.deliveries}
    assert set(rows) == set(arrived)
    for address, row in rows.items():
        assert row.state is DeliveryState.SENT and isinstance(row.message_id, str)
        assert row.message_id == arrived[address].message["Message-ID"]
        assert row.envelope_sender == arrived[address].mail_from == smtp_config.email.sender_address
        assert find_by_message_id(engine, row.message_id) == row
    assert len({r.message_id for r in rows.values()}) == 4
