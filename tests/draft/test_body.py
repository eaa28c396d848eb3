"""body.py: the page's own words, from a plain-text copy and from the six saved report pages."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.draft.body import label_of, normalise_apostrophes, text_facts
from outreach.draft.body_html import html_facts, lines_of
from outreach.draft.facts import Found, PageFacts
from tests.draft.pages.expected import PAGES, ExpectedPage

from .test_sample_quality import claim_matches

PAGE_URL = "http://127.0.0.1:8000/reports/page.html"


def _facts(page: ExpectedPage, url: str | None = None) -> PageFacts:
    return html_facts(page.html(), url)


def _right_or_flagged(found: Found | None, wanted: object, name: str) -> None:
    """A field is either what the page states, or flagged for a person to check (or left to metadata)."""
    if found is None or wanted in (None, (), ""):
        assert found is None or found.check, f"{name}: {found!r} is stated nowhere yet not flagged"
        return
    assert found.value == wanted or found.check, f"{name}: {found.value!r} != {wanted!r} and not flagged"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_field_is_right_or_flagged(name: str) -> None:
    page = PAGES[name]
    facts = _facts(page)
    for field in ("title", "subtitle", "headline", "series", "authors", "published", "regions", "topics"):
        _right_or_flagged(getattr(facts, field), getattr(page, field), field)
    _right_or_flagged(facts.experts, page.experts, "experts")
    assert facts.url is None  # a saved file has no address of its own


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_visible_title_block_is_read(name: str) -> None:
    page, facts = PAGES[name], _facts(PAGES[name])
    assert facts.title is not None and facts.title.value == page.title
    assert (facts.subtitle.value if facts.subtitle else None) == page.subtitle
    assert (facts.headline.value if facts.headline else None) == page.headline  # never the title again
    assert facts.series is not None and facts.series.value == page.series and facts.series.check
    assert facts.authors is not None and facts.authors.value == page.authors
    assert facts.published is not None and facts.published.value == page.published


@pytest.mark.parametrize("name", sorted(PAGES))
def test_labelled_blocks_and_experts(name: str) -> None:
    page, facts = PAGES[name], _facts(PAGES[name])
    for field in ("regions", "topics"):
        found = getattr(facts, field)
        assert found is None or found.value == getattr(page, field), field  # where the body states them
    assert facts.experts is not None and facts.experts.value == page.experts
    if any(not (e.role and e.unit and e.phone and e.email) for e in page.experts):
        assert "gives no" in (facts.experts.check or "")


def test_main_text_ends_at_the_first_labelled_block() -> None:
    facts = _facts(PAGES["no-metadata"])
    assert facts.paragraphs[-1].startswith("The brief argues")
    assert not any("Layla Haddad" == p for p in facts.paragraphs)


def test_a_complete_expert_table_needs_no_check() -> None:
    assert _facts(PAGES["expert-table"]).experts.check is None
    assert "unit" in _facts(PAGES["jsonld-only"]).experts.check  # the page gives no unit


def test_regions_and_topics_in_every_labelled_form() -> None:
    read = {name: _facts(page) for name, page in PAGES.items()}
    assert read["highwire"].topics.value == PAGES["highwire"].topics  # <dt>Topics</dt><dd>…
    assert read["no-metadata"].regions.value == ("Middle East", "Jordan")  # <b>Regions:</b> A, B
    assert read["expert-table"].regions.value == ("North Africa", "Tunisia", "Egypt")  # Regions: <a>…</a>, …
    assert read["danish"].topics.value == ("Sikkerhedspolitik", "Råstoffer")  # <h2>Emner</h2><ul>…
    assert read["opengraph-only"].regions.value == ("Sahel", "Mali", "Niger")  # <h3>Regions</h3><ul>…


@pytest.mark.parametrize("name", sorted(PAGES))
def test_abstract_is_the_lead_and_claims_match(name: str) -> None:
    page, facts = PAGES[name], _facts(PAGES[name])
    assert facts.abstract is not None and facts.abstract.check
    assert facts.abstract.value[0].startswith(page.abstract_starts)
    assert len(facts.abstract.value) == page.abstract_paragraphs
    assert facts.key_arguments is not None and facts.key_arguments.check
    drafted = list(facts.key_arguments.value)
    assert len(claim_matches(list(page.claims), drafted)) == len(page.claims), drafted


def test_a_recommendation_keeps_who_recommends_it() -> None:
    # "The authors recommend that donors tie …": without its subject it would state as done what is only advised.
    claims = _facts(PAGES["no-metadata"]).key_arguments.value
    assert claims[-1] == "The authors recommend that donors tie support for new water projects to the metering of private wells."
    assert _facts(PAGES["danish"]).key_arguments.value[-1].startswith("De anbefaler, at Grønland")


def test_cover_and_its_own_alt_text() -> None:
    page = PAGES["expert-table"]
    facts = _facts(page, PAGE_URL)
    assert facts.cover_url is not None and facts.cover_url.value == page.cover_url(PAGE_URL)
    assert facts.cover_alt is not None and facts.cover_alt.value == page.cover_alt and facts.cover_alt.check
    undersea = _facts(PAGES["jsonld-only"], PAGE_URL)
    assert undersea.cover_alt is None  # alt="" on the page: nothing taken, nothing invented
    assert "relative" in _facts(page).cover_url.check  # a saved file with no address to resolve it against


def test_page_address_is_flagged_and_language_guessed_only_without_lang() -> None:
    facts = _facts(PAGES["no-metadata"], PAGE_URL)
    assert facts.url is not None and facts.url.value == PAGE_URL and facts.url.check
    assert facts.language is not None and facts.language.value == "en" and facts.language.check
    assert _facts(PAGES["danish"]).language is None  # <html lang="da">: metadata's to report


@pytest.mark.parametrize("html", [
    "", "\x00\x01<<<>>>" * 100, '<?xml version="1.0" encoding="utf-8"?><html><body><h1>T</h1></body></html>',
    "<html><body>" + "<div>" * 5000 + "<p>deep</p>" + "</div>" * 5000 + "</body></html>",
    "<p>The report argues that " + "word " * 50_000 + ".</p>",
])
def test_hostile_pages_give_what_they_can(html: str) -> None:
    facts = html_facts(html, None)
    assert isinstance(facts, PageFacts)
    for bullet in facts.key_arguments.value if facts.key_arguments else ():
        assert len(bullet) <= 240


def test_labels_and_lines() -> None:
    assert label_of("DIIS Experts") == "experts" and label_of("Regions:") == "regions" and label_of("Emner") == "topics"
    assert label_of("Read also") is None and label_of("Experts say the war will end") is None
    from lxml import html as lxml_html
    block = lxml_html.fragment_fromstring("<p>Amina Diallo<br>Senior Researcher<br><a>adi@cmr.example</a></p>")
    assert lines_of(block) == ["Amina Diallo", "Senior Researcher", "adi@cmr.example"]


def test_text_copy_without_cover_or_series() -> None:
    text = ("Why irrigation reform stalls in Jordan\n\nA subtitle line here\n\n"
            "Jordan is one of the most water-scarce countries in the world, and farming uses half of its water while "
            "producing little.\n\nTopics: Water, Agriculture\n\nContact\nLayla Haddad\nResearcher\nlha@mei.example\n")
    facts = text_facts(text)
    assert facts.title is None and facts.series is None  # no cover caption, no series line: not guessed
    assert facts.headline.value == "Why irrigation reform stalls in Jordan" and facts.headline.check
    assert facts.topics.value == ("Water", "Agriculture")
    assert facts.experts.value[0].email == "lha@mei.example" and "phone" in facts.experts.check
    assert text_facts("").abstract is None


def test_acute_accent_only_between_letters() -> None:
    assert normalise_apostrophes("Myanmar´s army") == ("Myanmar’s army", True)
    assert normalise_apostrophes("an accent ´ alone") == ("an accent ´ alone", False)


def test_published_from_time_element() -> None:
    html = "<html><body><article><h1>T</h1><time datetime='2024-05-02'>2 May</time></article></body></html>"
    assert html_facts(html, None).published.value == date(2024, 5, 2)
