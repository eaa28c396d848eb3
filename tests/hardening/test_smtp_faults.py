"""Issue 9 item 13: each SMTP failure is classified so that a retry can never duplicate a message.

Real servers on 127.0.0.1 (a scripted raw socket, see raw_smtp.py) misbehave at each
point of a session. The rule checked: a retry (``Unavailable``) only when the server
cannot have read the final dot; ``unknown`` when it may have; a refused sender stops
the run with every row still queued; a server that never answers trips a breaker.
"""

from __future__ import annotations

import time

import pytest

from outreach.campaign import load_campaign
from outreach.config import SmtpConfig, WebConfig
from outreach.errors import OutcomeUnknown, Unavailable
from outreach.mail.send import send_email
from outreach.mail.worker import BREAKER
from outreach.mail.transport import DataTimeout, SenderRefused, SmtpConnection, SmtpTransport
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.ledger_queries import counts
from tests.hardening.raw_smtp import RawSmtp
from tests.mail.conftest import write_csv

BIG = b"Subject: big\r\n\r\n" + b"x" * 76 + b"\r\n"
BIG = BIG * (16 * 1024 * 1024 // len(BIG))  # larger than any socket buffer: the client is still writing when the server acts


def _connection(port: int, timeout: float = 10) -> SmtpConnection:
    return SmtpConnection(SmtpConfig(host="127.0.0.1", port=port, security="none", timeout=timeout), None, None)


@pytest.mark.parametrize("how", ["close-mid-data", "rst-mid-data", "early:554 5.3.4 message too big", "early:452 4.3.1 out of space"])
def test_failures_before_the_final_dot_are_safe_to_retry(how):
    with RawSmtp(lambda n: how) as server:
        conn = _connection(server.port)
        started = time.monotonic()
        with pytest.raises(Unavailable) as failure:
            conn.send("news@example.org", "reader@example.org", BIG)
        conn.close()
        assert not isinstance(failure.value, OutcomeUnknown)
        assert server.dots == 0, "the server never read the end of the message: it cannot have accepted it"
        assert time.monotonic() - started < 9, "noticed at once, not after the timeout"


def test_a_close_after_the_final_dot_is_unknown():
    with RawSmtp(lambda n: "close-after-dot") as server:
        conn = _connection(server.port)
        with pytest.raises(OutcomeUnknown):
            conn.send("news@example.org", "reader@example.org", b"Subject: hi\r\n\r\nhello\r\n")
        assert server.dots == 1


def test_silence_after_the_final_dot_is_an_unknown_timeout():
    with RawSmtp(lambda n: "silent-after-dot") as server:
        conn = _connection(server.port, timeout=1)
        with pytest.raises(DataTimeout):
            conn.send("news@example.org", "reader@example.org", b"Subject: hi\r\n\r\nhello\r\n")


@pytest.mark.slow
def test_a_server_closing_with_the_message_unread_is_retried_at_full_speed(db_config, campaign_copy, tmp_path, monkeypatch):
    # the real (small) message: it is all written, dot included, before the server closes with most of it unread
    with RawSmtp(lambda n: "close-after:200" if n % 2 == 0 else "ok") as server:
        config, plan, addresses = _setup(db_config, campaign_copy, tmp_path, monkeypatch, server.port, 6)
        result = send_email(config, plan, **FAST)
    assert result.ledger["unknown"] == 0 and result.ledger["sent"] == 6, result.ledger
    assert len(server.accepted) == 6 == server.dots


def test_a_refused_sender_is_its_own_error():
    with RawSmtp(lambda n: "mail:550 5.7.1 sender not allowed") as server:
        conn = _connection(server.port)
        with pytest.raises(SenderRefused, match="refused the sender"):
            conn.send("news@example.org", "reader@example.org", b"Subject: hi\r\n\r\nhello\r\n")


# -- whole runs ------------------------------------------------------------------------------

FAST = {"backoff": (0.05, 0.05, 0.05, 0.05), "max_attempts": 4}


def _setup(db_config, campaign_copy, tmp_path, monkeypatch, port: int, n: int, timeout: float = 10, connections: int = 3):
    from outreach.store.subscribers import import_csv

    monkeypatch.setenv("OUTREACH_SECRET", "faults-key")
    smtp = SmtpConfig(host="127.0.0.1", port=port, security="none", connections=connections, timeout=timeout)
    config = db_config.model_copy(update={"smtp": smtp, "require_approval": False, "web": WebConfig(base_url="https://news.example.org")})
    plan = build_plan(load_campaign(campaign_copy()), config)
    addresses = [f"f{i:03d}@example.org" for i in range(n)]
    import_csv(open_db(config), write_csv(tmp_path / "subs.csv", [(a, f"F {i}") for i, a in enumerate(addresses)]), "research")
    return config, plan, addresses


class _Padded:
    """The real SMTP transport, with each message made larger than a socket buffer.

    Only then is "the server acted while the client was still writing" a fact rather
    than a race; a small message would be wholly written before the server acts.
    """

    def __init__(self, cfg: SmtpConfig) -> None:
        self.inner = SmtpTransport(cfg)
        self.connections, self.description = self.inner.connections, self.inner.description

    def open(self):
        conn = self.inner.open()
        real = conn.send
        conn.send = lambda sender, rcpt, data, name="": real(sender, rcpt, data + BIG[16:], name)  # type: ignore[method-assign]
        return conn


@pytest.mark.slow
@pytest.mark.parametrize("how", ["close-mid-data", "rst-mid-data", "early:451 4.3.0 try again"])
def test_a_run_retries_what_the_server_never_finished_reading(db_config, campaign_copy, tmp_path, monkeypatch, how):
    # every third connection misbehaves in the middle of DATA; retries go on fresh connections
    with RawSmtp(lambda n: how if n % 3 == 0 else "ok") as server:
        config, plan, addresses = _setup(db_config, campaign_copy, tmp_path, monkeypatch, server.port, 6)
        result = send_email(config, plan, transport=_Padded(config.smtp), **FAST)
        ledger = counts(open_db(config), plan.campaign.slug, 1)
    assert ledger["unknown"] == 0 and ledger["queued"] == 0, ledger
    assert ledger["sent"] + ledger["failed"] == 6
    assert len(server.accepted) == ledger["sent"] == server.dots, "nothing the server finished reading was sent twice"
    assert result.this_run.get("retry", 0) >= 1


@pytest.mark.parametrize("reply", ["550 5.7.1 sender address rejected", "553 5.1.8 bad sender domain"])
def test_a_refused_sender_stops_the_run_and_keeps_every_row_queued(db_config, campaign_copy, tmp_path, monkeypatch, cli, reply):
    with RawSmtp(lambda n: "mail:" + reply) as server:
        config, plan, addresses = _setup(db_config, campaign_copy, tmp_path, monkeypatch, server.port, 8)
        result = send_email(config, plan, **FAST)
        engine = open_db(config)
        ledger = counts(engine, plan.campaign.slug, 1)
        assert ledger["failed"] == ledger["bounced"] == ledger["sent"] == 0
        assert ledger["queued"] == 8, ledger
        assert any("refused the sender" in e for e in result.errors), result.errors
    with RawSmtp(lambda n: "ok") as fixed:  # the sender is fixed: the next run sends everyone, once
        again = send_email(config.model_copy(update={"smtp": config.smtp.model_copy(update={"port": fixed.port})}), plan, **FAST)
        assert again.ledger["sent"] == 8 and len(fixed.accepted) == 8


def test_a_refused_sender_exits_non_zero_with_one_line(db_config, campaign_copy, tmp_path, monkeypatch, cli):
    with RawSmtp(lambda n: "mail:550 5.7.1 sender address rejected") as server:
        config, plan, _ = _setup(db_config, campaign_copy, tmp_path, monkeypatch, server.port, 4)
        path = tmp_path / "outreach.toml"
        path.write_text(f'database = "{config.database}"\nrequire_approval = false\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\n'
                        'security = "none"\nconnections = 2\n[web]\nbase_url = "https://news.example.org"\n', encoding="utf-8")
        result = cli("--config", str(path), "send", str(plan.campaign.path), "--now")
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert "refused the sender" in result.out + result.err


def test_a_temporary_sender_refusal_is_retried(db_config, campaign_copy, tmp_path, monkeypatch):
    with RawSmtp(lambda n: "mail:421 4.7.0 try again later" if n < 2 else "ok") as server:
        config, plan, addresses = _setup(db_config, campaign_copy, tmp_path, monkeypatch, server.port, 5)
        result = send_email(config, plan, **FAST)
    assert result.ledger["sent"] == 5 and len(server.accepted) == 5


@pytest.mark.slow
def test_a_server_that_never_answers_trips_the_breaker(db_config, campaign_copy, tmp_path, monkeypatch):
    with RawSmtp(lambda n: "silent-after-dot") as server:
        config, plan, addresses = _setup(db_config, campaign_copy, tmp_path, monkeypatch, server.port, 40, timeout=1, connections=3)
        started = time.monotonic()
        result = send_email(config, plan, **FAST)
        elapsed = time.monotonic() - started
    ledger = result.ledger
    # the breaker trips at the BREAKER-th timeout in a row; the other connections may each have one more in flight
    assert BREAKER <= ledger["unknown"] <= BREAKER + 3 - 1, ledger
    assert ledger["queued"] == 40 - ledger["unknown"] and ledger["sent"] == 0
    assert any("no answer" in e for e in result.errors), result.errors
    assert elapsed < 30, "stopped, not one timeout per recipient"
