"""No user name, password or query of any URL (SOURCE, feed, feed items, redirects, the page's own address)
reaches the campaign file, a rendered post or email, a printed message or an error.

Every secret below contains "SECRET"; each test looks for that word wherever the address could show up.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.campaign import read_campaign
from outreach.config import Config
from outreach.draft.run import draft_campaign
from outreach.draft.source import FetchLimits, fetch_image, read_source, shown, without_secrets
from outreach.errors import DraftError
from outreach.render.email import render_email
from outreach.render.posts import render_posts

LIMITS = FetchLimits(timeout_seconds=1.0, max_bytes=1_000_000, max_redirects=3)
USERINFO = ["alice:SECRETPW@", "SECRETUSER@", "alice:SECRET%40pw@", "a:b:SECRETPW@", "al@ice:SECRETPW@", "alice:SECRET:pw@"]
QUERIES = ["?token=SECRETQ", "?SECRETQ", "?a=1&api_key=SECRETQ#frag", "#SECRETF", "?x=1#SECRETF", ";jsessionid=1?SECRETQ"]


def secret_urls(host: str, path: str = "/page.html") -> list[str]:
    """Every user info with every query (and each alone) on ``host``/``path``."""
    return ([f"http://{u}{host}{path}{q}" for u in USERINFO for q in QUERIES]
            + [f"http://{u}{host}{path}" for u in USERINFO] + [f"http://{host}{path}{q}" for q in QUERIES])


def no_secret(*texts: object) -> None:
    for text in texts:
        assert "SECRET" not in str(text), text


# --- shown ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", secret_urls("127.0.0.1:8765") + secret_urls("[::1]:80") + secret_urls("h:99999")
                         + secret_urls("[bad") + secret_urls("Host.Example", "") + [
    "http://user:pa/SECRETPW@host/x", "HTTPS://SECRETUSER@H/?SECRETQ", "http:SECRETUSER@h/?SECRETQ",
    "  http://u:SECRETPW@h/", "http://u:SECRETPW@h\\x/?SECRETQ", "http://u:SECRET\u2028PW@h/", "ftp://u:SECRETPW@h/"])
def test_shown_never_carries_user_info_or_query(url: str) -> None:
    no_secret(shown(url))
    assert "\n" not in shown(url) and len(shown(url)) <= 120


@settings(max_examples=300, deadline=None)
@given(user=st.text(string.printable, max_size=30), query=st.text(max_size=30),
       host=st.sampled_from(["h", "127.0.0.1:1", "[::1]", "x.org:bad"]), path=st.text(string.ascii_letters + "/.-@", max_size=20))
def test_shown_drops_any_user_info_and_query(user: str, query: str, host: str, path: str) -> None:
    user = user.replace("/", "").replace("?", "").replace("#", "").replace("\\", "")
    url = f"https://{user}SECRET@{host}/{path}?{query}SECRET"
    no_secret(shown(url))
    assert shown(f"https://{host}/{path}").startswith("https://")


def test_shown_keeps_what_is_not_secret() -> None:
    assert shown("https://medium.example/@alice/post?utm=x") == "https://medium.example/@alice/post"
    assert without_secrets("https://www.x.example:8443/a/b") == "https://www.x.example:8443/a/b"
    assert shown("campaigns/draft?.html") == "campaigns/draft?.html"  # a file name is not a URL


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["status/404", "pdf", "huge-declared", "slow", "drip-headers", "binary-as-html",
                                  "empty-html", "redirect/9", "redirect-to?url=ftp://u:SECRETPW@h/x%3FSECRETQ",
                                  "redirect-to?url=" + quote("http://u:SECRETPW@127.0.0.1:9/?SECRETQ")])
def test_fetch_errors_never_show_secrets(pages_server, path: str) -> None:  # type: ignore[no-untyped-def]
    base = pages_server.url("").replace("http://", "http://alice:SECRETPW@")
    with pytest.raises(DraftError) as caught:
        read_source(base + path + ("&" if "?" in path else "?") + "token=SECRETQ", LIMITS)
    no_secret(caught.value)


def test_a_refused_local_hop_never_shows_secrets() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://bob:SECRETPW@10.0.0.1/admin?SECRETQ"})

    for fetch in (lambda u, t: read_source(u, LIMITS, t), lambda u, t: fetch_image(u, LIMITS, "https://www.x.org/", t)):
        with pytest.raises(DraftError, match="private or local") as caught:
            fetch("https://alice:SECRETPW@www.x.org/r?SECRETQ", httpx.MockTransport(handle))
        no_secret(caught.value)


# --- the campaign file, its rendered posts and email, the command's output -----------------------

def rendered(path: Path) -> list[str]:
    """The campaign file's text, every post part and the email as they would be sent."""
    campaign, errors = read_campaign(path)
    assert campaign is not None and errors == []
    posts, post_errors = render_posts(campaign)
    assert post_errors == []
    email = render_email(campaign, Config())
    return [path.read_text(encoding="utf-8"), email.subject, email.preheader, email.html, email.text,
            *(part.text for post in posts for part in post.parts)]


@pytest.mark.parametrize("secrets", ["alice:SECRETPW@|?token=SECRETQ", "SECRETUSER@|", "|?SECRETQ#SECRETF"])
def test_a_source_with_secrets_leaves_none_in_the_campaign(cli, pages_server, secrets: str) -> None:  # type: ignore[no-untyped-def]
    userinfo, query = secrets.split("|")
    base = pages_server.url("")
    source = base.replace("http://", "http://" + userinfo) + "no-metadata.html" + query  # a page that states no address
    result = cli("draft", source, "--slug", "secrets")
    assert result.code == 0, result.err
    no_secret(result.out, result.err, *rendered(Path("campaigns/secrets.toml")))
    text = Path("campaigns/secrets.toml").read_text(encoding="utf-8")
    report = tomllib.loads(text)["report"]
    assert report["url"] == base + "no-metadata.html"  # the read-from address, stripped …
    assert "report.url" in result.out and "left out" in text  # … and flagged
    assert f"from {base}no-metadata.html on" in text  # the header comment


def test_a_canonical_address_with_secrets_is_stripped_and_flagged(tmp_path: Path) -> None:
    page = (b"<html><head><title>Water in Jordan</title><link rel='canonical' "
            b"href='https://u:SECRETPW@www.x.org/reports/water?session=SECRETQ#SECRETF'></head>"
            b"<body><h1>Water in Jordan</h1><p>The report finds that reform stalls.</p></body></html>")
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers={"Content-Type": "text/html"}, content=page))
    result = draft_campaign("https://www.x.org/reports/water", Config(), out=tmp_path, transport=transport)
    no_secret(result.url, *rendered(result.path))
    assert result.url == "https://www.x.org/reports/water" and "report.url" in result.checks


def test_feed_messages_never_show_secrets(cli, pages_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret_base = pages_server.url("").replace("http://", "http://bob:SECRETPW@")
    not_a_feed = cli("draft", "--feed", secret_base + "no-metadata.html?api_key=SECRETQ", "--out", tmp_path)
    assert not_a_feed.code == 1 and "not an RSS or Atom feed" in not_a_feed.err
    no_secret(not_a_feed.out, not_a_feed.err)

    items = ["|http://carol:SECRETPW@127.0.0.1:1/closed?token=SECRETQ",  # no title: the link names it
             "|" + secret_base + "status/404?SECRETQ",
             "|ftp://carol:SECRETPW@h/x?SECRETQ",
             "|" + secret_base + "danish.html?token=SECRETQ"]
    feed = pages_server.url("feed-of?" + "&".join("item=" + quote(i, safe="") for i in items)) + "&SECRETQ=1"
    result = cli("draft", "--feed", feed.replace("http://", "http://bob:SECRETPW@"), "--out", tmp_path)
    assert result.code == 0, result.err
    assert "1 drafted, 3 skipped" in result.out and result.err.count("skipped: ") == 3
    no_secret(result.out, result.err, *rendered(next(tmp_path.glob("*.toml"))))


def test_a_feed_file_with_secret_links_says_so_without_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.rss"
    feed.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
                    "<item><link>http://carol:SECRETPW@10.0.0.1/r?token=SECRETQ</link></item>"
                    "<item><link>https://carol:SECRETPW@www.x.test/r?token=SECRETQ</link></item></channel></rss>",
                    encoding="utf-8")
    result = cli("draft", "--feed", feed, "--out", tmp_path / "c")
    assert result.code == 0 and result.err.count("skipped: ") == 2, result.err
    assert "private or local" in result.err and "reserved name" in result.err
    no_secret(result.out, result.err)


# --- a password with ?, # or @ in it (unencoded) ---------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(user=st.text(string.printable.replace("/", "").replace("\\", ""), max_size=25),
       password=st.text(string.printable.replace("/", "").replace("\\", ""), max_size=25),
       host=st.sampled_from(["h.org", "127.0.0.1:8", "[::1]", "x.org:bad", ""]),
       rest=st.sampled_from(["/p", "/", "", "/a?b#c", "?q", "#f", "\\p"]))
def test_shown_drops_user_info_with_any_characters(user: str, password: str, host: str, rest: str) -> None:
    # user info is everything up to the last @ before the first / or \: a ? or # in it is still user info
    url = f"https://{user}SECRETU:{password}SECRETPW@{host}{rest}"
    no_secret(shown(url), without_secrets(url))


@pytest.mark.parametrize("url", ["http://alice:pa?SECRET@127.0.0.1/", "http://bob:hunter#SECRET@h.org/p",
                                 "https://editor:SECRET2?x@cms.publisher.org/reports/sanctions",
                                 "https://alice:pa#SECRET@host/p", "http://a:SECRET?#@@h/", "http:u:SECRET?x@h/p",
                                 "http://u:pa/s?SECRET@h/p", "http://u:pa/SECRET#x@h/p"])
def test_a_password_with_a_query_or_fragment_sign_is_never_taken_for_the_host(url: str) -> None:
    no_secret(shown(url), without_secrets(url))
    assert not without_secrets(url).startswith(("http://", "https://"))  # a placeholder, not a guessed address


def test_a_source_whose_password_has_a_hash_is_an_error_without_it() -> None:
    with pytest.raises(DraftError) as caught:
        read_source("https://alice:SECRET#x@127.0.0.1:9/p", LIMITS)
    no_secret(caught.value)


@pytest.mark.parametrize("canonical", ["https://editor:SECRET2?x@cms.publisher.org/reports/sanctions",
                                       "https://editor:hunter#SECRET@cms.publisher.org/reports/sanctions"])
def test_a_canonical_address_whose_password_has_a_query_sign_gives_the_placeholder(tmp_path: Path, canonical: str) -> None:
    page = (f"<html><head><title>Sanctions</title><link rel='canonical' href='{canonical}'></head>"
            "<body><h1>Sanctions</h1><p>The report finds that sanctions bite.</p></body></html>").encode()
    result = draft_campaign(str(_saved(tmp_path, page)), Config(), out=tmp_path / "c")
    no_secret(result.url, *rendered(result.path))
    assert "CHECK-report-url" in result.url and "report.url" in result.checks


def _saved(tmp_path: Path, page: bytes) -> Path:
    path = tmp_path / "page.html"
    path.write_bytes(page)
    return path
