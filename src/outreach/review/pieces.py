"""The reviewable pieces of a rendered campaign, kept with every version so a later one can be diffed.

:attr:`outreach.plan.Plan.hashes` says *which* piece changed; these say *how*:
the words of the subject, preheader, email text and each post, each step's local
time, the audience in words, and each image by content (its SHA-256, its alt
text and a small thumbnail, so a diff can show both images even after the file
was replaced). They are stored as JSON (:meth:`RenderedPieces.to_json`) and read
back defensively: a stored value of the wrong shape becomes an empty piece, never
an exception in a review page.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from ..audience import describe
from ..config import Config
from ..plan import Plan

THUMB_SIZE = (240, 240)
_BASE64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
PART_BREAK = "\n\n"  # between the parts of a thread, in a post's text piece


@dataclass(frozen=True)
class ImagePiece:
    """One image, by content: its hash, alt text and a PNG thumbnail (base64; empty when unreadable)."""

    sha256: str
    alt: str = ""
    thumbnail: str = ""

    def data_uri(self) -> str | None:
        """The thumbnail as a ``data:`` URI (base64 only), or None when there is none."""
        # a thumbnail read back from stored JSON is trusted only once it is plain base64
        return f"data:image/png;base64,{self.thumbnail}" if _BASE64_RE.fullmatch(self.thumbnail) else None


@dataclass(frozen=True)
class RenderedPieces:
    """What a reviewer reads, piece by piece: texts, local times and images, each under a stable name."""

    texts: dict[str, str] = field(default_factory=dict)  # "email subject", "email preheader", "email text", "email audience", "posts[0]" …
    times: dict[str, str] = field(default_factory=dict)  # "email", "posts[0]" … -> "2027-01-12 09:00 Europe/Copenhagen"
    images: dict[str, ImagePiece] = field(default_factory=dict)  # "cover image", "posts[1] image 1" …

    def to_json(self) -> dict[str, Any]:
        """The JSON stored with a version."""
        return {
            "texts": dict(self.texts),
            "times": dict(self.times),
            "images": {k: {"sha256": v.sha256, "alt": v.alt, "thumbnail": v.thumbnail} for k, v in self.images.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> "RenderedPieces":
        """Read stored pieces back; anything of the wrong shape is left out."""
        if not isinstance(data, dict):
            return cls()
        texts = {k: v for k, v in _mapping(data.get("texts")).items() if isinstance(v, str)}
        times = {k: v for k, v in _mapping(data.get("times")).items() if isinstance(v, str)}
        images = {}
        for name, value in _mapping(data.get("images")).items():
            if isinstance(value, dict) and isinstance(value.get("sha256"), str):
                images[name] = ImagePiece(value["sha256"], _str(value.get("alt")), _str(value.get("thumbnail")))
        return cls(texts, times, images)


def _mapping(value: Any) -> dict[str, Any]:
    return {k: v for k, v in value.items() if isinstance(k, str)} if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def pieces_of(plan: Plan, config: Config) -> RenderedPieces:
    """The pieces of ``plan`` as it renders now (the email's audience in words, by ``config``'s names)."""
    texts: dict[str, str] = {}
    images: dict[str, ImagePiece] = {}
    campaign = plan.campaign
    if plan.email is not None and campaign.email is not None:
        texts["email subject"] = plan.email.subject
        texts["email preheader"] = plan.email.preheader
        texts["email text"] = plan.email.text
        texts["email audience"] = describe(campaign.email.audience, config)
        if plan.email.cover_path is not None:
            cover_alt = campaign.report.cover.alt if campaign.report.cover is not None else ""
            images["cover image"] = image_piece(plan.email.cover_path, cover_alt)
    for post in plan.posts:
        texts[f"posts[{post.index}]"] = PART_BREAK.join(part.text for part in post.parts)
        for number, img in enumerate(post.images, start=1):
            images[f"posts[{post.index}] image {number}"] = image_piece(img.path, img.alt)
    times = {step.field: f"{step.due_local:%Y-%m-%d %H:%M} {campaign.timezone}" for step in plan.steps}
    return RenderedPieces(texts, times, images)


def image_piece(path: Path, alt: str = "") -> ImagePiece:
    """``path`` by content: its SHA-256 and a PNG thumbnail of at most :data:`THUMB_SIZE`."""
    try:
        data = path.read_bytes()
    except OSError:
        return ImagePiece("missing", alt)
    return ImagePiece(hashlib.sha256(data).hexdigest(), alt, _thumbnail(data))


def _thumbnail(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail(THUMB_SIZE)
            small = img.convert("RGBA") if img.mode not in ("RGB", "RGBA") else img.copy()
        buffer = io.BytesIO()
        small.save(buffer, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return ""
    return base64.b64encode(buffer.getvalue()).decode("ascii")
