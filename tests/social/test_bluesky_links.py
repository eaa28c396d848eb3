"""Bluesky over real HTTP: links posted as the app's short text with the full address in the facet, the link card's
thumbnail fitted under the blob limit, and the emulator refusing what the lexicons refuse."""

from __future__ import annotations

import pytest

from outreach.campaign import load_campaign
from outreach.channels import channel_for
from outreach.channels.base import LinkCard, Media, OutgoingPart
from outreach.channels.bluesky_facts import short_url
from outreach.channels.web_url import parse
from outreach.errors import Rejected
from outreach.plan import build_plan
from outreach.posting import post_step
from outreach.render.posts import report_url
from tests.channels.test_thumbnail import noise_png
from tests.helpers import replace_once

FAST = (0.01, 0.01)
HOSTILE_LINKS = ("https://bücher.example/ä?q=1 https://example.org:8443/x https://example.org/?q=" + "z" * 300 +
                 " https://example.org https://evil.com@good.org/")


@pytest.fixture
def publish(campaign_copy, social_config, bluesky_api):
    """Post the sample's Bluesky step (optionally edited); return the records the emulator holds."""
    def run(edit=None, before=None):
        path = campaign_copy(edit)
        if before:
            before(path.parent)
        plan = build_plan(load_campaign(path), social_config)
        step = next(s for s in plan.steps if s.channel == "bluesky")
        result = post_step(social_config, plan, step, retry_waits=FAST)
        assert result.done, result
        return plan.campaign, [r["record"] for r in bluesky_api.records.values()]
    return run


def links_of(record: dict) -> list[tuple[str, str]]:
    """(visible text, uri) of each link facet."""
    data = record["text"].encode("utf-8")
    return [(data[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode(), f["features"][0]["uri"])
            for f in record["facets"] if f["features"][0]["$type"] == "app.bsky.richtext.facet#link"]


def test_the_sample_posts_its_link_short_with_the_full_address_in_the_facet(publish, bluesky_api):
    campaign, [record] = publish()
    assert links_of(record) == [("example.org/PLACEHOLDER-...", report_url(campaign, "bluesky"))]
    assert "utm_source=bluesky" in links_of(record)[0][1]
    assert len(record["text"]) < 200, "well under 300 graphemes"
    external = record["embed"]["external"]
    assert external["title"] == campaign.report.title and external["description"].startswith("Since Myanmar’s military leaders")
    assert bluesky_api.blobs[external["thumb"]["ref"]["$link"]]["mime"] == "image/png"


def test_hostile_links_show_their_real_host_and_open_the_full_address(publish):
    _, [record] = publish(replace_once("drawing on defectors’ own voices.", "drawing on defectors’ own voices. " + HOSTILE_LINKS))
    found = links_of(record)
    assert [uri for _, uri in found][:5] == HOSTILE_LINKS.split()
    for shown, uri in found:
        assert shown == short_url(uri)
        assert parse("https://" + shown).hostname == parse(uri).hostname, (shown, uri)  # the app's linkRequiresWarning
    assert [shown for shown, _ in found][:5] == ["xn--bcher-kva.example/%C3%A4?q=1", "example.org:8443/x", "example.org?q=zzzzzzzzzz...",
                                                 "example.org", "good.org"]


def test_a_3_mb_cover_is_posted_as_a_thumbnail_under_the_blob_limit(publish, bluesky_api):
    _, [record] = publish(before=lambda folder: (folder / "soldier-defections-myanmar-cover.png").write_bytes(noise_png(1000, 1000)))
    thumb = record["embed"]["external"]["thumb"]
    stored = bluesky_api.blobs[thumb["ref"]["$link"]]
    assert stored["mime"] == "image/jpeg" and stored["size"] <= 1_000_000 and thumb["size"] == stored["size"]


@pytest.fixture
def channel(social_config, bluesky_api):
    return channel_for(social_config, "bluesky")


def part(text: str, **more) -> OutgoingPart:
    return OutgoingPart("c", 1, 1, 1, text, **more)


@pytest.mark.parametrize("text, words", [
    ("\U0001F468\u200D\U0001F469\u200D\U0001F467" * 200, "longer than 3000"),  # 200 graphemes, 3,600 bytes
    ("x" * 301, "longer than 300 graphemes"),
])
def test_the_emulator_refuses_a_text_over_the_lexicon(channel, bluesky_api, text, words):
    with pytest.raises(Rejected, match=words):
        channel.publish(part(text), None, None)
    assert not bluesky_api.records


def test_the_emulator_refuses_a_thumbnail_over_a_million_bytes(channel, bluesky_api, tmp_path):
    big = Media(tmp_path / "cover.png", "alt", content=noise_png(700, 700))
    card = LinkCard("https://example.org/r", "Title", "Description", big)
    with pytest.raises(Rejected, match="too large"):
        channel.publish(part("text", card=card), None, None)
    assert not bluesky_api.records


def test_the_emulator_refuses_a_card_whose_uri_is_not_a_uri(channel, bluesky_api):
    card = LinkCard("https://example.org/a b", "Title", "Description")
    with pytest.raises(Rejected, match="must be a uri"):
        channel.publish(part("text", card=card), None, None)


def test_a_tag_longer_than_the_lexicon_allows_gets_no_facet(channel, bluesky_api):
    long_tag = "#" + "a" * 65
    channel.publish(part(f"{long_tag} and #ok"), None, None)
    [record] = [r["record"] for r in bluesky_api.records.values()]
    assert [f["features"][0]["tag"] for f in record["facets"]] == ["ok"]
