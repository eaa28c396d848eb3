"""merge(): field by field, what a page states plainly beats a guess, and a missing field is flagged."""

from __future__ import annotations

import pytest

from outreach.draft.assemble import report_facts
from outreach.draft.facts import Found, Origin, PageFacts, merge
from outreach.draft.source import SourceKind, SourcePage
from tests.draft.pages.expected import PAGES


def test_the_first_reader_that_states_a_field_wins() -> None:
    merged = merge(PageFacts(title=Found("Meta", Origin.JSON_LD)), PageFacts(title=Found("Body", Origin.BODY)))
    assert merged.title == Found("Meta", Origin.JSON_LD)


def test_a_plain_statement_beats_an_earlier_guess_and_a_guess_beats_nothing() -> None:
    guess = Found(("Teaser.",), Origin.OPENGRAPH, "og:description used as the abstract")
    stated = Found(("Lead one.", "Lead two."), Origin.BODY)
    assert merge(PageFacts(abstract=guess), PageFacts(abstract=stated)).abstract == stated
    assert merge(PageFacts(abstract=guess), PageFacts()).abstract == guess


def test_a_field_nobody_found_is_empty_and_flagged() -> None:
    merged = merge(PageFacts(), PageFacts(title=Found("", Origin.BODY)))
    assert merged.title.value == "" and merged.title.origin is Origin.MISSING and merged.title.check


@pytest.mark.parametrize("name", ["opengraph-only", "danish"])
def test_the_abstract_is_the_pages_lead_not_its_teaser(name: str) -> None:
    page = PAGES[name]
    facts = report_facts(SourcePage(str(page.path), SourceKind.HTML, page.html(), None, None))
    assert facts.abstract.value[0].startswith(page.abstract_starts)
    assert len(facts.abstract.value) == page.abstract_paragraphs
