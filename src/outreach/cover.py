"""Make a simple, deterministic report cover image (title and subtitle on a colour field).

Used when a report has no cover picture of its own; the same inputs always
give the same PNG bytes, so previews stay diffable.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = (1200, 675)  # 16:9, what X, Mastodon and Bluesky show uncropped


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the bitmap font still works
        return ImageFont.load_default()


def make_cover(path: Path, title: str, subtitle: str = "", kicker: str = "", colour: str = "#1f4e3d") -> Path:
    """Draw a cover and write it to ``path`` as PNG; return the path."""
    image = Image.new("RGB", SIZE, colour)
    draw = ImageDraw.Draw(image)
    x, y = 80, 90
    if kicker:
        draw.text((x, y), kicker.upper(), font=_font(34), fill="#d9c27a")
        y += 80
    for line in textwrap.wrap(title, width=22):
        draw.text((x, y), line, font=_font(76), fill="#ffffff")
        y += 92
    y += 24
    for line in textwrap.wrap(subtitle, width=44):
        draw.text((x, y), line, font=_font(40), fill="#e6efe9")
        y += 52
    draw.rectangle((x, SIZE[1] - 70, x + 160, SIZE[1] - 62), fill="#d9c27a")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)
    return path
