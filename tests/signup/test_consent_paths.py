"""Consent records on the sign-up and unsubscribe paths, at the store level, on SQLite and PostgreSQL.

A sign-up keeps a pending double opt-in record (the form's version, the topics asked
for), the confirmation completes it (client address, user agent) and only then follows
the topics; every unsubscribe withdraws the list's consent with its source and keeps the
record; a resubscribe is a new record; an undone complaint lifts its withdrawal.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from outreach.inbound.events import InboundKind, InboundSource
from outreach.inbound.record import record, undo
from outreach.store import consent, membership, profile
from outreach.store.consent import ConsentMethod, Evidence
from outreach.store.db import open_db
from outreach.store.schema import audit, subscribers
from outreach.tokens import make_token
from tests.inbound.test_record import KEYS, msg, send

FORM = "sha256:0123456789abcdef"
TOPICS = ("asia", "peace", "defence")


@pytest.fixture
def engine(db_config):
    return open_db(db_config)


def _sid(engine, address: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(subscribers.c.id).where(subscribers.c.email == address)).scalar_one()


def _records(engine, address: str) -> list[consent.ConsentRecord]:
    with engine.connect() as conn:
        return consent.records_of(conn, _sid(engine, address))


def _topics(engine, address: str) -> list[str]:
    with engine.connect() as conn:
        return profile.topics_of(conn, _sid(engine, address))


def _joined(engine, address: str, topics=("asia", "peace"), list_name: str = "research") -> str:
    """A confirmed sign-up; the subscriber's key."""
    done = membership.request_sign_up(engine, address, None, list_name, topics, FORM)
    assert membership.confirm(engine, done.subscriber_key, list_name, None, "203.0.113.0", "Firefox/130", TOPICS) == "active"
    return done.subscriber_key


def test_a_sign_up_keeps_a_pending_record_and_follows_no_topic_before_the_confirmation(engine):
    done = membership.request_sign_up(engine, "ann@example.org", "Ann", "research", ["peace", "asia"], FORM)
    (pending,) = _records(engine, "ann@example.org")
    assert pending.method is ConsentMethod.DOUBLE_OPT_IN and pending.requested_at and pending.given_at is None
    assert pending.evidence.form_version == FORM and pending.evidence.basis == "sign-up form"
    assert pending.evidence.topics == ("asia", "peace")
    assert (pending.evidence.ip, pending.evidence.user_agent) == (None, None)
    assert _topics(engine, "ann@example.org") == []
    assert membership.confirm(engine, done.subscriber_key, "research", None, "203.0.113.0", "Mozilla/5.0 (X11)", TOPICS) == "active"
    (given,) = _records(engine, "ann@example.org")
    assert given.id == pending.id and given.given_at and given.withdrawn_at is None
    assert (given.evidence.ip, given.evidence.user_agent, given.evidence.form_version) == ("203.0.113.0", "Mozilla/5.0 (X11)", FORM)
    assert _topics(engine, "ann@example.org") == ["asia", "peace"]
    with engine.connect() as conn:
        last = conn.execute(select(audit.c.action, audit.c.detail).order_by(audit.c.id.desc()).limit(1)).one()
    assert tuple(last) == ("confirmed", "topics added: asia, peace")


def test_a_later_sign_up_by_someone_else_never_changes_what_an_earlier_link_confirms(engine):
    """Found by review: a stranger's second request (throttled, so no mail) used to rewrite the waiting topics."""
    from datetime import timedelta

    from sqlalchemy import update

    from outreach.store.db import now
    from outreach.store.schema import consents

    first = membership.request_sign_up(engine, "ann@example.org", None, "research", ["asia"], FORM)
    an_hour_ago = now() - timedelta(hours=1)
    with engine.begin() as conn:  # ann's request and the link mailed for it, an hour ago
        conn.execute(update(consents).values(requested_at=an_hour_ago))
    link_issued = an_hour_ago.replace(microsecond=0) + timedelta(seconds=1)
    assert membership.request_sign_up(engine, "ann@example.org", None, "research", ["climate"], FORM).mail == "throttled"
    assert len(_records(engine, "ann@example.org")) == 1, "a throttled request mails nothing and records nothing"
    membership.CONFIRM_EVERY, saved = membership.CONFIRM_EVERY * 0, membership.CONFIRM_EVERY  # the stranger's next one is mailed
    try:
        assert membership.request_sign_up(engine, "ann@example.org", None, "research", ["migration"], FORM).mail == "queued"
    finally:
        membership.CONFIRM_EVERY = saved
    assert [r.evidence.topics for r in _records(engine, "ann@example.org")] == [("asia",), ("migration",)], "each mailed request its own record"
    for _ in range(2):  # ann confirms from her own (older) link, twice
        assert membership.confirm(engine, first.subscriber_key, "research", link_issued, "198.51.100.0", "UA", TOPICS + ("migration",)) == "active"
    (given,) = _records(engine, "ann@example.org")
    assert given.given_at is not None and given.evidence.topics == ("asia",) and _topics(engine, "ann@example.org") == ["asia"]


def test_a_throttled_sign_up_records_nothing_for_a_link_never_sent(engine):
    first = membership.request_sign_up(engine, "ann@example.org", None, "research", [], FORM)
    second = membership.request_sign_up(engine, "ann@example.org", None, "events", ["asia"], FORM)
    assert (first.mail, second.mail) == ("queued", "throttled"), "one address: one confirmation per ten minutes, over every list"
    assert [r.list_name for r in _records(engine, "ann@example.org")] == ["research"]


def test_the_form_cannot_change_an_active_readers_topics(engine):
    key = _joined(engine, "ann@example.org", topics=("asia",))
    again = membership.request_sign_up(engine, "ann@example.org", None, "research", ["climate", "migration"], FORM)
    assert again.mail == "not needed" and again.before == "active"
    assert len(_records(engine, "ann@example.org")) == 1, "no record waits for a confirmation that is never sent"
    membership.confirm(engine, key, "research", None, "203.0.113.0", "UA", TOPICS + ("climate", "migration"))
    assert _topics(engine, "ann@example.org") == ["asia"]


def test_a_confirmation_follows_only_topics_the_config_still_declares_and_never_drops_any(engine):
    done = membership.request_sign_up(engine, "ann@example.org", None, "research", ["asia", "retired"], FORM)
    with engine.begin() as conn:
        profile.add_topics(conn, _sid(engine, "ann@example.org"), ["climate"])
    membership.confirm(engine, done.subscriber_key, "research", None, None, None, ("asia", "climate"))
    assert _topics(engine, "ann@example.org") == ["asia", "climate"]


@pytest.mark.parametrize("source", ["one-click", "web", "mailto", "preferences"])
def test_an_unsubscribe_withdraws_the_lists_consent_and_keeps_the_record(engine, source):
    key = _joined(engine, "ann@example.org")
    _joined(engine, "ann@example.org", list_name="events")
    with engine.begin() as conn:
        assert membership.unsubscribe_in(conn, key, "research", source) == "ann@example.org"
    by_list = {r.list_name: r for r in _records(engine, "ann@example.org")}
    assert by_list["research"].withdrawn_at is not None and by_list["research"].withdrawn_by == source
    assert by_list["research"].given_at and by_list["research"].evidence.ip == "203.0.113.0", "the proof stays"
    assert by_list["events"].withdrawn_at is None, "only the list left"


def test_signing_up_again_after_leaving_is_a_new_record_beside_the_withdrawn_one(engine):
    key = _joined(engine, "ann@example.org")
    membership.unsubscribe(engine, key, "research", "one-click")
    membership.CONFIRM_EVERY, saved = membership.CONFIRM_EVERY * 0, membership.CONFIRM_EVERY
    try:
        membership.request_sign_up(engine, "ann@example.org", None, "research", [], FORM)
    finally:
        membership.CONFIRM_EVERY = saved
    membership.confirm(engine, key, "research", None, "198.51.100.0", "UA2", TOPICS)
    old, new = _records(engine, "ann@example.org")
    assert old.withdrawn_by == "one-click" and new.withdrawn_at is None and new.evidence.ip == "198.51.100.0"


def test_a_resubscribe_is_a_new_record_once(engine):
    key = _joined(engine, "ann@example.org")
    membership.unsubscribe(engine, key, "research", "web")
    evidence = Evidence(ip="192.0.2.0", user_agent="Safari", form_version="sha256:unsubscribed")
    assert membership.resubscribe(engine, key, "research", "web", evidence)
    assert membership.resubscribe(engine, key, "research", "web", evidence), "a double click"
    first, second = _records(engine, "ann@example.org")
    assert first.withdrawn_by == "web"
    assert second.method is ConsentMethod.PREFERENCES and second.withdrawn_at is None and second.given_at
    assert (second.evidence.ip, second.evidence.user_agent, second.evidence.form_version) == ("192.0.2.0", "Safari", "sha256:unsubscribed")


def test_a_mailto_unsubscribe_withdraws(db_config, engine):
    key = _joined(engine, "ada@example.org")
    token = make_token(KEYS, "unsubscribe", key, "research")
    done = record(engine, db_config, KEYS, msg(InboundKind.UNSUBSCRIBE, unsubscribe_token=token, reason="mailto unsubscribe"))
    assert done.action.startswith("unsubscribed ada@example.org from research")
    (only,) = _records(engine, "ada@example.org")
    assert only.withdrawn_by == "mailto" and only.given_at


def test_a_complaint_withdraws_every_list_and_its_undo_lifts_that_withdrawal(db_config, engine, tmp_path):
    _joined(engine, "ada@example.org")
    _joined(engine, "ada@example.org", list_name="events")
    rows = send(engine, tmp_path, "c1", "research", ["ada@example.org"])
    done = record(engine, db_config, KEYS, msg(InboundKind.COMPLAINT, mid=rows["ada@example.org"].message_id, reason="abuse report"))
    assert done.effects["unsubscribed"] == ["events", "research"]
    records = _records(engine, "ada@example.org")
    assert records and all(r.withdrawn_by == "complaint" and r.given_at for r in records)
    assert "re-subscribed to events, research" in undo(engine, done.id, "ops").action
    assert all(r.withdrawn_at is None for r in _records(engine, "ada@example.org")), "the complaint was not the person's wish"


def test_an_esp_unsubscribe_withdraws_with_the_esps_name(db_config, engine, tmp_path):
    _joined(engine, "ada@example.org")
    rows = send(engine, tmp_path, "c1", "research", ["ada@example.org"])
    record(engine, db_config, KEYS, msg(InboundKind.UNSUBSCRIBE, mid=rows["ada@example.org"].message_id, source=InboundSource.SENDGRID,
                                        receipt="sg-1"))
    assert {r.withdrawn_by for r in _records(engine, "ada@example.org")} == {"sendgrid"}


def test_a_hard_bounce_suppresses_but_leaves_the_consent_standing(db_config, engine, tmp_path):
    """A bounce says the address does not work, not that the person said no: an undo of a wrong bounce needs no new consent."""
    _joined(engine, "ada@example.org")
    rows = send(engine, tmp_path, "c1", "research", ["ada@example.org"])
    record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=rows["ada@example.org"].message_id))
    assert all(r.withdrawn_at is None for r in _records(engine, "ada@example.org"))


def test_an_undo_lifts_only_the_withdrawal_it_undoes(engine):
    key = _joined(engine, "ada@example.org")
    with engine.begin() as conn:
        membership.unsubscribe_everywhere_in(conn, "ada@example.org", "complaint")  # a first complaint, never undone
    assert membership.resubscribe(engine, key, "research", "web", Evidence(ip="192.0.2.0"))  # she came back herself
    with engine.begin() as conn:
        membership.unsubscribe_everywhere_in(conn, "ada@example.org", "complaint")  # a second complaint: undone below
    with engine.begin() as conn:
        assert membership.resubscribe_after_undo_in(conn, "ada@example.org", ["research"], "complaint", "undo") == ["research"]
    first, second = _records(engine, "ada@example.org")
    assert first.withdrawn_by == "complaint", "the first complaint stands"
    assert second.withdrawn_at is None and second.evidence.ip == "192.0.2.0"
    membership.unsubscribe(engine, key, "research", "one-click")  # the person's own choice afterwards
    with engine.begin() as conn:
        assert membership.resubscribe_after_undo_in(conn, "ada@example.org", ["research"], "complaint", "undo") == []
    assert [r.withdrawn_by for r in _records(engine, "ada@example.org")] == ["complaint", "one-click"]
