"""Issue 9, item 4: a signed link acts only on the person it was sent to, and never undoes a later unsubscribe.

Tokens name the subscriber's random ``token_key``. A deleted subscriber's old
links must not reach whoever gets the same row id next (SQLite reuses the
highest id after a delete), and a confirm link issued before an unsubscribe
must not subscribe that person again.
"""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import func, select

from outreach.store.db import open_db
from outreach.store.schema import memberships, subscribers, suppressions
from outreach.store.privacy import forget
from outreach.store.subscribers import import_csv, remove
from outreach.tokens import make_token
from tests.helpers import keyring
from tests.web.conftest import live  # noqa: F401  (the uvicorn fixture)

KEYS = keyring(b"web-test-key")


def _row(config, address: str):
    with open_db(config).connect() as conn:
        return conn.execute(select(subscribers.c.id, subscribers.c.token_key).where(subscribers.c.email == address)).first()


def _status(config, address: str) -> str | None:
    with open_db(config).connect() as conn:
        return conn.execute(select(memberships.c.status).select_from(memberships.join(subscribers))
                            .where(subscribers.c.email == address, memberships.c.list == "research")).scalar_one_or_none()


def _sign_up(live, address: str) -> None:
    assert httpx.post(f"{live.url}/subscribe", data={"email": address, "list": "research"}).status_code == 200


def _import(live, tmp_path, address: str) -> None:
    csv_file = tmp_path / f"{address}.csv"
    csv_file.write_text(f"email\n{address}\n", encoding="utf-8")
    import_csv(open_db(live.config), csv_file, "research")


def _post(live, purpose: str, token: str) -> httpx.Response:
    path = f"/confirm/{token}" if purpose == "confirm" else f"/u/{token}"
    return httpx.post(f"{live.url}{path}", data={"List-Unsubscribe": "One-Click"})


@pytest.mark.parametrize("purpose", ["confirm", "unsubscribe"])
@pytest.mark.parametrize("b_joins", ["web sign-up", "import"])
@pytest.mark.parametrize("a_joins", ["web sign-up", "import"])
def test_a_deleted_subscribers_old_link_does_nothing_to_the_next_holder_of_the_id(live, tmp_path, purpose, a_joins, b_joins):
    join = {"web sign-up": lambda a: _sign_up(live, a), "import": lambda a: _import(live, tmp_path, a)}
    join[a_joins]("a@example.org")
    a = _row(live.config, "a@example.org")
    old = make_token(KEYS, purpose, a.token_key, "research")
    assert forget(open_db(live.config), live.config, "a@example.org") is not None  # `subscribers forget` deletes the row
    join[b_joins]("b@example.org")
    b = _row(live.config, "b@example.org")
    if live.config.database.startswith("sqlite"):
        assert b.id == a.id, "the attack needs B to get A's row id (SQLite reuses it)"
    before = _status(live.config, "b@example.org")
    answer = _post(live, purpose, old)
    assert answer.status_code == 400 and "This link does not work" in answer.text
    assert _status(live.config, "b@example.org") == before
    with open_db(live.config).connect() as conn:
        assert conn.execute(select(func.count()).select_from(suppressions).where(suppressions.c.reason != "forgotten")).scalar_one() == 0


def test_the_same_address_added_again_gets_a_new_key(live, tmp_path):
    _import(live, tmp_path, "a@example.org")
    old = _row(live.config, "a@example.org").token_key
    forget(open_db(live.config), live.config, "a@example.org")
    _sign_up(live, "a@example.org")  # they come back on their own (an import of them is refused now)
    assert _row(live.config, "a@example.org").token_key != old
    assert _post(live, "unsubscribe", make_token(KEYS, "unsubscribe", old, "research")).status_code == 400


def _unsubscribe_one_click(live, key: str) -> None:
    assert _post(live, "unsubscribe", make_token(KEYS, "unsubscribe", key, "research")).status_code == 200


def _unsubscribe_web_form(live, key: str) -> None:
    token = make_token(KEYS, "unsubscribe", key, "research")
    assert httpx.post(f"{live.url}/u/{token}", data={"List-Unsubscribe": "One-Click", "source": "web"}).status_code == 200


@pytest.mark.parametrize("confirmed_first", [True, False], ids=["confirmed-then-left", "pending-then-left"])
@pytest.mark.parametrize("leave", [_unsubscribe_one_click, _unsubscribe_web_form], ids=["one-click", "web-form"])
def test_a_confirm_link_never_undoes_a_later_unsubscribe(live, confirmed_first, leave):
    _sign_up(live, "a@example.org")
    key = _row(live.config, "a@example.org").token_key
    link = make_token(KEYS, "confirm", key, "research", now=time.time() - 120)  # sent two minutes ago
    if confirmed_first:
        assert _post(live, "confirm", link).status_code == 200
        assert _status(live.config, "a@example.org") == "active"
    leave(live, key)
    answer = _post(live, "confirm", link)
    assert answer.status_code == 400
    assert _status(live.config, "a@example.org") == "unsubscribed"
    with open_db(live.config).connect() as conn:
        assert conn.execute(select(suppressions.c.reason).where(suppressions.c.email == "a@example.org")).scalar_one() == "unsubscribed"


def test_a_confirm_link_issued_in_the_same_second_as_the_unsubscribe_loses(live):
    _sign_up(live, "a@example.org")
    key = _row(live.config, "a@example.org").token_key
    _unsubscribe_one_click(live, key)
    with open_db(live.config).connect() as conn:  # the link is signed in the unsubscribe's own second, whatever the load
        left = conn.execute(select(suppressions.c.created_at).where(suppressions.c.email == "a@example.org")).scalar_one()
    tie = make_token(KEYS, "confirm", key, "research", now=int(left.timestamp()))
    assert _post(live, "confirm", tie).status_code == 400  # whole seconds: a tie goes to the unsubscribe
    assert _status(live.config, "a@example.org") == "unsubscribed"


def test_a_new_sign_up_after_leaving_can_be_confirmed(live):
    _sign_up(live, "a@example.org")
    key = _row(live.config, "a@example.org").token_key
    _unsubscribe_one_click(live, key)
    time.sleep(1.1)  # the new link is issued in a later second than the unsubscribe
    _sign_up(live, "a@example.org")
    assert _post(live, "confirm", make_token(KEYS, "confirm", key, "research")).status_code == 200
    assert _status(live.config, "a@example.org") == "active"
    with open_db(live.config).connect() as conn:
        assert conn.execute(select(func.count()).select_from(suppressions)).scalar_one() == 0


def test_a_confirm_link_does_not_undo_a_removal_from_the_list(live):
    _sign_up(live, "a@example.org")
    key = _row(live.config, "a@example.org").token_key
    link = make_token(KEYS, "confirm", key, "research", now=time.time() - 120)
    assert remove(open_db(live.config), "a@example.org", "research") == 1  # `subscribers remove --list research`
    assert _post(live, "confirm", link).status_code == 400
    assert _status(live.config, "a@example.org") is None
