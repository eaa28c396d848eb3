"""Done-when of issue 15: a newcomer drafts the sample report, validates and previews it, fills in what is flagged.

Everything runs through the real ``outreach`` entry point in a fresh folder, the way the
README's first step of a campaign shows it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.draft.pages.expected import SAMPLE_PAGE
from outreach.campaign import load_campaign
from outreach.channels.registry import PLATFORMS

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CAMPAIGN = REPO / "campaigns" / "soldier-defections-myanmar.toml"


def outreach(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``outreach ARGS`` as a newcomer would, in the test's own working folder."""
    return subprocess.run([sys.executable, "-m", "outreach", *map(str, args)], capture_output=True, text=True, timeout=180)


def _the_draft() -> Path:
    written = sorted(Path("campaigns").glob("*.toml"))
    assert len(written) == 1, written
    return written[0]


@pytest.fixture
def drafted() -> tuple[Path, subprocess.CompletedProcess[str]]:
    done = outreach("draft", SAMPLE_PAGE)
    assert done.returncode == 0, done.stderr
    return _the_draft(), done


def test_draft_then_validate_then_preview(drafted, tmp_path) -> None:
    path, done = drafted
    assert str(path) in done.stdout and "CHECK" in done.stdout
    checked = outreach("validate", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout or "error" not in checked.stdout.lower()
    preview = outreach("preview", path, "--out", tmp_path / "preview")
    assert preview.returncode == 0, preview.stderr
    index = next((tmp_path / "preview").rglob("index.html")).read_text(encoding="utf-8")
    assert "Soldier Defections in Myanmar" in index
    assert all(platform.display in index for platform in PLATFORMS.values())  # a card for each drafted post, LinkedIn too


def test_the_draft_matches_what_a_person_wrote_by_hand(drafted) -> None:
    path, _ = drafted
    draft, sample = load_campaign(path), load_campaign(SAMPLE_CAMPAIGN)
    same = lambda s: re.sub(r"[’'´]", "'", s.strip())  # noqa: E731 - the page writes Myanmar´s, the sample Myanmar’s
    assert same(draft.report.title) == same(sample.report.title)
    assert same(draft.report.subtitle) == same(sample.report.subtitle)
    assert same(draft.report.headline) == same(sample.report.headline)
    assert draft.report.regions == sample.report.regions
    expert, wanted = draft.experts[0], sample.experts[0]
    assert (expert.name, expert.role, expert.unit, expert.phone) == (wanted.name, wanted.role, wanted.unit, wanted.phone)
    assert draft.report.cover is not None and draft.report.cover.alt == ""  # never invented


def test_every_guess_is_flagged_and_nothing_is_invented(drafted) -> None:
    path, _ = drafted
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    flagged = {_key_after(lines, i) for i, line in enumerate(lines) if line.lstrip().startswith("# CHECK:")}
    # The page has no web address and no cover picture: each is flagged, and so is every piece
    # outreach wrote itself (subject, preheader, times, every post).
    for key in ("url", "cover", "subject", "preheader", "send_at"):
        assert key in flagged, f"{key} is not flagged: {sorted(flagged)}"
    posts = text.split("[[posts]]")[1:]
    assert len(posts) == len(PLATFORMS) and all("# CHECK:" in post for post in posts)  # one per platform, LinkedIn too
    data = tomllib.loads(text)
    page = SAMPLE_PAGE.read_text(encoding="utf-8")
    for argument in data["report"]["key_arguments"]:
        words = re.findall(r"\w+", argument.lower())
        unseen = [w for w in words if w not in page.lower()]
        assert not unseen, f"{argument!r} has words the page does not: {unseen}"


def _key_after(lines: list[str], index: int) -> str:
    """The key (or table) that a ``# CHECK:`` comment at ``index`` is about: the next line that is not a comment."""
    for line in lines[index + 1:]:
        if line.strip() and not line.lstrip().startswith("#"):
            return line.split("=")[0].strip()
    return ""


def test_after_filling_in_what_is_flagged_it_can_be_approved(drafted) -> None:
    path, _ = drafted
    text = path.read_text(encoding="utf-8")
    url = re.search(r'^url = "([^"]+)"', text, re.M)
    assert url and "CHECK" in url.group(1).upper()  # a placeholder that cannot pass for the real address
    text = text.replace(url.group(1), "https://www.diis.dk/en/research/soldier-defections-in-myanmar")
    text = re.sub(r'alt = ""', 'alt = "Report cover: the title and subtitle on a dark field"', text, count=1)
    path.write_text(text, encoding="utf-8")
    checked = outreach("validate", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    said = checked.stdout + checked.stderr
    # What is left is the embedded defaults' own http://127.0.0.1 link warning, not the draft's.
    assert "alt text" not in said and "CHECK" not in said and "example.org" not in said, said
    approved = outreach("approve", path, "--by", "Jane Doe")
    assert approved.returncode == 0, approved.stderr
