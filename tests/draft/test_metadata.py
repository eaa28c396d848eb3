"""metadata.page_metadata: each syntax on the six saved pages and on hostile or odd markup."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.draft.facts import Origin, PageFacts
from outreach.draft.metadata import page_metadata

from tests.draft.pages.expected import PAGES, ExpectedPage

PAGE_URL = "http://127.0.0.1:8765/pages/"
# ExpectedPage field → (PageFacts field, how to compare)
COMPARED = {"title": "title", "subtitle": "subtitle", "series": "series", "authors": "authors",
            "published": "published", "regions": "regions", "topics": "topics", "url": "url", "language": "language"}


def _facts(page: ExpectedPage) -> PageFacts:
    return page_metadata(page.html(), PAGE_URL + page.file)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_field_the_metadata_states_is_right(name: str) -> None:
    page = PAGES[name]
    facts = _facts(page)
    for field in page.in_metadata:
        found = getattr(facts, field)
        assert found is not None, f"{name}: {field} not found"
        if field == "abstract":
            got, want = found.value[0], page.abstract_starts
            if not found.check:  # a flagged description may be a teaser; a stated abstract must be the lead
                assert got.startswith(want), (name, got)
        elif field == "cover_url":
            assert found.value == page.cover_url(PAGE_URL + page.file)
        elif field == "topics" and found.check:
            assert [t.casefold() for t in found.value] == [t.casefold() for t in page.topics]
        else:
            assert found.value == getattr(page, COMPARED[field]), (name, field)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_nothing_beyond_the_metadata_and_guesses_are_flagged(name: str) -> None:
    page = PAGES[name]
    facts = _facts(page)
    for field in ("title", "subtitle", "headline", "series", "authors", "published", "regions", "topics",
                  "abstract", "key_arguments", "experts", "cover_url", "url", "language"):
        found = getattr(facts, field)
        if field not in page.in_metadata:
            assert found is None, f"{name}: {field} = {found!r} is not in the page's metadata"
        elif field in page.metadata_checks:
            assert found.check, f"{name}: {field} is a guess and must be flagged"
        else:
            assert found.check is None, f"{name}: {field} is stated plainly: {found.check}"
    assert facts.paragraphs == ()


def test_origins_name_the_syntax() -> None:
    assert _facts(PAGES["jsonld-only"]).title.origin is Origin.JSON_LD  # type: ignore[union-attr]
    assert _facts(PAGES["opengraph-only"]).title.origin is Origin.OPENGRAPH  # type: ignore[union-attr]
    assert _facts(PAGES["highwire"]).authors.origin is Origin.HIGHWIRE  # type: ignore[union-attr]
    assert _facts(PAGES["highwire"]).url.origin is Origin.META  # type: ignore[union-attr]
    assert _facts(PAGES["expert-table"]).authors.origin is Origin.MICRODATA  # type: ignore[union-attr]
    assert _facts(PAGES["danish"]).language.origin is Origin.META  # type: ignore[union-attr]


def test_the_cover_alt_is_only_the_pages_own() -> None:
    assert _facts(PAGES["expert-table"]).cover_alt.value == PAGES["expert-table"].cover_alt  # type: ignore[union-attr]
    for name in ("jsonld-only", "opengraph-only", "danish", "highwire", "no-metadata"):
        assert _facts(PAGES[name]).cover_alt is None
    html = _head('<meta property="og:image" content="/c.png"><meta property="og:image:alt" content="A map">')
    assert page_metadata(html, "https://x.example/r").cover_alt.value == "A map"  # type: ignore[union-attr]


def _head(head: str, body: str = "<p>x</p>", lang: str = "") -> str:
    return f"<!DOCTYPE html><html{lang}><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def _ld(obj: str) -> str:
    return _head(f'<script type="application/ld+json">{obj}</script>')


def test_relative_og_image_without_a_page_address_uses_the_canonical() -> None:
    html = _head('<link rel="canonical" href="https://r.example/pubs/a"><meta property="og:image" content="img/c.png">')
    assert page_metadata(html, None).cover_url.value == "https://r.example/pubs/img/c.png"  # type: ignore[union-attr]
    assert page_metadata(_head('<meta property="og:image" content="img/c.png">'), None).cover_url is None


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:image/png;base64,AAAA", "file:///etc/passwd",
                                 "ftp://x.example/c.png", "http://", "http://a b.example/c.png"])
def test_only_http_addresses_are_taken(bad: str) -> None:
    html = _head(f'<meta property="og:image" content="{bad}"><meta property="og:url" content="{bad}">'
                 f'<link rel="canonical" href="{bad}">')
    facts = page_metadata(html, None)
    assert facts.cover_url is None and facts.url is None


def test_jsonld_graph_references_persons_and_organisations() -> None:
    html = _ld("""{"@context": "https://schema.org", "@graph": [
      {"@type": "WebPage", "@id": "https://r.example/p#page", "name": "A page - Site", "url": "https://r.example/p"},
      {"@type": "Person", "@id": "#p1", "givenName": "Ann", "familyName": "Berg"},
      {"@type": ["ScholarlyArticle"], "headline": "The Headline", "author": [{"@id": "#p1"},
         {"@type": "Organization", "name": "The Institute"}, "Carl Dahl"],
       "mainEntityOfPage": {"@id": "https://r.example/p"}, "keywords": "water, farming",
       "description": "Short teaser.", "image": ["", {"@type": "ImageObject", "contentUrl": "/c.jpg"}],
       "isPartOf": {"@id": "https://r.example/#site"}, "inLanguage": "pt_BR", "datePublished": "2021-13-01"}]}""")
    facts = page_metadata(html, "https://r.example/p")
    assert facts.title.value == "The Headline" and facts.title.check is None  # type: ignore[union-attr]
    assert facts.authors.value == ("Ann Berg", "Carl Dahl")  # type: ignore[union-attr]
    assert facts.url.value == "https://r.example/p"  # type: ignore[union-attr]
    assert facts.topics.value == ("Water", "Farming") and facts.topics.check  # type: ignore[union-attr]
    assert facts.abstract.value == ("Short teaser.",) and facts.abstract.check  # type: ignore[union-attr]
    assert facts.cover_url.value == "https://r.example/c.jpg"  # type: ignore[union-attr]
    assert facts.language.value == "pt-BR"  # type: ignore[union-attr]
    assert facts.series is None and facts.published is None  # an unresolved @id; an impossible date


def test_a_webpage_node_alone_is_flagged() -> None:
    facts = page_metadata(_ld('{"@type": "WebPage", "name": "Publications", "datePublished": "2020-01-02"}'), None)
    assert facts.title.value == "Publications" and facts.title.check  # type: ignore[union-attr]
    assert facts.published.value == date(2020, 1, 2) and facts.published.check  # type: ignore[union-attr]


@pytest.mark.parametrize("title, site, want, flagged", [
    ("Water in Jordan | MEI", "MEI", "Water in Jordan", True),
    ("Water in Jordan – MEI", "MEI", "Water in Jordan", True),
    ("Water in Jordan | MEI", None, "Water in Jordan", True),
    ("Water – a crisis in Jordan", None, "Water – a crisis in Jordan", False),
    ("Water: a crisis in Jordan", None, "Water: a crisis in Jordan", False),
    ("Water in Jordan MEI", "MEI", "Water in Jordan MEI", True),
])
def test_og_title_site_suffix(title: str, site: str | None, want: str, flagged: bool) -> None:
    site_tag = f'<meta property="og:site_name" content="{site}">' if site else ""
    found = page_metadata(_head(f'<meta property="og:title" content="{title}">{site_tag}'), None).title
    assert found is not None and found.value == want and bool(found.check) is flagged


def test_the_html_title_is_a_flagged_last_resort() -> None:
    facts = page_metadata(_head("<title>Water in Jordan - Middle East Institute</title>"), None)
    assert facts.title.value == "Water in Jordan" and facts.title.origin is Origin.META  # type: ignore[union-attr]
    assert facts.title.check  # type: ignore[union-attr]


def test_plain_meta_tags_are_flagged_guesses() -> None:
    html = _head('<meta name="author" content="Ann Berg; Carl Dahl"><meta name="keywords" content="water,farming">'
                 '<meta name="description" content="A teaser &amp; more.">', lang=' lang="DA-dk"')
    facts = page_metadata(html, None)
    assert facts.authors.value == ("Ann Berg", "Carl Dahl") and facts.authors.check  # type: ignore[union-attr]
    assert facts.topics.check and facts.abstract.value == ("A teaser & more.",)  # type: ignore[union-attr]
    assert facts.abstract.check and facts.language.value == "da-DK"  # type: ignore[union-attr]


def test_highwire_forms() -> None:
    html = _head('<meta name="citation_authors" content="Berg, Ann; Carl Dahl">'
                 '<meta name="citation_date" content="2020/3/9">'
                 '<meta name="citation_technical_report_institution" content="The Institute">'
                 '<meta name="citation_abstract" content="<p>One &lt;b&gt;para.</p><p>Two.</p>">')
    facts = page_metadata(html, None)
    assert facts.authors.value == ("Ann Berg", "Carl Dahl")  # type: ignore[union-attr]
    assert facts.published.value == date(2020, 3, 9)  # type: ignore[union-attr]
    assert facts.series.value == "The Institute" and facts.series.check  # type: ignore[union-attr]
    assert facts.abstract.value == ("One para.", "Two.")  # type: ignore[union-attr]


@pytest.mark.parametrize("html", [
    "", "   ", "\x00\x00", "<html>", "not html at all", "<?xml version='1.0' encoding='latin-1'?><html/>",
    _ld("{not json"), _ld('{"@type": "Report", "name": ' + "[" * 5000 + "]" * 5000 + "}"),
    _ld('{"@type": "Report", "name": {"@value": 3}, "author": 7, "datePublished": ["x"], "image": {"url": 5}}'),
    _ld("[" + ",".join('{"@type": "Thing"}' for _ in range(5000)) + "]"),
    _head('<meta property="og:title">' * 100 + '<meta name="citation_author" content="">'),
])
def test_hostile_markup_never_raises(html: str) -> None:
    facts = page_metadata(html, "https://r.example/")
    assert isinstance(facts, PageFacts)


def test_a_broken_jsonld_block_does_not_hide_other_syntaxes() -> None:
    html = _head('<script type="application/ld+json">{broken</script><meta property="og:title" content="T">')
    assert page_metadata(html, None).title.value == "T"  # type: ignore[union-attr]


def test_text_is_one_clean_line() -> None:
    facts = page_metadata(_ld('{"@type": "Report", "name": "A\\n<b>bold</b>\\u202e title\\u0007", '
                              '"alternativeHeadline": "' + "x" * 5000 + '"}'), None)
    assert facts.title.value == "A bold title"  # type: ignore[union-attr]
    assert len(facts.subtitle.value) <= 500  # type: ignore[union-attr]
