"""The draft of the sample report page matches what a person wrote by hand in the sample campaign.

Compared: title, subtitle, headline (after normalising apostrophes ’'´ and the case of the
first letter only), the expert's name, role, unit and phone, the region, the abstract (the
two lead paragraphs) and at least 4 of the 6 hand-written key arguments.

A hand-written claim is *matched* by a drafted bullet when the bullet holds at least 60% of
the claim's content words (lower case, stop words left out, a light suffix stem so that
"cultivating" meets "cultivate"); each bullet matches at most one claim. The hand-written
claims paraphrase and merge sentences, so this is a fair bar, not an exact one.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.draft.pages.expected import SAMPLE_PAGE
from outreach.draft.body import text_facts
from outreach.draft.facts import PageFacts

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CAMPAIGN = REPO / "campaigns" / "soldier-defections-myanmar.toml"

STOP = frozenset("""a an the and or but of to in on at for by with from as is are was were be been has have had
that this these those it its their them they which who what whom whose not no so also than then there here
into about after before over under more most very""".split())
MATCH_SHARE = 0.6


def same(text: str) -> str:
    """Text compared up to its apostrophes and the case of its first letter."""
    text = re.sub(r"[’'´]", "'", text.strip())
    return text[:1].lower() + text[1:]


def stem(word: str) -> str:
    """A light suffix stem: enough for "defections"/"defection", "cultivating"/"cultivate"."""
    word = word.replace("’", "'").removesuffix("'s")
    for suffix in ("ings", "ing", "ions", "ion", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """The stems of a text's words that carry meaning."""
    return {stem(w) for w in re.findall(r"[\w’']+", text.lower()) if w not in STOP and not w.isdigit()}


def claim_matches(wanted: list[str], drafted: list[str]) -> dict[int, int]:
    """Hand-written claim index → drafted bullet index, best share first, each bullet used once."""
    scores = []
    for i, claim in enumerate(wanted):
        words = content_words(claim)
        for j, bullet in enumerate(drafted):
            share = len(words & content_words(bullet)) / len(words)
            if share >= MATCH_SHARE:
                scores.append((share, i, j))
    matched: dict[int, int] = {}
    for _, i, j in sorted(scores, reverse=True):
        if i not in matched and j not in matched.values():
            matched[i] = j
    return matched


@pytest.fixture(scope="module")
def facts() -> PageFacts:
    return text_facts(SAMPLE_PAGE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample() -> dict:
    return tomllib.loads(SAMPLE_CAMPAIGN.read_text(encoding="utf-8"))


def test_title_block_matches(facts: PageFacts, sample: dict) -> None:
    report = sample["report"]
    for name in ("title", "subtitle", "headline"):
        found = getattr(facts, name)
        assert found is not None, name
        assert same(found.value) == same(report[name]), name
    assert facts.series is not None and facts.series.value == report["series"]


def test_fixes_to_the_page_are_flagged(facts: PageFacts) -> None:
    assert facts.headline is not None and "´" in (facts.headline.check or "")  # Myanmar´s → Myanmar’s
    assert facts.headline.value.endswith("Myanmar’s military rule")
    assert facts.subtitle is not None and "lower case" in (facts.subtitle.check or "")
    assert facts.title is not None and facts.title.check  # read from the cover caption: a guess


def test_expert_and_region_match(facts: PageFacts, sample: dict) -> None:
    assert facts.experts is not None and len(facts.experts.value) == 1
    expert, wanted = facts.experts.value[0], sample["experts"][0]
    assert (expert.name, expert.role, expert.unit, expert.phone) == (
        wanted["name"], wanted["role"], wanted["unit"], wanted["phone"])
    assert expert.email == "" and "email" in (facts.experts.check or "")  # the page gives none
    assert facts.regions is not None and list(facts.regions.value) == sample["report"]["regions"]


def test_authors_are_the_names_in_the_lead(facts: PageFacts, sample: dict) -> None:
    assert facts.authors is not None and list(facts.authors.value) == sample["report"]["authors"]
    assert facts.authors.check


def test_abstract_is_the_two_lead_paragraphs(facts: PageFacts, sample: dict) -> None:
    assert facts.abstract is not None and facts.abstract.check
    wanted = [" ".join(p.split()) for p in sample["report"]["abstract"].strip().split("\n\n")]
    assert list(facts.abstract.value) == wanted
    assert not any(re.search(r"\b(argues|concludes)\b", p) for p in facts.abstract.value)


def test_at_least_four_of_six_claims(facts: PageFacts, sample: dict) -> None:
    wanted = sample["report"]["key_arguments"]
    assert facts.key_arguments is not None and facts.key_arguments.check
    drafted = list(facts.key_arguments.value)
    matched = claim_matches(wanted, drafted)
    assert len(wanted) == 6 and len(matched) >= 4, (matched, drafted)


def test_claims_say_nothing_the_page_does_not(facts: PageFacts) -> None:
    page = SAMPLE_PAGE.read_text(encoding="utf-8").replace("´", "’")
    words = re.findall(r"[\w’'-]+", page.lower())
    assert facts.key_arguments is not None
    for bullet in facts.key_arguments.value:
        assert len(bullet) <= 240 and bullet[0].isupper() and bullet.endswith(".")
        said = re.findall(r"[\w’'-]+", bullet.lower())
        assert _in_order(said, words), bullet


def _in_order(said: list[str], words: list[str]) -> bool:
    """Whether ``said`` is a run of ``words`` with some words left out (a deletion, in order)."""
    for start in (i for i, w in enumerate(words) if w == said[0]):
        rest = iter(words[start:])
        if all(any(w == s for w in rest) for s in said):
            return True
    return False


def test_the_linkedin_post_opens_with_the_headline_and_lists_the_claims(tmp_path: Path, facts: PageFacts, sample: dict) -> None:
    """The post lists the page's first six claims as drafted; the hand-written six merge the page's nine
    sentences, so the first six page claims cover the first four hand-written ones (three at the 60% bar)."""
    from outreach.config import Config
    from outreach.draft.run import draft_campaign

    result = draft_campaign(str(SAMPLE_PAGE), Config(), out=tmp_path)
    posts = {p["channel"]: p for p in tomllib.loads(result.path.read_text(encoding="utf-8"))["posts"]}
    text = posts["linkedin"]["text"]
    assert same(text.split("\n\n")[0]) == same(sample["report"]["headline"])  # the hook, before LinkedIn's fold
    findings = [line.removeprefix("• ") for line in text.splitlines() if line.startswith("• ")]
    assert facts.key_arguments is not None and findings == list(facts.key_arguments.value[:6])
    assert set(claim_matches(sample["report"]["key_arguments"], findings)) >= {0, 1, 2}, findings
    assert posts["linkedin"]["image"] == "cover" and "{{ report.url }}" in text and "[CHECK]" not in text


def test_the_matching_rule_is_not_lenient() -> None:
    claim = "Moral concerns about the military’s violence against civilians after the coup have been a key motivating factor."
    assert claim_matches([claim], ["Soldiers fear the high security risks of defecting."]) == {}
    assert len(claim_matches([claim, claim], [claim])) == 1  # one bullet matches one claim only
