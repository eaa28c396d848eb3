"""--feed limits: the per-run cap counts only new items, a known report is found by its final or canonical
address before anything is written, a taken slug is skipped without a fetch, feed items stay off the
machine's own network, and --out must be a folder."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

import outreach.draft.feed as feed
from outreach.config import Config
from outreach.draft.feed import MAX_ITEMS, draft_feed
from outreach.draft.run import SLUG_FROM_TITLE_MAX, DraftResult, draft_campaign, slugify
from outreach.errors import DraftError

NOW = datetime(2027, 1, 11, 12, 0, tzinfo=timezone.utc)
PAGE = (b"<html><head><title>{t}</title><link rel='canonical' href='https://www.inst.example/p/{s}'></head>"
        b"<body><h1>{t}</h1><p>The report finds that cables matter.</p></body></html>")


def rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{link}</link></item>" for t, link in items)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{body}</channel></rss>".encode()


def write_feed(tmp_path: Path, items: list[tuple[str, str]]) -> Path:
    path = tmp_path / "feed.rss"
    path.write_bytes(rss(items))
    return path


def campaign(out: Path, slug: str, url: str) -> None:
    (out / f"{slug}.toml").write_text(f'[report]\nurl = "{url}"\n', encoding="utf-8")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    return folder


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """draft_campaign replaced by a recorder: the cap is about which items are read, not how."""
    asked: list[str] = []

    def fake(link: str, config: object, *, out: Path, **kwargs: object) -> DraftResult:
        asked.append(link)
        return DraftResult(out / f"x{len(asked)}.toml", f"x{len(asked)}", (), None, link)

    monkeypatch.setattr(feed, "draft_campaign", fake)
    return asked


def test_items_already_drafted_do_not_use_up_the_per_run_cap(tmp_path: Path, out: Path, stub: list[str]) -> None:
    items = [(f"Report {i}", f"https://www.inst.example/r/{i}") for i in range(MAX_ITEMS + 1)]
    for i in range(MAX_ITEMS):
        campaign(out, f"old-{i}", f"https://www.inst.example/r/{i}")
    result = draft_feed(str(write_feed(tmp_path, items)), Config(), out, now=NOW)
    assert stub == [f"https://www.inst.example/r/{MAX_ITEMS}"]
    assert len(result.skipped) == MAX_ITEMS


def test_new_items_over_the_cap_are_skipped_with_the_reason(tmp_path: Path, out: Path, stub: list[str]) -> None:
    items = [(f"Report {i}", f"https://www.inst.example/r/{i}") for i in range(MAX_ITEMS + 3)]
    result = draft_feed(str(write_feed(tmp_path, items)), Config(), out, now=NOW)
    assert len(stub) == MAX_ITEMS == len(result.drafted)
    assert [(s.item, s.reason) for s in result.skipped] == [
        (f"Report {i}", f"over the per-run limit of {MAX_ITEMS}; run again for the rest") for i in range(MAX_ITEMS, MAX_ITEMS + 3)]
    assert MAX_ITEMS == 200


def test_a_taken_slug_is_skipped_without_reading_the_page(tmp_path: Path, out: Path, stub: list[str]) -> None:
    campaign(out, "undersea-cables", "https://elsewhere.example/other-report")
    result = draft_feed(str(write_feed(tmp_path, [("Undersea Cables", "https://www.inst.example/r/1")])), Config(), out, now=NOW)
    assert stub == [] and [(s.item, s.reason) for s in result.skipped] == [("Undersea Cables", f"{out / 'undersea-cables.toml'} exists")]


@pytest.mark.parametrize("known", ["https://www.inst.example/p/cables", "http://www.inst.example/p/cables/",
                                   "https://WWW.inst.example/p/cables?utm_source=x#top"])
@pytest.mark.parametrize("link", ["http://www.inst.example/old/cables", "https://www.inst.example/p/cables?id=1"])
def test_a_report_known_by_its_final_or_canonical_address_is_not_drafted_again(tmp_path: Path, out: Path, known: str, link: str) -> None:
    campaign(out, "myanmar", known)  # another slug: only the address tells it is the same report

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":  # every http address redirects to its https page
            return httpx.Response(301, headers={"Location": str(request.url.copy_with(scheme="https", path="/p/cables"))})
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=PAGE.replace(b"{t}", b"Cables").replace(b"{s}", b"cables"))

    result = draft_feed(str(write_feed(tmp_path, [("Undersea cables in the Baltic", link)])), Config(), out, now=NOW,
                        transport=httpx.MockTransport(handle))
    assert result.drafted == [] and [s.reason for s in result.skipped] == ["a campaign already has this report's address"]
    assert sorted(p.name for p in out.iterdir()) == ["myanmar.toml"]  # nothing written, no cover either


@pytest.mark.parametrize("link", ["http://169.254.169.254/latest/meta-data/iam/", "http://10.0.0.1/admin/", "http://127.0.0.1:1/x",
                                  "http://[::1]/x", "https://www.inst.example/hop"])
@pytest.mark.parametrize("feed_at", ["https://publisher.example/feed.xml", "file"])
def test_feed_items_never_reach_the_machines_own_network(tmp_path: Path, out: Path, link: str, feed_at: str) -> None:
    seen: list[str] = []
    body = rss([("Internal", link)])

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/feed.xml":
            return httpx.Response(200, headers={"Content-Type": "application/rss+xml"}, content=body)
        if request.url.path == "/hop":
            return httpx.Response(302, headers={"Location": "http://10.0.0.1/admin/"})
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<html><body><h1>SECRET KEY</h1></body></html>")

    source = feed_at if feed_at != "file" else str(write_feed(tmp_path, [("Internal", link)]))
    result = draft_feed(source, Config(), out, now=NOW, transport=httpx.MockTransport(handle))
    assert result.drafted == [] and "private or local address" in result.skipped[0].reason
    assert [u for u in seen if "/feed.xml" not in u and "/hop" not in u] == []
    assert list(out.iterdir()) == []


def test_a_feed_on_the_local_network_may_list_pages_there(out: Path) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed.xml":
            return httpx.Response(200, headers={"Content-Type": "application/rss+xml"}, content=rss([("Cables", "http://10.0.0.2/r")]))
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=PAGE.replace(b"{t}", b"Cables").replace(b"{s}", b"c"))

    result = draft_feed("http://10.0.0.1/feed.xml", Config(), out, now=NOW, transport=httpx.MockTransport(handle))
    assert len(result.drafted) == 1 and result.skipped == []


@pytest.mark.parametrize("title", ["word " * 40, "Undersea-cables " * 10 + "x", "a" * 200, "Grønlands nye rolle " * 8])
def test_a_slug_from_a_title_is_at_most_sixty_characters_cut_at_a_word(title: str) -> None:
    slug = slugify(title)
    assert 0 < len(slug) <= SLUG_FROM_TITLE_MAX == 60
    assert not slug.endswith("-") and (len(slug) == 60 or slugify(title, 1000).startswith(slug + "-"))


def test_out_must_be_a_directory(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    page = Path(__file__).parent / "pages" / "highwire.html"
    for out in (afile, afile / "sub"):
        for args in (("draft", page, "--out", out), ("draft", page, "--out", out, "--force"),
                     ("draft", "--feed", Path(__file__).parent / "feeds" / "publications.rss", "--out", out)):
            result = cli(*args)
            assert result.code == 1 and result.err.strip().splitlines() == [
                f"error: --out {out}: not a directory" + ("" if out == afile else f" ({afile} is a file)")], result.err
    assert afile.read_text(encoding="utf-8") == "not a folder"
    with pytest.raises(DraftError, match="not a directory"):
        draft_campaign(str(page), Config(), out=afile / "x", force=True)
