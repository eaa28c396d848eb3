"""Issue 9, items 5 and 3 (sign-up side): /subscribe reveals nothing about an address, and sends no attacker's text.

The answer must be the same in content and time for new, pending, active,
unsubscribed, suppressed and throttled addresses, whether the SMTP relay is
slow or down; confirmation mail is queued, sent by the server's worker, rate
limited per address and per client, and carries no name.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from email import message_from_bytes, policy

import httpx
import pytest
from sqlalchemy import func, select, update

from outreach.config import SmtpConfig
from outreach.store import membership
from outreach.store.db import open_db
from outreach.store.schema import outgoing_mail, subscribers
from outreach.store.subscribers import import_csv, suppress
from outreach.text import is_single_line
from tests.helpers import HOSTILE_NAMES
from outreach.web import app as web_app
from outreach.web import confirmation
from tests.mail.smtp_server import SmtpServer, free_port
from tests.web.conftest import LiveServer

STATES = ["new", "pending", "active", "unsubscribed", "suppressed", "throttled"]


@pytest.fixture
def relay(request):
    """A real SMTP relay that takes 0.5 s per message, or (param "down") a port nobody listens on."""
    if getattr(request, "param", "slow") == "down":
        yield None
        return
    with SmtpServer() as server:
        server.handler.delay = 0.5
        yield server


@pytest.fixture
def site(db_config, relay, monkeypatch, tmp_path):
    """``outreach serve`` (real uvicorn, with its worker) sending through ``relay``; one address in each state."""
    monkeypatch.setenv("OUTREACH_SECRET", "web-test-key")
    monkeypatch.setattr(web_app, "SIGNUPS_PER_MINUTE", 10_000)
    smtp = SmtpConfig(host="127.0.0.1", port=relay.port if relay else free_port(), security="none", timeout=5)
    config = db_config.model_copy(update={"smtp": smtp})
    engine = open_db(config)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email\nactive@example.org\nunsubscribed@example.org\nsuppressed@example.org\n", encoding="utf-8")
    import_csv(engine, csv_file, "research")
    with engine.begin() as conn:
        suppress(conn, "suppressed@example.org", "*", "bounced", "bounce")
    membership.unsubscribe(engine, key_of(engine, "unsubscribed@example.org"), "research", "one-click")
    membership.request_sign_up(engine, "pending@example.org", None, "research")
    age(engine, membership.CONFIRM_EVERY * 2)  # "pending" had its mail long ago: its next one is not throttled
    membership.request_sign_up(engine, "throttled@example.org", None, "research")  # just now: the next one is
    with LiveServer(config) as server:
        yield server


def age(engine, by) -> None:
    """Make every queued-mail row ``by`` older (time passing, for the rate limits)."""
    with engine.begin() as conn:
        for row in conn.execute(select(outgoing_mail.c.id, outgoing_mail.c.created_at)).all():
            conn.execute(update(outgoing_mail).where(outgoing_mail.c.id == row.id).values(created_at=row.created_at - by))


def key_of(engine, address: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == address)).scalar_one()


class Addresses:
    """The address to use for each state; "new" is a fresh one every time."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, state: str) -> str:
        if state == "new":
            self.n += 1
            return f"new{self.n}@example.org"
        return f"{state}@example.org"


def _post(site, address: str, name: str = "") -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    answer = httpx.post(f"{site.url}/subscribe", data={"email": address, "name": name, "list": "research"}, timeout=30)
    return answer, time.perf_counter() - started


@pytest.mark.parametrize("relay", ["slow", "down"], indirect=True)
def test_every_state_gets_the_same_answer(site, relay):
    address = Addresses()
    answers = {state: _post(site, address(state))[0] for state in STATES}
    assert {a.status_code for a in answers.values()} == {200}, {s: a.status_code for s, a in answers.items()}
    assert len({a.text for a in answers.values()}) == 1
    assert len({tuple(sorted((k, v) for k, v in a.headers.items() if k not in ("date", "content-length"))) for a in answers.values()}) == 1


@pytest.mark.slow
@pytest.mark.parametrize("relay", ["slow", "down"], indirect=True)
def test_every_state_takes_the_same_time(site, relay):
    address = Addresses()
    _post(site, address("new"))  # warm up connections and caches
    times: dict[str, list[float]] = {state: [] for state in STATES}
    for _ in range(7):
        for state in STATES:  # interleaved, so a slow moment of the machine hits every state alike
            answer, took = _post(site, address(state))
            assert answer.status_code == 200
            times[state].append(took)
    medians = {state: statistics.median(t) for state, t in times.items()}
    # the relay takes 0.5 s per message: nobody's answer may wait for it
    assert max(medians.values()) < 0.35, medians
    assert max(medians.values()) - min(medians.values()) < 0.15, medians


def _settled(site, timeout: float = 30.0) -> None:
    """Wait until the worker has nothing queued or sending."""
    engine = open_db(site.config)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if not conn.execute(select(func.count()).select_from(outgoing_mail).where(outgoing_mail.c.state.in_(("queued", "sending")))).scalar_one():
                return
        time.sleep(0.1)
    pytest.fail("the confirmation worker did not send the queued mail")


ATTACK = "Eve\r\nBcc: victim@example.net\r\nSubject: cheap pills\r\n\r\nbuy now"


def test_twenty_posts_send_one_mail_without_the_attackers_text(site, relay):
    for _ in range(20):
        answer, _ = _post(site, "target@example.org", ATTACK)
        assert answer.status_code == 200
    _settled(site)
    to_target = [d for d in relay.deliveries if d.rcpt == "target@example.org"]
    assert len(to_target) == 1 and not [d for d in relay.deliveries if "victim" in d.rcpt]
    raw = to_target[0].data.decode("utf-8", "replace")
    for text in ("Eve", "victim", "cheap pills", "buy now", "Bcc"):
        assert text not in raw
    message = message_from_bytes(to_target[0].data, policy=policy.default)
    assert message["To"] == "target@example.org" and message["Subject"] == "Confirm your subscription to DIIS research newsletter"
    assert "/confirm/" in message.get_content()


@pytest.mark.slow
def test_at_most_five_confirmations_a_day_and_one_per_ten_minutes(site, relay):
    engine = open_db(site.config)
    for _ in range(8):
        for _ in range(3):  # three tries in the same ten minutes: one mail
            assert _post(site, "daily@example.org")[0].status_code == 200
        age(engine, membership.CONFIRM_EVERY * 1.1)  # eleven minutes pass
    _settled(site)
    assert len([d for d in relay.deliveries if d.rcpt == "daily@example.org"]) == 5


@pytest.mark.parametrize("relay", ["down"], indirect=True)
def test_a_dead_relay_leaves_the_mail_queued_for_a_retry(site):
    _post(site, "new@example.org")
    engine = open_db(site.config)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            row = conn.execute(select(outgoing_mail.c.state, outgoing_mail.c.attempts, outgoing_mail.c.not_before)
                               .where(outgoing_mail.c.token_key == key_of(engine, "new@example.org"))).one()
        if row.attempts and row.state != "sending":  # attempts counts from the claim, the state from the outcome
            break
        time.sleep(0.1)
    assert row.state == "queued" and row.attempts == 1 and row.not_before is not None


def test_a_refused_attempt_is_retried_by_the_worker(site, relay, monkeypatch):
    monkeypatch.setattr(confirmation, "RETRY_AFTER", (0.2, 0.2, 0.2, 0.2))
    relay.when("retry@example.org", "451 4.3.0 try again later")
    _post(site, "retry@example.org")
    _settled(site)
    assert len([d for d in relay.deliveries if d.rcpt == "retry@example.org"]) == 1


def test_one_client_is_limited_per_minute_with_429(site, monkeypatch):
    app = site.server.config.app  # the Starlette app; its WebApp is reached through a route
    limiter = next(r.endpoint.__self__ for r in app.router.routes if getattr(r, "path", "") == "/subscribe").clients
    limiter.per_minute = 10  # the shipped default (the fixture raised it for the other tests)
    answers = [_post(site, f"c{i}@example.org")[0] for i in range(13)]
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 3
    assert answers[-1].headers["retry-after"] == "60"


NAMES = {**HOSTILE_NAMES, "long": "A" * 500 + "\nB"}


@pytest.mark.parametrize("relay", ["slow"], indirect=True)
@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_names_from_the_form_are_stored_as_one_safe_line(site, name):
    assert _post(site, "named@example.org", name)[0].status_code == 200
    with open_db(site.config).connect() as conn:
        stored = conn.execute(select(subscribers.c.name).where(subscribers.c.email == "named@example.org")).scalar_one()
    assert stored and is_single_line(stored) and len(stored) <= 200
    assert "Ann" in stored or stored.startswith("A" * 200)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_outreach_serve_stops_its_worker_mid_send(db_config, relay, tmp_path, sig):
    """A real ``outreach serve``: a sign-up is mailed by its worker; a signal mid-send ends the process cleanly."""
    relay.handler.delay = 2.0  # the signal lands while the worker waits for the relay
    port = free_port()
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{db_config.database}"\noutbox = "{tmp_path / "outbox"}"\n'
                           f'[web]\nhost = "127.0.0.1"\nport = {port}\nbase_url = "http://127.0.0.1:{port}"\n'
                           f'[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\nsecurity = "none"\ntimeout = 10\n', encoding="utf-8")
    env = {**os.environ, "OUTREACH_SECRET": "serve-test-key", "CI": ""}
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "--config", str(config_file), "serve"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        answer = httpx.post(f"http://127.0.0.1:{port}/subscribe", data={"email": "late@example.org", "list": "research"}, timeout=30)
        assert answer.status_code == 200
        engine = open_db(db_config)
        while time.monotonic() < deadline:  # the worker has claimed it and is talking to the relay
            with engine.connect() as conn:
                if conn.execute(select(outgoing_mail.c.state).where(outgoing_mail.c.state == "sending")).first():
                    break
            time.sleep(0.05)
        proc.send_signal(sig)
        started = time.monotonic()
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert time.monotonic() - started < 20
    assert proc.returncode in (0, -sig), err  # uvicorn re-raises the signal after its clean shutdown
    assert "Traceback" not in err and "late@example.org" not in err
    assert [d.rcpt for d in relay.deliveries] == ["late@example.org"]  # the send in flight was finished, not cut
    with open_db(db_config).connect() as conn:
        assert conn.execute(select(outgoing_mail.c.state)).scalars().all() == ["sent"]
