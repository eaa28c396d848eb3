"""The link card's thumbnail made to fit the platform's byte limit: same bytes in, same bytes out; hostile images refused
in one line; and the card itself (title, the abstract's first sentence, the fitted cover under a name that says its type)."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from outreach.campaign import load_campaign
from outreach.channels import thumbnail
from outreach.channels.thumbnail import MAX_SIDE, ThumbnailError, fit
from outreach.errors import CampaignError
from outreach.render.cards import DESCRIPTION_MAX, card_description, report_card
from tests.helpers import replace_once

LIMIT = 1_000_000


def noise_png(width: int, height: int, mode: str = "RGB", seed: int = 16) -> bytes:
    """A PNG of random pixels: it barely compresses, so its size is about width × height × channels."""
    rng = random.Random(seed)
    image = Image.frombytes(mode, (width, height), rng.randbytes(width * height * len(mode)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_cache(monkeypatch):
    monkeypatch.setattr(thumbnail, "_CACHE", {})


def test_a_3_mb_cover_becomes_a_thumbnail_under_the_limit_the_same_every_time():
    big = noise_png(1000, 1000)
    assert len(big) > 3_000_000
    first = fit(big, LIMIT)
    thumbnail._CACHE.clear()
    second = fit(big, LIMIT)
    assert len(first.data) <= LIMIT and first.kind == "JPEG" and first.suffix == ".jpg" and first.changed
    assert first.data == second.data, "deterministic: the preview and the post send the same bytes"
    assert Image.open(io.BytesIO(first.data)).format == "JPEG"


def test_an_image_that_fits_is_sent_as_it_is():
    small = noise_png(100, 80)
    fitted = fit(small, LIMIT)
    assert fitted.data == small and not fitted.changed and fitted.kind == "PNG"


def test_a_transparent_image_is_flattened_over_white_when_it_must_be_jpeg():
    fitted = fit(noise_png(900, 900, "RGBA"), LIMIT)
    assert len(fitted.data) <= LIMIT
    assert Image.open(io.BytesIO(fitted.data)).mode in ("RGB", "RGBA")


def test_a_very_large_picture_is_at_most_2000_pixels_on_its_longer_side():
    wide = Image.new("RGB", (4000, 1000), "#1f4e3d")
    out = io.BytesIO()
    wide.save(out, format="PNG")
    fitted = fit(out.getvalue(), LIMIT)
    assert max(Image.open(io.BytesIO(fitted.data)).size) == MAX_SIDE


def test_a_format_the_platform_does_not_take_is_re_encoded():
    out = io.BytesIO()
    Image.new("RGB", (50, 50), "red").save(out, format="WEBP")
    fitted = fit(out.getvalue(), LIMIT, ("PNG", "JPEG"))
    assert fitted.kind in ("PNG", "JPEG") and fitted.changed


def _bomb() -> bytes:
    """A PNG header claiming 100,000 × 100,000 pixels (no pixel data worth decoding)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data, words", [
    (b"not an image at all", "cannot be read"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cannot be read"),
    (_bomb(), "too large"),
])
def test_a_hostile_image_is_one_line_never_a_traceback(data, words):
    with pytest.raises(ThumbnailError) as caught:
        fit(data, LIMIT)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_an_image_that_cannot_fit_says_so():
    with pytest.raises(ThumbnailError, match="cannot be made smaller than 100 bytes"):
        fit(noise_png(300, 300), 100)


@pytest.fixture
def sample(campaign_copy):
    return load_campaign(campaign_copy())


def test_the_card_is_the_reports_title_first_sentence_and_cover(sample):
    card = report_card(sample, "bluesky")
    assert card.title == "Soldier Defections in Myanmar"
    assert card.description == ("Since Myanmar’s military leaders staged a coup on 1 February 2021, an estimated 2,000 soldiers "
                                "have defected and joined the ‘people’s side’ in opposing military rule.")
    assert "utm_source=bluesky" in card.uri
    assert card.thumb.path.name == "soldier-defections-myanmar-cover.png", "a cover that fits keeps its name and bytes"
    assert card.thumb.read() == (sample.folder / "soldier-defections-myanmar-cover.png").read_bytes()
    assert report_card(sample, "x") is None and report_card(sample, "mastodon") is None


def test_a_3_mb_cover_gives_a_card_thumbnail_named_for_its_type(sample):
    (sample.folder / "soldier-defections-myanmar-cover.png").write_bytes(noise_png(1000, 1000))
    card = report_card(sample, "bluesky")
    assert card.thumb.path.name == "soldier-defections-myanmar-cover-card.jpg" and card.thumb.mime == "image/jpeg"
    assert len(card.thumb.read()) <= LIMIT
    assert card.thumb.alt.startswith("Report cover:")


def test_a_cover_that_cannot_be_a_thumbnail_is_a_located_error(sample, monkeypatch):
    monkeypatch.setattr("outreach.render.cards.fit", lambda *a: (_ for _ in ()).throw(ThumbnailError("cannot be made smaller")))
    with pytest.raises(CampaignError) as caught:
        report_card(sample, "bluesky")
    assert caught.value.field == "report.cover.image" and "Bluesky card thumbnail" in str(caught.value)


def test_the_description_falls_back_and_is_cut_at_a_word(campaign_copy):
    long_sentence = " ".join(["word"] * 200) + "."
    campaign = load_campaign(campaign_copy(replace_once("Since Myanmar’s military leaders staged a coup", long_sentence + " Since")))
    description = card_description(campaign)
    assert description.endswith("word…") and len(description) <= DESCRIPTION_MAX
    empty = load_campaign(campaign_copy(lambda t: t[:t.index('abstract = """')] + 'abstract = " "\n' + t[t.index("key_arguments"):]))
    assert card_description(empty) == "Motivations and obstacles following the 2021 military coup"
