"""Drafted posts: within each platform's own count as outreach renders them, cut at word boundaries, page text never live template code."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.campaign import load_campaign
from outreach.channels.facts import plain_links
from outreach.channels.registry import PLATFORMS
from outreach.config import Config
from outreach.draft.facts import ExpertFacts, Found, Origin, PageFacts, ReportFacts, merge
from outreach.draft.fitting import budget, measure
from outreach.draft.posts import (DraftedPost, PostContext, draft_email, draft_posts, escape_template, hashtag, known)
from outreach.draft.writer import completed
from outreach.render.environment import with_utm
from outreach.render.sandbox import render_post_text
from outreach.validate import check

CHANNELS = list(PLATFORMS)
CTX = PostContext("https://example.org/CHECK-report-url/some-report", "some-report", ("DIIS",))


def facts(**fields: object) -> ReportFacts:
    return merge(PageFacts(**{k: Found(v, Origin.BODY) for k, v in fields.items()}))  # type: ignore[arg-type]


SAMPLE = facts(
    title="Soldier Defections in Myanmar", subtitle="Motivations and obstacles following the 2021 military coup",
    headline="Defecting soldiers are a significant symbolic blow to Myanmar’s military rule", series="DIIS Report",
    authors=("Ah Lynn", "Helene Maria Kyed"), regions=("Myanmar",), topics=("Peace and violence",),
    abstract=("Since Myanmar’s military leaders staged a coup on 1 February 2021, an estimated 2,000 soldiers have defected. More text.",),
    key_arguments=("Moral concerns about the military’s violence against civilians have been a key motivating factor for defection.",
                   "Defections are also driven by deep demoralisation with an unjust, corrupt and internally exploitative military organisation."),
    experts=(ExpertFacts("Helene Maria Kyed", "Senior Researcher"),), published=date(2021, 12, 1),
)


def rendered(post: DraftedPost, f: ReportFacts, ctx: PostContext = CTX) -> list[str]:
    """Each part as outreach renders it (the sandbox, the channel's UTM link, the thread's numbering)."""
    source, medium = PLATFORMS[post.channel].utm
    context = {"report": {"url": with_utm(ctx.url, source, medium, ctx.slug), "title": known(f.title)},  # as completed() writes it
               "experts": [{"name": e.name} for e in f.experts.value]}
    texts = [render_post_text(part, context).strip() for part in post.parts]
    if post.numbered and len(texts) > 1:
        texts = [f"{t}\n\n{i + 1}/{len(texts)}" for i, t in enumerate(texts)]
    return texts


def counted(channel: str, text: str) -> int:
    """``channel``'s count of a rendered text, as validate takes it: on the text as the platform receives it."""
    platform = PLATFORMS[channel]
    return platform.length(platform.compose(text).text)


def test_the_sample_drafts_a_thread_a_toot_a_skeet_and_a_linkedin_post() -> None:
    x, mastodon, bluesky, linkedin = draft_posts(SAMPLE, CHANNELS, CTX)
    assert (x.channel, x.thread, x.numbered, x.image) == ("x", True, True, True)
    assert x.parts[0].startswith("Defecting soldiers are a significant symbolic blow") and "#DIISReport" in x.parts[0]
    assert x.parts[1:3] == SAMPLE.key_arguments.value  # one argument per part
    assert "{{ report.url }}" in x.parts[-1] and "{{ report.url }}" not in "".join(x.parts[:-1])
    assert "Ah Lynn and Helene Maria Kyed" in x.parts[-1]
    assert mastodon.parts[0].startswith("New DIIS Report: {{ report.title }}")
    assert "#Myanmar #PeaceAndViolence #DIISReport" not in mastodon.parts[0]  # series tag is X/Bluesky's; topics here
    assert "#Myanmar #PeaceAndViolence #DIIS" in mastodon.parts[0] and "{{ report.url }}" in mastodon.parts[0]
    assert "{{ report.url }}" in bluesky.parts[0] and not bluesky.image
    assert (linkedin.channel, linkedin.thread, linkedin.image, linkedin.check) == ("linkedin", False, True, None)
    assert linkedin.parts[0] == (
        "Defecting soldiers are a significant symbolic blow to Myanmar’s military rule\n\n"
        "New DIIS Report: {{ report.title }}\n\n"
        "Key findings:\n"
        "• Moral concerns about the military’s violence against civilians have been a key motivating factor for defection.\n"
        "• Defections are also driven by deep demoralisation with an unjust, corrupt and internally exploitative military organisation.\n\n"
        "Read the report by Ah Lynn and Helene Maria Kyed: {{ report.url }}\n\n"
        "#Myanmar #PeaceAndViolence #DIISReport #DIIS")


def test_email_subject_and_preheader() -> None:
    email = draft_email(SAMPLE)
    assert email.subject == "New DIIS Report: Soldier Defections in Myanmar"
    assert email.preheader == "Since Myanmar’s military leaders staged a coup on 1 February 2021, an estimated 2,000 soldiers have defected."
    long = draft_email(facts(title="word " * 100, abstract=("x" * 5 + " y" * 300,)))
    assert len(long.subject) <= 200 and len(long.preheader) <= 200
    assert long.subject.endswith("…") and not long.subject[:-1].endswith(" ")
    assert draft_email(merge()).subject  # a subject is required: never empty


def test_page_text_cannot_become_template_code() -> None:
    hostile = facts(headline="Costs {{ 7*7 }} and {% for i in range(9) %}x{% endfor %} {# gone #}", title="T {{ x }}",
                    key_arguments=("It {{ report.url }} shows {%raw%} that.",))
    for post in draft_posts(hostile, CHANNELS, CTX):
        text = "\n".join(rendered(post, hostile))
        assert "{{ 7*7 }}" in text or post.channel == "mastodon"
        assert "49" not in text
    x = draft_posts(hostile, ["x"], CTX)[0]
    assert rendered(x, hostile)[1].startswith("It {{ report.url }} shows {%raw%} that.")
    assert render_post_text(escape_template("{{ a }}{%b%}{#c#}{"), {}) == "{{ a }}{%b%}{#c#}{"


def test_hashtags_are_camel_case_letters_and_digits() -> None:
    assert hashtag("Peace and violence") == "PeaceAndViolence"
    assert hashtag("DIIS Report") == "DIISReport"
    assert hashtag("Sikkerhed & forsvar") == "SikkerhedForsvar"
    assert hashtag("Nordens økonomi") == "NordensØkonomi"
    assert hashtag("2021") == "" and hashtag("_ - !") == ""


def test_a_missing_fact_is_never_drafted_as_a_placeholder() -> None:
    posts = draft_posts(completed(merge(), "some-report"), CHANNELS, CTX)
    for post in posts:
        assert all(part.strip() for part in post.parts)
        assert "not found" not in " ".join(post.parts) and "[CHECK]" not in " ".join(post.parts)
    assert posts[0].parts == ("Read the report: {{ report.url }}",)


def test_long_arguments_are_cut_at_a_word_boundary() -> None:
    argument = " ".join(f"word{i}" for i in range(200)) + "."
    x = draft_posts(facts(key_arguments=(argument,)), ["x"], CTX)[0]
    part = x.parts[0]
    assert part.endswith("…")
    kept = part[:-1].split()
    assert kept == argument.split()[: len(kept)]  # a prefix of whole words: nothing added, nothing cut mid-word
    assert PLATFORMS["x"].length(rendered(x, facts(key_arguments=(argument,)))[0]) <= 280


def test_a_cut_prefers_a_whole_sentence() -> None:
    argument = "Short first sentence about defections and the army. " + "Then a much longer second one " * 12
    x = draft_posts(facts(key_arguments=(argument.strip(),)), ["x"], CTX)[0]
    assert x.parts[0] == "Short first sentence about defections and the army." or x.parts[0].endswith("…")


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=700)
words = st.lists(st.sampled_from(["defection", "a", "Myanmar’s", "文字列", "🙂", "ÆØÅ", "{{", "%}", "https://example.org/x",
                                  "sehr-lange-zusammengesetzte-wörter", "\u202e", "e\u0301",
                                  "(a)", "[b]", "<c>", "@d", "#e", "*f*", "_g_", "~h~", "|", "\\"]),  # LinkedIn escapes these
                 max_size=150).map(" ".join)
value = st.one_of(texts, words)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=value, headline=value, series=value, arguments=st.lists(value, max_size=8), abstract=value,
       topics=st.lists(value, max_size=6), author=value, expert=value,
       url=st.sampled_from(["https://example.org/r", "https://www.diis.dk/en/research/" + "very-long-path-" * 6 + "x"]))
def test_every_part_fits_its_platform(title: str, headline: str, series: str, arguments: list[str], abstract: str,
                                     topics: list[str], author: str, expert: str, url: str) -> None:
    f = facts(title=title, headline=headline, series=series, key_arguments=tuple(arguments), abstract=(abstract,),
              topics=tuple(topics), authors=(author,), experts=(ExpertFacts(expert or "N"),))
    ctx = PostContext(url, "some-report", ("DIIS",))
    for post in draft_posts(f, CHANNELS, ctx):
        platform = PLATFORMS[post.channel]
        assert post.check is None, post.check
        for text in rendered(post, f, ctx):
            assert text, f"an empty part on {post.channel}"
            assert "\n\n\n" not in text and text == text.strip(), f"a separator left next to a removed segment: {text!r}"
            # out of validate's warning band (within 10% of the limit), not just under the limit
            assert counted(post.channel, text) <= 0.9 * platform.limit, f"{post.channel}: {counted(post.channel, text)}: {text!r}"


def test_no_drafter_for_an_unknown_channel() -> None:
    assert [p.channel for p in draft_posts(SAMPLE, ["bluesky", "nope", "x"], CTX)] == ["bluesky", "x"]


def test_the_fixed_words_follow_the_page_language() -> None:
    danish = facts(title="Grønlands nye rolle i Arktis", series="NIS Analyse", language="da", authors=("Mette Ravn Jensen", "Aputsiaq Olsen"))
    assert draft_email(danish).subject == "Ny NIS Analyse: Grønlands nye rolle i Arktis"
    x, mastodon, linkedin = draft_posts(danish, ["x", "mastodon", "linkedin"], CTX)
    assert x.parts[-1] == "Læs rapporten af Mette Ravn Jensen og Aputsiaq Olsen: {{ report.url }}"
    assert "\n\nLæs rapporten af Mette Ravn Jensen og Aputsiaq Olsen: {{ report.url }}" in linkedin.parts[0]
    assert "Hovedpointer:" not in linkedin.parts[0]  # no findings on the page: no heading
    with_findings = replace(danish, key_arguments=Found(("Grønland får en ny rolle.",), Origin.BODY))
    assert "\n\nHovedpointer:\n• Grønland får en ny rolle.\n\n" in draft_posts(with_findings, ["linkedin"], CTX)[0].parts[0]
    assert mastodon.parts[0].startswith("Ny NIS Analyse: {{ report.title }}")
    assert draft_email(facts(title="T", language="xx-YY")).subject == "New report: T"


HOSTILE = facts(
    title="T" * 90 + " of the report", headline="Headline words " * 40, series="Series " * 80,
    key_arguments=tuple(("Argument " + str(i) + " says ") * 30 for i in range(6)), abstract=("Lead words " * 80,),
    topics=tuple("Topic number " + str(i) for i in range(9)), regions=("Region " * 30,),
    authors=("An Author With A Long Name " * 8, "B", "C"), experts=(ExpertFacts("N"),),
)


def _campaign(tmp_path: Path, f: ReportFacts, posts: tuple[DraftedPost, ...], url: str, slug: str) -> Path:
    """A minimal campaign file holding the drafted posts, as outreach reads it."""
    at = datetime(2030, 1, 7, 9, 0)
    doc = tomlkit.document()
    doc.add("timezone", "Europe/Copenhagen")
    doc.add("report", {"title": f.title.value, "headline": "H", "url": url, "authors": ["A"], "abstract": "A.",
                       "key_arguments": ["K."]})
    doc.add("experts", [{"name": "N", "role": "R", "unit": "U", "phone": "1"}])
    table = tomlkit.aot()
    for i, post in enumerate(posts):
        entry = {"channel": post.channel, "at": at + timedelta(minutes=10 * i)}
        entry.update({"thread": list(post.parts), "numbered": post.numbered} if post.thread else {"text": post.parts[0]})
        table.append(tomlkit.item(entry))
    doc.add("posts", table)
    path = tmp_path / f"{slug}.toml"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path


def test_hostile_pages_draft_posts_validate_finds_no_length_problem_in(tmp_path: Path) -> None:
    url, slug = "https://example.org/reports/" + "long-path-" * 8, "some-report"
    posts = draft_posts(HOSTILE, CHANNELS, PostContext(url, slug, ("DIIS",)))
    assert [p.check for p in posts] == [None, None, None, None]
    checked = check(load_campaign(_campaign(tmp_path, HOSTILE, posts, url, slug)), Config(), now=datetime(2029, 1, 1, tzinfo=timezone.utc))
    assert not checked.errors, [str(e) for e in checked.errors]
    assert not [w for w in checked.warnings if "characters" in w.message], checked.warnings


def test_a_long_series_never_pushes_a_post_over_and_no_separator_is_left_dangling() -> None:
    f = facts(title="Soldier Defections", series="A very long series name " * 20, abstract=("The lead. More.",))
    x, mastodon, bluesky, linkedin = draft_posts(f, CHANNELS, CTX)
    assert mastodon.parts[0].startswith("New report: {{ report.title }}")  # not a series: the generic word
    assert linkedin.parts[0].startswith("The lead.\n\nNew report: {{ report.title }}")  # no headline: the abstract opens
    assert draft_email(f).subject == "New report: Soldier Defections"
    no_lead = draft_posts(facts(title="Soldier Defections", series="DIIS Report"), ["mastodon"], PostContext("https://o.org/r", "r"))[0]
    assert no_lead.parts[0] == "New DIIS Report: {{ report.title }}\n\n{{ report.url }}"


def test_separators_next_to_a_removed_segment_are_dropped() -> None:
    from outreach.draft.posts import Segment, render, source_of, tidy
    segments = [Segment("New"), Segment(": ", joiner=True), Segment(""), Segment("\n\n", joiner=True),
                Segment(""), Segment("\n\n", joiner=True), Segment("u", expr="report.url"), Segment("\n\n", joiner=True)]
    assert render(segments) == "New\n\nu" and source_of(segments) == "New\n\n{{ report.url }}"
    assert [s.text for s in tidy([Segment(": ", joiner=True), Segment("a")])] == ["a"]


def test_a_long_report_link_stays_in_the_bluesky_post_as_bluesky_shows_it() -> None:
    url = "https://inst.org/" + "a/" * 300
    ctx = PostContext(url, "some-report")
    posts = draft_posts(SAMPLE, CHANNELS, ctx)
    assert [p.check for p in posts] == [None, None, None, None]
    bluesky = next(p for p in posts if p.channel == "bluesky")
    assert "{{ report.url }}" in bluesky.parts[0] and not bluesky.image
    composed = PLATFORMS["bluesky"].compose(rendered(bluesky, SAMPLE, ctx)[0])
    (link,) = composed.links
    assert link.uri == with_utm(url, "bluesky", "social", "some-report")  # the facet opens the full address, UTM tags and all
    assert composed.text[link.start:link.end] == "inst.org/a/a/a/a/a/a/..."  # the path's first 13 characters
    assert PLATFORMS["bluesky"].length(composed.text) < 150
    (bare,) = draft_posts(merge(), ["bluesky"], PostContext(url, "r"))  # nothing from the page: the link alone
    assert bare.parts == ("{{ report.url }}",) and bare.check is None


def test_the_samples_bluesky_post_shows_its_link_short_and_counts_well_under_the_limit() -> None:
    (bluesky,) = draft_posts(SAMPLE, ["bluesky"], CTX)
    composed = PLATFORMS["bluesky"].compose(rendered(bluesky, SAMPLE)[0])
    assert "\nexample.org/CHECK-report...\n" in composed.text
    assert PLATFORMS["bluesky"].length(composed.text) < 150


def test_where_bluesky_would_show_a_link_whole_one_too_long_is_left_to_the_link_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PLATFORMS, "bluesky", replace(PLATFORMS["bluesky"], compose=plain_links))
    url = "https://inst.org/" + "a/" * 300
    by = {p.channel: p for p in draft_posts(SAMPLE, CHANNELS, PostContext(url, "some-report"))}
    assert by["x"].check is None and by["mastodon"].check is None  # links count 23 there
    bluesky = by["bluesky"]
    assert bluesky.check is not None and "Bluesky" in bluesky.check and "link card" in bluesky.check
    assert "report.url" not in bluesky.parts[0] and not bluesky.image  # no image: Bluesky shows the report's link card
    assert bluesky.parts[0].startswith("Defecting soldiers are a significant symbolic blow") and "#DIISReport" in bluesky.parts[0]
    assert all(p.check is None for p in draft_posts(SAMPLE, CHANNELS, CTX))
    (bare,) = draft_posts(merge(), ["bluesky"], PostContext(url, "r"))  # nothing from the page: fixed words, never empty
    assert bare.parts == ("New report",) and bare.check


def test_every_post_is_measured_on_the_text_as_its_platform_receives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for channel in CHANNELS:  # a platform that added 100 characters to every text it receives
        grown = replace(PLATFORMS[channel], compose=lambda text: plain_links(text + " " + "x" * 99))
        monkeypatch.setitem(PLATFORMS, channel, grown)
    for post in draft_posts(HOSTILE, CHANNELS, CTX):
        for text in rendered(post, HOSTILE):
            assert counted(post.channel, text) <= budget(post.channel), (post.channel, counted(post.channel, text))


def test_a_link_too_long_for_linkedin_is_kept_and_flagged_as_it_has_no_card_beside_the_cover() -> None:
    url = "https://inst.org/" + "a/" * 1400
    (linkedin,) = draft_posts(SAMPLE, ["linkedin"], PostContext(url, "r"))
    assert "{{ report.url }}" in linkedin.parts[0] and linkedin.image
    assert linkedin.check and "LinkedIn" in linkedin.check and "the report link alone counts" in linkedin.check


def test_a_page_with_a_very_long_canonical_address_drafts_a_campaign_that_validates(tmp_path: Path) -> None:
    from outreach.draft.run import draft_campaign

    url = "https://www.institute.org/reports/" + "-".join(f"segment{i}" for i in range(200))[:1766]
    assert 1_790 <= len(url) <= 1_810
    page = tmp_path / "long-address.html"
    page.write_text(
        f'<!doctype html><html lang="en"><head><title>Borders and trade</title><link rel="canonical" href="{url}">'
        '<meta property="og:title" content="Borders and trade"></head><body><article><h1>Borders and trade</h1>'
        "<p>This report examines how new border rules change the trade of small firms in the region, drawing on "
        "many interviews with traders.</p><p>The report finds that small firms lose most from the new rules, "
        "because they cannot pay for the paperwork.</p></article></body></html>", encoding="utf-8")
    result = draft_campaign(str(page), Config(), out=tmp_path / "campaigns", now=datetime(2030, 1, 7, 8, tzinfo=timezone.utc))
    assert result.url == url
    checked = check(load_campaign(result.path), Config(), now=datetime(2029, 1, 1, tzinfo=timezone.utc))
    assert not checked.errors, [str(e) for e in checked.errors]
    assert not [w for w in checked.warnings if "characters" in w.message], checked.warnings
    text = result.path.read_text(encoding="utf-8")
    posts = {p["channel"]: p for p in tomllib.loads(text)["posts"]}
    assert "{{ report.url }}" in posts["linkedin"]["text"]  # 1,800 characters: within LinkedIn's 3,000
    if measure("bluesky")(url) <= budget("bluesky"):  # Bluesky shows the link short: it stays in the post
        assert "{{ report.url }}" in posts["bluesky"]["text"] and "link card" not in text
    else:
        assert "link card" in text  # the Bluesky post's # CHECK: says why the link is not in it


def test_the_linkedin_hook_comes_before_the_feeds_fold() -> None:
    fold = PLATFORMS["linkedin"].feed_fold
    assert fold is not None

    def opening(headline: str) -> str:
        (post,) = draft_posts(facts(headline=headline, title="T"), ["linkedin"], CTX)
        return post.parts[0].split("\n\n")[0]

    sentence = "Soldiers who defect tell of moral concerns about the army's violence against civilians."
    assert opening(sentence + " Others tell of corruption and abuse inside the army. " + "And more words " * 10) == sentence
    assert opening("Short. Two sentences.") == "Short. Two sentences."
    cut = opening("word " * 100)
    assert len(cut) <= fold and cut.endswith("…") and cut.startswith("word word")


def test_linkedin_findings_are_one_line_each_and_go_with_their_heading() -> None:
    many = tuple(f"Finding {i} is stated plainly." for i in range(8))
    (post,) = draft_posts(facts(title="T", key_arguments=many), ["linkedin"], CTX)
    lines = post.parts[0].splitlines()
    start = lines.index("Key findings:")
    assert lines[start + 1: start + 8] == [f"• Finding {k} is stated plainly." for k in range(6)] + [""]
    (none,) = draft_posts(facts(title="T"), ["linkedin"], CTX)
    assert "Key findings" not in none.parts[0] and "•" not in none.parts[0]
    long = tuple(("Finding " + str(i) + " says ") * 40 for i in range(6))
    (short,) = draft_posts(facts(title="T", key_arguments=long), ["linkedin"], CTX)
    assert all(len(line) <= 2 + 240 for line in short.parts[0].splitlines() if line.startswith("• "))  # short lines
    for size in (1800, 2200, 2400, 2550):  # less and less room: the last findings go first, never the heading alone
        url = "https://inst.org/" + "a" * size
        (post,) = draft_posts(facts(title="T", key_arguments=long), ["linkedin"], PostContext(url, "r"))
        lines = post.parts[0].splitlines()
        assert post.check is None, post.check
        if "Key findings:" in lines:
            assert lines[lines.index("Key findings:") + 1].startswith("• Finding 0 says")
        assert not any(line.startswith("• ") for line in lines) or "Key findings:" in lines


def test_the_thread_numbering_is_counted() -> None:
    f = facts(key_arguments=tuple(f"Argument {i} " + "with many words " * 30 for i in range(6)), headline="H " * 200)
    x = draft_posts(f, ["x"], CTX)[0]
    assert x.numbered and len(x.parts) == 8
    for text in rendered(x, f):
        assert PLATFORMS["x"].length(text) <= 0.9 * 280, text
