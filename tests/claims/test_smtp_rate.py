"""README: the SMTP `rate` ([smtp] rate, messages per second) is respected across all connections."""

from __future__ import annotations

import time

import pytest

from tests.claims.conftest import write_people

pytestmark = pytest.mark.slow
RATE, MESSAGES = 20, 60  # 59 gaps of 1/20 s: at least 2.95 s however many connections send


# Breaks if: mail/transport.RateLimiter stops waiting, or each connection gets its own limiter (3 connections would
# then send 60 messages in about 1 s), or mail/send stops passing config.smtp.rate to it.
def test_the_smtp_rate_is_respected(cli, config_file, smtp_server, campaign_copy, db_config, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "claims-key")
    config = config_file(smtp_port=smtp_server.port)
    config.write_text(config.read_text(encoding="utf-8").replace("connections = 2\n", f"connections = 3\nrate = {RATE}\n"), encoding="utf-8")
    campaign = campaign_copy()
    people = [f"r{i:03d}@example.org" for i in range(MESSAGES)]
    assert cli("--config", config, "subscribers", "import", write_people(tmp_path / "p.csv", people), "--list", "research", "--consent", "test subscribers").code == 0
    started = time.monotonic()
    sent = cli("--config", config, "send", campaign, "--now")
    elapsed = time.monotonic() - started
    assert sent.code == 0, sent.err
    assert len(smtp_server.deliveries) == MESSAGES
    # only a lower bound (a slow machine is slower, never faster); 2.6 s leaves room for clock granularity
    assert elapsed >= 2.6, f"{MESSAGES} messages at {RATE}/s took only {elapsed:.2f} s"
