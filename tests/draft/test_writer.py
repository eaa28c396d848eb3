"""The campaign file: tomlkit text in the sample's layout, a CHECK line above every field to confirm, any page text round-trips."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from outreach.channels.registry import PLATFORMS
from outreach.config import Config
from outreach.draft.facts import ExpertFacts, Found, Origin, PageFacts, ReportFacts, merge
from outreach.draft.posts import PostContext, draft_email, draft_posts
from outreach.draft.schedule import DraftTimes
from outreach.draft.writer import PLACEHOLDER_URL, CoverFile, Draft, completed, write_campaign
from outreach.text import clean_line
from outreach.validate import check_file

HOSTILE = ('He said "no" \\ then """ left\n\tand \x1b[31mred\x07 \u202eevil\u2028 {{ 7*7 }} {% for x in y %} {# c #} '
           "{% raw %}{% endraw %} '''")
NOW = datetime(2027, 1, 11, 12, 0, tzinfo=timezone.utc)


def facts(**fields: object) -> ReportFacts:
    return merge(PageFacts(**{k: v if isinstance(v, Found) else Found(v, Origin.BODY) for k, v in fields.items()}))  # type: ignore[arg-type]


def write(tmp_path: Path, f: ReportFacts, slug: str = "a-report", cover: CoverFile | None = None, page_url: str | None = None) -> tuple[Path, tuple[str, ...], ReportFacts]:
    done = completed(f, slug, page_url)
    posts = draft_posts(done, list(PLATFORMS), PostContext(done.url.value, slug))
    times = DraftTimes(datetime(2027, 1, 12, 9, 0), tuple(datetime(2027, 1, 12, 9, 20 + 10 * i) for i in range(len(posts))))
    draft = Draft(done, slug, "page.html\nINJECTED = 1", date(2027, 1, 11), "Europe/Copenhagen", "research", "the first list",
                  draft_email(done), times, posts, cover)
    text, checks = write_campaign(draft)
    path = tmp_path / f"{slug}.toml"
    path.write_text(text, encoding="utf-8")
    return path, checks, done


def errors_of(path: Path) -> list[str]:
    checked, shape = check_file(path, Config(), now=NOW)
    return [str(e) for e in shape] + ([str(e) for e in checked.errors] if checked else [])


def test_empty_facts_still_validate_with_every_placeholder_flagged(tmp_path: Path) -> None:
    path, checks, _ = write(tmp_path, merge())
    assert errors_of(path) == []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["report"]["url"] == PLACEHOLDER_URL.format(slug="a-report")
    assert data["report"]["authors"][0].startswith("[CHECK]") and data["report"]["key_arguments"][0].startswith("[CHECK]")
    assert data["experts"][0]["name"].startswith("[CHECK]") and data["report"]["headline"].startswith("[CHECK]")
    for field in ("report.title", "report.headline", "report.url", "report.authors", "report.abstract", "report.key_arguments",
                  "report.published", "experts[0].name", "experts[0].phone", "email.subject", "email.send_at",
                  "posts[0].at", "posts[0].thread", "posts[1].text", "posts[2].text", "posts[3].text"):
        assert field in checks, field


def test_every_flagged_key_has_its_check_line_right_above(tmp_path: Path) -> None:
    path, checks, _ = write(tmp_path, merge())
    lines = path.read_text(encoding="utf-8").splitlines()
    for field in checks:
        key = field.rsplit(".", 1)[-1]
        if key == "published":
            assert any(line.startswith("# CHECK: published:") for line in lines)
            continue
        above = [lines[i - 1] for i, line in enumerate(lines) if line.startswith(f"{key} =")]
        assert above and all(a.startswith("# CHECK: ") for a in above), field


def test_a_plainly_stated_field_is_not_flagged(tmp_path: Path) -> None:
    f = facts(title=Found("Soldier Defections", Origin.JSON_LD), url=Found("https://www.diis.dk/r/1", Origin.JSON_LD),
              experts=Found((ExpertFacts("Helene Maria Kyed", "Senior Researcher", "Peace and violence", "+45 4096 3309"),), Origin.BODY),
              published=Found(date(2021, 12, 1), Origin.JSON_LD), headline=Found("Guessed", Origin.BODY, "a heuristic guess"))
    path, checks, _ = write(tmp_path, f)
    assert "report.title" not in checks and "report.url" not in checks and "experts[0].phone" not in checks
    assert "report.headline" in checks and "# CHECK: a heuristic guess\nheadline = \"Guessed\"" in path.read_text(encoding="utf-8")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["report"]["published"] == date(2021, 12, 1)
    assert data["experts"][0]["phone"] == "+45 4096 3309"
    assert errors_of(path) == []


def test_hostile_page_text_round_trips_and_never_runs(tmp_path: Path) -> None:
    f = facts(title=HOSTILE, subtitle=HOSTILE, headline=HOSTILE, series=HOSTILE, authors=(HOSTILE,), regions=(HOSTILE,),
              topics=(HOSTILE,), abstract=(HOSTILE, HOSTILE), key_arguments=(HOSTILE,), cover_alt=HOSTILE,
              experts=Found((ExpertFacts(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE),), Origin.BODY))
    path, _, _ = write(tmp_path, f, cover=None)
    text = path.read_text(encoding="utf-8")
    assert "\nINJECTED = 1" not in text  # the source named in the header comment stays in the comment
    data = tomllib.loads(text)
    one_line = clean_line(HOSTILE)
    assert data["report"]["title"] == one_line and data["report"]["authors"] == [one_line]
    # The abstract is wrapped for reading; what is sent (its paragraphs) is the page's text.
    from outreach.campaign import load_campaign
    assert load_campaign(path).report.paragraphs == [" ".join(one_line.split())] * 2
    assert data["experts"][0]["name"] == one_line
    assert errors_of(path) == []
    from outreach.render.posts import render_posts

    posts, problems = render_posts(load_campaign(path))
    assert problems == []
    for post in posts:
        for part in post.parts:
            assert "49" not in part.text
    assert "{{ 7*7 }}" in posts[0].parts[0].text  # the page's words, as written


def test_a_cover_gets_empty_alt_text_unless_the_page_wrote_its_own(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import SAMPLE_COVER

    shutil.copy(SAMPLE_COVER, tmp_path / "a-report-cover.png")
    f = facts(title="T", cover_alt="A photo of soldiers")
    drawn, checks, _ = write(tmp_path, f, cover=CoverFile("a-report-cover.png", downloaded=False, check="drawn"))
    data = tomllib.loads(drawn.read_text(encoding="utf-8"))
    assert data["report"]["cover"] == {"image": "a-report-cover.png", "alt": ""}
    assert "report.cover" in checks
    assert data["posts"][0]["image"] == "cover" and "image" not in data["posts"][2]  # Bluesky shows the link card
    assert data["posts"][3]["channel"] == "linkedin" and data["posts"][3]["image"] == "cover"
    assert errors_of(drawn) == []
    own, _, _ = write(tmp_path, f, slug="b-report", cover=CoverFile("a-report-cover.png", downloaded=True))
    assert tomllib.loads(own.read_text(encoding="utf-8"))["report"]["cover"]["alt"] == "A photo of soldiers"


@pytest.mark.parametrize("bad", ["", "/relative/path", "javascript:alert(1)", "ftp://x.org/r"])
def test_an_address_that_is_not_http_becomes_the_placeholder(tmp_path: Path, bad: str) -> None:
    path, checks, done = write(tmp_path, facts(url=bad))
    assert done.url.value == PLACEHOLDER_URL.format(slug="a-report") and "report.url" in checks
    page, _, read_from = write(tmp_path, facts(url=bad), slug="c-report", page_url="https://www.diis.dk/r/2")
    assert read_from.url.value == "https://www.diis.dk/r/2" and read_from.url.check
    assert errors_of(page) == []
    _, _, not_web = write(tmp_path, facts(url=bad), slug="d-report", page_url="file:///home/me/page.html")
    assert not_web.url.value == PLACEHOLDER_URL.format(slug="d-report")


def test_the_abstract_is_wrapped_for_reading_and_sends_the_same_paragraphs(tmp_path: Path) -> None:
    long = "word " * 60 + "https://example.org/" + "x" * 120 + " end."
    path, _, _ = write(tmp_path, facts(abstract=(long.strip(), "Second paragraph.")), cover=None)
    text = path.read_text(encoding="utf-8")
    from outreach.campaign import load_campaign
    assert load_campaign(path).report.paragraphs == [" ".join(long.split()), "Second paragraph."]
    inside = text.split('abstract = """', 1)[1].split('"""', 1)[0]
    assert all(len(line) <= 88 or " " not in line for line in inside.splitlines())
    assert len(inside.splitlines()) > 3


def test_a_posts_own_reason_to_check_is_written_above_it(tmp_path: Path) -> None:
    from outreach.draft.posts import DraftedPost

    done = completed(merge(), "a-report")
    posts = (DraftedPost("bluesky", ("Too long {{ report.url }}",), False, check="over Bluesky's 300 characters: shorten it"),
             DraftedPost("x", ("One", "Two"), True, numbered=True, check="the thread is over X's limit: shorten part 2"))
    times = DraftTimes(datetime(2027, 1, 12, 9, 0), (datetime(2027, 1, 12, 9, 30), datetime(2027, 1, 12, 9, 40)))
    draft = Draft(done, "a-report", "page.html", date(2027, 1, 11), "Europe/Copenhagen", "research", None,
                  draft_email(done), times, posts, None)
    text, checks = write_campaign(draft)
    assert "# CHECK: drafted from the page: edit and confirm before approval; over Bluesky's 300 characters: shorten it\ntext = " in text
    assert "; the thread is over X's limit: shorten part 2\nthread = " in text
    assert {"posts[0].text", "posts[1].thread"} <= set(checks)


def test_the_header_comment_never_shows_user_info_or_query(tmp_path: Path) -> None:
    done = completed(merge(), "a-report", "https://u:SECRETPW@www.x.org/r?token=SECRETQ")
    draft = Draft(done, "a-report", "https://u:SECRETPW@www.x.org/r?token=SECRETQ", date(2027, 1, 11), "Europe/Copenhagen",
                  "research", None, draft_email(done), DraftTimes(datetime(2027, 1, 12, 9, 0), ()), (), None)
    text, checks = write_campaign(draft)
    assert "SECRET" not in text and "from https://www.x.org/r on" in text and "report.url" in checks
