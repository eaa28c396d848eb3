"""The preview's post cards as each platform's feed shows them (outreach.render.feed): links as followers see them,
the account, the image grid, the link card, LinkedIn's fold, the cut notes; every image a preview file or a data: URI.

Built against the platforms' facts (shown_link, feed_fold, page_card, link_card) and render.cards.report_card,
so the tests hold whatever each platform's own link display becomes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from PIL import Image

from outreach.campaign import load_campaign
from outreach.channels import registry
from outreach.channels.facts import LinkSpan
from outreach.channels.registry import facts
from outreach.config import Config
from outreach.preview import write_preview
from outreach.render.cards import report_card
from outreach.render.feed import CardKind, ImageSources, Kind, account, feed_post, fold, segments
from outreach.render.posts import RenderedPart, render_posts, report_url
from outreach.validate import check

NOW = "2026-11-24T12:00:00Z"
LINKEDIN_TEXT = (
    "Why do Myanmar’s soldiers defect after the 2021 coup, and why do most stay? An estimated 2,000 have left a "
    "300-350,000 strong army: few, but a significant symbolic blow to its coherence and legitimacy.\n\n"
    "What drives defection: moral outrage at the killing of civilians, and demoralisation.\n\n"
    "Read the new #DIIS report by Ah Lynn and {{ experts[0].name }}: {{ report.url }}\n\n#Myanmar #Research"
)


def linkedin_post(text: str = LINKEDIN_TEXT, extra: str = "") -> str:
    """A ``[[posts]]`` table for LinkedIn (the sample campaign has none yet)."""
    return f'\n[[posts]]\nchannel = "linkedin"\nat = 2027-01-12T11:00:00\n{extra}text = {json.dumps(text, ensure_ascii=False)}\n'


def with_posts(*tables: str):
    """An edit of the sample campaign that appends ``tables``."""
    return lambda text: text + "".join(tables)


def picture(folder: Path, name: str, colour: tuple[int, int, int], size: tuple[int, int] = (320, 180)) -> str:
    """A small PNG in the campaign folder."""
    Image.new("RGB", size, colour).save(folder / name)
    return name


def images_table(folder: Path, count: int) -> str:
    """``images = [...]`` with ``count`` distinct pictures, each with its own alt text."""
    entries = [f'{{ path = "{picture(folder, f"img{i}.png", (40 * i % 256, 90, 160))}", alt = "Picture {i} of {count}" }}'
               for i in range(1, count + 1)]
    return f"images = [{', '.join(entries)}]\n"


def preview(path: Path, out: Path, config: Config | None = None) -> Path:
    config = config or Config()
    with time_machine.travel(NOW, tick=False):
        checked = check(load_campaign(path), config)
    assert checked.ok, checked.errors
    return write_preview(checked, config, out).index


def feed_of(path: Path, config: Config | None = None) -> list:
    """Every post of the campaign at ``path`` as its feed shows it."""
    config = config or Config()
    campaign = load_campaign(path)
    posts, errors = render_posts(campaign)
    assert not errors
    return [feed_post(campaign, post, config, ImageSources()) for post in posts]


@pytest.fixture
def x_draws_cards(monkeypatch):
    """X with ``page_card`` set, whatever x_facts says today (X draws a card from the page's tags)."""
    monkeypatch.setitem(registry.PLATFORMS, "x", dataclasses.replace(registry.PLATFORMS["x"], page_card=True))


# --- links as followers see them -------------------------------------------------------

def test_links_are_shown_as_each_feed_shows_them_and_open_the_full_address(campaign_copy):
    path = campaign_copy(with_posts(linkedin_post()))
    campaign = load_campaign(path)
    rendered, _ = render_posts(campaign)
    for post, feed in zip(rendered, feed_of(path)):
        platform = facts(post.channel)
        for part, shown in zip(post.parts, feed.parts):
            links = shown.link_runs
            assert [s.href for s in links] == [span.uri for span in part.links], post.channel
            assert any(s.href == report_url(campaign, post.channel) for p in feed.parts for s in p.link_runs)
            for run, span in zip(links, part.links):
                written = part.text[span.start:span.end]
                # a link the platform already shortened in the text (Bluesky) shows as posted; any other as the feed shows it
                assert run.text == (platform.shown_link(span.uri) if written == span.uri else written)
            assert "".join(s.text for s in shown.shown + shown.folded if s.kind is not Kind.LINK) == \
                "".join(part.text[a:b] for a, b in _outside(part.links, len(part.text)))


def _outside(links, length: int) -> list[tuple[int, int]]:
    spans, last = [], 0
    for span in sorted(links, key=lambda s: s.start):
        spans.append((last, span.start))
        last = span.end
    return spans + [(last, length)]


def test_hashtags_are_their_own_runs():
    part = RenderedPart("New #DIIS report on #Myanmar_2021, not#this", 0, 300, "posts[0].text")
    runs = segments(part, str)
    assert [r.text for r in runs if r.kind is Kind.TAG] == ["#DIIS", "#Myanmar_2021"]
    assert "".join(r.text for r in runs) == part.text


@pytest.mark.parametrize("uri", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/x"])
def test_a_link_that_is_not_web_is_never_an_anchor(uri):
    text = f"see {uri} now"
    part = RenderedPart(text, 0, 300, "posts[0].text", (LinkSpan(4, 4 + len(uri), uri),))
    runs = segments(part, lambda u: u)
    assert all(r.href == "" for r in runs) and all(r.kind is not Kind.LINK for r in runs)
    assert "".join(r.text for r in runs) == text


def test_bad_spans_show_as_text_rather_than_break_the_card():
    text = "a https://example.org/x b"
    spans = (LinkSpan(2, 23, "https://example.org/x"), LinkSpan(5, 9, "https://overlap.example"),
             LinkSpan(20, 999, "https://out-of-range.example"), LinkSpan(3, 3, "https://empty.example"))
    runs = segments(RenderedPart(text, 0, 300, "f", spans), lambda u: "SHOWN")
    assert [r.href for r in runs if r.kind is Kind.LINK] == ["https://example.org/x"]
    assert "".join(r.text for r in runs) == "a SHOWN b"


# --- LinkedIn's fold -----------------------------------------------------------------------

def test_linkedin_folds_after_about_its_feed_fold_at_a_line_or_word_break(campaign_copy):
    feed = feed_of(campaign_copy(with_posts(linkedin_post())))[-1]
    assert feed.channel == "linkedin"
    [part] = feed.parts
    at = facts("linkedin").feed_fold
    assert at is not None and part.cut is not None
    shown = "".join(s.text for s in part.shown)
    assert 0.75 * at < len(shown) <= at
    assert shown == part.text[:part.cut] and shown.endswith("legitimacy.")  # the paragraph ends before the fold
    assert "".join(s.text for s in part.folded) == part.text[part.cut:]
    assert any(f"first {part.cut} characters" in note and "see more" in note for note in feed.notes)


@pytest.mark.parametrize("text, expect", [
    ("word " * 60, "word " * 42),  # the last white space at or before 210
    ("x" * 300, "x" * 210),  # no white space: cut at the fold
    ("short text", None),  # under the fold: shown whole
])
def test_fold_positions(text, expect):
    runs = segments(RenderedPart(text, 0, 3000, "f"), str)
    shown, folded, cut = fold(runs, 210)
    if expect is None:
        assert (shown, folded, cut) == (runs, (), None)
        return
    assert "".join(s.text for s in shown) == expect.rstrip()
    assert cut == len(expect.rstrip()) and "".join(s.text for s in shown + folded) == text


def test_fold_never_cuts_a_link_or_a_hashtag():
    url = "https://example.org/" + "r" * 100
    text = "a" * 150 + " " + url + " tail #Tag" + " more" * 20
    runs = segments(RenderedPart(text, 0, 3000, "f", (LinkSpan(151, 151 + len(url), url),)), lambda u: u)
    shown, folded, cut = fold(runs, 210)
    assert [r.kind for r in folded if r.kind is Kind.LINK] == [Kind.LINK] and all(r.kind is Kind.TEXT for r in shown)
    assert cut == 150 and text[:cut] == "a" * 150
    for at in range(160, 290):  # wherever the fold falls, a hashtag or link is whole on one side
        shown, folded, _ = fold(runs, at)
        assert all(r.text in (url, "#Tag") for r in shown + folded if r.kind is not Kind.TEXT)


def test_a_link_longer_than_the_fold_at_the_start_is_shown_whole():
    url = "https://example.org/" + "r" * 300
    text = url + " and then some words"
    runs = segments(RenderedPart(text, 0, 3000, "f", (LinkSpan(0, len(url), url),)), lambda u: u)
    shown, folded, cut = fold(runs, 210)
    assert [(r.kind, r.href) for r in shown] == [(Kind.LINK, url)] and cut == len(url)
    assert "".join(r.text for r in folded) == " and then some words"


def test_no_fold_where_the_platform_has_none(campaign_copy):
    for feed in feed_of(campaign_copy()):
        if facts(feed.channel).feed_fold is None:
            assert all(p.cut is None and p.folded == () for p in feed.parts)
    notes = {f.channel: f.notes for f in feed_of(campaign_copy())}
    assert any("thread" in n for n in notes["x"])
    assert notes["bluesky"] == ("Bluesky's feed shows the whole text: nothing is cut.",)


# --- the account ---------------------------------------------------------------------------

def test_account_from_config_and_placeholders_when_unset():
    config = Config.model_validate({"x": {"account_name": "DIIS", "account_handle": "@diis_dk"},
                                    "mastodon": {"account_handle": "diis@mastodon.social"},
                                    "linkedin": {"account_name": "DIIS – Danish Institute", "account_handle": "Think tank · 12k followers"}})
    assert account(config, "x") == account(config, "x").__class__("DIIS", "@diis_dk", "")
    mastodon = account(config, "mastodon")
    assert mastodon.handle == "@diis@mastodon.social" and mastodon.name == "DIIS Research" and mastodon.missing == "[mastodon] account_name"
    assert account(config, "linkedin").handle == "Think tank · 12k followers"
    bluesky = account(config, "bluesky")
    assert bluesky.missing == "[bluesky] account_name, account_handle" and bluesky.handle == "@handle"


def test_a_hostile_account_name_is_one_short_line():
    config = Config.model_validate({"x": {"account_name": "A\u202eB\n<script>x</script>" + "w" * 500, "account_handle": "a b\tc"}})
    got = account(config, "x")
    assert "\n" not in got.name and "\u202e" not in got.name and len(got.name) <= 60
    assert got.handle == "@abc"


# --- images and cards ------------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_images_fill_the_grid_with_alt_text(campaign_copy, count):
    def edit(text: str) -> str:
        return text.replace('channel = "mastodon"\nat = 2027-01-12T10:00:00\nimage = "cover"\n',
                            f'channel = "mastodon"\nat = 2027-01-12T10:00:00\n{images_table(folder, count)}')
    folder = campaign_copy().parent
    path = campaign_copy(edit)
    [mastodon] = [f for f in feed_of(path) if f.channel == "mastodon"]
    first = mastodon.parts[0]
    assert first.grid == count and first.more_images == 0 and first.card is None
    assert [i.alt for i in first.images] == [f"Picture {i} of {count}" for i in range(1, count + 1)]
    assert all(i.src.startswith("data:image/png;base64,") for i in first.images)  # no preview files named: inline


def test_more_images_than_the_grid_show_a_count(campaign_copy):
    if facts("linkedin").max_images < 6:
        pytest.skip("LinkedIn takes fewer than six images")
    folder = campaign_copy().parent
    path = campaign_copy(with_posts(linkedin_post(extra=images_table(folder, 6))))
    part = feed_of(path)[-1].parts[0]
    assert part.grid == 4 and part.more_images == 2 and part.card is None
    assert len(feed_of(path)[-1].alts) == 6


def test_sent_cards_are_report_card(campaign_copy):
    path = campaign_copy(with_posts(linkedin_post()))
    campaign = load_campaign(path)
    for feed in feed_of(path):
        if not facts(feed.channel).link_card:
            continue
        sent = report_card(campaign, feed.channel)
        card = feed.parts[0].card
        assert card is not None and card.kind is CardKind.SENT
        assert (card.uri, card.title, card.description) == (sent.uri, sent.title, sent.description)
        assert card.thumb is not None and card.thumb.alt == sent.thumb.alt
        assert card.thumb.src.startswith("data:image/")
        assert all(p.card is None for p in feed.parts[1:])
        assert feed.alts == () and feed.card_images == (card.thumb,)  # not the post's images: a card may send no alt text


def test_x_draws_a_page_card_only_on_a_part_with_the_report_link_and_no_image(campaign_copy, x_draws_cards):
    path = campaign_copy()
    [x] = [f for f in feed_of(path) if f.channel == "x"]
    cards = [p.card for p in x.parts]
    assert cards[0] is None, "the first part carries the cover: no card"
    assert cards[1] is None and cards[2] is None, "no link, no card"
    card = cards[3]
    assert card is not None and card.kind is CardKind.PAGE and card.host == "example.org"
    assert card.title == load_campaign(path).report.title and card.thumb is not None


def test_no_page_card_where_the_platform_draws_none(campaign_copy, monkeypatch):
    monkeypatch.setitem(registry.PLATFORMS, "x", dataclasses.replace(registry.PLATFORMS["x"], page_card=False))
    [x] = [f for f in feed_of(campaign_copy()) if f.channel == "x"]
    assert all(p.card is None for p in x.parts)


def test_image_sources_refuse_what_is_not_an_image():
    sources = ImageSources({})
    assert sources.src(b"<svg onload=alert(1)>") is None
    assert sources.src(b"GIF89a-not-really") is None
    bmp = io.BytesIO()
    Image.new("RGB", (4, 4)).save(bmp, "BMP")
    assert sources.src(bmp.getvalue()) is None  # an image, but not one a feed or this page shows
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    assert sources.src(png.getvalue()).startswith("data:image/png;base64,")
    assert ImageSources({hashlib.sha256(png.getvalue()).hexdigest(): "images/01-x.png"}).src(png.getvalue()) == "images/01-x.png"


# --- the page ------------------------------------------------------------------------------------

class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []
        self.titles: list[str] = []
        self.anchors: list[tuple[str, str]] = []
        self._href: str | None = None
        self.scripts = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.scripts += tag == "script"
        self.handlers += [f"{tag} {k}" for k, v in attrs if k.startswith("on") or (v or "").strip().lower().startswith("javascript:")]
        if tag == "img":
            self.srcs.append(a.get("src") or "")
            self.titles.append(a.get("title") or "")
        if tag == "a":
            self._href = a.get("href") or ""
            self.anchors.append((self._href, ""))

    def handle_data(self, data):
        if self._href is not None and self.anchors:
            href, text = self.anchors[-1]
            self.anchors[-1] = (href, text + data)

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None


def test_every_image_on_the_page_is_a_preview_file_or_a_data_uri(campaign_copy, tmp_path, x_draws_cards):
    path = campaign_copy(with_posts(linkedin_post()))
    index = preview(path, tmp_path / "pv")
    page = index.read_text(encoding="utf-8")
    parsed = _Images()
    parsed.feed(page)
    files = {p.relative_to(index.parent).as_posix() for p in index.parent.rglob("*") if p.is_file()}
    assert len(parsed.srcs) >= 5  # X's cover and its page card, Mastodon's cover, Bluesky's and LinkedIn's thumbnails
    for src in parsed.srcs:
        assert src in files or re.fullmatch(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+", src), src[:80]
    assert all(parsed.titles), "alt text on hover"
    assert parsed.scripts == 0 and parsed.handlers == []


def test_the_page_shows_links_as_the_feed_does_and_the_text_as_posted(campaign_copy, tmp_path):
    path = campaign_copy(with_posts(linkedin_post()))
    index = preview(path, tmp_path / "pv")
    page = index.read_text(encoding="utf-8")
    parsed = _Images()
    parsed.feed(page)
    campaign = load_campaign(path)
    for channel in ("x", "mastodon", "bluesky", "linkedin"):
        full = report_url(campaign, channel)
        shown = [text for href, text in parsed.anchors if href == full and "card" not in text]
        assert shown, channel
    posts = json.loads((index.parent / "posts.json").read_text(encoding="utf-8"))
    from html import escape
    for post in posts:
        for part in post["parts"]:
            assert escape(part["text"], quote=False) in page or "feed folds here" in page
            assert f"{part['length']} / {part['limit']} characters" in page
    assert "<details class=\"fold\"><summary>…see more</summary>" in page
    assert "✂ feed folds here" in page
    assert page.count("The name and handle below are placeholders") == len(posts)


def test_hostile_post_text_stays_text(campaign_copy, tmp_path):
    evil = '<img src=x onerror=alert(1)> "quoted" https://example.org/a"onmouseover="alert(1) #tag'
    index = preview(campaign_copy(with_posts(linkedin_post(evil))), tmp_path / "pv")
    parsed = _Images()
    parsed.feed(index.read_text(encoding="utf-8"))
    assert parsed.scripts == 0 and parsed.handlers == [] and "x" not in parsed.srcs
    shown = facts("linkedin").shown_link("https://example.org/a")
    assert ("https://example.org/a", shown) in parsed.anchors  # the link ends at the quote


def test_a_post_over_its_limit_says_so(campaign_copy):
    long_text = "Why do soldiers defect? " * 20
    path = campaign_copy(lambda t: t.replace("Why do Myanmar’s soldiers defect, and why do most stay?", long_text))
    [bluesky] = [f for f in feed_of(path) if f.channel == "bluesky"]
    over = bluesky.parts[0].length - bluesky.parts[0].limit
    assert over > 0 and f"over Bluesky's limit by {over}: it is refused." in bluesky.notes


def test_cards_with_inline_thumbnails_are_byte_identical_across_runs(campaign_copy, tmp_path):
    path = campaign_copy(lambda t: t.replace('image = "cover"\n', ""))  # no copied image: every card image is a data: URI
    first = preview(path, tmp_path / "a").read_bytes()
    second = preview(path, tmp_path / "b").read_bytes()
    assert first == second
    assert not (tmp_path / "a" / "images").exists() and b'class="thumb" src="data:image/' in first
