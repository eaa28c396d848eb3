"""Make the release-1 fixture databases (kept under tests/migrations/, used by test_migrations.py).

Run with the FIRST release's code on the path, never with today's (the point is
a database exactly as release 1 wrote it):

    git archive 7dfd5c6 | tar -x -C /tmp/r1
    PYTHONPATH=/tmp/r1/src python tests/migrations/make_release1_fixture.py sqlite:///tests/migrations/release1.sqlite
    PYTHONPATH=/tmp/r1/src python tests/migrations/make_release1_fixture.py \
        "postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dfixture_r1"
    pg_dump -h 127.0.0.1 -U postgres -d test --schema=fixture_r1 --inserts --no-owner --no-privileges \
        -f tests/migrations/release1.pg.sql

It holds subscribers, memberships in every status, suppressions, deliveries in
every state (email and posts), steps, approvals, audit, the archive, runs,
audiences, a dispatcher heartbeat and APScheduler jobs.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text, update

import outreach
from outreach.approval import approve
from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.mail.send import send_email
from outreach.posting import post_steps
from outreach.scheduler import put_jobs
from outreach.store import membership
from outreach.store.db import open_db
from outreach.store.schema import deliveries
from outreach.store.steps import heartbeat, save_schedule
from outreach.store.subscribers import ALL_LISTS, import_csv, suppress
from outreach.validate import check

PEOPLE = """email,name,organisation
ann@example.org,Ann Andersen,Ministry of Defence
bob@example.org,Bob Berg,
carla@example.dk,Carla Ørsted,Aarhus Universitet
dan@example.org,,Press
eve@example.org,Eve Example,
bounced@example.org,Bounce Target,
"""
STATES = ["queued", "sending", "failed", "bounced", "unknown", "suppressed"]


def main(url: str) -> None:
    source = Path(outreach.__file__).resolve().parents[2]
    assert "/work/main" not in str(source), "run this with the first release's code on PYTHONPATH"
    work = Path(tempfile.mkdtemp())
    folder = work / "campaigns"
    folder.mkdir()
    for name in ("soldier-defections-myanmar.toml", "soldier-defections-myanmar-cover.png"):
        shutil.copy(source / "campaigns" / name, folder / name)
    config = Config(database=url, outbox=work / "outbox")
    engine = open_db(config)
    (work / "people.csv").write_text(PEOPLE, encoding="utf-8")
    import_csv(engine, work / "people.csv", "research")
    membership.sign_up(engine, "pending@example.org", "Pending Person", "research")
    membership.unsubscribe(engine, 2, "research", "one-click")
    with engine.begin() as conn:
        suppress(conn, "bounced@example.org", ALL_LISTS, "bounced", "bounce", "550 5.1.1 user unknown")
    plan = check(load_campaign(folder / "soldier-defections-myanmar.toml"), config).plan
    approve(engine, plan, "Fixture Reviewer")
    send_email(config, plan)
    post_steps(config, plan)
    _every_state(engine, plan.campaign.slug)
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    due = {s.number: later + timedelta(minutes=s.number) for s in plan.steps}
    save_schedule(engine, plan, folder / "soldier-defections-myanmar.toml", due)
    put_jobs(config, plan.campaign.slug, due)
    heartbeat(engine, "fixture-host:4242", datetime.now(timezone.utc))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            conn.execute(text("PRAGMA journal_mode=DELETE"))
    engine.dispose()


def _every_state(engine, campaign: str) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        ids = [r.id for r in conn.execute(deliveries.select().where(deliveries.c.campaign == campaign).order_by(deliveries.c.id))]
        for delivery_id, state in zip(ids, STATES):
            conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(state=state, detail=f"fixture: {state}"))


if __name__ == "__main__":
    main(sys.argv[1])
