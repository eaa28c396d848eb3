"""``outreach status`` shows, per campaign and per email step, the hard and soft bounces, complaints and
unsubscribes by mail (from delivery_events; undone ones left out), in the table and in --json. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from outreach.inbound.events import InboundKind
from outreach.inbound.record import record, undo
from outreach.status import gather
from outreach.store.db import open_db
from outreach.store.ledger_queries import late_counts
from outreach.tokens import make_token
from tests.inbound.test_record import KEYS, key_of, msg, send


def _came_back(db_config, tmp_path):
    engine = open_db(db_config)
    people = ["a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org"]
    rows = send(engine, tmp_path, "c1", "research", people)
    other = send(engine, tmp_path, "c2", "events", ["a@example.org"])
    record(engine, db_config, KEYS, msg(InboundKind.HARD_BOUNCE, mid=rows["a@example.org"].message_id))
    record(engine, db_config, KEYS, msg(InboundKind.SOFT_BOUNCE, mid=rows["b@example.org"].message_id))
    record(engine, db_config, KEYS, msg(InboundKind.SOFT_BOUNCE, mid=rows["c@example.org"].message_id))
    record(engine, db_config, KEYS, msg(InboundKind.SOFT_BOUNCE, mid=rows["c@example.org"].message_id))  # the same send: counted once
    wrong = record(engine, db_config, KEYS, msg(InboundKind.COMPLAINT, mid=rows["d@example.org"].message_id))
    record(engine, db_config, KEYS, msg(InboundKind.COMPLAINT, mid=rows["c@example.org"].message_id))
    undo(engine, wrong.id, "ops")
    token = make_token(KEYS, "unsubscribe", key_of(engine, "e@example.org"), "research")
    record(engine, db_config, KEYS, msg(InboundKind.UNSUBSCRIBE, unsubscribe_token=token))
    record(engine, db_config, KEYS, msg(InboundKind.SOFT_BOUNCE, mid=other["a@example.org"].message_id))
    return engine


def test_late_counts_per_campaign_leave_undone_events_out(db_config, tmp_path):
    engine = _came_back(db_config, tmp_path)
    c1 = late_counts(engine, "c1")
    assert (c1.hard_bounces, c1.soft_bounces, c1.complaints, c1.unsubscribes_by_mail) == (1, 2, 1, 1)
    assert late_counts(engine, "c2").as_dict() == {"soft bounces": 1}
    assert late_counts(engine, "c1", step=2).as_dict() == {}


def test_status_shows_what_came_back_in_the_table_and_in_json(db_config, tmp_path, cli):
    Path("outreach.toml").write_text(f"database = {db_config.database!r}\n".replace("'", '"'), encoding="utf-8")
    _came_back(db_config, tmp_path)
    report = gather(open_db(db_config))
    [step] = [s for s in report.steps if s.campaign == "c1"]
    assert step.late == {"hard bounces": 1, "soft bounces": 2, "complaints": 1, "unsubscribes by mail": 1}
    as_json = cli("status", "--json")
    assert as_json.code == 0, as_json.err
    data = json.loads(as_json.out)
    assert {c["campaign"]: (c["hard_bounces"], c["soft_bounces"], c["complaints"], c["unsubscribes_by_mail"]) for c in data["came_back"]} == {
        "c1": (1, 2, 1, 1), "c2": (0, 1, 0, 0)}
    assert [s["late"] for s in data["steps"] if s["campaign"] == "c1"] == [step.late]
    table = cli("status")
    assert table.code == 0, table.err
    assert "hard bounces 1, soft bounces 2, complaints 1, unsubscribes by mail 1" in table.out and "came back (email)" in table.out
