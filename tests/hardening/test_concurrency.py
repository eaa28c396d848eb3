"""Issue 9, item 14: simultaneous requests for one address never give a 5xx, and no log prints an address.

Twenty one-click POSTs of one token, or twenty sign-ups of one new address, all
at once against real uvicorn, on SQLite and PostgreSQL: every answer is 200,
there is one subscriber row, one suppression, a sane audit trail, and the
server's output names nobody.
"""

from __future__ import annotations

import logging
import threading

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from outreach.store import membership
from outreach.store.db import open_db
from outreach.store.schema import audit, memberships, outgoing_mail, subscribers, suppressions
from outreach.store.subscribers import import_csv
from outreach.tokens import make_token
from outreach.web import app as web_app
from tests.helpers import keyring
from tests.web.conftest import LiveServer

N = 20


@pytest.fixture
def server(db_config, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "web-test-key")
    monkeypatch.setattr(web_app, "SIGNUPS_PER_MINUTE", 1000)
    with LiveServer(db_config) as live:
        yield live


def _all_at_once(send) -> list[int]:
    """Run ``send`` in N threads released together; return the status codes."""
    barrier = threading.Barrier(N)
    codes: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            code = send(client).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=one) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return codes


def _count(config, table, *where) -> int:
    with open_db(config).connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _no_address_in_output(capfd, caplog, *addresses: str) -> None:
    captured = capfd.readouterr()
    text = captured.out + captured.err + "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    for address in addresses:
        assert address not in text.lower()


@pytest.mark.slow
def test_simultaneous_one_click_posts_of_one_token(server, tmp_path, capfd, caplog):
    caplog.set_level(logging.INFO)
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("email\nann@example.org\n", encoding="utf-8")
    import_csv(open_db(server.config), csv_file, "research")
    with open_db(server.config).connect() as conn:
        key = conn.execute(select(subscribers.c.token_key)).scalar_one()
    url = f"{server.url}/u/{make_token(keyring(b'web-test-key'), 'unsubscribe', key, 'research')}"
    codes = _all_at_once(lambda c: c.post(url, data={"List-Unsubscribe": "One-Click"}))
    assert codes == [200] * N
    assert _count(server.config, suppressions) == 1
    assert _count(server.config, memberships, memberships.c.status == "unsubscribed") == 1
    assert _count(server.config, audit, audit.c.action == "unsubscribed") == N  # every request is on record
    _no_address_in_output(capfd, caplog, "ann@example.org")


@pytest.mark.slow
def test_simultaneous_sign_ups_of_one_new_address(server, capfd, caplog):
    caplog.set_level(logging.INFO)
    codes = _all_at_once(lambda c: c.post(f"{server.url}/subscribe", data={"email": "Bob@Example.org", "name": "Bob", "list": "research"}))
    assert codes == [200] * N
    assert _count(server.config, subscribers) == 1
    assert _count(server.config, memberships, memberships.c.status == "pending") == 1
    assert _count(server.config, audit, audit.c.action == "subscribed") == N
    assert _count(server.config, outgoing_mail, outgoing_mail.c.state.in_(("queued", "sending", "sent"))) == 1
    _no_address_in_output(capfd, caplog, "bob@example.org")


@pytest.mark.parametrize("where", ["unsubscribe", "sign_up"])
def test_an_internal_error_is_a_plain_500_and_logs_no_personal_data(server, monkeypatch, capfd, caplog, where):
    caplog.set_level(logging.INFO)

    def fail(*args, **kwargs):
        raise IntegrityError("INSERT INTO suppressions ...", {"email": "carol@example.org"},
                             Exception('duplicate key value violates unique constraint "suppressions_pkey"\nDETAIL:  Key (email)=(carol@example.org) already exists.'))

    monkeypatch.setattr(membership, "unsubscribe" if where == "unsubscribe" else "request_sign_up", fail)
    if where == "unsubscribe":
        token = make_token(keyring(b"web-test-key"), "unsubscribe", "k" * 22, "research")
        answer = httpx.post(f"{server.url}/u/{token}", data={"List-Unsubscribe": "One-Click"})
    else:
        answer = httpx.post(f"{server.url}/subscribe", data={"email": "carol@example.org", "list": "research"})
    assert answer.status_code == 500 and "carol" not in answer.text
    assert any("IntegrityError" in r.getMessage() for r in caplog.records)
    _no_address_in_output(capfd, caplog, "carol@example.org")


@pytest.mark.slow
def test_simultaneous_sign_ups_of_a_pending_address_queue_one_mail(server):
    assert httpx.post(f"{server.url}/subscribe", data={"email": "dan@example.org", "list": "research"}).status_code == 200
    engine = open_db(server.config)
    with engine.begin() as conn:  # its first mail was long ago: the next one may go, but only one
        for row in conn.execute(select(outgoing_mail.c.id, outgoing_mail.c.created_at)).all():
            conn.execute(outgoing_mail.update().where(outgoing_mail.c.id == row.id).values(created_at=row.created_at - membership.CONFIRM_PER_DAY_WINDOW))
    codes = _all_at_once(lambda c: c.post(f"{server.url}/subscribe", data={"email": "dan@example.org", "list": "research"}))
    assert codes == [200] * N
    assert _count(server.config, outgoing_mail, outgoing_mail.c.state.in_(("queued", "sending", "sent"))) == 2
