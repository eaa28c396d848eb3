"""The reviewable pieces of a rendered campaign (outreach.review.pieces): what is kept with every version."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

from PIL import Image

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.review.pieces import THUMB_SIZE, ImagePiece, RenderedPieces, image_piece, pieces_of
from outreach.validate import check

from tests.helpers import replace_once


def _pieces(path: Path, config: Config) -> RenderedPieces:
    checked = check(load_campaign(path), config)
    assert not checked.errors, checked.errors
    return pieces_of(checked.plan, config)


def test_the_sample_campaign_has_every_piece_a_reviewer_reads(campaign_copy, config: Config) -> None:
    path = campaign_copy()
    pieces = _pieces(path, config)
    assert list(pieces.texts) == ["email subject", "email preheader", "email text", "email audience", "posts[0]", "posts[1]", "posts[2]", "posts[3]"]
    assert pieces.texts["email subject"] == "New DIIS report: why Myanmar’s soldiers defect, and why most stay"
    assert pieces.texts["email audience"] == "research subscribers"
    assert "Why do most stay?" in pieces.texts["posts[0]"] and "\n\n2/4\n\n" in pieces.texts["posts[0]"], "a thread's parts, in order"
    assert pieces.times == {"email": "2027-01-12 09:00 Europe/Copenhagen", "posts[0]": "2027-01-12 09:30 Europe/Copenhagen",
                            "posts[1]": "2027-01-12 10:00 Europe/Copenhagen", "posts[2]": "2027-01-12 10:00 Europe/Copenhagen",
                            "posts[3]": "2027-01-12 11:00 Europe/Copenhagen"}
    assert set(pieces.images) == {"cover image", "posts[0] image 1", "posts[1] image 1"}
    cover = path.parent / "soldier-defections-myanmar-cover.png"
    assert pieces.images["cover image"].sha256 == hashlib.sha256(cover.read_bytes()).hexdigest()
    assert pieces.images["cover image"].alt.startswith("Report cover: the title")


def test_a_changed_word_changes_only_its_piece(campaign_copy, config: Config) -> None:
    path = campaign_copy()
    before = _pieces(path, config)
    path.write_text(replace_once("Why do most stay?", "Why do many stay?")(path.read_text(encoding="utf-8")), encoding="utf-8")
    after = _pieces(path, config)
    changed = [name for name in before.texts if before.texts[name] != after.texts[name]]
    assert changed == ["posts[0]"]


def test_thumbnails_are_small_pngs(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    Image.new("RGB", (1600, 900), (10, 120, 60)).save(big)
    piece = image_piece(big, "alt")
    assert piece.sha256 == hashlib.sha256(big.read_bytes()).hexdigest() and piece.alt == "alt"
    with Image.open(io.BytesIO(base64.b64decode(piece.thumbnail))) as thumb:
        assert thumb.format == "PNG" and thumb.width <= THUMB_SIZE[0] and thumb.height <= THUMB_SIZE[1]
        assert thumb.size == (240, 135), "the aspect ratio is kept"
    assert piece.data_uri() == f"data:image/png;base64,{piece.thumbnail}"


def test_an_image_in_a_mode_png_cannot_hold_gets_a_thumbnail_too(tmp_path: Path) -> None:
    cmyk = tmp_path / "print.jpg"  # a print-ready CMYK JPEG: PNG has no CMYK, so the thumbnail is converted
    Image.new("CMYK", (50, 50), (0, 80, 80, 10)).save(cmyk)
    piece = image_piece(cmyk)
    with Image.open(io.BytesIO(base64.b64decode(piece.thumbnail))) as thumb:
        assert thumb.format == "PNG" and thumb.size == (50, 50)


def test_an_unreadable_or_missing_image_has_a_hash_but_no_thumbnail(tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    piece = image_piece(junk)
    assert piece.sha256 == hashlib.sha256(b"not an image").hexdigest() and piece.thumbnail == "" and piece.data_uri() is None
    gone = image_piece(tmp_path / "gone.png", "alt")
    assert gone == ImagePiece("missing", "alt")


def test_pieces_survive_their_json(campaign_copy, config: Config) -> None:
    pieces = _pieces(campaign_copy(), config)
    assert RenderedPieces.from_json(pieces.to_json()) == pieces


def test_a_campaign_without_email_has_only_posts(campaign_copy, config: Config) -> None:
    def drop_email(text: str) -> str:
        start = text.index("[email]")
        end = text.index("[[posts]]")
        return text[:start] + text[end:]

    pieces = _pieces(campaign_copy(drop_email), config)
    assert not [name for name in pieces.texts if name.startswith("email")]
    assert "cover image" not in pieces.images and "email" not in pieces.times
    assert "posts[0]" in pieces.texts
