"""README: `status` shows every step and what needs a person: unknown deliveries, failed parts (missed and partly done
steps: tests/claims/test_scheduler_claims.py)."""

from __future__ import annotations

import json

from tests.claims.conftest import write_people
from tests.social.conftest import X_ENV

SLUG = "soldier-defections-myanmar"


# Breaks if: status.gather stops collecting unknown/failed ledger rows into "attention", or the status command stops
# printing the "needs a person" table and how to resolve it.
def test_status_lists_what_needs_a_person(cli, config_file, smtp_server, x_api, campaign_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "claims-key")
    for k, v in X_ENV.items():
        monkeypatch.setenv(k, v)
    config = config_file(f'[x]\napi_base = "{x_api.url}"\n', smtp_port=smtp_server.port)
    campaign = campaign_copy()
    people = ["ok1@example.org", "lost@example.org", "ok2@example.org"]
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "p.csv", people), "--list", "research", "--consent", "test subscribers").code == 0
    smtp_server.when("lost@example.org", "drop-after-data")  # the server may have it: unknown
    assert cli("--config", config, "send", campaign, "--now").code == 0
    x_api.fail("/2/tweets", "duplicate")  # X rejects part 1 for good: failed
    assert cli("--config", config, "post", campaign, "--now", "--step", "2").code != 0

    text = cli("--config", config, "status", campaign)
    assert text.code == 0
    assert "needs a person" in text.out, text.out
    assert "lost@example.org" in text.out and "unknown" in text.out and "part-1" in text.out and "failed" in text.out, text.out
    assert "--retry-unknown" in text.out and "--resolve" in text.out
    assert "ok1@example.org" not in text.out, "delivered mail is not something a person must look at"
    attention = json.loads(cli("--config", config, "status", campaign, "--json").out)["attention"]
    assert sorted((a["step"], a["target"], a["state"]) for a in attention) == [(1, "lost@example.org", "unknown"), (2, "part-1", "failed")]
