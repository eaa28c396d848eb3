"""The review pages on ``outreach serve`` over real HTTP, on SQLite and PostgreSQL.

``/review/<token>``, its stored preview files, Approve and Request changes: who
is recorded, the hash race, cross-site requests, bad tokens, escaping, limits.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import httpx
import pytest
from outreach.store.db import now
from outreach.store.reviews import DecisionKind, DecisionMethod, decisions_of, revoke, store_version, version_file, version_file_names
from outreach.tokens import make_form_key, make_review_token
from outreach.web.review import MAX_FORM_BYTES, POSTS_PER_MINUTE
from tests.review.conftest import ADA, BOB, ReviewerClient, field_of

MOST, MANY = "Why do most stay?", "Why do many stay?"  # posts[0], part 3: the same length, so only the words differ


def decisions(setup):
    return decisions_of(setup.engine, setup.slug)


def invalid_page(setup) -> bytes:
    """The app's one 400 page, as a bad unsubscribe token gets it."""
    answer = httpx.get(f"{setup.base_url}/u/not-a-token")
    assert answer.status_code == 400
    return answer.content


@pytest.fixture
def served(review_setup):
    setup = review_setup(reviewers=(ADA, BOB))
    setup.serve()
    return setup


# -- the page -------------------------------------------------------------------------------------

def test_the_page_shows_the_version_the_reviewer_and_the_preview_and_a_get_decides_nothing(served):
    ada = ReviewerClient(served)
    for _ in range(3):
        page = ada.page()
        assert page.status_code == 200
    text = page.text
    assert served.slug in text and "Soldier Defections in Myanmar" in text
    assert served.version.content_hash in text and field_of(text, "hash") == served.version.content_hash
    assert "Ada Reviewer" in text and "ada@example.org" in text
    assert "Still missing: 1 more approval of the current content (has 0 of 1); waiting on Ada Reviewer, Bob Reviewer." in text
    token = ada.url.rsplit("/", 1)[1]
    pinned = f"/review/{token}/v/{served.version.content_hash}"  # the files of the version this page shows, not "current"
    assert f'<iframe class="preview" title="Preview of {served.slug}" src="{pinned}/index.html">' in text
    names = version_file_names(served.engine, served.version.id)
    assert {"index.html", "email.html", "email.txt", "email.eml", "posts.json", "links.json"} <= set(names)
    assert any(n.startswith("images/") for n in names)
    for name in names:
        assert f'href="{pinned}/{name}"' in text, name
        assert httpx.get(f"{served.base_url}{pinned}/{name}").content == version_file(served.engine, served.version.id, name)
    assert 'id="approve"' in text and 'name="comment" required maxlength="4000"' in text
    assert decisions(served) == [], "a GET never decides"


def test_the_page_has_the_security_headers_and_frames_only_its_own_files(served):
    page = ReviewerClient(served).page()
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store" and page.headers["x-content-type-options"] == "nosniff"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    files = httpx.get(f"{served.url()}/files/index.html")
    assert files.headers["x-frame-options"] == "SAMEORIGIN"
    file_csp = files.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in file_csp and "sandbox" in file_csp and "script-src" not in file_csp


# -- the files --------------------------------------------------------------------------------------

def test_every_file_is_the_stored_bytes_with_its_type(served):
    expected = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".eml": "text/plain; charset=utf-8",
                ".json": "application/json", ".png": "image/png"}
    for name in version_file_names(served.engine, served.version.id):
        answer = httpx.get(f"{served.url()}/files/{name}")
        assert answer.status_code == 200, name
        assert answer.content == version_file(served.engine, served.version.id, name), name
        assert answer.headers["content-type"] == expected[name[name.rfind("."):]], name


@pytest.mark.parametrize("path", ["files/", "files", "files/nothing.html", "files/INDEX.HTML",
                                  "files/images", "files/images/", "files/%2e%2e/index.html", "files/index.html/"])
def test_only_exact_stored_names_are_served_and_nothing_is_listed(served, path):
    answer = httpx.get(f"{served.url()}/{path}")
    assert answer.status_code in (307, 400, 404), path
    assert b"index.html" not in answer.content and b"email.eml" not in answer.content


def test_the_files_follow_the_campaign_file_and_an_older_version_is_asked_for_by_its_hash(served):
    old_hash, old_id = served.version.content_hash, served.version.id
    old_posts = version_file(served.engine, old_id, "posts.json")
    assert MOST.encode() in httpx.get(f"{served.url()}/files/posts.json").content
    served.edit(MOST, MANY)
    now_posts = httpx.get(f"{served.url()}/files/posts.json").content
    assert MANY.encode() in now_posts and MOST.encode() not in now_posts, "an edit shows on the next load"
    assert httpx.get(f"{served.url()}/files/posts.json", params={"v": old_hash}).content == old_posts
    assert httpx.get(f"{served.url()}/v/{old_hash}/posts.json").content == old_posts, "a page opened before the edit frames its own version"
    assert httpx.get(f"{served.url()}/v/{'0' * 64}/posts.json").status_code == 404
    for bad in ("0" * 64, "not-a-hash", old_hash[:-1] + "x", ""):
        assert httpx.get(f"{served.url()}/files/posts.json", params={"v": bad}).status_code == 404, bad


def test_another_campaigns_version_is_not_served(review_setup):
    setup = review_setup()
    setup.serve()
    store_version(setup.engine, "another-campaign", "ab" * 32, {}, setup.version.pieces, None, {"index.html": b"other"})
    assert httpx.get(f"{setup.url()}/files/index.html", params={"v": "ab" * 32}).status_code == 404


# -- bad tokens ---------------------------------------------------------------------------------------

def _bad_tokens(setup) -> dict[str, str]:
    good = setup.token(ADA)
    payload, stamp, sig = good.rsplit(".", 2)
    tokens = {
        "forged": f"{payload}.{stamp}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}",
        "garbage": "not-a-token",
        "unknown link": make_review_token(setup.keyring, "no-such-link-key", setup.slug),
        "other campaign": setup.token(ADA, campaign="another-campaign"),
        "too old": setup.token(ADA, issued=(now() - timedelta(days=setup.config.review.link_days + 1)).timestamp()),
    }
    setup.expire(BOB)
    tokens["expired"] = setup.token(BOB)
    carol = setup.add("Carol Reviewer <carol@example.org>")
    assert [link.id for link in revoke(setup.engine, setup.slug, "carol@example.org")] == [carol.id]
    tokens["revoked"] = setup.token("carol@example.org")
    return tokens


def test_forged_expired_revoked_unknown_and_other_campaign_tokens_get_one_identical_page(served):
    reference = invalid_page(served)
    key = ReviewerClient(served)
    key.page()
    form = urlencode({"form_key": field_of(key.last, "form_key"), "hash": served.version.content_hash, "comment": "x"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": served.base_url}
    for what, token in _bad_tokens(served).items():
        base = f"{served.base_url}/review/{token}"
        answers = [httpx.get(base), httpx.get(f"{base}/files/index.html"),
                   httpx.post(f"{base}/approve", content=form, headers=headers), httpx.post(f"{base}/changes", content=form, headers=headers)]
        for answer in answers:
            assert (answer.status_code, answer.content) == (400, reference), (what, answer.request.url)
    assert decisions(served) == []
    assert ReviewerClient(served).page().status_code == 200, "Ada's own link still works"


def test_a_link_made_for_longer_than_link_days_works_for_its_own_days(review_setup):
    setup = review_setup(link_days=3)
    link = setup.add("Dan Reviewer <dan@example.org>", days=30)
    setup.serve()
    issued = (now() - timedelta(days=10)).timestamp()
    assert httpx.get(f"{setup.base_url}/review/{make_review_token(setup.keyring, link.link_key, setup.slug, issued)}").status_code == 200
    late = (now() - timedelta(days=31)).timestamp()
    assert httpx.get(f"{setup.base_url}/review/{make_review_token(setup.keyring, link.link_key, setup.slug, late)}").status_code == 400


# -- decisions ----------------------------------------------------------------------------------------

def test_approve_records_the_reviewer_from_the_link_never_from_the_form(served):
    ada = ReviewerClient(served)
    ada.page()
    answer = ada.post("approve", by="Mallory", reviewer="bob@example.org", reviewer_id=str(served.link(BOB).id))
    assert answer.status_code == 303 and answer.headers["location"] == ada.url
    [decision] = decisions(served)
    assert decision.kind is DecisionKind.APPROVED and decision.method is DecisionMethod.LINK
    assert (decision.by, decision.reviewer_address, decision.reviewer_id) == ("Ada Reviewer", "ada@example.org", served.link(ADA).id)
    assert decision.content_hash == served.version.content_hash and decision.version_id == served.version.id
    assert decision.hashes == served.version.hashes and decision.client_ip == "127.0.0.1" and decision.comment is None
    page = ada.page().text
    assert "You approved this version on" in page and "Nothing is missing: the current content is approved." in page


def test_the_client_address_is_truncated_when_configured(review_setup):
    setup = review_setup()
    setup.serve(privacy=setup.config.privacy.model_copy(update={"truncate_ip": True}))
    assert ReviewerClient(setup).post("approve").status_code == 303
    assert decisions(setup)[0].client_ip == "127.0.0.0"


@pytest.mark.parametrize("forgery", ["other origin", "cross-site fetch", "no form key", "another link's key", "stale key",
                                     "bad key"])
def test_cross_site_and_unkeyed_posts_record_nothing(served, forgery):
    ada = ReviewerClient(served)
    ada.page()
    headers, fields = {}, {}
    if forgery == "other origin":
        headers = {"Origin": "https://evil.example"}
    elif forgery == "cross-site fetch":
        headers = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    elif forgery == "no form key":
        fields = {"form_key": ""}
    elif forgery == "another link's key":
        fields = {"form_key": make_form_key(served.keyring, served.token(BOB), now().timestamp())}
    elif forgery == "stale key":
        fields = {"form_key": make_form_key(served.keyring, served.token(ADA), now().timestamp() - 13 * 3600)}
    else:
        fields = {"form_key": "1.AAAAAAAAAAAAAAAAAAAAAA"}
    for action in ("approve", "changes"):
        answer = ada.post(action, headers=headers, comment="please change", **fields)
        assert answer.status_code == 403, (forgery, action)
        if headers:  # another site's form: the refusal page, nothing of the form shown back
            assert "Nothing was recorded" in answer.text and "please change" not in answer.text, (forgery, action)
        else:  # our own page without a good key: the page again, with a fresh key (tests/review/test_review_pages_fixes.py)
            assert "This page was open too long, so nothing was recorded." in answer.text, (forgery, action)
    assert decisions(served) == []


def test_a_browser_post_under_no_referrer_is_accepted(served):
    ada = ReviewerClient(served)
    assert ada.post("approve", headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert len(decisions(served)) == 1


def test_the_campaign_changed_between_the_page_and_approve_refuses_and_shows_the_new_version(served):
    ada = ReviewerClient(served)
    ada.page()
    served.edit(MOST, MANY)
    refused = ada.post("approve")
    assert refused.status_code == 409
    assert "Nothing was recorded: the campaign changed since you opened this page." in refused.text
    new_hash = field_of(refused.text, "hash")
    assert new_hash != served.version.content_hash and f'id="content-hash">{new_hash}<' in refused.text
    diff = refused.text[refused.text.index('id="diff"'):]
    assert "What changed since the version you saw" in refused.text
    assert "<del>most</del>" in diff and "<ins>many</ins>" in diff and "posts[0]" in diff
    assert decisions(served) == []
    ada.last = refused.text  # the reviewer looks at the new version, then approves it
    assert ada.post("approve").status_code == 303
    [decision] = decisions(served)
    assert decision.content_hash == new_hash != served.version.content_hash


def test_request_changes_needs_a_comment_and_keeps_it_escaped_everywhere(served):
    ada, bob = ReviewerClient(served), ReviewerClient(served, BOB)
    for empty in ("", "   \n  "):
        answer = ada.post("changes", comment=empty)
        assert answer.status_code == 400 and "the comment is required" in answer.text
    assert ada.post("approve", comment="ignored").status_code == 303
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>\x00\x1b[31m'
    assert bob.post("changes", comment=hostile).status_code == 303
    stored = [d for d in decisions(served) if d.kind is DecisionKind.CHANGES_REQUESTED]
    assert [d.comment for d in stored] == ['<script>alert("x")</script> & <img src=x onerror=alert(1)>[31m']
    assert decisions(served)[0].comment is None, "an approval keeps no comment"
    for page in (ada.page().text, bob.page().text):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page
        assert "changes requested by Bob Reviewer" in page
    assert "You asked for changes to this version" in bob.page().text


def test_a_long_comment_keeps_4000_characters(served):
    ada = ReviewerClient(served)
    assert ada.post("changes", comment="ü" * 5000).status_code == 303
    assert decisions(served)[0].comment == "ü" * 4000


def test_the_diff_since_this_reviewers_approval_shows_only_to_them(served):
    ada, bob = ReviewerClient(served), ReviewerClient(served, BOB)
    assert ada.post("approve").status_code == 303
    served.edit(MOST, MANY)
    mine = ada.page().text
    assert "What changed since the version you approved on" in mine
    assert "<del>most</del>" in mine and "<ins>many</ins>" in mine
    assert "You approved this version" not in mine and "an earlier version" in mine
    assert 'id="diff"' not in bob.page().text, "Bob approved nothing: no diff"


# a campaign file this server cannot read, or one that no longer validates: tests/review/test_review_pages_fixes.py


# -- limits -------------------------------------------------------------------------------------------

def test_posts_are_limited_per_client(served):
    ada = ReviewerClient(served)
    ada.page()
    answers = [ada.post("approve").status_code for _ in range(POSTS_PER_MINUTE + 3)]
    assert answers[:POSTS_PER_MINUTE] == [303] * POSTS_PER_MINUTE and answers[POSTS_PER_MINUTE:] == [429] * 3
    assert len(decisions(served)) == POSTS_PER_MINUTE
    assert ada.page().status_code == 200, "reading is not limited"


def test_oversized_and_odd_forms_record_nothing(served):
    ada = ReviewerClient(served)
    ada.page()
    key, shown = field_of(ada.last, "form_key"), field_of(ada.last, "hash")
    url = f"{served.url()}/changes"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": served.base_url}
    big = urlencode({"form_key": key, "hash": shown, "comment": "x" * MAX_FORM_BYTES})
    assert httpx.post(url, content=big, headers=form).status_code == 400
    chunked = (part.encode() for part in [urlencode({"form_key": key, "hash": shown}), "&comment=", "y" * MAX_FORM_BYTES])
    assert httpx.post(url, content=chunked, headers=form).status_code == 400, "no Content-Length: still capped"
    many = urlencode([("form_key", key), ("hash", shown), *[("f", "1")] * 20])
    assert httpx.post(url, content=many, headers=form).status_code == 400
    multipart = httpx.post(url, files={"comment": ("c.txt", b"x")}, data={"form_key": key, "hash": shown}, headers={"Origin": served.base_url})
    assert multipart.status_code == 400
    bad_utf8 = f"form_key={key}&hash={shown}&comment=%ff%fe"
    assert httpx.post(url, content=bad_utf8, headers=form).status_code == 400
    assert decisions(served) == []


def test_the_files_answer_names_with_odd_characters_cleanly(served):
    for name in ("%00", "..%2f..%2fetc%2fpasswd", "images%2f..%2findex.html", "%ff", "a" * 3000):
        assert httpx.get(f"{served.url()}/files/{name}").status_code in (400, 404), name


def test_the_page_renders_in_chromium_with_the_preview_and_its_images(served):
    """The CSPs let the framed preview, its sandboxed email frames and every image render; the form posts from the page."""
    from tests.render.browser_checks import chromium_browser

    with chromium_browser() as browser:
        page = browser.new_page()
        page.goto(served.url())
        page.frame_locator("iframe.preview").locator("h1").first.wait_for()
        preview = next(f for f in page.frames if f.url.endswith(f"/v/{served.version.content_hash}/index.html"))
        images = preview.evaluate("Array.from(document.images).map(i => i.naturalWidth)")
        assert images and all(width > 0 for width in images)
        emails = [f for f in page.frames if f.url == "about:srcdoc"]
        assert len(emails) == 2
        for frame in emails:
            assert all(w > 0 for w in frame.evaluate("Array.from(document.images).map(i => i.naturalWidth)"))
        page.fill("#comment", "Please say <b>most</b>")
        page.click("#request-changes")
        page.wait_for_selector("#yours")
        assert "You asked for changes to this version" in page.inner_text("#yours")
    [decision] = decisions(served)
    assert decision.comment == "Please say <b>most</b>"



@pytest.mark.slow
@pytest.mark.parametrize("db_config", ["sqlite"], indirect=True)
def test_axe_finds_nothing_serious_on_the_review_pages(review_setup):
    """The page with decisions, a diff, a notice and an error, and the refused and slow-down pages, light and dark."""
    from tests.render.browser_checks import SCHEMES, axe_script, axe_violations, chromium_browser

    axe_script()
    setup = review_setup(reviewers=(ADA, BOB))
    setup.serve()
    ada, bob = ReviewerClient(setup), ReviewerClient(setup, BOB)
    assert ada.post("approve").status_code == 303 and bob.post("changes", comment="Say <b>many</b>").status_code == 303
    setup.edit(MOST, MANY)
    problems: dict[str, list[str]] = {}
    with chromium_browser() as browser:
        for scheme in SCHEMES:
            page = browser.new_page(color_scheme=scheme, bypass_csp=True)  # the page forbids scripts; axe is one
            page.goto(ada.url)
            assert page.locator("#diff").count() == 1
            problems[f"review {scheme}"] = axe_violations(page)
            page.eval_on_selector("#comment", "t => { t.required = false; }")
            page.click("#request-changes")
            assert "the comment is required" in page.inner_text("#error")
            problems[f"review with an error {scheme}"] = axe_violations(page)
            page.goto(f"{setup.base_url}/review/not-a-token")
            problems[f"invalid {scheme}"] = axe_violations(page)
            page.close()
    bad = {name: lines for name, lines in problems.items() if lines}
    assert not bad, "\n".join(f"{n}: {line}" for n, lines in bad.items() for line in lines)
