"""What a reply or a failure means for a row, at the edges an adversarial review found."""

from __future__ import annotations

import pytest

from outreach.campaign import load_campaign
from outreach.errors import Unavailable
from outreach.mail import message
from outreach.mail.send import send_email
from outreach.mail.transport import SenderRefused, SmtpRejected, refusal
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.ledger_queries import deliveries_in
from tests.mail.smtp_server import SmtpServer
from tests.mail.test_send import subscribe


def test_a_503_to_mail_is_a_transaction_left_open_not_a_refused_sender():
    """After a refused BDAT LAST a server may keep the transaction: the pipelined MAIL meets 503, which must not stop the run."""
    assert type(refusal(503, b"5.5.1 nested MAIL command", "mail")) is Unavailable
    assert isinstance(refusal(550, b"5.7.1 sender rejected", "mail"), SenderRefused)
    assert isinstance(refusal(550, b"5.1.1 no such user", "rcpt"), SmtpRejected)


@pytest.fixture
def smtp_server():
    with SmtpServer(pipelining=True) as server:
        yield server


def test_a_bug_building_one_message_fails_that_row_and_the_rest_go(campaign_copy, smtp_config, smtp_server, tmp_path, monkeypatch):
    """Nothing of it went out, so it is failed (with the reason), not unknown; the other subscribers get theirs."""
    subscribe(smtp_config, tmp_path, 4)
    real = message.MessageFactory.build

    def build(self, to, *args, **kwargs):  # type: ignore[no-untyped-def]
        if to.email == "reader002@example.org":
            raise RuntimeError("a template bug")
        return real(self, to, *args, **kwargs)

    monkeypatch.setattr(message.MessageFactory, "build", build)
    plan = build_plan(load_campaign(campaign_copy()), smtp_config)
    result = send_email(smtp_config, plan)
    assert result.ledger["sent"] == 3 and result.ledger["failed"] == 1 and result.ledger["unknown"] == 0
    [failed] = deliveries_in(open_db(smtp_config), plan.campaign.slug, ["failed"])
    assert failed.target == "reader002@example.org" and "internal error building the message: RuntimeError: a template bug" in failed.detail
    assert sorted(smtp_server.handler.counts()) == [f"reader{i:03d}@example.org" for i in (0, 1, 3)]
