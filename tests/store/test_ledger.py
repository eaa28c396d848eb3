"""The ledger: typed rows, the late transitions (bounce, complaint) with their events, post parts by number,
and the rule that nothing but store/ledger.py writes delivery state. SQLite and PostgreSQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from outreach.errors import DatabaseUnavailable, OutreachError
from outreach.store.db import open_db
from outreach.store.delivery import Delivery, DeliveryState, EventKind
from outreach.store.late_events import record_bounce, record_complaint
from outreach.store.ledger import Ledger, Outcome, QueuedPart, enqueue_audience, enqueue_parts, resolve_part
from outreach.store.ledger_queries import deliveries_in, events_of, post_parts, step_kinds
from outreach.store.schema import DELIVERY_EVENT_KINDS, deliveries
from outreach.store.subscribers import import_csv, suppression_list
from tests.mail.conftest import write_csv

SLUG = "ledger-test"
SRC = Path(__file__).resolve().parents[2] / "src" / "outreach"


def _sent(config, tmp_path, n: int = 3) -> tuple:
    """``n`` email deliveries taken through claim and finish to ``sent``; the engine and the rows by address."""
    engine = open_db(config)
    import_csv(engine, write_csv(tmp_path / "l.csv", [(f"r{i}@example.org", f"R {i}") for i in range(n)]), "research")
    assert enqueue_audience(engine, SLUG, "research", 1) == n
    ledger = Ledger(engine, SLUG, 1, suppression_list="research")
    try:
        for row in deliveries_in(engine, SLUG, [DeliveryState.QUEUED]):
            ledger.address([(row.id, f"<m{row.id}@example.org>", "news@example.org")])
            claimed = ledger.advance(None, row.id)
            assert claimed is not None and claimed.state is DeliveryState.SENDING
            ledger.finish(Outcome(row.id, DeliveryState.SENT, "250 ok"))
    finally:
        ledger.close()
    return engine, {r.target: r for r in deliveries_in(engine, SLUG, [DeliveryState.SENT])}


@pytest.mark.parametrize("late, expected, suppressed_as", [
    (lambda e, i: record_bounce(e, i, hard=True, detail="550 5.1.1 user unknown"), DeliveryState.BOUNCED, "bounced"),
    (lambda e, i: record_bounce(e, i, hard=False, detail="452 mailbox full"), DeliveryState.BOUNCED, None),
    (lambda e, i: record_complaint(e, i, detail="abuse report"), DeliveryState.COMPLAINED, "complained"),
], ids=["hard-bounce", "soft-bounce", "complaint"])
def test_a_late_event_moves_sent_and_keeps_the_event(db_config, tmp_path, late, expected, suppressed_as):
    engine, rows = _sent(db_config, tmp_path)
    row = rows["r1@example.org"]
    assert late(engine, row.id) is expected
    [after] = [r for r in deliveries_in(engine, SLUG, list(DeliveryState)) if r.id == row.id]
    assert after.state is expected and after.message_id == row.message_id == f"<m{row.id}@example.org>"
    [event] = events_of(engine, row.id)
    assert event.delivery_id == row.id and event.kind in (EventKind.BOUNCED_HARD, EventKind.BOUNCED_SOFT, EventKind.COMPLAINED)
    assert event.detail and event.occurred_at is not None
    others = [r.state for r in deliveries_in(engine, SLUG, list(DeliveryState)) if r.id != row.id]
    assert others == [DeliveryState.SENT, DeliveryState.SENT]
    kept = [(s["email"], s["list"], s["reason"]) for s in suppression_list(engine)]
    assert kept == ([("r1@example.org", "*", suppressed_as)] if suppressed_as else [])


@pytest.mark.parametrize("state", [DeliveryState.QUEUED, DeliveryState.FAILED, DeliveryState.SUPPRESSED])
def test_a_late_event_for_a_row_that_never_went_out_changes_nothing_but_is_kept(db_config, tmp_path, state):
    engine = open_db(db_config)
    import_csv(engine, write_csv(tmp_path / "l.csv", [("r0@example.org", "R")]), "research")
    enqueue_audience(engine, SLUG, "research", 1)
    [row] = deliveries_in(engine, SLUG, [DeliveryState.QUEUED])
    if state is DeliveryState.FAILED:
        ledger = Ledger(engine, SLUG, 1)
        ledger.claim(row.id)
        ledger.finish(Outcome(row.id, state, "refused"))
        ledger.close()
    elif state is DeliveryState.SUPPRESSED:
        ledger = Ledger(engine, SLUG, 1)
        ledger.skip(row.id, "suppressed")
        ledger.close()
    assert record_bounce(engine, row.id, hard=False, detail="odd") is state
    assert record_complaint(engine, row.id, detail="odd") is state
    assert [e.kind for e in events_of(engine, row.id)] == [EventKind.BOUNCED_SOFT, EventKind.COMPLAINED]


def test_a_complaint_outranks_an_earlier_bounce_and_an_unknown_delivery_id_is_an_error(db_config, tmp_path):
    engine, rows = _sent(db_config, tmp_path, 1)
    [row] = rows.values()
    assert record_bounce(engine, row.id, hard=False, detail="later delivered") is DeliveryState.BOUNCED
    assert record_complaint(engine, row.id, detail="abuse") is DeliveryState.COMPLAINED
    assert record_bounce(engine, row.id, hard=True, detail="late dsn") is DeliveryState.COMPLAINED  # stays: someone read it
    assert [e.kind for e in events_of(engine, row.id)] == [EventKind.BOUNCED_SOFT, EventKind.COMPLAINED, EventKind.BOUNCED_HARD]
    with pytest.raises(OutreachError, match="not in the ledger"):
        record_bounce(engine, row.id + 1000, hard=True, detail="x")


def test_rows_are_typed_values(db_config, tmp_path):
    engine, rows = _sent(db_config, tmp_path, 2)
    for row in rows.values():
        assert isinstance(row, Delivery) and type(row.state) is DeliveryState and row.part is None and not row.is_post
        with pytest.raises(AttributeError):
            row.state = DeliveryState.QUEUED  # type: ignore[misc]
    assert step_kinds(engine, SLUG) == {(SLUG, 1): "email"}


def test_post_parts_are_found_by_their_number_not_by_parsing_a_target(db_config):
    engine = open_db(db_config)
    parts = [QueuedPart(n, f"part {n} text", 3) for n in (1, 2, 3)]
    enqueue_parts(engine, SLUG, 2, parts)
    enqueue_parts(engine, SLUG, 2, parts)  # a second run queues nothing twice
    found = post_parts(engine, SLUG, 2)
    assert sorted(found) == [1, 2, 3] and all(found[n].part == n and found[n].text == f"part {n} text" for n in found)
    assert step_kinds(engine, SLUG) == {(SLUG, 2): "post"}
    with engine.begin() as conn:  # the target is only a unique key: nothing reads a number out of it
        conn.execute(deliveries.update().where(deliveries.c.part == 2).values(target="renamed"))
    assert post_parts(engine, SLUG, 2)[2].target == "renamed"
    ledger = Ledger(engine, SLUG, 2)
    ledger.claim(found[2].id)
    ledger.finish(Outcome(found[2].id, DeliveryState.UNKNOWN, "no answer"))
    ledger.close()
    assert resolve_part(engine, SLUG, 2, 2, posted_url="https://x.test/s/99", resend=False, by="cli") is DeliveryState.SENT
    after = post_parts(engine, SLUG, 2)[2]
    assert (after.state, after.remote_id, after.remote_url) == (DeliveryState.SENT, "99", "https://x.test/s/99")
    [event] = events_of(engine, after.id)
    assert (event.kind, event.source) == (EventKind.RESOLVED, "cli")
    with pytest.raises(OutreachError, match="not unknown"):
        resolve_part(engine, SLUG, 2, 2, posted_url=None, resend=True)


def test_a_post_outcome_keeps_its_payload_in_the_same_commit(db_config):
    engine = open_db(db_config)
    enqueue_parts(engine, SLUG, 3, [QueuedPart(1, "hello", 1)])
    row = post_parts(engine, SLUG, 3)[1]
    ledger = Ledger(engine, SLUG, 3)
    ledger.claim(row.id)
    ledger.finish(Outcome(row.id, DeliveryState.SENT, "posted", remote_id="r1", remote_url="https://b.test/r1",
                          payload={"text": "hello", "of": 1, "remote": {"cid": "abc"}}))
    ledger.close()
    after = post_parts(engine, SLUG, 3)[1]
    assert (after.remote_id, after.remote_extra, after.text) == ("r1", {"cid": "abc"}, "hello")


# -- the one-writer rule, checked on the source -----------------------------------------------

WRITERS = {"store/ledger.py", "store/holds.py", "store/late_events.py"}  # the ledger: a run's writes, which run holds a row, late events
# Modules that read the delivery tables (never write them: the write patterns below still apply to them):
# the ledger's read module, and what reports on deliveries (clicks of a delivery, posts' reactions, the report).
READERS = {"store/ledger_queries.py", "store/schema.py", "store/click_store.py", "store/metrics_store.py", "store/report_queries.py"}
RAW_WRITE = re.compile(r"\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(deliveries|delivery_events)\b", re.IGNORECASE)
CORE_WRITE = re.compile(r"\b(?:insert|update|delete)\((deliveries|delivery_events)\b|\b(deliveries|delivery_events)\.(?:insert|update|delete)\(")


def _modules() -> list[tuple[str, str]]:
    return [(str(p.relative_to(SRC)), p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py")) if "migrations" not in p.parts]


@pytest.mark.parametrize("table", ["deliveries", "delivery_events"])
def test_only_the_ledger_touches_the_delivery_tables(table):
    """No module but the ledger (and its read module) imports the tables; none writes them with raw SQL."""
    offenders = []
    for name, text in _modules():
        if name in WRITERS:
            continue
        if name not in READERS:
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("schema") and any(a.name == table for a in node.names):
                    offenders.append(f"{name}: imports {table}")
        offenders += [f"{name}: writes {m.group(0)}" for pattern in (RAW_WRITE, CORE_WRITE) for m in pattern.finditer(text)]
    assert offenders == []


def test_states_are_one_enum_and_the_error_lives_in_the_error_tree():
    import outreach.errors as errors_module
    import outreach.store.guard as guard

    assert {s.value for s in DeliveryState} >= {"queued", "sending", "sent", "failed", "bounced", "complained", "unknown", "suppressed"}
    assert DatabaseUnavailable.__module__ == "outreach.errors" and "DatabaseUnavailable" in (errors_module.__doc__ or "")
    assert guard.DatabaseUnavailable is DatabaseUnavailable
    assert tuple(k.value for k in EventKind) == DELIVERY_EVENT_KINDS  # the enum and the table's CHECK agree
