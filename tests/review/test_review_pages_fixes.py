"""The review page after its adversarial review: the word diff off the event loop and kept, decisions when the
server cannot read the campaign file or the file is broken, comments without unsafe characters, a page left open
too long, and the preview's own "Approval" line explained. Over real HTTP on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urlencode

import httpx
import pytest
from outreach.review.diff import Version
from outreach.review.pieces import RenderedPieces
from outreach.store.db import now
from outreach.store.reviews import DecisionKind, StoredVersion, decisions_of
from outreach.tokens import make_form_key
from outreach.web import review as review_module
from outreach.web.review import STALE_FORM, DiffCache, DiffSince, clean_comment
from tests.review.conftest import ADA, BOB, ReviewerClient, field_of

MOST, MANY = "Why do most stay?", "Why do many stay?"  # posts[0], part 3
DEADLINE = 30.0  # seconds: generous, for a loaded machine; nothing here asserts on speed
UNREADABLE = "This server cannot read the campaign file"
PREVIEW_NOTE = ("The preview's own “Approval” line is as it stood when this version was first rendered; "
                "the current state is shown above.")


def decisions(setup):
    return decisions_of(setup.engine, setup.slug)


@pytest.fixture
def served(review_setup):
    setup = review_setup(reviewers=(ADA, BOB))
    setup.serve()
    return setup


@pytest.fixture
def counted(monkeypatch):
    """The review module's ``compare``, counting its calls."""
    calls: list[int] = []
    real = review_module.compare

    def counting(old, new):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(old, new)

    monkeypatch.setattr(review_module, "compare", counting)
    return calls


# -- 1. the word diff: made in a worker thread, once per pair of versions ------------------------------

def test_the_word_diff_is_made_once_per_pair_of_versions(served, counted):
    ada, bob = ReviewerClient(served), ReviewerClient(served, BOB)
    assert ada.post("approve").status_code == 303 and bob.post("approve").status_code == 303
    served.edit(MOST, MANY)
    pages = [ada.page().text, ada.page().text, bob.page().text]
    for page in pages:
        assert "<del>most</del>" in page and "<ins>many</ins>" in page
    assert len(counted) == 1, "the second load and the other reviewer's (same two versions) use the kept diff"


def test_the_server_answers_other_requests_while_a_diff_is_made(served, monkeypatch):
    ada, bob = ReviewerClient(served), ReviewerClient(served, BOB)
    assert ada.post("approve").status_code == 303
    served.edit(MOST, MANY)
    started, release = threading.Event(), threading.Event()
    real = review_module.compare

    def slow(old, new):  # type: ignore[no-untyped-def]
        started.set()
        release.wait(DEADLINE)
        return real(old, new)

    monkeypatch.setattr(review_module, "compare", slow)
    with ThreadPoolExecutor(1) as pool:
        try:
            loading = pool.submit(ada.page)
            assert started.wait(DEADLINE), "Ada's page asks for the diff"
            # Bob approved nothing, so his page needs no diff: it answers while Ada's diff is still being made
            other = httpx.get(bob.url, timeout=DEADLINE / 3)
            assert other.status_code == 200 and 'id="diff"' not in other.text
            assert not loading.done(), "Ada's page was still waiting for its diff"
        finally:
            release.set()
        mine = loading.result(timeout=DEADLINE)
    assert mine.status_code == 200 and "<del>most</del>" in mine.text


def _version(content_hash: str) -> StoredVersion:
    return StoredVersion(1, "c", content_hash, {}, RenderedPieces(), None, datetime(2026, 11, 27, tzinfo=timezone.utc))


def _since(content_hash: str) -> DiffSince:
    return DiffSince(Version({}), content_hash, False, "the version you saw")


def test_the_kept_diffs_are_bounded_and_a_diff_being_made_is_made_once(counted):
    async def run() -> None:
        cache = DiffCache(size=2)
        new = _version("n" * 64)
        await asyncio.gather(*(cache.html(_since("a" * 64), new) for _ in range(5)))
        assert len(counted) == 1, "loads arriving together share one diff"
        await cache.html(_since("b" * 64), new)
        await cache.html(_since("a" * 64), new)  # kept, and now the most recently shown
        assert len(counted) == 2
        await cache.html(_since("c" * 64), new)  # drops b, the least recently shown
        await cache.html(_since("a" * 64), new)
        assert len(counted) == 3
        await cache.html(_since("b" * 64), new)
        assert len(counted) == 4
        await cache.html(DiffSince(Version({}), "a" * 64, True, "x"), new)  # the same hash with its words is another diff
        assert len(counted) == 5

    asyncio.run(run())


def test_the_kept_diffs_are_bounded_by_size_too(counted):
    async def run() -> None:
        cache = DiffCache(size=10, chars=1)  # every diff is over the limit: only the newest is kept
        new = _version("n" * 64)
        for old in ("a", "b", "a"):
            await cache.html(_since(old * 64), new)
        assert len(counted) == 3
        await cache.html(_since("a" * 64), new)
        assert len(counted) == 3, "the newest is always kept"

    asyncio.run(run())


# -- 2. a campaign file this server cannot read, or one that no longer renders -------------------------

def test_a_campaign_file_this_server_cannot_read_shows_the_stored_version_and_takes_both_decisions(served):
    ada, bob = ReviewerClient(served), ReviewerClient(served, BOB)
    ada.page()
    served.path.rename(served.path.with_name("elsewhere.toml"))  # mounted elsewhere, or serve runs on another host
    page = ada.page()
    assert page.status_code == 200
    stored = f"{served.version.created_at:%Y-%m-%d %H:%M} UTC"
    assert f"{UNREADABLE} ({served.path.name}), so this is the version stored {stored}" in page.text
    assert "a decision here is about that version, and dispatch still compares it with what the campaign renders" in page.text
    assert field_of(page.text, "hash") == served.version.content_hash
    assert 'id="approve"' in page.text and 'id="request-changes"' in page.text and 'id="no-approve"' not in page.text
    assert "this server cannot read the campaign file, so it cannot count approvals" in page.text
    assert ada.post("approve").status_code == 303
    assert bob.post("changes", comment="Say many").status_code == 303
    [approved, asked] = decisions(served)
    assert (approved.kind, approved.by, approved.content_hash) == (DecisionKind.APPROVED, "Ada Reviewer", served.version.content_hash)
    assert approved.version_id == served.version.id and approved.hashes == served.version.hashes
    assert (asked.kind, asked.comment, asked.content_hash) == (DecisionKind.CHANGES_REQUESTED, "Say many", served.version.content_hash)
    assert "You approved this version on" in ada.page().text


def test_a_campaign_file_that_no_longer_validates_refuses_approval_but_takes_a_request_for_changes(served):
    ada = ReviewerClient(served)
    seen = ada.page().text
    served.path.write_text(served.path.read_text(encoding="utf-8").replace('channel = "x"', 'channel = "fax"'), encoding="utf-8")
    page = ada.page().text
    assert "no longer validates (line" in page and "it cannot be approved; you can still ask for changes" in page
    assert UNREADABLE not in page
    assert 'id="approve"' not in page and 'id="no-approve"' in page and 'id="request-changes"' in page
    for shown in (page, seen):  # this page, and one opened before the file broke
        ada.last = shown
        refused = ada.post("approve")
        assert refused.status_code == 409 and "Nothing was recorded" in refused.text and "cannot be approved" in refused.text
    assert decisions(served) == []
    ada.last = page
    assert ada.post("changes", comment="The channel is wrong").status_code == 303
    [asked] = decisions(served)
    assert (asked.kind, asked.comment, asked.content_hash) == (DecisionKind.CHANGES_REQUESTED, "The channel is wrong",
                                                               served.version.content_hash)
    assert "You asked for changes to this version" in ada.page().text


# -- 3. comments keep no unsafe characters ----------------------------------------------------------------

@pytest.mark.parametrize(("given", "kept"), [
    ("a\u202eb", "ab"), ("a\u2028b\u2029c", "abc"), ("a\u0085b", "ab"), ("a\x80b\x9bc\x9fd", "abcd"),
    ("\u2066x\u2069 \u202ay\u202c", "x y"), ("a\x00b\x1b[31mc\x7fd", "ab[31mcd"),
    ("line one\r\nline two\rthree\n\tindented", "line one\nline two\nthree\n\tindented"),
    ("  ü \u202e ", "ü"), ("\u202e" * 10 + "x" * 5000, "x" * 4000),
])
def test_a_comment_keeps_no_unsafe_character_but_line_ends_and_tabs(given, kept):
    assert clean_comment(given) == kept


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_a_posted_comment_is_stored_without_bidi_overrides_or_separators(served):
    ada = ReviewerClient(served)
    assert ada.post("changes", comment="Fix \u202egnirts\u202c the\u2028date\u0085 now\x85").status_code == 303
    assert decisions(served)[0].comment == "Fix gnirts thedate now"
    assert "\u202e" not in ada.page().text


# -- 4. a page left open too long -------------------------------------------------------------------------

def _stale_key(setup) -> str:
    return make_form_key(setup.keyring, setup.token(ADA), now().timestamp() - 13 * 3600)


@pytest.mark.parametrize("key", ["stale", "missing"])
def test_a_page_left_open_too_long_comes_back_with_the_comment_and_a_fresh_key(served, key):
    ada = ReviewerClient(served)
    ada.page()
    sent = {"form_key": _stale_key(served) if key == "stale" else ""}
    comment = 'Please say <b>many</b> & "most"'
    answer = ada.post("changes", comment=comment, **sent)
    assert answer.status_code == 403 and STALE_FORM in answer.text
    assert ">Please say &lt;b&gt;many&lt;/b&gt; &amp; &#34;most&#34;</textarea>" in answer.text, "the comment is kept"
    assert decisions(served) == [], "nothing was recorded"
    fresh = field_of(answer.text, "form_key")
    assert fresh != sent["form_key"]
    ada.last = answer.text  # the reviewer presses again on the page they got back
    assert ada.post("changes", comment=comment).status_code == 303
    assert [d.comment for d in decisions(served)] == [comment]
    again = ada.post("approve", form_key=_stale_key(served))
    assert again.status_code == 403 and STALE_FORM in again.text and len(decisions(served)) == 1


@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_a_page_left_open_too_long_shows_what_changed_meanwhile(served):
    ada = ReviewerClient(served)
    ada.page()
    served.edit(MOST, MANY)
    answer = ada.post("approve", form_key=_stale_key(served))
    assert answer.status_code == 403 and STALE_FORM in answer.text
    assert "What changed since the version you saw" in answer.text and "<ins>many</ins>" in answer.text
    assert field_of(answer.text, "hash") != served.version.content_hash and decisions(served) == []


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}])
def test_a_cross_site_post_gets_the_refusal_page_echoing_nothing(served, headers):
    ada = ReviewerClient(served)
    ada.page()
    for key in (_stale_key(served), field_of(ada.last, "form_key")):
        answer = ada.post("changes", headers=headers, comment="ECHO-ME <b>", form_key=key)
        assert answer.status_code == 403 and "sent from another website" in answer.text
        assert "ECHO-ME" not in answer.text and 'name="form_key"' not in answer.text and STALE_FORM not in answer.text
    assert decisions(served) == []


def test_a_bad_token_with_a_stale_key_still_gets_the_one_invalid_page(served):
    form = urlencode({"form_key": _stale_key(served), "hash": served.version.content_hash, "comment": "x"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": served.base_url}
    answer = httpx.post(f"{served.base_url}/review/not-a-token/changes", content=form, headers=headers)
    assert answer.status_code == 400 and STALE_FORM not in answer.text


# -- 5. the preview's own "Approval" line ------------------------------------------------------------------

@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_the_page_says_the_previews_approval_line_is_as_first_rendered(served):
    page = ReviewerClient(served).page().text
    assert PREVIEW_NOTE in page
    assert page.index(PREVIEW_NOTE) < page.index('<iframe class="preview"'), "above the frame"


def test_a_reinvited_reviewer_is_not_told_a_revoked_links_approval_stands(review_setup):
    from outreach.store.reviews import revoke

    setup = review_setup()
    setup.serve()
    assert ReviewerClient(setup).post("approve").status_code == 303
    assert "You approved this version" in ReviewerClient(setup).page().text
    revoke(setup.engine, setup.slug, "ada@example.org")
    setup.add(ADA)  # a new link for Ada
    page = ReviewerClient(setup).page().text
    assert "You approved this version" not in page, "the approval made with the revoked link counts for nothing"
    assert "void: made with a link revoked since" in page and "waiting on Ada Reviewer" in page


def test_a_broken_file_falls_back_to_the_version_last_rendered_not_the_newest_stored(served):
    ada = ReviewerClient(served)
    first = field_of(ada.page().text, "hash")
    served.edit(MOST, MANY)
    edited = field_of(ada.page().text, "hash")
    served.edit(MANY, MOST)  # the edit undone: the campaign renders to its first version again
    assert field_of(ada.page().text, "hash") == first != edited
    served.path.write_text(served.path.read_text(encoding="utf-8").replace('channel = "x"', 'channel = "fax"'), encoding="utf-8")
    page = ada.page().text
    assert "no longer validates" in page and field_of(page, "hash") == first, "the last good version, not the undone edit"


def test_a_campaign_folder_that_moved_is_followed_once_it_is_rendered_from_there(served):
    from outreach.campaign import load_campaign
    from outreach.review.snapshot import snapshot
    from outreach.validate import check

    ada = ReviewerClient(served)
    ada.page()
    moved = served.path.parent.parent / "moved"
    served.path.parent.rename(moved)
    assert UNREADABLE in ada.page().text
    snapshot(served.engine, check(load_campaign(moved / served.path.name), served.config), served.config)  # e.g. outreach review, from there
    assert UNREADABLE not in ada.page().text
    served.path = moved / served.path.name
    served.edit(MOST, MANY)
    page = ada.page().text
    assert UNREADABLE not in page and field_of(page, "hash") != served.version.content_hash, "later edits show again"
