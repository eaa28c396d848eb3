"""The review pages under hostile input (hypothesis), on SQLite and PostgreSQL: never a 500, never a decision nobody made.

Every request is random in its token, path, method, fields, body and
headers. Whatever arrives: no 5xx, a bad token gets the one 400 page, a file is
served only under its exact stored name, and every decision recorded names the
link's reviewer and the hash the page showed (never a form field).
"""

from __future__ import annotations

import shutil
import time
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from starlette.testclient import TestClient

from outreach.campaign import load_campaign
from outreach.config import Config, ReviewConfig
from outreach.mail.compose import signing_keys
from outreach.review.snapshot import snapshot
from outreach.store.db import open_db
from outreach.store.reviews import add_reviewer, decisions_of, new_round, version_file_names
from outreach.tokens import make_form_key, make_review_token
from outreach.validate import check
from tests.conftest import SAMPLE, SAMPLE_COVER, private_database

SECRET = "review-fuzz-key"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzzed(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One app (limits lifted: the fuzzer is one client) on a campaign under review, with Ada's token and the page's hash."""
    patch = pytest.MonkeyPatch()
    patch.setenv("OUTREACH_SECRET", SECRET)
    folder = tmp_path_factory.mktemp("review-fuzz")
    try:
        with private_database(request.param, folder) as database:
            yield from _fuzzed_app(database, folder)
    finally:
        patch.undo()


def _fuzzed_app(database: str, folder):  # type: ignore[no-untyped-def]
    from outreach.web.app import create_app

    # no owner: the notice task sends nothing (make_msgid's use of `random` would upset hypothesis); tests/review/test_notice.py covers it
    config = Config(database=database, outbox=folder / "outbox", review=ReviewConfig(owner=None))
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    shutil.copy(SAMPLE_COVER, folder / SAMPLE_COVER.name)
    engine = open_db(config)
    stored = snapshot(engine, check(load_campaign(folder / SAMPLE.name), config), config)
    link = add_reviewer(engine, new_round(engine, stored.campaign, stored.id, None, "fuzz"), "Ada Reviewer", "ada@example.org", 14)
    token = make_review_token(signing_keys(config, engine), link.link_key, stored.campaign)
    app = create_app(config)
    for route in app.router.routes:
        if getattr(route, "path", "") == "/review/{token}/approve":
            route.endpoint.__self__.clients.per_minute = 1_000_000
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client, config, engine, token, stored, link, client.get("/u/x").content


paths = st.one_of(st.sampled_from(["", "/approve", "/changes", "/files/index.html", "/files/email.eml", "/files/", "/files",
                                   "/nothing", "/approve/x"]),
                  st.text(max_size=40).map(lambda t: "/files/" + quote(t, safe="/")))
field_names = st.sampled_from(["form_key", "hash", "comment", "by", "reviewer", "reviewer_id", "content_hash", "x"])
fields = st.lists(st.tuples(field_names, st.text(max_size=300)), max_size=6)
tokens = st.one_of(st.just("good"), st.text(max_size=120), st.sampled_from(["good+x", "good-cut", "other-campaign"]))


def _token(kind: str, good: str, config: Config, engine) -> str:  # type: ignore[no-untyped-def]
    if kind == "good":
        return good
    if kind == "good+x":
        return good + "x"
    if kind == "good-cut":
        return good[:-3]
    if kind == "other-campaign":
        from outreach.tokens import read_review_token

        key = read_review_token(signing_keys(config, engine), good, 14).link_key
        return make_review_token(signing_keys(config, engine), key, "another-campaign")
    return quote(kind, safe="") or "x"


@given(tokens, paths, st.sampled_from(["GET", "POST"]), fields, st.booleans(), st.booleans(), st.binary(max_size=300),
       st.booleans(), st.sampled_from([None, "null", "https://evil.example", "http://testserver"]), st.text(max_size=70))
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_request_yields_a_500_or_a_decision_nobody_made(fuzzed, token_kind, path, method, form, good_key, good_hash, raw, use_raw,
                                                           origin, version):
    client, config, engine, good, stored, link, invalid = fuzzed
    token = _token(token_kind, good, config, engine)
    url = f"/review/{token}{path}"
    items = list(form)
    if good_key:
        items.insert(0, ("form_key", make_form_key(signing_keys(config, engine), good, time.time())))
    if good_hash:
        items.insert(0, ("hash", stored.content_hash))
    headers = {"Origin": origin} if origin else {}
    before = len(decisions_of(engine, stored.campaign))
    if method == "GET":
        response = client.get(url, params={"v": version} if version else None)
    elif use_raw:
        response = client.post(url, content=raw, headers={"content-type": "application/x-www-form-urlencoded", **headers})
    else:
        response = client.post(url, data=dict(items), headers=headers)
    assert response.status_code < 500, (method, url, items)
    if token != good and response.status_code == 400:
        assert response.content == invalid, "a bad token gets the one 400 page"
    if response.status_code == 200 and "/files/" in path and method == "GET":
        assert unquote(path.removeprefix("/files/")) in version_file_names(engine, stored.id)
    after = decisions_of(engine, stored.campaign)
    if len(after) > before:
        [made] = after[before:]
        assert response.status_code == 303 and token == good and good_key and path in ("/approve", "/changes")
        assert (made.by, made.reviewer_address, made.reviewer_id) == (link.name, link.address, link.id)
        assert made.content_hash == stored.content_hash and made.version_id == stored.id


@given(st.text(max_size=5000))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_comment_is_kept_clean_and_shown_escaped(fuzzed, comment):
    client, config, engine, good, stored, link, _ = fuzzed
    key = make_form_key(signing_keys(config, engine), good, time.time())
    before = len(decisions_of(engine, stored.campaign))
    response = client.post(f"/review/{good}/changes", data={"form_key": key, "hash": stored.content_hash, "comment": comment})
    assert response.status_code in (303, 400)
    after = decisions_of(engine, stored.campaign)
    if response.status_code == 400:
        assert len(after) == before and "the comment is required" in response.text
        return
    kept = after[-1].comment or ""
    assert kept and len(kept) <= 4000 and kept == kept.strip() and "\x00" not in kept and "\r" not in kept
    assert set(kept) <= set(comment.replace("\r", "\n"))
    page = client.get(f"/review/{good}").text
    assert str(escape(kept)) in page and "<script" not in page.lower()


@given(st.sampled_from(["approve", "changes"]), fields, st.sampled_from([None, "null", "base"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_keyed_post_records_the_links_reviewer_whatever_else_the_form_says(fuzzed, action, form, origin):
    client, config, engine, good, stored, link, _ = fuzzed
    items = [("form_key", make_form_key(signing_keys(config, engine), good, time.time())), ("hash", stored.content_hash),
             ("comment", "fuzzed"), *form]
    before = len(decisions_of(engine, stored.campaign))
    response = client.post(f"/review/{good}/{action}", data=dict(reversed(items)) | dict(items[:3]),
                           headers={"Origin": config.web.base_url if origin == "base" else origin} if origin else {})
    assert response.status_code == 303, items
    [made] = decisions_of(engine, stored.campaign)[before:]
    assert (made.by, made.reviewer_address, made.reviewer_id) == (link.name, link.address, link.id)
    assert (made.content_hash, made.version_id, made.method.value) == (stored.content_hash, stored.id, "link")


@given(st.text(min_size=1, max_size=120), st.one_of(st.none(), st.text(max_size=70)))
@example("\x00", None)
@example("index.html\x00", None)
@example("../index.html", None)
@example("index.html", "\x00")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_file_is_served_only_under_its_exact_stored_name(fuzzed, name, version):
    client, config, engine, good, stored, link, _ = fuzzed
    response = client.get(f"/review/{good}/files/{quote(name, safe='')}", params={"v": version} if version is not None else None)
    if name in (".", ".."):  # a dot segment: the client removes it before sending (RFC 3986), so no name is asked for
        assert response.status_code in (307, 404), name  # 307: to /review/<token>/files, which is a 404
        return
    assert response.status_code in (200, 404), (name, version)
    if response.status_code == 200:
        assert name in version_file_names(engine, stored.id) and version in (None, stored.content_hash)
