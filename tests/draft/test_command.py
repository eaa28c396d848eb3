"""``outreach draft`` end to end: the written file validates with zero errors, overwriting needs --force, a bad SOURCE is one line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import CliResult
from tests.draft.pages.expected import PAGES, PAGES_DIR, SAMPLE_PAGE

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., CliResult]


def drafted_path(result: CliResult) -> Path:
    line = next(line for line in result.out.splitlines() if line.startswith("Drafted "))
    return Path(line.removeprefix("Drafted "))


def assert_valid(cli: Cli, path: Path) -> None:
    checked = cli("validate", path)
    assert checked.code == 0, checked.err
    assert "error:" not in checked.err and checked.out.startswith("ok: ")


def test_the_sample_page_drafts_a_campaign_that_validates(cli: Cli) -> None:
    result = cli("draft", SAMPLE_PAGE)
    assert result.code == 0, result.err
    path = drafted_path(result)
    assert path.parent == Path("campaigns") and path.exists() and path.suffix == ".toml"
    lines = result.out.splitlines()
    assert "fields marked # CHECK:" in lines[1]
    assert "    report.url" in lines and "    posts[0].thread" in lines  # every flagged field, one per line
    assert lines[-1] == f"next: outreach validate {path} && outreach preview {path}"
    assert_valid(cli, path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["report"]["cover"]["alt"] == "" and (path.parent / data["report"]["cover"]["image"]).exists()
    assert [p["channel"] for p in data["posts"]] == ["x", "mastodon", "bluesky", "linkedin"]
    assert data["posts"][3]["image"] == "cover" and "text" in data["posts"][3]  # one LinkedIn post with the cover


def test_an_existing_campaign_is_replaced_only_with_force(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    first = cli("draft", SAMPLE_PAGE, "--out", out, "--slug", "myanmar")
    assert first.code == 0, first.err
    path = out / "myanmar.toml"
    path.write_text(path.read_text(encoding="utf-8") + "# my edits\n", encoding="utf-8")
    again = cli("draft", SAMPLE_PAGE, "--out", out, "--slug", "myanmar")
    assert again.code == 1 and again.out == ""
    assert again.err.strip().splitlines() == [f"error: {path} exists; give --force to replace it, or --slug for another name"]
    assert path.read_text(encoding="utf-8").endswith("# my edits\n")  # untouched
    forced = cli("draft", SAMPLE_PAGE, "--out", out, "--slug", "myanmar", "--force")
    assert forced.code == 0 and "# my edits" not in path.read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temporary file left behind


@pytest.mark.parametrize("args", [
    ("missing-page.txt",),
    ("--slug", "Not A Slug", "{sample}"),
    ("{binary}",),
    (),
    ("{sample}", "--feed", "{sample}"),
])
def test_a_bad_source_or_option_is_one_line_and_exit_1(cli: Cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    binary = tmp_path / "cover.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    filled = [a.format(sample=PAGES_DIR / "highwire.html", binary=binary) for a in args]
    result = cli("draft", *filled)
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1 and result.err.startswith("error: ")
    assert "Traceback" not in result.err and not Path("campaigns").exists()


def test_an_unreachable_url_is_one_line(cli: Cli, pages_server) -> None:  # type: ignore[no-untyped-def]
    for path in ("status/404", "pdf"):
        result = cli("draft", pages_server.url(path))
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_saved_page_drafts_a_campaign_that_validates(cli: Cli, name: str) -> None:
    result = cli("draft", PAGES_DIR / PAGES[name].file)
    assert result.code == 0, result.err
    path = drafted_path(result)
    assert_valid(cli, path)
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    expected = PAGES[name]
    if expected.url is None:
        assert "CHECK-report-url" in data["report"]["url"]
    if expected.title:
        assert data["report"]["title"] == expected.title or "report.title" in result.out


def test_a_page_over_http_drafts_with_its_address(cli: Cli, pages_server) -> None:  # type: ignore[no-untyped-def]
    result = cli("draft", pages_server.url("highwire.html"), "--slug", "from-url")
    assert result.code == 0, result.err
    path = Path("campaigns/from-url.toml")
    assert_valid(cli, path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["report"]["url"] == PAGES["highwire"].url  # the page's canonical address, not the loopback one
    assert (path.parent / data["report"]["cover"]["image"]).exists()


def test_a_page_over_http_brings_its_own_cover(cli: Cli, pages_server) -> None:  # type: ignore[no-untyped-def]
    result = cli("draft", pages_server.url("opengraph-only.html"), "--slug", "with-cover")
    assert result.code == 0, result.err
    path = Path("campaigns/with-cover.toml")
    assert_valid(cli, path)
    cover = tomllib.loads(path.read_text(encoding="utf-8"))["report"]["cover"]
    assert cover["alt"] == "" and "report.cover" in result.out  # alt text is never invented
    drawn_size = (1200, 675)
    from PIL import Image

    with Image.open(path.parent / cover["image"]) as image:
        assert image.size != drawn_size  # the page's own (relative og:image) cover, not a drawn one


def test_writing_never_replaces_a_file_made_meanwhile_without_force(tmp_path: Path) -> None:
    from outreach.draft.run import _write
    from outreach.errors import DraftError

    folder = tmp_path / "campaigns"
    folder.mkdir()
    path = folder / "raced.toml"
    path.write_text("someone else's\n", encoding="utf-8")
    with pytest.raises(DraftError, match="exists; give --force"):
        _write(path, "mine\n", force=False)
    assert path.read_text(encoding="utf-8") == "someone else's\n"
    _write(path, "mine\n", force=True)
    assert path.read_text(encoding="utf-8") == "mine\n" and sorted(p.name for p in folder.iterdir()) == ["raced.toml"]
