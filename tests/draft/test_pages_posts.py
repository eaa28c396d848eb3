"""The posts drafted from each saved page and the sample report, as outreach renders and counts them.

One post per platform, in the registry's order; every part within validate's budget on the text as
its platform receives it; every post carries the report link with its channel's UTM tags; Bluesky
shows that link short while its facet opens the full address; LinkedIn opens with a hook before its
fold, lists the page's own key findings one per line, and carries the cover.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from outreach.campaign import Campaign, load_campaign
from outreach.channels.registry import PLATFORMS
from outreach.config import Config
from outreach.draft.fitting import budget, first_sentence
from outreach.draft.run import draft_campaign
from outreach.render.posts import RenderedPost, render_posts, report_url
from outreach.validate import check
from tests.draft.pages.expected import PAGES, SAMPLE_PAGE

SOURCES = {**{name: page.path for name, page in PAGES.items()}, "sample": SAMPLE_PAGE}
NOW = datetime(2030, 1, 7, 8, tzinfo=timezone.utc)


@cache
def drafted(name: str, out: Path) -> tuple[Campaign, dict[str, RenderedPost]]:
    """The campaign drafted from page ``name`` and its posts as outreach renders them, by channel."""
    result = draft_campaign(str(SOURCES[name]), Config(), out=out / name, now=NOW)
    campaign = load_campaign(result.path)
    posts, problems = render_posts(campaign)
    assert not problems, [str(p) for p in problems]
    return campaign, {p.channel: p for p in posts}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pages-posts")


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_one_post_per_platform_each_within_the_drafts_budget_with_the_report_link(name: str, out: Path) -> None:
    campaign, posts = drafted(name, out)
    assert [p.channel for p in campaign.posts] == list(PLATFORMS)
    for channel, post in posts.items():
        for part in post.parts:  # RenderedPart.length is the platform's count of the text it receives
            assert part.length <= budget(channel), (channel, part.length, part.text)
        uris = [link.uri for part in post.parts for link in part.links]
        assert report_url(campaign, channel) in uris, (channel, uris)  # the full address, UTM tags and all
    checked = check(campaign, Config(), now=NOW)
    assert not checked.errors, [str(e) for e in checked.errors]
    assert not [w for w in checked.warnings if "characters" in w.message], [str(w) for w in checked.warnings]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_linkedin_post_hooks_before_the_fold_and_lists_the_pages_findings(name: str, out: Path) -> None:
    campaign, posts = drafted(name, out)
    linkedin = posts["linkedin"]
    (part,) = linkedin.parts
    fold = PLATFORMS["linkedin"].feed_fold
    assert fold is not None
    report = campaign.report
    hook = part.text.split("\n\n")[0]
    abstract = report.paragraphs[0] if report.paragraphs else ""
    if report.headline.casefold() != report.title.casefold():
        assert hook == report.headline or hook == first_sentence(report.headline, fold)
    else:  # the headline only repeats the title, which the next line names: the abstract opens
        assert hook == first_sentence(abstract, fold)
    assert len(hook) <= fold
    findings = [line.removeprefix("• ") for line in part.text.splitlines() if line.startswith("• ")]
    assert findings and all(f in report.key_arguments or (f.endswith("…") and any(a.startswith(f[:-1]) for a in report.key_arguments))
                            for f in findings), findings
    assert "Key findings:" in part.text or "Hovedpointer:" in part.text
    assert [image.field for image in linkedin.images] == ["report.cover"]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_bluesky_post_shows_its_link_as_the_app_does_and_counts_well_under_the_limit(name: str, out: Path) -> None:
    campaign, posts = drafted(name, out)
    (part,) = posts["bluesky"].parts
    (link,) = part.links
    shown = part.text[link.start:link.end]
    assert link.uri == report_url(campaign, "bluesky")
    assert shown.startswith(urlsplit(link.uri).hostname or "?") and len(shown) < len(link.uri)
    assert part.length < 150, part.text
