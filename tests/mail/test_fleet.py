"""``outreach send --workers N``: N processes on one step through PostgreSQL; refused, in one line, on SQLite."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from outreach.store.db import open_db
from outreach.store.schema import deliveries, runs
from outreach.store.subscribers import import_csv
from tests.mail.conftest import write_csv
from tests.mail.test_crash_safety import _config_file, _send
from tests.mail.test_workers_pg import pg_url, relay, setup  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


def test_workers_on_sqlite_are_refused_in_one_line(db_config, tmp_path, campaign_copy, smtp_server):
    if not db_config.database.startswith("sqlite"):
        pytest.skip("the SQLite refusal")
    engine = open_db(db_config)
    import_csv(engine, write_csv(tmp_path / "s.csv", [("a@example.org", "A")]), "research")
    proc = _send(_config_file(tmp_path, db_config.database, smtp_server.port), campaign_copy(), "--workers", "2")
    out, err = proc.communicate(timeout=120)
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 1 and lines == [lines[-1]] and lines[-1].startswith("error: --workers 2: several workers share a step through PostgreSQL")
    assert relay_untouched(engine)


def relay_untouched(engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(deliveries)).scalar_one() == 0


@pytest.mark.postgres
def test_workers_three_share_the_step_and_the_command_says_so(setup, relay):  # noqa: F811
    engine, config, campaign, addresses = setup(900)
    relay.handler.delay = 0.02  # a relay a little slower than loopback: the send outlasts the workers' start-up
    proc = _send(config, campaign, "--workers", "3")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out.decode() + err.decode()
    assert "Traceback" not in err.decode()
    received = relay.handler.counts()
    assert sorted(received) == sorted(addresses) and set(received.values()) == {1}
    with engine.connect() as conn:
        shares = Counter(dict(conn.execute(select(runs.c.pid, func.count()).join(deliveries, deliveries.c.run_id == runs.c.id)
                                           .where(deliveries.c.state == "sent").group_by(runs.c.pid)).all()))
    assert len(shares) == 3 and sum(shares.values()) == 900, shares
    # the summary is the ledger as all three left it, not as it was when the first one finished
    text = out.decode()
    assert "held by other workers" not in text and "by this worker of 3" in text, text
    assert any(line.split() == ["│", "sent", "│", line.split()[3], "│", "900", "│"] for line in text.splitlines() if " sent " in line), text


def test_a_send_whose_log_goes_away_still_sends_everyone(db_config, tmp_path, campaign_copy, smtp_server):
    """A closed stderr (a pipe whose reader left, a --workers parent killed) must never stop a send."""
    engine = open_db(db_config)
    addresses = [f"log{i:03d}@example.org" for i in range(120)]
    import_csv(engine, write_csv(tmp_path / "s.csv", [(a, "L") for a in addresses]), "research")
    smtp_server.handler.delay = 0.01
    proc = _send(_config_file(tmp_path, db_config.database, smtp_server.port), campaign_copy())
    proc.stderr.close()  # nobody reads the log any more: every line the send writes now meets a closed pipe
    proc.stdout.read()
    assert proc.wait(timeout=120) == 0
    assert sorted(smtp_server.handler.counts()) == addresses
