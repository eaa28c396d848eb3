"""The review pages under load, and the cache that keeps GETs from re-rendering: no 5xx, every answer right.

Many concurrent GETs of the page and its files and POSTs of both decisions,
over real HTTP (uvicorn), on SQLite and PostgreSQL. A GET re-renders the
campaign only when a file it reads changed; a POST always renders afresh.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest

from outreach.review.current import CurrentVersions
from outreach.store.reviews import DecisionKind, decisions_of, unnotified_requests
from outreach.web.review import ReviewPages
from tests.review.conftest import ADA, BOB, ReviewerClient, field_of

MOST, MANY = "Why do most stay?", "Why do many stay?"


def pages_of(server) -> ReviewPages:  # type: ignore[no-untyped-def]
    """The review pages behind a running server (their cache and limiter)."""
    app = server.server.config.app
    return next(r.endpoint.__self__ for r in app.router.routes if getattr(r, "path", "") == "/review/{token}")


# -- the cache ---------------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_get_renders_again_only_when_a_file_changed_or_the_render_is_old(review_setup):
    setup = review_setup()
    clock = Clock()
    current = CurrentVersions(setup.config, setup.engine, ttl=10.0, clock=clock)
    first = current.get(setup.slug)
    assert first is not None and first.approvable and first.version.content_hash == setup.version.content_hash
    clock.now += 1
    for _ in range(5):
        assert current.get(setup.slug) is first
    assert current.renders == 1
    setup.edit(MOST, MANY)
    clock.now += 1
    edited = current.get(setup.slug)
    assert current.renders == 2 and edited.version.content_hash != first.version.content_hash, "an edit shows on the next load"
    clock.now += 1
    cover = setup.path.parent / "soldier-defections-myanmar-cover.png"
    cover.write_bytes(cover.read_bytes() + b"\0")  # a file the campaign names (still a PNG by its content)
    clock.now += 1
    assert current.get(setup.slug).version.content_hash != edited.version.content_hash and current.renders == 3
    clock.now += 11  # nothing changed, but the render is older than the ttl
    current.get(setup.slug)
    assert current.renders == 4


def test_a_post_renders_afresh_unless_a_render_started_after_it_arrived(review_setup):
    setup = review_setup()
    clock = Clock()
    current = CurrentVersions(setup.config, setup.engine, ttl=10.0, clock=clock)
    current.get(setup.slug)
    clock.now += 1
    current.get(setup.slug, fresh=True)
    assert current.renders == 2, "a POST never takes the cached render"
    current.get(setup.slug, fresh=True)
    assert current.renders == 2, "arrived in the same instant as that render started: shares it"
    clock.now += 0.001
    current.get(setup.slug, fresh=True)
    assert current.renders == 3


def test_an_unknown_campaign_has_no_current_version(review_setup):
    setup = review_setup()
    assert CurrentVersions(setup.config, setup.engine).get("no-such-campaign") is None


# -- load ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_many_gets_and_posts_at_once(review_setup):
    """600 GETs (page and files) and 120 POSTs from 24 threads: no 5xx, the right answers, one decision per accepted POST."""
    setup = review_setup(reviewers=(ADA, BOB))
    server = setup.serve()
    pages = pages_of(server)
    pages.clients.per_minute = 1_000_000  # every thread is the same loopback client
    clients = {who: ReviewerClient(setup, who) for who in (ADA, BOB)}
    forms = {who: (field_of(c.page().text, "form_key"), field_of(c.last, "hash")) for who, c in clients.items()}
    shown = setup.version.content_hash
    renders_before = pages.current.renders
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": setup.base_url}

    with httpx.Client(timeout=120) as http:
        def get(i: int) -> tuple[int, bool]:
            who = (ADA, BOB)[i % 2]
            if i % 3 == 0:  # a file: the stored bytes of the current version
                answer = http.get(f"{clients[who].url}/files/posts.json")
                return answer.status_code, MOST in answer.text
            answer = http.get(clients[who].url)  # the page: the hash and the reviewer's own name
            return answer.status_code, shown in answer.text and who.split(" <")[0] in answer.text

        def post(i: int) -> int:
            who = (ADA, BOB)[i % 2]
            action = "approve" if i % 4 < 2 else "changes"
            key, seen = forms[who]
            body = urlencode({"form_key": key, "hash": seen, "comment": f"load comment {i}"})
            return http.post(f"{clients[who].url}/{action}", content=body, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=24) as pool:
            only_gets = list(pool.map(get, range(300)))
            renders_for_gets = pages.current.renders - renders_before
            gets = pool.map(get, range(300))
            posts = pool.map(post, range(120))
            got, posted = only_gets + list(gets), list(posts)
    assert all(status == 200 and right for status, right in got), [g for g in got if g != (200, True)][:5]
    assert renders_for_gets <= 2, "300 GETs of an unchanged campaign share the cached render"
    assert posted == [303] * 120
    recorded = decisions_of(setup.engine, setup.slug)
    assert len(recorded) == 120
    assert {(d.by, d.reviewer_address) for d in recorded} == {("Ada Reviewer", "ada@example.org"), ("Bob Reviewer", "bob@example.org")}
    assert all(d.content_hash == shown for d in recorded)
    assert sum(d.kind is DecisionKind.CHANGES_REQUESTED for d in recorded) == 60
    assert pages.current.renders - renders_before <= 120 + 4, "each POST rendered at most once"
    # every request for changes reaches the owner once
    deadline = time.monotonic() + 60
    while unnotified_requests(setup.engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert unnotified_requests(setup.engine) == []
    assert len(os.listdir(setup.config.outbox / "email" / "review")) == 60


@pytest.mark.slow
def test_posts_racing_an_edit_are_refused_and_record_nothing(review_setup):
    setup = review_setup()
    server = setup.serve()
    pages_of(server).clients.per_minute = 1_000_000
    ada = ReviewerClient(setup)
    key, seen = field_of(ada.page().text, "form_key"), field_of(ada.last, "hash")
    setup.edit(MOST, MANY)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": setup.base_url}
    body = urlencode({"form_key": key, "hash": seen})
    with httpx.Client(timeout=120) as http, ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: http.post(f"{ada.url}/approve", content=body, headers=headers), range(64)))
    assert {a.status_code for a in answers} == {409}
    assert all("<del>most</del>" in a.text and "<ins>many</ins>" in a.text for a in answers)
    assert decisions_of(setup.engine, setup.slug) == []
