"""Issue 11: each campaign message goes out with its own VERP envelope sender, so a bounce finds its row.

Through the real aiosmtpd server: the MAIL FROM of every message is
``bounces+<signed token>@<bounce domain>``, the token reads back (with the
signing keys) to that very message's delivery row, and the ledger keeps the
same address in ``envelope_sender``.
"""

from __future__ import annotations

import pytest

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.mail.send import send_email, send_test
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.ledger_queries import deliveries_in
from outreach.tokens import Keyring, read_return_token, verp_token_of
from tests.mail.test_send import FAST, subscribe

BOUNCES = "bounces@news.example.org"
KEYS = Keyring.of(b"test-signing-key")  # smtp_config's OUTREACH_SECRET


def with_bounces(config: Config) -> Config:
    return config.model_copy(update={"email": config.email.model_copy(update={"bounce_address": BOUNCES})})


@pytest.fixture
def verp_config(smtp_config: Config) -> Config:
    return with_bounces(smtp_config)


@pytest.mark.parametrize("retry_first", [False, True], ids=["first-try", "after-a-retry"])
def test_each_message_has_its_own_verp_sender_naming_its_row(verp_config, smtp_server, campaign_copy, tmp_path, retry_first):
    plan = build_plan(load_campaign(campaign_copy()), verp_config)
    subscribe(verp_config, tmp_path, 9)
    if retry_first:  # a retried message keeps the address the ledger already holds for it
        smtp_server.when("reader004@example.org", "451 4.7.1 try later")
    assert send_email(verp_config, plan, **FAST).ledger["sent"] == 9
    rows = {r.target: r for r in deliveries_in(open_db(verp_config), plan.campaign.slug, ["sent"])}
    assert len(rows) == 9
    senders = set()
    for delivery in smtp_server.deliveries:
        token = verp_token_of(delivery.mail_from, BOUNCES)
        assert token is not None, delivery.mail_from
        assert delivery.mail_from == f"bounces+{token}@news.example.org"
        row = rows[delivery.rcpt]
        assert read_return_token(KEYS, token) == row.id, "the token names this message's own delivery row"
        assert row.envelope_sender == delivery.mail_from
        senders.add(delivery.mail_from)
    assert len(senders) == 9, "one address per message"
    if retry_first:
        assert len([d for d in smtp_server.deliveries if d.rcpt == "reader004@example.org"]) == 1


def test_without_a_bounce_address_the_envelope_sender_is_the_from_address(smtp_config, smtp_server, campaign_copy, tmp_path):
    plan = build_plan(load_campaign(campaign_copy()), smtp_config)
    subscribe(smtp_config, tmp_path, 3)
    send_email(smtp_config, plan, **FAST)
    assert {d.mail_from for d in smtp_server.deliveries} == {"news@outreach.invalid"}
    assert {r.envelope_sender for r in deliveries_in(open_db(smtp_config), plan.campaign.slug, ["sent"])} == {"news@outreach.invalid"}


def test_the_outbox_keeps_the_verp_sender_in_the_ledger_too(campaign_copy, db_config, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "test-signing-key")
    config = with_bounces(db_config.model_copy(update={"require_approval": False}))
    plan = build_plan(load_campaign(campaign_copy()), config)
    subscribe(config, tmp_path, 2)
    send_email(config, plan, **FAST)
    for row in deliveries_in(open_db(config), plan.campaign.slug, ["sent"]):
        token = verp_token_of(row.envelope_sender or "", BOUNCES)
        assert token is not None and read_return_token(KEYS, token) == row.id


def test_a_test_copy_goes_out_from_the_bounce_address_itself(verp_config, smtp_server, campaign_copy):
    """No delivery row, so no token; the same domain as the real send, so SPF judges both alike."""
    plan = build_plan(load_campaign(campaign_copy()), verp_config)
    send_test(verp_config, plan, ["checker@example.org"])
    assert [d.mail_from for d in smtp_server.deliveries] == [BOUNCES]
