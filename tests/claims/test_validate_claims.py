"""README: `validate` rejects unsupported or oversized images and over-long alt text per platform, and warns about a
local time that a DST change makes ambiguous."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from PIL import Image

# The platforms' own limits (X media upload, Mastodon's default instance config, Bluesky's blob and alt limits).
MAX_BYTES = {"x": 5_000_000, "mastodon": 16_000_000, "bluesky": 1_000_000}
MAX_ALT = {"x": 1000, "mastodon": 1500, "bluesky": 2000}
FIELD = {"x": "posts[0]", "mastodon": "posts[1]", "bluesky": "posts[2]"}


def with_image(channel: str, name: str, alt: str):
    """An edit adding ``images = [{ path = name, alt = alt }]`` to the sample's post on ``channel``."""
    def edit(text: str) -> str:
        pattern = rf'(channel = "{channel}"\nat = [0-9T:-]+\n)'
        assert re.search(pattern, text)
        return re.sub(pattern, lambda m: m.group(1) + f"images = [{{ path = \"{name}\", alt = {json.dumps(alt)} }}]\n", text, count=1)
    return edit


def png_of_size(path: Path, target: int) -> int:
    """An uncompressed noise PNG of about ``target`` bytes; returns its real size."""
    side = int(((12 * target) ** 0.5 - 1) / 6)  # side * (3 * side + 1) ≈ target
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, format="PNG", compress_level=0)
    return path.stat().st_size


def _validate(cli, path, *extra):
    result = cli("validate", path, *extra)
    return result.code, result.out + result.err


# Breaks if: validate._check_image stops comparing the file size with the channel's cap, or a channel's cap is wrong
# (e.g. Bluesky given X's 5 MB).
@pytest.mark.parametrize("channel", ["x", "mastodon", "bluesky"])
def test_an_image_over_the_platforms_size_limit_is_an_error(cli, campaign_copy, channel):
    path = campaign_copy(with_image(channel, "big.png", "Noise"))
    over = png_of_size(path.parent / "big.png", MAX_BYTES[channel] + 60_000)
    assert over > MAX_BYTES[channel]
    code, text = _validate(cli, path)
    assert code == 1, text
    assert re.search(rf"{re.escape(FIELD[channel])}\.images\[0\](\.path)?: big\.png is [\d,]+ bytes; [\w ]+ at most {MAX_BYTES[channel]:,}", text), text
    under = png_of_size(path.parent / "big.png", MAX_BYTES[channel] - 60_000)
    assert under <= MAX_BYTES[channel]
    code, text = _validate(cli, path)
    assert code == 0 and "big.png is" not in text, text


# Breaks if: validate._check_image stops checking alt length, or uses another platform's limit.
@pytest.mark.parametrize("channel", ["x", "mastodon", "bluesky"])
def test_alt_text_over_the_platforms_limit_is_an_error(cli, campaign_copy, tmp_path, channel):
    limit = MAX_ALT[channel]
    path = campaign_copy(with_image(channel, "small.png", "a" * (limit + 1)))
    Image.new("RGB", (40, 40), (10, 120, 10)).save(path.parent / "small.png")
    code, text = _validate(cli, path)
    assert code == 1, text
    assert f"{FIELD[channel]}.images[0].alt: alt text is {limit + 1} characters" in text and f"at most {limit}" in text, text
    path.write_text(path.read_text(encoding="utf-8").replace("a" * (limit + 1), "a" * limit), encoding="utf-8")
    code, text = _validate(cli, path)
    assert code == 0, text


# Breaks if: Campaign.asset / validate accept an image that is not PNG, JPEG, GIF or WebP by content.
@pytest.mark.parametrize("channel", ["x", "mastodon", "bluesky"])
@pytest.mark.parametrize("kind", ["bmp", "svg", "text named .png", "tiff named .jpg"])
def test_an_unsupported_image_is_an_error(cli, campaign_copy, channel, kind):
    name = {"bmp": "pic.bmp", "svg": "pic.svg", "text named .png": "pic.png", "tiff named .jpg": "pic.jpg"}[kind]
    path = campaign_copy(with_image(channel, name, "A picture"))
    target = path.parent / name
    if kind == "bmp":
        Image.new("RGB", (40, 40)).save(target, format="BMP")
    elif kind == "tiff named .jpg":
        Image.new("RGB", (40, 40)).save(target, format="TIFF")
    elif kind == "svg":
        target.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8")
    else:
        target.write_text("not an image at all", encoding="utf-8")
    code, text = _validate(cli, path)
    assert code == 1, text
    assert f"{FIELD[channel]}.images[0]" in text and name in text, text
    assert "Traceback" not in text


# Breaks if: validate._ambiguous stops detecting the fall-back overlap (or the warning is dropped).
@pytest.mark.parametrize("field, old", [("email.send_at", "send_at = 2027-01-12T09:00:00"), ("posts[1].at", "at = 2027-01-12T10:00:00")])
def test_a_dst_ambiguous_local_time_is_a_warning(cli, campaign_copy, field, old):
    # 31 October 2027, 02:30 happens twice in Copenhagen (CEST, then CET)
    path = campaign_copy(lambda t: t.replace(old, old.split("=")[0] + "= 2027-10-31T02:30:00", 1))
    code, text = _validate(cli, path)
    assert code == 0, text
    assert re.search(rf"{re.escape(field)}: 2027-10-31 02:30 happens twice in Europe/Copenhagen", text), text
    strict, text = _validate(cli, path, "--strict")
    assert strict == 1, text
    clear = campaign_copy(lambda t: t.replace(old, old.split("=")[0] + "= 2027-10-31T03:30:00", 1), name="clear.toml")
    code, text = _validate(cli, clear)
    assert code == 0 and "happens twice" not in text, text
