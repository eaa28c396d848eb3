"""What each saved report page under tests/draft/pages states, field by field.

Each page has a different structure (JSON-LD only, OpenGraph only, Highwire
``citation_*`` tags, no metadata at all, Danish, experts in a table), wrapped in
realistic chrome: cookie banner, navigation, related links, footer. The
institutes, people, phone numbers and addresses are invented.

For every page, :data:`PAGES` gives the right value of each field the page states
(anywhere: structured metadata or its visible text), and ``None``/empty for a field
it does not state — a draft must flag those ``# CHECK:``. ``in_metadata`` names
the fields the page's structured metadata (JSON-LD, OpenGraph, microdata,
``citation_*``, ``<meta>``, ``<link rel=canonical>``, ``<html lang>``, ``<title>``)
states, i.e. what ``metadata.page_metadata`` must find; ``metadata_checks`` names
the fields page_metadata finds only as a guess and must flag (``Found.check``).

``cover`` is the cover address exactly as the page writes it (possibly relative);
:func:`cover_url` resolves it against the address the page was read from.
``claims`` are the report's own claims, one per bullet, written as a deletion of
the page's sentence (subject "The report argues that" dropped, capital, full stop).

Import it as ``from tests.draft.pages.expected import PAGES, PAGES_DIR``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

from outreach.draft.facts import ExpertFacts

PAGES_DIR = Path(__file__).resolve().parent
# The institute's sample report page as text: a copy of ../shared/reports/, so the tests run
# wherever the repository is checked out (test_sample_copy checks the copy is exact).
SAMPLE_PAGE = PAGES_DIR / "diis-soldier-defections-myanmar.txt"
SHARED_SAMPLE_PAGE = PAGES_DIR.parents[3] / "shared" / "reports" / SAMPLE_PAGE.name
COVERS_DIR = PAGES_DIR / "covers"

# The report fields a page may or may not state (facts.field_names() without cover_alt/language order).
FIELDS = ("title", "subtitle", "headline", "series", "authors", "published", "regions", "topics",
          "abstract", "key_arguments", "experts", "cover_url", "url", "language")


@dataclass(frozen=True)
class ExpectedPage:
    """The right value of every field one saved page states; None/() where it states none."""

    file: str
    structure: str
    title: str | None
    subtitle: str | None
    headline: str | None
    series: str | None
    authors: tuple[str, ...]
    published: date | None
    regions: tuple[str, ...]
    topics: tuple[str, ...]
    abstract_starts: str | None  # the first words of the abstract (the lead paragraphs)
    abstract_paragraphs: int  # how many lead paragraphs the page has before its claims
    claims: tuple[str, ...]
    experts: tuple[ExpertFacts, ...]
    cover: str | None  # as written on the page (maybe relative)
    cover_alt: str | None  # the page's own alt text for the cover, if any
    url: str | None  # the canonical report address the page states
    language: str | None  # BCP 47
    in_metadata: frozenset[str] = field(default_factory=frozenset)
    metadata_checks: frozenset[str] = field(default_factory=frozenset)

    @property
    def path(self) -> Path:
        """The saved page's file."""
        return PAGES_DIR / self.file

    def html(self) -> str:
        """The saved page's HTML."""
        return self.path.read_text(encoding="utf-8")

    @property
    def not_stated(self) -> frozenset[str]:
        """The fields this page does not state at all: a draft must flag each ``# CHECK:``."""
        values = {"title": self.title, "subtitle": self.subtitle, "headline": self.headline,
                  "series": self.series, "authors": self.authors, "published": self.published,
                  "regions": self.regions, "topics": self.topics, "abstract": self.abstract_starts,
                  "key_arguments": self.claims, "experts": self.experts, "cover_url": self.cover,
                  "url": self.url, "language": self.language}
        return frozenset(name for name, value in values.items() if value in (None, "", ()))

    def cover_url(self, page_url: str | None) -> str | None:
        """The cover's absolute address when the page is read from ``page_url``."""
        if self.cover is None:
            return None
        return urljoin(page_url or self.url or "", self.cover)


PAGES: dict[str, ExpectedPage] = {
    "jsonld-only": ExpectedPage(
        file="jsonld-only.html",
        structure="JSON-LD only (@graph with WebSite, Organization, BreadcrumbList, Report); no <title>, no <meta>",
        title="Undersea Cables in the Baltic Sea",
        subtitle="Protecting critical infrastructure after the Nord Stream sabotage",
        headline=None,
        series="NPI Policy Brief",
        authors=("Kristina Holm", "Jonas Virtanen"),
        published=date(2024, 2, 14),
        regions=("Baltic Sea", "Northern Europe"),
        topics=("Critical infrastructure", "Maritime security", "NATO"),
        abstract_starts="In 2023 alone, at least four undersea cables",
        abstract_paragraphs=2,
        claims=(
            "No single authority has an overview of the cables that cross the Baltic Sea.",
            "Private owners carry most of the cost of protecting the cables.",
            "Repair ships are too few: a damaged cable can wait weeks for one.",
            "The coastal states need a joint register of undersea infrastructure.",
            "NATO should patrol the most exposed cable routes regularly.",
        ),
        experts=(ExpertFacts("Kristina Holm", role="Senior Researcher", phone="+45 3312 4567", email="kho@npi.example"),),
        cover="covers/undersea-cables-cover.jpg",
        cover_alt=None,  # the <img> has alt="": nothing to take
        url="https://www.npi.example/publications/undersea-cables-baltic-sea",
        language="en",
        in_metadata=frozenset({"title", "subtitle", "series", "authors", "published", "regions", "topics",
                               "abstract", "cover_url", "url", "language"}),
    ),
    "opengraph-only": ExpectedPage(
        file="opengraph-only.html",
        structure="OpenGraph only (og:title with a ' | Site' suffix, relative og:image, article:*); no <title>, no lang",
        title="Climate Migration in the Sahel",
        subtitle="How drought and conflict shape who moves, and where",
        headline="Most people displaced by drought in the Sahel never leave their own country",
        series="CMR Working Paper",
        authors=("Amina Diallo", "Lars Brekke"),
        published=date(2023, 11, 8),
        regions=("Sahel", "Mali", "Niger"),
        topics=("Migration", "Climate change"),
        abstract_starts="Across the Sahel, rainfall has become less predictable",
        abstract_paragraphs=2,
        claims=(
            "Most people who leave their homes because of drought move within their own country, often to a nearby town.",
            "Conflict, not climate alone, decides whether people cross borders.",
            "Remittances from relatives in cities are the main way families cope with failed harvests.",
        ),
        experts=(ExpertFacts("Amina Diallo", role="Senior Researcher", unit="Migration and Displacement",
                             phone="+45 3269 8712", email="adi@cmr.example"),),
        cover="covers/opengraph-cover.png",
        cover_alt=None,
        url="https://www.cmr.example/research/climate-migration-sahel",
        language="en-GB",
        # og:description is a teaser, not the lead paragraphs: as an abstract it is a guess.
        in_metadata=frozenset({"title", "authors", "published", "topics", "abstract", "cover_url", "url", "language"}),
        metadata_checks=frozenset({"title", "abstract", "topics"}),
    ),
    "highwire": ExpectedPage(
        file="highwire.html",
        structure="Highwire citation_* tags ('Last, First' authors, 2023/05/17 date), <link rel=canonical>, no image",
        title="Mobile Money and Rural Credit in East Africa",
        subtitle="Evidence from Kenya and Tanzania",
        headline=None,
        series="CIDR Working Paper",
        authors=("Grace Okello", "Henrik Madsen", "Joseph Mwakyusa"),
        published=date(2023, 5, 17),
        regions=("East Africa", "Kenya", "Tanzania"),
        topics=("Mobile money", "Rural credit", "Financial inclusion"),
        abstract_starts="Mobile money has reached most rural households",
        abstract_paragraphs=2,
        claims=(
            "Households with a mobile money account are 20 percent more likely to receive a loan from a savings group.",
            "The effect is largest for women farmers.",
            "Regulators should allow savings groups to hold mobile money accounts in their own name.",
        ),
        experts=(ExpertFacts("Henrik Madsen", role="Professor", unit="Development Economics",
                             phone="+45 3532 4411", email="hma@cidr.example"),),
        cover=None,
        cover_alt=None,
        url="https://www.cidr.example/publications/mobile-money-rural-credit",
        language="en",
        # citation_keywords are lower case keywords, not the institute's topic labels.
        in_metadata=frozenset({"title", "series", "authors", "published", "topics", "abstract", "url", "language"}),
        metadata_checks=frozenset({"topics"}),
    ),
    "no-metadata": ExpectedPage(
        file="no-metadata.html",
        structure="no metadata at all: no <title>, no <meta> besides charset, no lang, no canonical; divs, not headings",
        title="Water Scarcity and Farming in Jordan",
        subtitle="Why irrigation reform stalls",
        headline=None,
        series="Policy Brief",
        authors=("Layla Haddad", "Søren Vestergaard"),
        published=date(2024, 3, 3),
        regions=("Middle East", "Jordan"),
        topics=("Water", "Agriculture"),
        abstract_starts="Jordan is one of the most water-scarce countries",
        abstract_paragraphs=2,
        claims=(
            "Reform stalls because large landowners with wells are politically well connected.",
            "Metering of private wells has reached fewer than one in three wells.",
            "Donors tie support for new water projects to the metering of private wells.",
        ),
        experts=(ExpertFacts("Layla Haddad", role="Researcher", unit="Middle East Studies",
                             phone="+45 3269 8755", email="lha@mei.example"),),
        cover=None,
        cover_alt=None,
        url=None,
        language=None,
        in_metadata=frozenset(),
    ),
    "danish": ExpectedPage(
        file="danish.html",
        structure="Danish (lang=da, æøå), OpenGraph + <meta name=description> + canonical, absolute og:image",
        title="Grønlands nye rolle i Arktis",
        subtitle="Sikkerhedspolitik, råstoffer og selvstyre efter 2021",
        headline="Grønland er blevet en selvstændig aktør i Arktis",
        series="NIS Analyse",
        authors=("Mette Ravn Jensen", "Aputsiaq Olsen"),
        published=date(2024, 1, 12),
        regions=("Grønland", "Arktis"),
        topics=("Sikkerhedspolitik", "Råstoffer"),
        abstract_starts="Siden 2021 har Grønland fået en langt større plads",
        abstract_paragraphs=2,
        claims=(
            "Grønland i dag har større indflydelse på sikkerhedspolitikken i Arktis end nogensinde før.",
            "Udenlandske investeringer i råstoffer er blevet et spørgsmål om sikkerhed.",
            "Danmark og Grønland har brug for fælles regler for screening af investeringer.",
            "Grønland får en fast plads, når NATO drøfter Arktis.",
        ),
        experts=(ExpertFacts("Mette Ravn Jensen", role="Seniorforsker", unit="Udenrigspolitik og diplomati",
                             phone="+45 3269 8790", email="mrj@nis.example"),),
        cover="https://www.nis.example/media/groenland-forside.jpg",
        cover_alt=None,
        url="https://www.nis.example/publikationer/groenlands-nye-rolle-i-arktis",
        language="da",
        in_metadata=frozenset({"title", "published", "abstract", "cover_url", "url", "language"}),
        metadata_checks=frozenset({"abstract"}),
    ),
    "expert-table": ExpectedPage(
        file="expert-table.html",
        structure="microdata (schema.org/Report itemprops), experts in a <table> with a header row, <title> with a site suffix",
        title="Youth Unemployment in North Africa",
        subtitle="Skills, networks and the informal economy",
        headline="Two in five young graduates in Tunisia and Egypt have no formal job",
        series="Research Report",
        authors=("Yasmine Ben Salah", "Omar Farouk"),
        published=date(2024, 6, 3),
        regions=("North Africa", "Tunisia", "Egypt"),
        topics=("Employment", "Youth"),
        abstract_starts="A decade after the Arab uprisings",
        abstract_paragraphs=2,
        claims=(
            "Most young graduates who work do so in the informal economy, without a contract.",
            "Vocational training has failed because it is not linked to employers.",
            "Public employment schemes should work with private firms to place graduates in jobs.",
        ),
        experts=(
            ExpertFacts("Yasmine Ben Salah", role="Senior Researcher", unit="Global Economy and Development",
                        phone="+45 3269 8801", email="ybs@gdi.example"),
            ExpertFacts("Omar Farouk", role="Postdoc", unit="Global Economy and Development",
                        phone="+45 3269 8802", email="ofa@gdi.example"),
        ),
        cover="covers/expert-table-cover.png",
        cover_alt="Cover of the report Youth Unemployment in North Africa",
        url="https://www.gdi.example/reports/youth-unemployment-north-africa",
        language="en-GB",
        # microdata genre is a plausible series but a guess.
        in_metadata=frozenset({"title", "subtitle", "series", "authors", "published", "cover_url", "url", "language"}),
        metadata_checks=frozenset({"series"}),
    ),
}
