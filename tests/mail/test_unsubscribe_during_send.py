"""Issue 9 item 12: an unsubscribe that completes while a send runs stops that person's message.

The claim itself checks the suppression list, so only the messages already in
flight (at most one per connection) can still go after someone unsubscribed.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from outreach.campaign import load_campaign
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.ledger_queries import counts
from outreach.store.membership import unsubscribe
from outreach.store.schema import subscribers
from outreach.store.subscribers import import_csv
from tests.mail.conftest import write_csv

pytestmark = pytest.mark.slow
RECIPIENTS = 300
CONNECTIONS = 3


@pytest.mark.parametrize("how", ["one-click", "all-lists"])
def test_unsubscribes_during_a_send_stop_those_messages(campaign_copy, smtp_config, smtp_server, tmp_path, how):
    from outreach.store.subscribers import ALL_LISTS, suppress

    engine = open_db(smtp_config)
    addresses = [f"u{i:04d}@example.org" for i in range(RECIPIENTS)]
    import_csv(engine, write_csv(tmp_path / "subs.csv", [(a, f"U {i}") for i, a in enumerate(addresses)]), "research")
    with engine.connect() as conn:
        keys = dict(conn.execute(select(subscribers.c.email, subscribers.c.token_key)).all())
    plan = build_plan(load_campaign(campaign_copy()), smtp_config)
    smtp_server.handler.delay = 0.02  # a slow relay: the whole list was read long before the end
    result: dict = {}
    sender = threading.Thread(target=lambda: result.setdefault("r", send_email(smtp_config, plan, backoff=(0.05,), max_attempts=2)))
    sender.start()
    deadline = time.monotonic() + 60
    while len(smtp_server.deliveries) < 10 and time.monotonic() < deadline:
        time.sleep(0.005)
    targets = addresses[:50:-4]  # from the end of the queue backwards, while the send is near its start
    started_at: dict[str, float] = {}
    for address in targets:
        started_at[address] = time.monotonic()
        if how == "one-click":
            assert unsubscribe(engine, keys[address], "research", "one-click")
        else:
            with engine.begin() as conn:
                suppress(conn, address, ALL_LISTS, "complained", "bounce")
    sender.join(120)
    assert not sender.is_alive()
    received = smtp_server.handler.counts()
    # sent although its RCPT came only after the unsubscribe had begun: it must have been in flight already
    late = [a for a in targets if received[a] and smtp_server.handler.rcpt_at[a] > started_at[a]]
    assert len(late) <= CONNECTIONS, f"{len(late)} of {len(targets)} got the mail after unsubscribing"
    ledger = counts(engine, plan.campaign.slug, 1)
    assert ledger["suppressed"] >= len(targets) - len([a for a in targets if received[a]])
    assert ledger["sent"] + ledger["suppressed"] == RECIPIENTS
    assert all(received[a] == 1 for a in addresses if a not in targets), "everyone else got it once"
