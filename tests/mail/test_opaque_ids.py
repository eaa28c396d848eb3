"""Issue 11: unsubscribe tokens and Message-IDs never expose a subscriber's sequential row id.

An old token decoded to ``3|research|20783``. Subscribers here get row ids
around 20783; every message's token payload (base64 JSON before the first
dot) names the random ``token_key`` and the list only, and neither the
Message-ID nor any header or body of the message holds the row id.
"""

from __future__ import annotations

import base64
import json
import re

from sqlalchemy import insert, select

from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import now, open_db
from outreach.store.schema import memberships, subscribers
from tests.mail.test_send import FAST

FIRST_ID = 20783


def payload_of(token: str) -> list:
    """The JSON an itsdangerous token carries, decoded (no key needed: it is signed, not encrypted)."""
    part = token.split(".", 1)[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_tokens_and_message_ids_hold_no_row_id(smtp_config, smtp_server, campaign_copy):
    engine = open_db(smtp_config)
    stamp = now()
    ids = [FIRST_ID + 7 * i for i in range(6)]
    with engine.begin() as conn:
        for i, sid in enumerate(ids):
            conn.execute(insert(subscribers).values(id=sid, email=f"p{i}@example.org", display_email=f"p{i}@example.org", name=f"P {i}",
                                                    attrs={}, token_key=f"randomkey{i:02d}abcdefghij", created_at=stamp, updated_at=stamp))
            conn.execute(insert(memberships).values(subscriber_id=sid, list="research", status="active", source="import", updated_at=stamp))
        keys = dict(conn.execute(select(subscribers.c.email, subscribers.c.token_key)).all())
        assert dict(conn.execute(select(subscribers.c.email, subscribers.c.id)).all())["p0@example.org"] == FIRST_ID
    plan = build_plan(load_campaign(campaign_copy()), smtp_config)
    assert send_email(smtp_config, plan, **FAST).ledger["sent"] == len(ids)
    for delivery, sid in ((d, ids[int(d.rcpt[1])]) for d in smtp_server.deliveries):
        msg = delivery.message
        token = re.search(r"/u/([^>]+)>", msg["List-Unsubscribe"]).group(1)
        assert payload_of(token) == [keys[delivery.rcpt], "research"], "the payload names the random key and the list, nothing else"
        assert str(sid) not in json.dumps(payload_of(token))
        assert str(sid) not in msg["Message-ID"]
        assert str(sid).encode() not in delivery.data, "the row id is nowhere in the message"
