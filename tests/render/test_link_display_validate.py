"""validate checks what the Bluesky lexicons refuse before anything is posted: the link card (its thumbnail, its
address) and the post record (text bytes, link addresses), each as one located line; short links still warn when
they are not https."""

from __future__ import annotations

import pytest

from outreach.campaign import load_campaign
from outreach.channels.thumbnail import ThumbnailError
from outreach.validate import check
from tests.channels.test_thumbnail import noise_png
from tests.helpers import replace_once

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # one grapheme, 25 bytes


def checked(campaign_copy, db_config, edit=None):
    return check(load_campaign(campaign_copy(edit)), db_config)


def test_the_sample_passes_the_lexicon_checks(campaign_copy, db_config):
    result = checked(campaign_copy, db_config)
    assert result.errors == []


def test_a_bluesky_text_over_3000_bytes_is_an_error_though_under_300_graphemes(campaign_copy, db_config):
    result = checked(campaign_copy, db_config, replace_once("drawing on defectors’ own voices.", FAMILY * 150))
    [error] = [e for e in result.errors if "bytes of UTF-8" in str(e)]
    assert error.field == "posts[2].text" and error.line and "at most 3,000 bytes" in str(error)
    assert not [e for e in result.errors if "graphemes" in str(e) or "over by" in str(e)], "the grapheme count itself is fine"


def test_a_cover_that_cannot_be_a_thumbnail_is_one_error_on_the_cover(campaign_copy, db_config, monkeypatch):
    def refuse(*args):
        raise ThumbnailError("cannot be made smaller than 1,000,000 bytes")
    monkeypatch.setattr("outreach.render.cards.fit", refuse)
    result = checked(campaign_copy, db_config, replace_once('channel = "mastodon"\nat = 2027-01-12T10:00:00\nimage = "cover"',
                                                                  'channel = "bluesky"\nat = 2027-01-12T10:00:00'))
    errors = [e for e in result.errors if e.field == "report.cover.image" and "Bluesky card thumbnail" in str(e)]
    assert len(errors) == 1 and errors[0].line, result.errors  # two Bluesky posts, one cover: one error


def test_a_big_cover_is_fitted_not_refused(campaign_copy, db_config, tmp_path):
    path = campaign_copy()
    (path.parent / "soldier-defections-myanmar-cover.png").write_bytes(noise_png(1000, 1000))
    result = check(load_campaign(path), db_config)
    assert not [e for e in result.errors if "report.cover" in e.field and "Bluesky" in str(e)], result.errors


def test_a_card_address_with_white_space_is_an_error_on_the_report_url(campaign_copy, db_config):
    result = checked(campaign_copy, db_config, replace_once("url = \"https://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar\"",
                                                            "url = \"https://example.org/PLACEHOLDER report\u3000url\""))
    assert any(e.field == "report.url" and "not a URI" in str(e) for e in result.errors), result.errors


def test_a_short_bluesky_link_still_warns_when_it_is_not_https(campaign_copy, db_config):
    result = checked(campaign_copy, db_config, replace_once("drawing on defectors’ own voices.", "see http://plain.example.org/x."))
    assert any("non-https link: http://plain.example.org/x" in str(w) and w.field == "posts[2].text" for w in result.warnings)
