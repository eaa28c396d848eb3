"""Recording inbound messages: finding the delivery (VERP, Message-ID, ESP address), what each kind does,
receipts refused twice (also by two recorders at once), the raw cap, and undo. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.config import Config, InboundConfig
from outreach.errors import OutreachError
from outreach.inbound.events import Classification, InboundKind, InboundMessage, InboundSource
from outreach.inbound.record import AlreadyRecorded, record, record_many, undo
from outreach.store import inbound_store
from outreach.store.db import open_db
from outreach.store.delivery import DeliveryState, EventKind
from outreach.store.ledger import Ledger, Outcome, enqueue_audience
from outreach.store.ledger_queries import deliveries_in, events_of
from outreach.store.membership import membership_status, subscriber
from outreach.store.schema import audit, memberships, subscribers
from outreach.store.subscribers import import_csv, suppression_list
from outreach.tokens import Keyring, make_return_token, make_token
from tests.mail.conftest import write_csv

KEYS = Keyring.of(b"inbound-test-key-0123456789abcdef")
OTHER_KEYS = Keyring.of(b"somebody-else-s-key-0123456789xyz")
WHEN = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def send(engine, tmp_path: Path, campaign: str, list_name: str, addresses: list[str], step: int = 1) -> dict:
    """Sent email deliveries of ``campaign`` step ``step`` to ``addresses`` (imported on ``list_name``); rows by address."""
    import_csv(engine, write_csv(tmp_path / f"{campaign}-{step}.csv", [(a, "N") for a in addresses]), list_name)
    enqueue_audience(engine, campaign, list_name, step)
    ledger = Ledger(engine, campaign, step, suppression_list=list_name)
    try:
        for row in deliveries_in(engine, campaign, [DeliveryState.QUEUED], step=step):
            ledger.address([(row.id, f"<{campaign}.{step}.{row.id}@example.org>", "bounces@example.org")])
            ledger.advance(None, row.id)
            ledger.finish(Outcome(row.id, DeliveryState.SENT, "250 ok"))
    finally:
        ledger.close()
    return {r.target: r for r in deliveries_in(engine, campaign, list(DeliveryState), step=step)}


def msg(kind: InboundKind, *, address: str | None = None, tokens: tuple[str, ...] = (), mid: str | None = None, receipt: str | None = None,
        source: InboundSource = InboundSource.SMTP, unsubscribe_token: str | None = None, raw: bytes = b"From: x\r\n\r\nbody",
        reason: str = "5.1.1 user unknown (DSN Status)") -> InboundMessage:
    return InboundMessage(source, raw, Classification(kind, reason, address, mid, tokens, unsubscribe_token, "5.1.1"), WHEN, receipt)


def cfg(db_config: Config, **inbound) -> Config:
    return db_config.model_copy(update={"inbound": InboundConfig(**inbound)}) if inbound else db_config


def all_lists_suppressed(engine) -> list[str]:
    return sorted(s["email"] for s in suppression_list(engine) if s["list"] == "*")


@pytest.fixture
def sent(db_config, tmp_path):
    engine = open_db(db_config)
    return engine, send(engine, tmp_path, "c1", "research", ["ada@example.org", "bob@example.org"])


def test_a_hard_bounce_by_verp_token_suppresses_on_every_list_and_keeps_the_message(db_config, sent):
    engine, rows = sent
    ada = rows["ada@example.org"]
    [done] = record_many(engine, db_config, KEYS, [msg(InboundKind.HARD_BOUNCE, address="ada@example.org",
                                                       tokens=(make_return_token(KEYS, ada.id),), receipt="r1")])
    assert done.delivery_id == ada.id and done.address == "ada@example.org"
    assert done.action == "suppressed ada@example.org on every list (hard bounce)"
    assert all_lists_suppressed(engine) == ["ada@example.org"]
    assert [e.kind for e in events_of(engine, ada.id)] == [EventKind.BOUNCED_HARD]
    kept = inbound_store.get(engine, done.id)
    assert kept is not None and kept.kind == "hard_bounce" and kept.receipt == "r1" and kept.raw == b"From: x\r\n\r\nbody"
    assert kept.reason == "5.1.1 user unknown (DSN Status)" and kept.status == "5.1.1" and kept.effects["suppressed"] == ["ada@example.org"]


def test_a_forged_verp_token_is_ignored_and_noted(db_config, sent):
    engine, rows = sent
    forged = make_return_token(OTHER_KEYS, rows["ada@example.org"].id)
    done = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, address="ada@example.org", tokens=(forged,)))
    assert done.delivery_id is None and all_lists_suppressed(engine) == []
    assert "no delivery found, nothing done" in done.action and "does not verify" in done.action
    assert events_of(engine, rows["ada@example.org"].id) == []


def test_a_token_wins_over_the_address_it_was_forwarded_to(db_config, sent):
    engine, rows = sent
    bob = rows["bob@example.org"]
    done = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, address="ada@example.org", tokens=("junk", make_return_token(KEYS, bob.id))))
    assert done.delivery_id == bob.id and all_lists_suppressed(engine) == ["bob@example.org"]
    assert "forwarded" in done.action and "does not verify" in done.action


def test_message_id_finds_the_delivery_and_a_bare_address_in_mail_does_not(db_config, sent):
    engine, rows = sent
    bob = rows["bob@example.org"]
    by_mid = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=bob.message_id))
    assert by_mid.delivery_id == bob.id and by_mid.address == "bob@example.org"
    bare = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, address="ada@example.org"))
    assert bare.delivery_id is None and all_lists_suppressed(engine) == ["bob@example.org"]


def test_an_esp_event_finds_the_address_s_latest_send(db_config, sent, tmp_path):
    engine, rows = sent
    later = send(engine, tmp_path, "c2", "research", ["ada@example.org"])
    done = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, address="Ada@Example.org", source=InboundSource.SES, receipt="ses-1"))
    assert done.delivery_id == later["ada@example.org"].id and all_lists_suppressed(engine) == ["ada@example.org"]


def soft(engine, config, delivery_id: int, receipt: str | None = None):
    return record(engine, config, KEYS, msg(InboundKind.SOFT_BOUNCE, tokens=(make_return_token(KEYS, delivery_id),), receipt=receipt,
                                            reason="4.2.2 mailbox full"))


def test_soft_bounces_suppress_at_the_limit_among_the_last_sends_and_each_send_counts_once(db_config, tmp_path):
    engine = open_db(db_config)
    config = cfg(db_config, soft_bounce_limit=3, soft_bounce_window=5)
    sends = [send(engine, tmp_path, f"s{i}", "research", ["ada@example.org"])["ada@example.org"] for i in range(6)]
    soft(engine, config, sends[0].id)  # outside the last five: never counts
    soft(engine, config, sends[2].id)
    first = soft(engine, config, sends[3].id)
    again = soft(engine, config, sends[3].id)  # the same send twice: still two sends
    assert all_lists_suppressed(engine) == [] and "2 of the last 5" in again.action and "suppressed" not in first.effects
    third = soft(engine, config, sends[5].id)
    assert third.action == "suppressed ada@example.org on every list (3 soft bounces in the last 5 sends)"
    [row] = [s for s in suppression_list(engine) if s["list"] == "*"]
    assert row["reason"] == "bounced" and row["detail"] == "3 soft bounces in the last 5 sends"


def test_a_complaint_suppresses_and_unsubscribes_from_every_list(db_config, sent, tmp_path):
    engine, rows = sent
    import_csv(engine, write_csv(tmp_path / "other.csv", [("ada@example.org", "Ada")]), "events")
    done = record(engine, db_config, KEYS, msg(InboundKind.COMPLAINT, mid=rows["ada@example.org"].message_id, reason="abuse report (ARF)"))
    assert done.effects["unsubscribed"] == ["events", "research"] and all_lists_suppressed(engine) == ["ada@example.org"]
    with engine.connect() as conn:
        statuses = sorted(conn.execute(select(memberships.c.list, memberships.c.status).select_from(memberships.join(subscribers))
                                       .where(subscribers.c.email == "ada@example.org")).all())
    assert statuses == [("events", "unsubscribed"), ("research", "unsubscribed")]
    assert [e.kind for e in events_of(engine, rows["ada@example.org"].id)] == [EventKind.COMPLAINED]


def key_of(engine, address: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == address)).scalar_one()


def test_a_mailto_unsubscribe_with_a_valid_token_leaves_the_list_and_counts_on_the_latest_send(db_config, sent):
    engine, rows = sent
    key = key_of(engine, "ada@example.org")
    done = record(engine, db_config, KEYS, msg(InboundKind.UNSUBSCRIBE, unsubscribe_token=make_token(KEYS, "unsubscribe", key, "research"),
                                                reason="mailto unsubscribe"))
    assert done.action == "unsubscribed ada@example.org from research (smtp)" and done.delivery_id == rows["ada@example.org"].id
    assert membership_status(engine, key, "research") == "unsubscribed"
    assert [e.kind for e in events_of(engine, rows["ada@example.org"].id)] == [EventKind.UNSUBSCRIBED]
    assert all_lists_suppressed(engine) == []


def test_a_mailto_unsubscribe_with_a_forged_token_does_nothing(db_config, sent):
    engine, rows = sent
    key = key_of(engine, "ada@example.org")
    done = record(engine, db_config, KEYS, msg(InboundKind.UNSUBSCRIBE, unsubscribe_token=make_token(OTHER_KEYS, "unsubscribe", key, "research")))
    assert done.action == "token invalid: nothing done" and membership_status(engine, key, "research") == "active"
    assert events_of(engine, rows["ada@example.org"].id) == []


def test_an_esp_unsubscribe_acts_on_the_list_of_an_identified_send_only(db_config, sent):
    engine, rows = sent
    key = key_of(engine, "ada@example.org")
    guess = record(engine, db_config, KEYS, msg(InboundKind.UNSUBSCRIBE, address="ada@example.org", source=InboundSource.SENDGRID, receipt="sg-1"))
    assert "nothing done" in guess.action and membership_status(engine, key, "research") == "active"
    known = record(engine, db_config, KEYS, msg(InboundKind.UNSUBSCRIBE, mid=rows["ada@example.org"].message_id, source=InboundSource.SENDGRID))
    assert known.action == "unsubscribed ada@example.org from research (sendgrid)" and membership_status(engine, key, "research") == "unsubscribed"


@pytest.mark.parametrize("kind", [InboundKind.AUTO_REPLY, InboundKind.UNKNOWN])
def test_auto_replies_and_unknown_mail_are_only_kept_and_linked(db_config, sent, kind):
    engine, rows = sent
    ada = rows["ada@example.org"]
    done = record(engine, db_config, KEYS, msg(kind, tokens=(make_return_token(KEYS, ada.id),), reason="out of office"))
    assert done.delivery_id == ada.id and done.effects == {} and "nothing done" in done.action
    assert events_of(engine, ada.id) == [] and all_lists_suppressed(engine) == []


def test_a_known_receipt_is_refused_and_the_whole_batch_writes_nothing(db_config, sent):
    engine, rows = sent
    record(engine, db_config, KEYS, msg(InboundKind.UNKNOWN, receipt="<dup@example.org>"))
    batch = [msg(InboundKind.HARD_BOUNCE, mid=rows["bob@example.org"].message_id, receipt="new"), msg(InboundKind.UNKNOWN, receipt="<dup@example.org>")]
    with pytest.raises(AlreadyRecorded, match="dup@example.org"):
        record_many(engine, db_config, KEYS, batch)
    assert len(inbound_store.recent(engine)) == 1 and all_lists_suppressed(engine) == []
    assert events_of(engine, rows["bob@example.org"].id) == []
    with pytest.raises(AlreadyRecorded):
        record_many(engine, db_config, KEYS, [msg(InboundKind.UNKNOWN, receipt="twice"), msg(InboundKind.UNKNOWN, receipt="twice")])
    assert issubclass(AlreadyRecorded, OutreachError)


def _race(n: int, attempt: Callable[[], object], refused: type[Exception]) -> list[object]:
    """Run ``attempt`` in ``n`` threads released at once; what each returned, or the refusal it raised."""
    barrier, results = threading.Barrier(n), []

    def go() -> None:
        barrier.wait(timeout=30)
        try:
            results.append(attempt())
        except refused as exc:
            results.append(exc)

    threads = [threading.Thread(target=go) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_recorders_with_the_same_receipt_at_once_one_wins(db_config, sent):
    engine, rows = sent
    results = _race(8, lambda: record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=rows["ada@example.org"].message_id,
                                                                   receipt="same")), AlreadyRecorded)
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1 and len(results) == 8
    assert all(isinstance(r, AlreadyRecorded) for r in results if isinstance(r, Exception))
    assert [e.kind for e in events_of(engine, rows["ada@example.org"].id)] == [EventKind.BOUNCED_HARD]


def test_the_raw_message_is_cut_at_the_cap_and_keeps_its_size(db_config, sent):
    engine, _ = sent
    config = cfg(db_config, max_raw_bytes=4096)
    done = record(engine, config, KEYS, msg(InboundKind.UNKNOWN, raw=b"x" * 10000, receipt="m" * 400))
    kept = inbound_store.get(engine, done.id)
    assert kept is not None and kept.raw == b"x" * 4096 and kept.raw_size == 10000 and len(kept.receipt or "") <= 255


def test_undo_lifts_a_hard_bounce_keeps_both_events_and_refuses_twice(db_config, sent):
    engine, rows = sent
    ada = rows["ada@example.org"]
    done = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=ada.message_id))
    lifted = undo(engine, done.id, "ops")
    assert "lifted the suppression of ada@example.org" in lifted.action and all_lists_suppressed(engine) == []
    assert [e.kind for e in events_of(engine, ada.id)] == [EventKind.BOUNCED_HARD, EventKind.UNDONE]
    [after] = [r for r in deliveries_in(engine, "c1", list(DeliveryState)) if r.id == ada.id]
    assert after.state is DeliveryState.SENT
    kept = inbound_store.get(engine, done.id)
    assert kept is not None and kept.undone_by == "ops" and kept.undone_at is not None
    with engine.connect() as conn:
        assert conn.execute(select(audit.c.action).where(audit.c.action == "undone")).scalars().all() == ["undone"]
    with pytest.raises(OutreachError, match="already undone"):
        undo(engine, done.id, "ops")
    with pytest.raises(OutreachError, match="no inbound message"):
        undo(engine, done.id + 100, "ops")


def test_undo_keeps_a_suppression_another_message_still_stands_behind(db_config, sent):
    engine, rows = sent
    ada = rows["ada@example.org"]
    first = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=ada.message_id))
    second = record(engine, db_config, KEYS, msg(InboundKind.COMPLAINT, mid=ada.message_id))
    assert "stays suppressed" in undo(engine, first.id, "ops").action and all_lists_suppressed(engine) == ["ada@example.org"]
    assert "lifted" in undo(engine, second.id, "ops").action and all_lists_suppressed(engine) == []


def test_undo_of_a_complaint_resubscribes_the_lists_it_took(db_config, sent):
    engine, rows = sent
    key = key_of(engine, "ada@example.org")
    done = record(engine, db_config, KEYS, msg(InboundKind.COMPLAINT, mid=rows["ada@example.org"].message_id))
    assert membership_status(engine, key, "research") == "unsubscribed"
    assert "re-subscribed to research" in undo(engine, done.id, "ops").action
    assert membership_status(engine, key, "research") == "active" and suppression_list(engine) == []
    assert subscriber(engine, key) is not None


def test_undo_leaves_a_suppression_that_was_there_before(db_config, sent):
    engine, rows = sent
    from outreach.store.subscribers import suppress

    with engine.begin() as conn:
        suppress(conn, "ada@example.org", "*", "manual", "cli", "asked by phone")
    done = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=rows["ada@example.org"].message_id))
    assert "already suppressed" in done.action
    assert "before this message" in undo(engine, done.id, "ops").action and all_lists_suppressed(engine) == ["ada@example.org"]


def test_undo_of_a_soft_bounce_stops_it_counting(db_config, tmp_path):
    engine = open_db(db_config)
    config = cfg(db_config, soft_bounce_limit=2, soft_bounce_window=5)
    sends = [send(engine, tmp_path, f"s{i}", "research", ["ada@example.org"])["ada@example.org"] for i in range(3)]
    undo(engine, soft(engine, config, sends[0].id).id, "ops")
    assert "suppressed" not in soft(engine, config, sends[1].id).effects and all_lists_suppressed(engine) == []
    assert soft(engine, config, sends[2].id).effects["suppressed"] == ["ada@example.org"]


def test_of_two_undos_at_once_one_wins(db_config, sent):
    engine, rows = sent
    done = record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=rows["ada@example.org"].message_id))
    with engine.begin() as conn:  # the guard itself: a second mark finds the row already undone
        assert inbound_store.mark_undone(conn, done.id, "first") is True
        assert inbound_store.mark_undone(conn, done.id, "second") is False
        conn.rollback()
    results = _race(6, lambda: undo(engine, done.id, "ops"), OutreachError)
    assert len(results) == 6 and sum(1 for r in results if not isinstance(r, Exception)) == 1
    assert [e.kind for e in events_of(engine, rows["ada@example.org"].id)] == [EventKind.BOUNCED_HARD, EventKind.UNDONE]
