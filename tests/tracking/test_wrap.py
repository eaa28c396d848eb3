"""The send-side link wrapping, as a transformation of a rendered email (no database, no network)."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest

from outreach.mail.message import MessageFactory, Recipient
from outreach.render.email import MARKERS, MarkedText, RenderedEmail, personalise
from outreach.tokens import CLICK_TOKEN_LENGTH, ClickMode, Keyring, read_click_token
from outreach.tracking.wrap import ClickLinks, Skip, click_mode, find_links, skip_reason, wrap

BASE = "https://news.example.org"
KEYS = Keyring.of(b"unit-test-key-0123456789")
_HREF = re.compile(r"""<a\s(?:[^>]*?\s)?href="([^"]*)\"""")


def email_of(body: str, text: str, markers=MARKERS) -> RenderedEmail:
    return RenderedEmail(subject="S", preheader="P", html=MarkedText(body, markers), text=MarkedText(text, markers),
                         list_name="research", list_title="Research", cover_path=None, cover_url=None)


def ids_for(email: RenderedEmail, base: str = BASE) -> dict[str, int]:
    return {f.url: 100 + f.position for f in find_links(email, base) if f.skip is None}


def personalised(email: RenderedEmail, values: dict[str, str]) -> tuple[str, str]:
    return personalise(email.html, values, is_html=True), personalise(email.text, values, is_html=False)


VALUES = {"name": "Ada", "unsubscribe_url": f"{BASE}/u/TOKEN"}


@pytest.mark.parametrize("url, reason", [
    ("https://example.org/r?utm_source=newsletter", None),
    ("HTTP://EXAMPLE.ORG/", None),
    (f"{BASE}/archive/campaign", None),
    (f"{BASE}/u/abc", Skip.SUBSCRIPTION),
    (f"{BASE}/unsubscribe", Skip.SUBSCRIPTION),
    (f"{BASE}/subscribe?list=x", Skip.SUBSCRIPTION),
    (f"{BASE}/confirm/tok", Skip.SUBSCRIPTION),
    (f"{BASE}/preferences", Skip.SUBSCRIPTION),
    (f"{BASE}/c/AAAA", Skip.SUBSCRIPTION),
    ("mailto:a@example.org", Skip.SCHEME),
    ("tel:+4512", Skip.SCHEME),
    ("javascript:alert(1)", Skip.SCHEME),
    ("ftp://example.org/", Skip.SCHEME),
    ("@@OUTREACH:UNSUBSCRIBE_URL@@", Skip.PERSONAL),
    ("https://example.org/?n=@@OUTREACH:NAME@@", Skip.PERSONAL),
])
def test_what_is_never_wrapped(url, reason):
    assert skip_reason(url, BASE, list(MARKERS.values())) == reason


def test_links_are_found_in_order_with_their_labels_and_text_only_urls():
    email = email_of(
        '<a class="x" href="https://example.org/a?x=1&amp;y=2"><img src="c.png" alt="The &quot;cover&quot;"></a>'
        '<a href="https://example.org/b">  Read\n <b>this</b> </a><a href="https://example.org/a?x=1&y=2">again</a>',
        "https://example.org/b, then (https://example.org/c) and https://example.org/d.\nhttps://example.org/a?x=1&y=2\n")
    found = find_links(email, BASE)
    assert [(f.url, f.label, f.position) for f in found] == [
        ("https://example.org/a?x=1&y=2", 'The "cover"', 1),
        ("https://example.org/b", "Read this", 2),
        ("https://example.org/c", None, 3),
        ("https://example.org/d", None, 4),
    ]


def test_every_trackable_link_of_both_parts_becomes_its_token_and_nothing_else_changes():
    body = ('<p>Hi @@OUTREACH:NAME@@</p><a href="https://example.org/a?utm_source=n&amp;x=1">A</a> '
            '<a href="mailto:x@example.org">m</a> <a href="@@OUTREACH:UNSUBSCRIBE_URL@@">u</a> <a href="https://news.example.org/u/x">u2</a>')
    text = ("Hi @@OUTREACH:NAME@@\nA: https://example.org/a?utm_source=n&x=1\nOnly here: https://example.org/t.\n"
            "Unsubscribe: @@OUTREACH:UNSUBSCRIBE_URL@@\nhttps://news.example.org/u/x\n")
    email = email_of(body, text)
    ids = ids_for(email)
    assert set(ids) == {"https://example.org/a?utm_source=n&x=1", "https://example.org/t"}
    wrapped = wrap(email, ids, BASE)
    clicks = ClickLinks(KEYS, BASE, ClickMode.AGGREGATE, wrapped.link_of_key)
    out_html, out_text = personalised(wrapped.email, {**VALUES, **clicks.values(1_800_000_000)})
    want_html, want_text = personalised(email, VALUES)
    by_id = {v: k for k, v in ids.items()}

    def back(match: re.Match[str], escape: bool) -> str:
        url = by_id[read_click_token(KEYS, match.group(1)).link_id]
        return html.escape(url) if escape else url

    click = re.compile(re.escape(BASE) + r"/c/([A-Za-z0-9_-]{%d})" % CLICK_TOKEN_LENGTH)
    assert len(click.findall(out_html)) == 1 and len(click.findall(out_text)) == 2
    assert click.sub(lambda m: back(m, False), out_text) == want_text
    assert click.sub(lambda m: back(m, True), out_html) == want_html
    assert f"{BASE}/u/TOKEN" in out_html and f"{BASE}/u/TOKEN" in out_text and "mailto:x@example.org" in out_html


def test_a_url_that_starts_with_another_link_stays_its_own_link():
    text = "https://example.org/a\nhttps://example.org/a?utm_source=n\nhttps://example.org/ab\nhttps://example.org/a/b\n"
    email = email_of('<a href="https://example.org/a">a</a><a href="https://example.org/a?utm_source=n">b</a>', text)
    ids = ids_for(email)
    assert len(ids) == 4
    wrapped = wrap(email, ids, BASE)
    out = personalise(wrapped.email.text, {**VALUES, **ClickLinks(KEYS, BASE, ClickMode.TEST, wrapped.link_of_key).values(0)}, is_html=False)
    by_id = {v: k for k, v in ids.items()}
    lines = [by_id[read_click_token(KEYS, line.rsplit("/", 1)[1]).link_id] for line in out.splitlines()]
    assert lines == text.splitlines()


def test_a_link_with_quotes_in_it_is_one_link_in_both_parts():
    url = "https://example.org/q?t=\"x\"&y=<z>&s='"
    email = email_of(f'<a href="{html.escape(url)}">q</a>', f"See {url}\n")
    ids = ids_for(email)
    assert list(ids) == [url]
    wrapped = wrap(email, ids, BASE)
    assert wrapped.email.text.count("@@OUTREACH:CLICK:1@@") == 1 and '"' not in wrapped.email.text.replace("@@", "")


def test_marker_like_campaign_text_stays_text():
    literal = "@@OUTREACH:CLICK:1@@ @@OUTREACH:CLICK:1:1@@ @@OUTREACH-LIVE:click:1:x@@"
    email = email_of(f'<a href="https://example.org/a">a</a><p>{literal}</p>', f"https://example.org/a\n{literal}\n")
    wrapped = wrap(email, ids_for(email), BASE)
    assert wrapped.email.html.markers["click:1"] not in literal
    values = {**VALUES, **ClickLinks(KEYS, BASE, ClickMode.TEST, wrapped.link_of_key).values(0)}
    out_html, out_text = personalised(wrapped.email, values)
    assert literal in out_html and literal in out_text
    assert out_text.startswith(f"{BASE}/c/")


def test_an_odd_base_url_is_escaped_in_the_html_part():
    base = 'https://example.org/p&q"x'
    email = email_of('<a href="https://example.org/a">a</a>', "https://example.org/a\n")
    wrapped = wrap(email, ids_for(email, base), base)
    out_html, out_text = personalised(wrapped.email, {**VALUES, **ClickLinks(KEYS, base, ClickMode.TEST, wrapped.link_of_key).values(0)})
    [href] = _HREF.findall(out_html)
    assert html.unescape(href) == out_text.strip() and out_text.startswith(base + "/c/")


def test_the_message_number_per_mode():
    aggregate = ClickLinks(KEYS, BASE, ClickMode.AGGREGATE, {"click:1": 7, "click:2": 8})
    first, second = (aggregate.values(5, delivery_id=42) for _ in range(2))
    a = [read_click_token(KEYS, v.rsplit("/", 1)[1]) for v in first.values()]
    b = [read_click_token(KEYS, v.rsplit("/", 1)[1]) for v in second.values()]
    assert {c.link_id for c in a} == {7, 8} and len({c.message for c in a}) == 1 and a[0].message != b[0].message
    assert a[0].message != 42 and a[0].sent_at == 5
    individual = ClickLinks(KEYS, BASE, ClickMode.INDIVIDUAL, {"click:1": 7})
    assert read_click_token(KEYS, individual.values(5, 42)["click:1"].rsplit("/", 1)[1]).message == 42
    with pytest.raises(ValueError):
        individual.values(5)
    test = ClickLinks(KEYS, BASE, ClickMode.TEST, {"click:1": 7})
    assert read_click_token(KEYS, test.values(5, 42)["click:1"].rsplit("/", 1)[1]).message == 0
    assert [click_mode(m) for m in ("aggregate", "individual", "off")] == [ClickMode.AGGREGATE, ClickMode.INDIVIDUAL, None]
    assert click_mode("individual", test_copy=True) == ClickMode.TEST and click_mode("off", test_copy=True) is None


def test_the_factory_stamps_when_the_message_was_built():
    email = email_of('<a href="https://example.org/a">a</a>@@OUTREACH:NAME@@', "https://example.org/a @@OUTREACH:NAME@@\n")
    wrapped = wrap(email, ids_for(email), BASE)
    factory = MessageFactory(wrapped.email, sender="N <n@example.org>", reply_to=None, list_id="<r.example.org>",
                             clicks=ClickLinks(KEYS, BASE, ClickMode.INDIVIDUAL, wrapped.link_of_key))
    at = datetime(2027, 1, 12, 8, 0, 30, 999, tzinfo=timezone.utc)
    data = factory.build(Recipient("r@example.org", "Ada", f"{BASE}/u/T", "mailto:u@example.org", "<m@example.org>"), at, 9)
    text = message_from_bytes(data, policy=policy.default).get_body(("plain",)).get_content()
    claims = read_click_token(KEYS, text.split("/c/", 1)[1][:CLICK_TOKEN_LENGTH])
    assert (claims.sent_at, claims.message, claims.link_id) == (int(at.timestamp()), 9, 101)
    assert text.rstrip().endswith("Ada")
