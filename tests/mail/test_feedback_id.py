"""Issue 11: campaign mail carries ``Feedback-ID: <campaign>:<list>:newsletter:<SenderId>`` for Gmail's feedback loop.

Gmail's documented form is ``a:b:c:SenderId`` (support.google.com/mail/answer/6254652):
up to three optional identifiers, then a mandatory SenderId of 5-15
characters that stays the same across the stream; it must be DKIM-signed
(the signer lists ``feedback-id`` in h=). A test copy carries the same header:
it is the real message apart from the [Test] prefix and the recipient.
"""

from __future__ import annotations

import pytest

from outreach.campaign import load_campaign
from outreach.config import Config, ListConfig
from outreach.mail.compose import feedback_id, feedback_sender_id
from outreach.mail.send import send_email, send_test
from outreach.plan import build_plan
from tests.mail.test_send import FAST, subscribe

SLUG = "soldier-defections-myanmar"
# outreach.invalid has 16 characters, one too many for a SenderId: its first 8 safe characters and a
# hash. Pinned: a SenderId that changed between releases would split Gmail's figures for one stream.
SENDER_ID = "outreach-fc3fa5"


def test_campaign_mail_and_its_test_copy_carry_the_same_feedback_id(smtp_config, smtp_server, campaign_copy, tmp_path):
    plan = build_plan(load_campaign(campaign_copy()), smtp_config)
    subscribe(smtp_config, tmp_path, 3)
    send_email(smtp_config, plan, **FAST)
    send_test(smtp_config, plan, ["checker@example.org"])
    assert len(smtp_server.deliveries) == 4
    for delivery in smtp_server.deliveries:
        assert delivery.message.get_all("Feedback-ID") == [f"{SLUG}:research:newsletter:{SENDER_ID}"], delivery.rcpt
        assert delivery.data.count(b"\r\nFeedback-ID: ") == 1


@pytest.mark.parametrize("domain", ["diis.dk", "a.dk", "news.outreach.invalid", "very-long-newsletter-domain.example.org"])
def test_the_sender_id_is_5_to_15_characters_and_stable(domain):
    sender_id = feedback_sender_id(domain)
    assert 5 <= len(sender_id) <= 15 and ":" not in sender_id
    assert feedback_sender_id(domain) == sender_id
    assert sender_id == domain or len(domain) not in range(5, 16)
    assert feedback_sender_id("news.diis.dk") == "news.diis.dk"


def test_a_list_name_with_separators_cannot_shift_the_fields():
    """The config refuses such list names; a Config built in code skips that check, and the header still holds."""
    config = Config.model_construct(**{**Config().__dict__, "lists": {"a:b c\u00e9": ListConfig(title="Odd")}})
    value = feedback_id(config, SLUG, "a:b c\u00e9")
    fields = value.split(":")
    assert len(fields) == 4 and fields[0] == SLUG and fields[2] == "newsletter" and fields[3] == SENDER_ID
    assert fields[1] == "a-b-c-" and value.isascii() and " " not in value
