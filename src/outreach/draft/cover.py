"""The draft's cover: the page's own image downloaded, checked and resized, or one drawn with outreach.cover.

A downloaded image is hostile input: it is opened by its content (not its name or
content type), its size is checked before any pixel is decoded (decompression
bombs), and it is re-encoded — which also drops any metadata it carried — as PNG
or JPEG at most :data:`MAX_WIDTH` wide and under every platform's image size
limit. When the page names no cover, or its cover cannot be used, one is drawn
from the title and the reason is given for a person to check.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
from PIL import Image

from ..channels.registry import PLATFORMS
from ..channels.thumbnail import ThumbnailError, opened, reencoded
from ..cover import make_cover
from ..errors import DraftError
from ..text import clean_line
from .facts import ReportFacts
from .source import FetchLimits, fetch_image, shown

MAX_WIDTH = 1600
MAX_BYTES = min(p.max_image_bytes for p in PLATFORMS.values())  # what every platform takes
MIN_SIDE = 100  # smaller is an icon or a tracking pixel, not a cover
MAX_ASPECT = 4.0  # wider or taller than this is a banner or a strip, not a cover
_JPEG_QUALITIES = (88, 80, 70, 60)


@dataclass(frozen=True)
class CoverResult:
    """The cover written for the draft."""

    path: Path  # the file's name inside the campaign folder
    origin: Literal["downloaded", "drawn"]
    check: str | None  # why a person must look at it; None for the page's own cover, taken as is


def cover_for(facts: ReportFacts, folder: Path, slug: str, limits: FetchLimits, page_url: str | None,
              transport: httpx.BaseTransport | None = None, *, force: bool = False,
              page_local: bool | None = None) -> CoverResult:
    """Write ``<slug>-cover.png|jpg`` into ``folder``: the page's cover if it is usable, else a drawn one.

    ``page_local``: whether the page's own fetch was on a private or local address (``SourcePage.local``).

    Raises :class:`DraftError` only when the file exists (and not ``force``) or cannot be written.
    """
    url = facts.cover_url.value
    if url:
        try:
            data, extension = prepared(fetch_image(url, limits, page_url, transport, page_local=page_local), shown(url))
        except DraftError as e:
            reason = f"the page's cover could not be used ({clean_line(str(e), 200)}); this one is drawn from the title"
        else:
            path = _write(folder, f"{slug}-cover{extension}", data, force)
            return CoverResult(Path(path.name), "downloaded", facts.cover_url.check)
    else:
        reason = "the page names no cover image; this one is drawn from the title"
    return _drawn(facts, folder, slug, force, reason)


def prepared(data: bytes, source: str = "the cover") -> tuple[bytes, str]:
    """A downloaded image checked and re-encoded → (bytes, ".png" or ".jpg").

    At most :data:`MAX_WIDTH` wide and :data:`MAX_BYTES` long; PNG when the image
    has transparency or was a PNG/GIF and fits, else JPEG (:func:`~outreach.channels.thumbnail.reencoded`).
    DraftError when it is not a usable cover image.
    """
    try:
        image, kind = opened(data)
        _check_shape(image.width, image.height, source)
        if image.width > MAX_WIDTH:
            image = image.resize((MAX_WIDTH, max(1, round(image.height * MAX_WIDTH / image.width))), Image.LANCZOS)
        fitted = reencoded(image, kind, MAX_BYTES, qualities=_JPEG_QUALITIES)
    except ThumbnailError as e:
        raise DraftError(f"{source}: {e}") from None
    return fitted.data, fitted.suffix


def _check_shape(width: int, height: int, source: str) -> None:
    if min(width, height) < MIN_SIDE:
        raise DraftError(f"{source}: {width}x{height} pixels is too small for a cover")
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise DraftError(f"{source}: {width}x{height} pixels is a strip, not a cover")


def _drawn(facts: ReportFacts, folder: Path, slug: str, force: bool, reason: str) -> CoverResult:
    name = f"{slug}-cover.png"
    target = folder / name
    _refuse_existing(target, force)
    with tempfile.TemporaryDirectory(dir=folder if folder.is_dir() else None) as scratch:
        drawn = make_cover(Path(scratch) / name, facts.title.value, facts.subtitle.value, kicker=facts.series.value)
        _write(folder, name, drawn.read_bytes(), force)
    return CoverResult(Path(name), "drawn", reason)


def _refuse_existing(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise DraftError(f"{target}: already exists; use --force to replace it")


def _write(folder: Path, name: str, data: bytes, force: bool) -> Path:
    """Write ``data`` to ``folder/name`` atomically; never over an existing file unless ``force``."""
    target = folder / name
    _refuse_existing(target, force)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # FileExistsError here is a file where the folder should be, not the cover
        raise DraftError(f"{folder}: cannot hold the cover ({clean_line(e.strerror or type(e).__name__, 60)})") from None
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            if force:
                os.replace(temporary, target)
            else:
                os.link(temporary, target)  # fails if the file appeared meanwhile: never overwritten
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except FileExistsError:
        raise DraftError(f"{target}: already exists; use --force to replace it") from None
    except OSError as e:
        raise DraftError(f"{target}: cannot be written ({clean_line(e.strerror or type(e).__name__, 60)})") from None
    return target

