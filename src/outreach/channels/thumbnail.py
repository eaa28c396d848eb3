"""An image made to fit a platform's byte limit (a link card's thumbnail: Bluesky takes at most 1,000,000 bytes).

An image that already fits, in a format the platform takes, is sent as it is.
Any other is re-encoded: at most :data:`MAX_SIDE` pixels on its longer side
(what Bluesky's app sends), first as PNG when it has transparency or was
lossless, then as JPEG at falling qualities, then smaller by quarters until it
fits. The same bytes in give the same bytes out (no timestamps, no random
choices), so a preview and the post agree, and a plan's hash is stable.
Re-encoding drops the original's metadata.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from ..campaign import MAX_IMAGE_PIXELS as MAX_PIXELS  # the campaign's own cap on an image (decompression bombs)

MAX_SIDE = 2000
MIN_SIDE = 64  # a thumbnail smaller than this shows nothing; give up rather than send it
JPEG_QUALITIES = (85, 75, 65, 55)
SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
_CACHE: dict[tuple[str, int, tuple[str, ...]], "Fitted"] = {}
_CACHE_SIZE = 16


class ThumbnailError(ValueError):
    """The image cannot be read, or cannot be made to fit."""


@dataclass(frozen=True)
class Fitted:
    """Image bytes that fit, with their format (Pillow's name) and the file suffix that says it."""

    data: bytes
    kind: str
    changed: bool  # False: the original bytes, as they were

    @property
    def suffix(self) -> str:
        """".png", ".jpg", …: the suffix matching the bytes."""
        return SUFFIXES[self.kind]


def fit(data: bytes, max_bytes: int, formats: tuple[str, ...] = ("PNG", "JPEG")) -> Fitted:
    """``data`` as an image of at most ``max_bytes`` in one of ``formats`` (Pillow's names; JPEG must be one of them
    for anything to be re-encoded). Raises :class:`ThumbnailError` with the reason when it cannot be."""
    key = (hashlib.sha256(data).hexdigest(), max_bytes, formats)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _fit(data, max_bytes, formats)
    return _CACHE[key]


def _fit(data: bytes, max_bytes: int, formats: tuple[str, ...]) -> Fitted:
    image, kind = opened(data)
    if len(data) <= max_bytes and kind in formats and max(image.size) <= MAX_SIDE:
        return Fitted(data, kind, changed=False)
    if max(image.size) > MAX_SIDE:
        scale = MAX_SIDE / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)
    return reencoded(image, kind, max_bytes, png="PNG" in formats, jpeg="JPEG" in formats)


def reencoded(image: Image.Image, kind: str, max_bytes: int, *, png: bool = True, jpeg: bool = True,
              qualities: tuple[int, ...] = JPEG_QUALITIES) -> Fitted:
    """``image`` (from :func:`opened`, ``kind`` its original format) encoded in at most ``max_bytes``: PNG when it has
    transparency or was lossless and fits, else JPEG at falling ``qualities``, smaller by quarters until it fits."""
    if png and (image.mode == "RGBA" or kind in ("PNG", "GIF")):
        encoded = encode(image, "PNG")
        if len(encoded) <= max_bytes:
            return Fitted(encoded, "PNG", changed=True)
    if not jpeg:
        raise ThumbnailError(f"cannot be made smaller than {max_bytes:,} bytes as PNG")
    rgb = flattened(image)
    while True:
        for quality in qualities:
            encoded = encode(rgb, "JPEG", quality=quality)
            if len(encoded) <= max_bytes:
                return Fitted(encoded, "JPEG", changed=True)
        if min(rgb.size) * 3 // 4 < MIN_SIDE:
            raise ThumbnailError(f"cannot be made smaller than {max_bytes:,} bytes")
        rgb = rgb.resize((rgb.width * 3 // 4, rgb.height * 3 // 4), Image.LANCZOS)


def opened(data: bytes) -> tuple[Image.Image, str]:
    """An image file's first frame, upright, as RGB or RGBA, and the file's format; its pixel count checked before decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=tuple(SUFFIXES))
            kind = str(image.format)
            if image.width * image.height > MAX_PIXELS:
                raise ThumbnailError(f"{image.width}x{image.height} pixels is too large; at most {MAX_PIXELS:,} pixels")
            image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image) or image
    except ThumbnailError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ThumbnailError(f"too large an image (more than {MAX_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ThumbnailError("cannot be read as a PNG, JPEG, GIF or WebP image") from None
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return image.convert("RGBA" if transparent else "RGB"), kind


def flattened(image: Image.Image) -> Image.Image:
    """``image`` as RGB, any transparency over white."""
    if image.mode != "RGBA":
        return image.convert("RGB")
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


def encode(image: Image.Image, kind: str, **options: object) -> bytes:
    """``image`` as PNG, or as progressive JPEG with ``options`` (quality): no timestamp, so the same image gives the same bytes."""
    out = io.BytesIO()
    image = image.copy()
    image.info.clear()  # Pillow would carry a JPEG comment or an ICC profile over: nothing of the original's metadata goes out
    if kind == "PNG":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", optimize=True, progressive=True, **options)
    return out.getvalue()
