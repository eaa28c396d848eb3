"""No input to the token parser or the form handlers yields a 500 (hypothesis)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from outreach.config import Config
from outreach.tokens import BadToken, Keyring, read_token
from outreach.web.app import create_app

SECRET = Keyring.of(b"fuzz-key")
tokenish = st.one_of(st.text(max_size=120), st.from_regex(r"[A-Za-z0-9_-]{4,60}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{20,40}", fullmatch=True))


@given(tokenish)
@settings(max_examples=500)
def test_token_parser_only_ever_says_bad_token(token):
    try:
        claims = read_token(SECRET, "unsubscribe", token, 365)
    except BadToken:
        return
    pytest.fail(f"accepted a token it never issued: {token!r} -> {claims}")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import os

    os.environ["OUTREACH_SECRET"] = "fuzz-key"
    folder = tmp_path_factory.mktemp("fuzz")
    config = Config(database=f"sqlite:///{folder / 'f.db'}", outbox=folder / "outbox")
    app = create_app(config)
    # the fuzzer is one client: lift the per-client sign-up limit so every case reaches the sign-up code
    next(r.endpoint.__self__ for r in app.router.routes if getattr(r, "path", "") == "/subscribe").clients.per_minute = 1_000_000
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


fields = st.dictionaries(st.sampled_from(["email", "name", "list", "List-Unsubscribe", "source", "x"]), st.text(max_size=300), max_size=5)
paths = st.sampled_from(["/u/{t}", "/u/{t}/resubscribe", "/confirm/{t}", "/subscribe", "/archive/{t}", "/archive/{t}/cover.png"])
safe_token = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


@given(paths, safe_token, fields, st.sampled_from(["GET", "POST"]), st.binary(max_size=200), st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_request_yields_500(client, path, token, form, method, raw, use_raw):
    url = path.format(t=quote(token, safe=""))
    if method == "GET":
        response = client.get(url)
    elif use_raw:
        response = client.post(url, content=raw, headers={"content-type": "application/x-www-form-urlencoded"})
    else:
        response = client.post(url, data=form)
    assert response.status_code < 500, (method, url, form)
