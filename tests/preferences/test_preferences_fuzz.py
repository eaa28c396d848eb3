"""The preference centre under hostile input (hypothesis) and under load: never a 500, never a forged change."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.testclient import TestClient

from outreach.config import Config
from outreach.store.db import open_db
from outreach.store.profile import topics_of
from outreach.store.schema import audit, subscribers
from outreach.store.subscribers import import_csv
from outreach.tokens import Keyring, is_form_key, make_form_key, make_token
from tests.preferences.test_preference_centre import Reader, form_key_of, people

KEYS = Keyring.of(b"fuzz-key")


@given(st.one_of(st.text(max_size=80), st.from_regex(r"[0-9]{1,12}\.[A-Za-z0-9_-]{22}", fullmatch=True)), st.text(max_size=60))
@settings(max_examples=500)
def test_the_form_key_check_never_accepts_a_key_it_did_not_make(form_key, link):
    assert not is_form_key(KEYS, link, form_key, time.time(), 12 * 3600)


def test_a_form_key_is_bound_to_its_link_its_time_and_the_keyring():
    stamp = time.time()
    key = make_form_key(KEYS, "link-a", stamp)
    assert is_form_key(KEYS, "link-a", key, stamp, 60)
    assert is_form_key(Keyring.of(b"new-key", b"fuzz-key"), "link-a", key, stamp, 60), "an older key of the ring still verifies"
    assert not is_form_key(KEYS, "link-b", key, stamp, 60)
    assert not is_form_key(KEYS, "link-a", key, stamp + 61, 60), "expired"
    assert not is_form_key(KEYS, "link-a", make_form_key(KEYS, "link-a", stamp + 3600), stamp, 60), "from the future"
    assert not is_form_key(Keyring.of(b"other"), "link-a", key, stamp, 60)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    from outreach.web.app import create_app

    os.environ["OUTREACH_SECRET"] = "fuzz-key"
    folder = tmp_path_factory.mktemp("prefs-fuzz")
    config = Config(database=f"sqlite:///{folder / 'f.db'}", outbox=folder / "outbox")
    (folder / "p.csv").write_text("email,name\nann@example.org,Ann\n", encoding="utf-8")
    engine = open_db(config)
    import_csv(engine, folder / "p.csv", "research")
    with engine.connect() as conn:
        key = conn.execute(select(subscribers.c.token_key)).scalar_one()
    app = create_app(config)
    for route in app.router.routes:  # the fuzzer is one client asking for many addresses: lift both limits
        if getattr(route, "path", "") == "/preferences" and "POST" in route.methods:
            route.endpoint.__self__.clients.per_minute = route.endpoint.__self__.addresses.per_minute = 1_000_000
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, config, make_token(KEYS, "preferences", key, "research")


actions = st.sampled_from(["", "/lists", "/topics", "/name", "/pause", "/everything", "/nothing"])
fields = st.lists(st.tuples(st.sampled_from(["list", "topic", "name", "days", "email", "form_key", "x"]), st.text(max_size=300)), max_size=6)


@given(actions, st.booleans(), st.text(max_size=80), fields, st.sampled_from(["GET", "POST"]), st.binary(max_size=200),
       st.booleans(), st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_request_yields_500(fuzzed, action, real_token, junk_token, form, method, raw, use_raw, good_key):
    client, config, token = fuzzed
    link = token if real_token else quote(junk_token, safe="") or "x"
    url = f"/p/{link}{action}"
    items = list(form) + ([("form_key", make_form_key(KEYS, token, time.time()))] if good_key else [])
    headers = {"Origin": config.web.base_url} if good_key else {}
    if method == "GET":
        response = client.get(url)
    elif use_raw:
        response = client.post(url, content=raw, headers={"content-type": "application/x-www-form-urlencoded", **headers})
    else:
        response = client.post(url, data=dict(items), headers=headers)
    assert response.status_code < 500, (method, url, items)


@given(st.text(max_size=400), st.binary(max_size=200), st.booleans())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_link_request_yields_500(fuzzed, address, raw, use_raw):
    client = fuzzed[0]
    if use_raw:
        response = client.post("/preferences", content=raw, headers={"content-type": "application/x-www-form-urlencoded"})
    else:
        response = client.post("/preferences", data={"email": address})
    assert response.status_code in (200, 400), address


def test_many_readers_saving_at_once(live, tmp_path):
    """200 saves from 20 threads on one page: every one answered 200, each change audited, the last state one of those sent."""
    people(live.config, tmp_path)
    reader = Reader(live)
    key = form_key_of(reader.page().text)  # a page's key serves every save until it expires
    choices = [{"topic": "asia"}, {"topic": ["peace", "defence"]}, {}]
    headers = {"Origin": live.url}

    with httpx.Client(timeout=60) as client:
        def save(i: int) -> int:
            return client.post(f"{reader.url}/topics", data={"form_key": key, **choices[i % 3]}, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(save, range(200)))
    assert answers == [200] * 200
    with open_db(live.config).connect() as conn:
        final = topics_of(conn, 1)
        changes = conn.execute(select(func.count()).select_from(audit).where(audit.c.action == "topics changed")).scalar_one()
    assert final in (["asia"], ["defence", "peace"], [])
    assert 0 < changes <= 200
