"""``outreach draft --feed``: one campaign per RSS/Atom item without one; the rest skipped with a reason."""

from __future__ import annotations

import tomllib
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from outreach.config import Config
from outreach.draft.feed import draft_feed, known_reports, same_report
from outreach.errors import DraftError
from outreach.validate import check_file
from tests.draft.pages.expected import PAGES_DIR

FEEDS = Path(__file__).resolve().parent / "feeds"
NOW = datetime(2027, 1, 11, 12, 0, tzinfo=timezone.utc)


def institute(request: httpx.Request) -> httpx.Response:
    """www.institute.example: the saved pages under /pages/, the feeds under /feeds/, a 404 for anything else."""
    path = request.url.path
    if path.startswith("/pages/") and (PAGES_DIR / path.removeprefix("/pages/")).is_file():
        return httpx.Response(200, headers={"Content-Type": "text/html; charset=utf-8"},
                              content=(PAGES_DIR / path.removeprefix("/pages/")).read_bytes())
    if path.startswith("/feeds/") and (FEEDS / path.removeprefix("/feeds/")).is_file():
        return httpx.Response(200, headers={"Content-Type": "application/rss+xml"}, content=(FEEDS / path.removeprefix("/feeds/")).read_bytes())
    if path == "/old-feed":
        return httpx.Response(301, headers={"Location": "/feeds/publications.atom"})
    return httpx.Response(404)


TRANSPORT = httpx.MockTransport(institute)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "already-drafted.toml").write_text('[report]\nurl = "https://WWW.institute.example/reports/already-drafted?utm_source=x"\n',
                                                  encoding="utf-8")
    (folder / "broken.toml").write_text("not = [toml", encoding="utf-8")
    return folder


def test_an_rss_feed_drafts_new_items_and_skips_the_rest(out: Path) -> None:
    result = draft_feed(str(FEEDS / "publications.rss"), Config(), out, now=NOW, transport=TRANSPORT)
    assert len(result.drafted) == 2
    for drafted in result.drafted:
        checked, shape = check_file(drafted.path, Config(), now=NOW)
        assert shape == [] and checked is not None and checked.errors == []
    reasons = {s.item: s.reason for s in result.skipped}
    assert reasons["A report that already has a campaign"] == "a campaign already has this report's address"
    assert "404" in reasons["A page that is gone"]
    assert reasons["An item without a link"] == "no http(s) link to the report"
    assert len(reasons) == 3

    again = draft_feed(str(FEEDS / "publications.rss"), Config(), out, now=NOW, transport=TRANSPORT)
    assert again.drafted == []
    assert {s.item for s in again.skipped} >= {"Undersea Cables in the Baltic Sea", "Grønlands nye rolle i Arktis"}


def test_an_atom_feed_over_http_with_a_redirect_and_relative_links(out: Path) -> None:
    result = draft_feed("https://www.institute.example/old-feed", Config(), out, now=NOW, transport=TRANSPORT)
    assert len(result.drafted) == 2 and result.skipped == []
    urls = {tomllib.loads(d.path.read_text(encoding="utf-8"))["report"]["url"] for d in result.drafted}
    assert "https://www.cidr.example/publications/mobile-money-rural-credit" in urls  # the relative link was resolved and read


@pytest.mark.parametrize("source", ["missing.rss", "{page}", "https://www.institute.example/feeds/nothing.rss"])
def test_what_is_not_a_feed_is_one_clear_error(out: Path, source: str) -> None:
    with pytest.raises(DraftError) as caught:
        draft_feed(source.format(page=PAGES_DIR / "highwire.html"), Config(), out, now=NOW, transport=TRANSPORT)
    assert "\n" not in str(caught.value)


def test_a_campaign_is_known_by_its_report_address() -> None:
    assert same_report("https://WWW.x.example/a/?utm_source=rss&id=3#top") == same_report("https://www.x.example/a?id=3")
    assert same_report("https://www.x.example/a") != same_report("https://www.x.example/b")


def test_known_reports_reads_only_sound_campaigns(out: Path) -> None:
    assert known_reports(out) == {"https://www.institute.example/reports/already-drafted"}
    assert known_reports(out / "nowhere") == set()


def test_the_command_lists_drafted_and_skipped(cli, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import outreach.draft.feed as feed

    real = feed.draft_campaign
    monkeypatch.setattr(feed, "draft_campaign", lambda *a, **k: real(*a, **{**k, "transport": TRANSPORT}))
    result = cli("draft", "--feed", FEEDS / "publications.rss", "--out", out)
    assert result.code == 0, result.err
    assert result.out.count("Drafted ") == 2 and "2 drafted, 3 skipped" in result.out
    assert "skipped: An item without a link: no http(s) link to the report" in result.err
    assert cli("draft", "--feed", FEEDS / "publications.rss", "--slug", "x").code == 1
