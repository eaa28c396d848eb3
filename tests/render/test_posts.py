"""Per-channel post rendering: counts, UTM links, threads, data-not-code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from outreach.campaign import load_campaign
from outreach.render.posts import bluesky_length, mastodon_length, render_post, render_posts, x_length
from tests.helpers import replace_once


def test_mastodon_counts_every_url_as_23():
    long_url = "https://example.org/" + "a" * 200
    assert mastodon_length(f"Read {long_url} now") == len("Read ") + 23 + len(" now")
    assert mastodon_length("see http://x.co") == 4 + 23


def test_mastodon_counts_remote_mentions_by_local_part():
    assert mastodon_length("hi @diis@mastodon.social") == len("hi @diis")


def test_bluesky_counts_graphemes_not_code_points():
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one grapheme, five code points
    # "Myanmar" in Burmese: UAX #29 keeps U+102C (vowel sign AA) out of SpacingMark,
    # so it is its own cluster: 4, as Intl.Segmenter (what Bluesky uses) says too.
    burmese = "\u1019\u103C\u1014\u103A\u1019\u102C"
    assert bluesky_length(family) == 1
    assert bluesky_length(burmese) == 4
    assert bluesky_length("Søren Ærø") == 9


def test_x_weights_cjk_and_emoji_double():
    assert x_length("abc") == 3
    assert x_length("故人") == 4
    assert x_length("\U0001F431") == 2
    assert x_length("https://example.org/" + "a" * 100) == 23


@pytest.fixture
def sample(campaign_copy):
    return load_campaign(campaign_copy())


def test_each_channel_gets_its_own_utm_tags(sample):
    posts, errors = render_posts(sample)
    assert errors == []
    for post in posts:
        url = next(link.uri for p in post.parts for link in p.links if link.uri.startswith("https://example.org/"))
        query = parse_qs(urlsplit(url).query)
        assert query["utm_source"] == [post.channel]
        assert query["utm_medium"] == ["social"]
        assert query["utm_campaign"] == [sample.slug]


def test_thread_parts_are_numbered_only_when_asked(campaign_copy):
    numbered = load_campaign(campaign_copy())
    post = render_post(numbered, numbered.posts[0], 0)
    assert [p.text.rsplit("\n", 1)[-1] for p in post.parts] == ["1/4", "2/4", "3/4", "4/4"]
    plain = load_campaign(campaign_copy(replace_once("numbered = true\n", "")))
    post = render_post(plain, plain.posts[0], 0)
    assert not any(p.text.endswith("/4") for p in post.parts)
    assert post.parts[0].length == x_length(post.parts[0].text)


def test_template_syntax_in_campaign_data_is_not_evaluated(campaign_copy):
    path = campaign_copy(replace_once('title = "Soldier Defections in Myanmar"', 'title = "Soldier {{ 7 * 7 }} Defections"'))
    campaign = load_campaign(path)
    post = render_post(campaign, campaign.posts[1], 1)
    assert "Soldier {{ 7 * 7 }} Defections" in post.parts[0].text
    assert "49" not in post.parts[0].text


def test_cover_image_carries_alt_text(sample):
    post = render_post(sample, sample.posts[1], 1)  # the Mastodon post carries the cover
    assert len(post.images) == 1
    assert post.images[0].alt.startswith("Report cover:")
    assert post.images[0].path.is_file()
