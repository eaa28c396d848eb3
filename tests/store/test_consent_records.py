"""Consent records and a subscriber's topics and pause, at the store level, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from outreach.store import consent, profile
from outreach.store.consent import ConsentMethod, Evidence
from outreach.store.db import now, open_db
from outreach.store.schema import subscribers


def _person(conn, email: str = "ann@example.org") -> int:
    stamp = now()
    return conn.execute(insert(subscribers).returning(subscribers.c.id), [{"email": email, "display_email": email, "attrs": {},
                                                                          "created_at": stamp, "updated_at": stamp}]).scalar_one()


def test_a_double_opt_in_is_pending_until_confirmed_then_kept_after_withdrawal(db_config):
    engine = open_db(db_config)
    with engine.begin() as conn:
        sid = _person(conn)
        pending = consent.record_pending(conn, sid, "research", Evidence(form_version=consent.form_version("<form>")))
        assert consent.withdraw(conn, sid, "research", "one-click") == 0, "a consent never given cannot be withdrawn"
        consent.complete(conn, pending, "203.0.113.7", "Mozilla/5.0\x1b[31m")
    with engine.begin() as conn:
        assert consent.withdraw(conn, sid, "research", "one-click") == 1
        assert consent.withdraw(conn, sid, "research", "web") == 0, "a withdrawal is recorded once"
        (only,) = consent.records_of(conn, sid)
    assert only.method is ConsentMethod.DOUBLE_OPT_IN and only.requested_at and only.given_at and only.withdrawn_at
    assert only.withdrawn_by == "one-click" and only.evidence.ip == "203.0.113.7"
    assert only.evidence.user_agent == "Mozilla/5.0 [31m", "control characters never reach a record"
    assert only.evidence.form_version.startswith("sha256:")


def test_import_evidence_is_kept_and_exported_with_the_address(db_config):
    engine = open_db(db_config)
    with engine.begin() as conn:
        sid = _person(conn, "bob@example.org")
        consent.record(conn, sid, "research", ConsentMethod.IMPORT,
                       Evidence(source_file="people.csv", source_row=7, collected_by="comms", basis="event sign-up sheet 2026"))
    ((address, record),) = list(consent.iter_records(engine, batch=1))
    assert address == "bob@example.org"
    assert (record.evidence.source_file, record.evidence.source_row, record.evidence.collected_by) == ("people.csv", 7, "comms")


@pytest.mark.parametrize(("raw", "truncate", "kept"), [
    ("203.0.113.77", False, "203.0.113.77"), ("203.0.113.77", True, "203.0.113.0"),
    ("2001:db8:1234:5678::1", True, "2001:db8:1234::"), ("testclient", True, None), (None, False, None),
    ("::ffff:203.0.113.77", False, "203.0.113.77"), ("::ffff:203.0.113.77", True, "203.0.113.0"),  # a dual-stack listener's IPv4 client
])
def test_client_addresses_are_kept_whole_or_truncated(raw, truncate, kept):
    assert consent.client_ip(raw, truncate) == kept


def test_form_versions_change_with_the_wording():
    assert consent.form_version("a") == consent.form_version("a") != consent.form_version("b")


def test_topics_are_added_set_and_listed(db_config):
    engine = open_db(db_config)
    with engine.begin() as conn:
        sid = _person(conn)
        assert profile.add_topics(conn, sid, ["peace", "asia", "asia"]) == ["asia", "peace"]
        assert profile.add_topics(conn, sid, ["asia"]) == []
        assert profile.set_topics(conn, sid, ["asia", "climate"]) == (["climate"], ["peace"])
        assert profile.topics_of(conn, sid) == ["asia", "climate"]
        until = now() + timedelta(days=30)
        profile.pause(conn, sid, until)
        assert conn.execute(select(subscribers.c.paused_until).where(subscribers.c.id == sid)).scalar_one() == until.replace(microsecond=until.microsecond)
        profile.pause(conn, sid, None)
        assert conn.execute(select(subscribers.c.paused_until).where(subscribers.c.id == sid)).scalar_one() is None


def test_removing_someone_from_a_list_keeps_their_consent_record_withdrawn(db_config, tmp_path):
    from outreach.store.importer import import_csv
    from outreach.store.subscribers import remove

    engine = open_db(db_config)
    path = tmp_path / "p.csv"
    path.write_text("email\nann@example.org\n", encoding="utf-8")
    import_csv(engine, path, "research", config=db_config, basis="seminar list")
    assert remove(engine, "ann@example.org", "research") == 1
    with engine.connect() as conn:
        sid = conn.execute(select(subscribers.c.id)).scalar_one()
        (kept,) = consent.records_of(conn, sid)
    assert kept.withdrawn_at is not None and kept.withdrawn_by == "cli" and kept.evidence.basis == "seminar list"


def test_removing_someone_from_every_list_keeps_them_and_their_records(db_config, tmp_path):
    """Found by review: remove --all deleted the subscriber row, and with it every consent record."""
    from outreach.store.importer import import_csv
    from outreach.store.subscribers import remove

    engine = open_db(db_config)
    path = tmp_path / "p.csv"
    path.write_text("email\nzed@example.org\n", encoding="utf-8")
    import_csv(engine, path, "research", config=db_config, basis="seminar list")
    assert remove(engine, "zed@example.org", None) == 1
    with engine.connect() as conn:
        sid = conn.execute(select(subscribers.c.id)).scalar_one()
        (kept,) = consent.records_of(conn, sid)
    assert kept.withdrawn_at is not None and kept.withdrawn_by == "cli"
