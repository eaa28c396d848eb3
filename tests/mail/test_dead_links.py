"""Issue 11: ``send`` over SMTP refuses a web.base_url whose links would be dead for every subscriber.

RFC 8058 needs https, and a loopback, private or reserved host reaches nobody:
one line naming ``web.base_url`` where the config file sets it, exit 1,
nothing sent, frozen or published. ``--allow-insecure-links`` lets it through
deliberately (a local test relay); the outbox is not affected; a scheduled
email step fails with the same line.
"""

from __future__ import annotations

import contextlib
import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from outreach.campaign import load_campaign
from outreach.cli import main
from outreach.config import Config, WebConfig
from outreach.errors import ConfigError
from outreach.mail.compose import dead_link_reason
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.archive import archive_entry
from outreach.store.db import now, open_db
from outreach.store.ledger_queries import counts
from tests.mail.test_send import FAST, subscribe

DEAD = [
    "http://news.example.org",              # not https
    "http://127.0.0.1:8080",                # the default
    "https://127.0.0.1:8443",
    "https://127.8.9.10",                   # all of 127.0.0.0/8
    "https://[::1]:8443",
    "https://localhost",
    "https://LOCALHOST.",
    "https://news.localhost",
    "https://0.0.0.0",
    "https://[::]",
    "https://news.outreach.invalid",
    "https://outreach.test",
    "https://news.example",
    "https://printer.local",
    "https://10.1.2.3",                     # RFC 1918: subscribers (and Gmail's one-click POST) cannot reach it
    "https://192.168.1.20:8443",
    "https://172.16.0.1",
    "https://169.254.1.1",
    "https://100.64.0.1",
    "https://[fd00::1]",
    "https://intranet",                     # one label: not a public name
]
LIVE = ["https://news.example.org", "https://news.diis.dk/outreach", "https://93.184.215.14", "https://[2606:4700::1111]:8443"]


@pytest.mark.parametrize("url", DEAD)
def test_dead_bases_are_named_with_a_reason(url):
    assert dead_link_reason(url)


@pytest.mark.parametrize("url,words", [
    ("http://news.example.org", "not https"), ("https://127.8.9.10", "this machine"), ("https://[::1]", "this machine"),
    ("https://0.0.0.0", "this machine"), ("https://192.168.1.20", "private"), ("https://news.outreach.invalid", "reserved name"),
    ("https://localhost", "reserved name"), ("https://intranet", "not a public domain name"),
])
def test_the_reason_says_what_is_wrong(url, words):
    assert words in (dead_link_reason(url) or "")


@pytest.mark.parametrize("url", LIVE)
def test_public_https_bases_pass(url):
    assert dead_link_reason(url) is None


def write_config(tmp_path: Path, db: Config, port: int, web: str | None) -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text(f'database = "{db.database}"\noutbox = "{tmp_path / "outbox"}"\nrequire_approval = false\n'
                    + (f'\n[web]\nbase_url = "{web}"\n' if web else "")
                    + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nconnections = 2\ntimeout = 10\n', encoding="utf-8")
    return path


def assert_nothing_happened(config: Config, smtp_server, slug: str) -> None:
    engine = open_db(config)
    assert not smtp_server.deliveries
    assert sum(counts(engine, slug).values()) == 0, "the audience was not frozen"
    assert archive_entry(engine, slug) is None, "nothing was published"


@pytest.mark.parametrize("web", ["http://127.0.0.1:8080", "https://news.outreach.invalid", None], ids=["http-loopback", "invalid", "default"])
def test_send_over_smtp_refuses_in_one_line_naming_the_setting(cli, db_config, smtp_server, campaign_copy, tmp_path, monkeypatch, web):
    monkeypatch.setenv("OUTREACH_SECRET", "k")
    path = write_config(tmp_path, db_config, smtp_server.port, web)
    subscribe(db_config, tmp_path, 3)
    result = cli("--config", path, "send", campaign_copy(), "--now")
    assert result.code == 1
    lines = [line for line in (result.out + result.err).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    if web is None:
        assert f"{path}: web.base_url (not set" in lines[0] and "http://127.0.0.1:8080" in lines[0]
    else:
        assert f"{path}:6: web.base_url" in lines[0] and web in lines[0]
    assert "--allow-insecure-links" in lines[0] and "Traceback" not in result.err
    assert_nothing_happened(db_config, smtp_server, "soldier-defections-myanmar")


def test_the_flag_allows_it_deliberately(cli, db_config, smtp_server, campaign_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "k")
    path = write_config(tmp_path, db_config, smtp_server.port, "http://127.0.0.1:8080")
    subscribe(db_config, tmp_path, 3)
    result = cli("--config", path, "send", campaign_copy(), "--now", "--allow-insecure-links")
    assert result.code == 0, result.out + result.err
    assert len(smtp_server.deliveries) == 3


def test_the_flag_is_documented_in_help():
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit):
        main(["send", "--help"])
    text = " ".join(buffer.getvalue().split())
    assert "--allow-insecure-links" in text and "web.base_url" in text and "local test relay" in text


def test_a_public_https_base_sends(smtp_config, smtp_server, campaign_copy, tmp_path):
    plan = build_plan(load_campaign(campaign_copy()), smtp_config)
    subscribe(smtp_config, tmp_path, 2)
    assert send_email(smtp_config, plan, **FAST).ledger["sent"] == 2


def test_the_library_call_refuses_too_and_the_outbox_does_not_care(smtp_config, smtp_server, campaign_copy, tmp_path):
    dead = smtp_config.model_copy(update={"web": WebConfig(base_url="https://localhost:8443")})
    plan = build_plan(load_campaign(campaign_copy()), dead)
    subscribe(dead, tmp_path, 2)
    with pytest.raises(ConfigError, match=r"web\.base_url.*https://localhost:8443"):
        send_email(dead, plan, **FAST)
    assert_nothing_happened(dead, smtp_server, plan.campaign.slug)
    outbox = dead.model_copy(update={"smtp": None})
    assert send_email(outbox, plan, **FAST).ledger["sent"] == 2
    assert not smtp_server.deliveries


def test_a_scheduled_email_step_fails_with_the_same_line(smtp_config, smtp_server, campaign_copy, tmp_path):
    from outreach.dispatch import run_step
    from outreach.store.steps import list_steps, save_schedule

    dead = smtp_config.model_copy(update={"web": WebConfig(base_url="http://127.0.0.1:8080")})
    path = campaign_copy()
    plan = build_plan(load_campaign(path), dead)
    subscribe(dead, tmp_path, 2)
    engine = open_db(dead)
    email = next(s for s in plan.steps if s.kind == "email")
    save_schedule(engine, plan, path, {email.number: now() - timedelta(seconds=1)})
    assert [r.step for r in list_steps(engine, plan.campaign.slug)] == [email.number]
    outcome = run_step(dead, plan.campaign.slug, email.number, threading.Event())
    assert outcome.state == "failed" and outcome.again is None
    assert "web.base_url" in (outcome.detail or "") and "http://127.0.0.1:8080" in (outcome.detail or "")
    assert "\n" not in (outcome.detail or "")
    assert_nothing_happened(dead, smtp_server, plan.campaign.slug)


def test_send_test_still_sends_to_a_local_relay_and_says_what_send_will_do(cli, db_config, smtp_server, campaign_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "k")
    path = write_config(tmp_path, db_config, smtp_server.port, "http://127.0.0.1:8080")
    result = cli("--config", path, "send-test", campaign_copy(), "--to", "checker@example.org")
    assert result.code == 0, result.out + result.err
    assert [d.rcpt for d in smtp_server.deliveries] == ["checker@example.org"]
    note = " ".join(result.out.split())
    assert "web.base_url http://127.0.0.1:8080" in note and "--allow-insecure-links" in note
