"""README: the audience is frozen once (a re-run never picks up or drops people) and is only the campaign's list."""

from __future__ import annotations

import pytest

from outreach.store.db import open_db
from outreach.store.ledger_queries import counts
from tests.claims.conftest import write_people

SLUG = "soldier-defections-myanmar"


@pytest.fixture
def send_setup(cli, config_file, smtp_server, campaign_copy, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "claims-key")
    config = config_file(smtp_port=smtp_server.port)
    return config, campaign_copy()


# Breaks if: store/ledger.enqueue_audience re-reads the list on a later run (e.g. its early return on an existing audience is
# removed, or new members are added to the frozen audience).
@pytest.mark.parametrize("first_run", ["complete", "one outcome unknown"])
def test_a_subscriber_who_joins_after_the_first_run_is_not_sent_to(cli, send_setup, smtp_server, db_config, tmp_path, first_run):
    config, campaign = send_setup
    first = [f"early{i}@example.org" for i in range(3)]
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "a.csv", first), "--list", "research", "--consent", "test subscribers").code == 0
    if first_run == "one outcome unknown":
        smtp_server.when("early1@example.org", "drop-after-data")  # the first run ends with early1 unknown
    assert cli("--config", config, "send", campaign, "--now").code == 0
    late = ["late0@example.org", "late1@example.org"]
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "b.csv", late), "--list", "research", "--consent", "test subscribers").code == 0
    again = cli("--config", config, "send", campaign, "--now", *(["--retry-unknown"] if first_run != "complete" else []))
    assert again.code == 0, again.err
    received = smtp_server.handler.counts()
    assert not set(late) & set(received), "a subscriber who joined after the first run got the campaign"
    assert all(received[a] == (2 if first_run != "complete" and a == "early1@example.org" else 1) for a in first), received
    assert counts(open_db(db_config), SLUG, 1)["sent"] == 3


# Breaks if: the audience query (store/subscribers.active_clause, used by enqueue_audience) stops filtering on the list.
def test_only_the_campaigns_list_is_sent_to(cli, send_setup, smtp_server, db_config, tmp_path):
    config, campaign = send_setup
    research = ["ann@example.org", "both@example.org"]
    briefing = ["bob@example.org", "both@example.org", "cy@example.org"]
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "r.csv", research), "--list", "research", "--consent", "test subscribers").code == 0
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "b.csv", briefing), "--list", "briefing", "--consent", "test subscribers").code == 0
    sent = cli("--config", config, "send", campaign, "--now")
    assert sent.code == 0, sent.err
    assert dict(smtp_server.handler.counts()) == {"ann@example.org": 1, "both@example.org": 1}
    assert counts(open_db(db_config), SLUG, 1)["sent"] == 2
