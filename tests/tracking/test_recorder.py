"""The click recorder on the real database: group commit, answers only after the commit, failures, bursts."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select

from outreach.store.click_store import count_totals, write_batch
from outreach.store.db import open_db
from outreach.store.schema import click_counts, clicks, deliveries, links
from outreach.tracking.machine import MachineReason
from outreach.tracking.recorder import ClickRecorder, NotRecorded

NOW = 1_800_000_000.0  # a fixed arrival time (epoch seconds), well inside one UTC hour


def seed(engine, n_links: int = 3, n_deliveries: int = 0) -> None:
    stamp = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(links), [{"id": i, "campaign": "c", "url": f"https://example.org/{i}", "url_hash": f"h{i}", "label": None,
                                      "position": i, "created_at": stamp} for i in range(1, n_links + 1)])
        if n_deliveries:
            conn.execute(insert(deliveries), [{"id": i, "campaign": "c", "step": 1, "target": f"r{i}@example.org", "state": "sent",
                                               "attempts": 1, "updated_at": stamp} for i in range(1, n_deliveries + 1)])


def counts(engine) -> dict[int, tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(select(click_counts.c.link_id, func.sum(click_counts.c.human), func.sum(click_counts.c.machine))
                            .group_by(click_counts.c.link_id)).all()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def click_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(clicks.c.link_id, clicks.c.delivery_id, clicks.c.machine_reason).order_by(clicks.c.id))]


class CountingWriter:
    """The real batch writer, counting its calls and able to hold a batch or fail."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.release = threading.Event()
        self.release.set()
        self.fail = False

    def __call__(self, engine, rows, moves):
        self.release.wait(30)
        self.calls.append(len(rows))
        if self.fail:
            raise RuntimeError("database down")
        return write_batch(engine, rows, moves)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_concurrent_clicks_are_all_counted_in_few_transactions(db_config):
    engine = open_db(db_config)
    seed(engine)
    writer = CountingWriter()

    async def main():
        recorder = ClickRecorder(engine, writer=writer)
        await recorder.start()
        await asyncio.gather(*(recorder.record(1 + i % 3, NOW + i * 10, None, message=i) for i in range(600)))
        await recorder.stop()

    run(main())
    assert sum(counts(engine)[i][0] for i in (1, 2, 3)) == 600
    assert counts(engine) == {1: (200, 0), 2: (200, 0), 3: (200, 0)}
    assert sum(writer.calls) == 600 and len(writer.calls) < 60  # group commit: batches, not one commit per click
    assert click_rows(engine) == []  # aggregate: no row per click


def test_a_click_is_answered_only_after_its_commit(db_config):
    engine = open_db(db_config)
    seed(engine)
    writer = CountingWriter()
    writer.release.clear()

    async def main():
        recorder = ClickRecorder(engine, writer=writer)
        await recorder.start()
        task = asyncio.create_task(recorder.record(1, NOW, None, message=1))
        await asyncio.sleep(0.3)
        assert not task.done()  # the batch is held: no answer yet
        assert counts(engine) == {}
        writer.release.set()
        await task
        assert counts(engine) == {1: (1, 0)}  # answered: committed
        await recorder.stop()

    run(main())


def test_a_failed_batch_raises_not_recorded_and_the_next_one_works(db_config, caplog):
    engine = open_db(db_config)
    seed(engine)
    writer = CountingWriter()

    async def main():
        recorder = ClickRecorder(engine, writer=writer)
        await recorder.start()
        writer.fail = True
        results = await asyncio.gather(*(recorder.record(1, NOW, None, message=i) for i in range(5)), return_exceptions=True)
        assert all(isinstance(r, NotRecorded) for r in results)
        writer.fail = False
        await recorder.record(2, NOW, None, message=9)
        await recorder.stop()

    run(main())
    assert counts(engine) == {2: (1, 0)}
    assert "clicks not recorded (5 clicks, 0 moves): RuntimeError" in caplog.text


def test_a_hung_database_answers_not_recorded_in_time_and_a_late_commit_still_counts(db_config):
    engine = open_db(db_config)
    seed(engine)
    writer = CountingWriter()
    writer.release.clear()  # the database hangs

    async def main():
        recorder = ClickRecorder(engine, writer=writer, timeout=0.5)
        await recorder.start()
        loop = asyncio.get_running_loop()
        started = loop.time()
        results = await asyncio.gather(*(recorder.record(1, NOW, None, message=i) for i in range(20)), return_exceptions=True)
        assert all(isinstance(r, NotRecorded) for r in results), results
        assert loop.time() - started < 20, "answered by the timeout, not by the database"
        writer.release.set()  # the database comes back: the batch commits after all
        await recorder.stop()

    run(main())
    assert counts(engine) == {1: (20, 0)}, "counted although answered 503: never the reverse"


def test_after_stop_clicks_are_refused_and_waiting_ones_were_committed(db_config):
    engine = open_db(db_config)
    seed(engine)

    async def main():
        recorder = ClickRecorder(engine, pause=0.2)
        with pytest.raises(NotRecorded):
            await recorder.record(1, NOW, None, message=1)  # not started
        await recorder.start()
        waiting = [asyncio.create_task(recorder.record(1, NOW, None, message=i)) for i in range(10)]
        await asyncio.sleep(0)
        await recorder.stop()
        await asyncio.gather(*waiting)
        with pytest.raises(NotRecorded):
            await recorder.record(1, NOW, None, message=1)

    run(main())
    assert counts(engine) == {1: (10, 0)}


def test_burst_moves_a_committed_click_to_machine(db_config):
    engine = open_db(db_config)
    seed(engine, n_deliveries=2)

    async def main():
        recorder = ClickRecorder(engine)
        await recorder.start()
        await recorder.record(1, NOW, None, message=(7, 1), individual=True, delivery_id=1)  # committed as a person's
        await recorder.record(2, NOW + 1.5, None, message=(7, 1), individual=True, delivery_id=1)  # another link, 1.5 s later
        await recorder.record(1, NOW + 1.0, None, message=(8, 1), individual=True, delivery_id=2)  # another message: a person
        await recorder.stop()

    run(main())
    assert counts(engine) == {1: (1, 1), 2: (0, 1)}
    assert click_rows(engine) == [(1, 1, "burst"), (2, 1, "burst"), (1, 2, None)]


def test_burst_inside_one_batch_is_written_as_machine(db_config):
    engine = open_db(db_config)
    seed(engine)

    async def main():
        recorder = ClickRecorder(engine, pause=0.2)
        await recorder.start()
        await asyncio.gather(recorder.record(1, NOW, None, message=5), recorder.record(2, NOW + 0.5, None, message=5),
                             recorder.record(3, NOW + 0.6, MachineReason.HEAD, message=5))
        await recorder.stop()

    run(main())
    assert counts(engine) == {1: (0, 1), 2: (0, 1), 3: (0, 1)}
    assert count_totals(engine) == (0, 3)


def test_clicks_two_seconds_apart_per_link_are_people(db_config):
    engine = open_db(db_config)
    seed(engine)

    async def main():
        recorder = ClickRecorder(engine)
        await recorder.start()
        await recorder.record(1, NOW, None, message=5)
        await recorder.record(2, NOW + 2.5, None, message=5)
        await recorder.stop()

    run(main())
    assert counts(engine) == {1: (1, 0), 2: (1, 0)}


def test_individual_click_with_no_such_delivery_keeps_no_delivery(db_config):
    engine = open_db(db_config)
    seed(engine, n_deliveries=1)

    async def main():
        recorder = ClickRecorder(engine)
        await recorder.start()
        await recorder.record(1, NOW, None, message=(1, 0), individual=True, delivery_id=1)
        await recorder.record(1, NOW + 10, None, message=(999, 0), individual=True, delivery_id=999)
        await recorder.record(1, NOW + 20, None, message=(2**64 - 1, 0), individual=True, delivery_id=2**64 - 1)
        await recorder.stop()

    run(main())
    assert click_rows(engine) == [(1, 1, None), (1, None, None), (1, None, None)]
