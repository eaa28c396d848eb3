"""The sign-up form over real HTTP: topics, the honeypot, limits per client and per address, and the consent
each web path keeps (sign-up and confirmation, resubscribe, one-click and web unsubscribe). SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from starlette.requests import Request

from outreach.store import consent, profile
from outreach.store.consent import ConsentMethod
from outreach.store.db import open_db
from outreach.store.schema import audit, consents, memberships, outgoing_mail, subscribers
from outreach.tokens import make_token
from outreach.web.app import HONEYPOT
from outreach.web.limits import client_key
from tests.helpers import keyring
from tests.signup.conftest import confirmation_links, web_app

FORM = {"email": "Ann.Reader@Example.org", "name": "Ann", "list": "research"}


def _person(config, address: str = "ann.reader@example.org"):  # type: ignore[no-untyped-def]
    engine = open_db(config)
    with engine.connect() as conn:
        row = conn.execute(select(subscribers.c.id, subscribers.c.token_key).where(subscribers.c.email == address)).one()
        return row, consent.records_of(conn, row.id), profile.topics_of(conn, row.id)


def _count(config, table) -> int:  # type: ignore[no-untyped-def]
    with open_db(config).connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.parametrize(("truncate", "kept"), [(False, "127.0.0.1"), (True, "127.0.0.0")], ids=["whole-ip", "truncated-ip"])
def test_a_sign_up_and_its_confirmation_keep_the_proof_and_then_follow_the_topics(serve, truncate, kept):
    site = serve(truncate_ip=truncate)
    answer = httpx.post(f"{site.url}/subscribe", data={**FORM, "topics": ["peace", "asia"]}, headers={"User-Agent": "FormBrowser/1"})
    assert answer.status_code == 200 and "Check your inbox" in answer.text
    _, (pending,), topics = _person(site.config)
    assert pending.method is ConsentMethod.DOUBLE_OPT_IN and pending.given_at is None and topics == []
    assert pending.evidence.form_version == web_app(site).signup_form
    (link,) = confirmation_links(site.config.outbox, 1)
    assert httpx.get(f"{site.url}{link}", headers={"User-Agent": "Scanner/1"}).status_code == 200
    assert _person(site.config)[1][0].given_at is None, "a GET (a link scanner) confirms nothing"
    done = httpx.post(f"{site.url}{link}", headers={"User-Agent": "ConfirmBrowser/2 \x1b[31m"})
    assert done.status_code == 200 and "You are subscribed" in done.text
    _, (given,), topics = _person(site.config)
    assert given.id == pending.id and given.given_at is not None
    assert (given.evidence.ip, given.evidence.user_agent) == (kept, "ConfirmBrowser/2 [31m")
    assert topics == ["asia", "peace"]


def test_the_form_version_names_the_wording_the_template_and_the_labels_shown(serve, db_config, monkeypatch):
    site = serve()
    app = web_app(site)
    same = app.form_version("subscribe")
    assert same == app.signup_form and same.startswith("sha256:") and same != app.resubscribe_form
    monkeypatch.setattr(app, "config", app.config.model_copy(update={"topics": {**app.config.topics, "asia": "Asia and the Pacific"}}))
    assert app.form_version("subscribe") != same, "a topic's label is part of what the person read"


def test_the_form_offers_every_topic_and_a_trap_labelled_for_screen_readers(serve):
    site = serve()
    page = httpx.get(f"{site.url}/subscribe").text
    for key, label in site.config.topics.items():
        assert f'name="topics" type="checkbox" value="{key}"' in page and label in page
    assert f'<label for="{HONEYPOT}">Leave this field empty' in page
    assert f'<input id="{HONEYPOT}" name="{HONEYPOT}" type="text" tabindex="-1" autocomplete="off">' in page


def test_a_filled_honeypot_gets_the_same_page_and_nothing_is_stored_or_mailed(serve):
    site = serve()
    robot = httpx.post(f"{site.url}/subscribe", data={**FORM, "email": "victim@example.org", HONEYPOT: "http://spam.example"})
    person = httpx.post(f"{site.url}/subscribe", data=FORM)
    assert robot.status_code == person.status_code == 200 and robot.text == person.text
    engine = open_db(site.config)
    with engine.connect() as conn:
        assert conn.execute(select(subscribers.c.email)).scalars().all() == ["ann.reader@example.org"]
        assert conn.execute(select(func.count()).select_from(outgoing_mail)).scalar_one() == 1
        assert not conn.execute(select(audit).where(audit.c.email == "victim@example.org")).first()


def test_an_unknown_topic_is_refused_and_nothing_stored(serve):
    site = serve()
    answer = httpx.post(f"{site.url}/subscribe", data={**FORM, "topics": ["asia", "<script>"]})
    assert answer.status_code == 400 and "Choose topics from the list." in answer.text and "<script>" not in answer.text
    assert 'value="asia" checked' in answer.text, "what the reader picked stays picked"
    assert _count(site.config, subscribers) == 0


def _limiter(site, per_minute: int = 10):  # type: ignore[no-untyped-def]
    limiter = web_app(site).clients
    limiter.per_minute = per_minute
    return limiter


def _post_from(site, client: str, address: str, list_name: str = "research") -> int:
    return httpx.post(f"{site.url}/subscribe", data={"email": address, "list": list_name}, headers={"X-Forwarded-For": client}).status_code


def test_one_client_behind_the_local_proxy_is_limited_by_its_own_address(serve):
    site = serve()
    _limiter(site)
    assert [_post_from(site, "203.0.113.5", f"a{i}@example.org") for i in range(11)] == [200] * 10 + [429]
    assert _post_from(site, "203.0.113.6", "b@example.org") == 200, "another visitor behind the same proxy is not held up"


def test_an_ipv6_client_cannot_dodge_the_limit_by_changing_address_within_its_64(serve):
    site = serve()
    _limiter(site)
    answers = [_post_from(site, f"2001:db8:1:2::{i + 1:x}", f"v{i}@example.org") for i in range(11)]
    assert answers == [200] * 10 + [429]
    assert _post_from(site, "2001:db8:1:3::1", "w@example.org") == 200


def test_many_clients_and_lists_mail_one_address_once(serve):
    site = serve()
    _limiter(site)
    answers = [_post_from(site, f"198.51.100.{i}", "target@example.org", ["research", "events"][i % 2]) for i in range(20)]
    assert answers == [200] * 20
    with open_db(site.config).connect() as conn:
        states = conn.execute(select(outgoing_mail.c.state)).scalars().all()
    assert len(states) == 20 and states.count("throttled") == 19
    assert len(confirmation_links(site.config.outbox, 1)) == 1


@pytest.mark.parametrize(("client", "key"), [
    ("203.0.113.9", "203.0.113.9"), ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.1", "192.0.2.1"), ("testclient", "testclient"), (None, "?"),
])
def test_client_key(client, key):
    scope = {"type": "http", "method": "POST", "path": "/subscribe", "headers": [], "client": (client, 5000) if client else None}
    assert client_key(Request(scope)) == key


def _unsubscribe_token(config, token_key: str) -> str:
    return make_token(keyring(b"signup-test-key"), "unsubscribe", token_key, "research")


def _joined(site) -> str:  # type: ignore[no-untyped-def]
    httpx.post(f"{site.url}/subscribe", data=FORM)
    (link,) = confirmation_links(site.config.outbox, 1)
    assert httpx.post(f"{site.url}{link}").status_code == 200
    return _unsubscribe_token(site.config, _person(site.config)[0].token_key)


@pytest.mark.parametrize(("body", "source"), [({"List-Unsubscribe": "One-Click"}, "one-click"),
                                              ({"List-Unsubscribe": "One-Click", "source": "web"}, "web")])
def test_an_unsubscribe_over_http_withdraws_and_a_resubscribe_is_a_new_record(serve, body, source):
    site = serve(truncate_ip=True)
    token = _joined(site)
    assert httpx.post(f"{site.url}/u/{token}", data=body).status_code == 200
    (first,) = _person(site.config)[1]
    assert first.withdrawn_by == source and first.given_at is not None
    again = httpx.post(f"{site.url}/u/{token}/resubscribe", headers={"User-Agent": "Resubscriber/3"})
    assert again.status_code == 200
    first, second = _person(site.config)[1]
    assert first.withdrawn_by == source
    assert second.method is ConsentMethod.PREFERENCES and second.given_at and second.withdrawn_at is None
    assert (second.evidence.ip, second.evidence.user_agent, second.evidence.form_version) == \
        ("127.0.0.0", "Resubscriber/3", web_app(site).resubscribe_form)
    with open_db(site.config).connect() as conn:
        assert conn.execute(select(memberships.c.status)).scalar_one() == "active"
        assert conn.execute(select(func.count()).select_from(consents)).scalar_one() == 2
