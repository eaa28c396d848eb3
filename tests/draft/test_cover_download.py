"""draft.cover: the page's cover downloaded, checked and resized, or a drawn one with the reason."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import httpx
import pytest
from PIL import Image

from outreach.draft.cover import MAX_BYTES, MAX_WIDTH, cover_for, prepared
from outreach.draft.facts import Found, Origin, PageFacts, ReportFacts, merge
from outreach.draft.metadata import page_metadata
from outreach.draft.source import FetchLimits
from outreach.errors import DraftError

from tests.draft.pages.expected import COVERS_DIR, PAGES

LIMITS = FetchLimits(timeout_seconds=5.0, max_bytes=20_000_000, max_redirects=3)
PAGE = "https://www.example.org/report"


def _facts(cover_url: str = "", check: str | None = None) -> ReportFacts:
    return merge(PageFacts(title=Found("Water in Jordan", Origin.BODY), subtitle=Found("Why reform stalls", Origin.BODY),
                           series=Found("Policy Brief", Origin.BODY),
                           cover_url=Found(cover_url, Origin.OPENGRAPH, check) if cover_url else None))


def _image(size: tuple[int, int], kind: str, mode: str = "RGB", noise: bool = False, **options: object) -> bytes:
    image = Image.new(mode, size, "teal" if mode != "RGBA" else (0, 128, 128, 100))
    if noise:  # incompressible pixels: the re-encoded file must still fit
        rng = random.Random(7)
        image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def _serving(data: bytes, content_type: str = "image/png") -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, headers={"Content-Type": content_type}, content=data))


def _opened(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def test_the_pages_cover_over_http_is_downloaded(pages_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page_url = pages_server.url("opengraph-only.html")
    facts = merge(page_metadata(PAGES["opengraph-only"].html(), page_url))
    result = cover_for(facts, tmp_path, "sahel", LIMITS, page_url)
    assert result.origin == "downloaded" and result.path == Path("sahel-cover.png") and result.check is None
    image = _opened(tmp_path / result.path)
    source = _opened(COVERS_DIR / "opengraph-cover.png")
    assert image.format == "PNG" and image.size == source.size  # 1240 wide: under MAX_WIDTH, kept


def test_a_wide_cover_is_resized_to_max_width(pages_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page_url = pages_server.url("expert-table.html")
    facts = merge(page_metadata(PAGES["expert-table"].html(), page_url))
    result = cover_for(facts, tmp_path, "youth", LIMITS, page_url)
    image = _opened(tmp_path / result.path)
    assert result.origin == "downloaded" and image.size == (MAX_WIDTH, 900)  # 2400x1350 scaled


def test_a_flagged_cover_address_stays_flagged(tmp_path: Path) -> None:
    facts = _facts("https://cdn.example.org/c.jpg", check="a guess")
    result = cover_for(facts, tmp_path, "s", LIMITS, PAGE, _serving(_image((800, 1000), "JPEG"), "image/jpeg"))
    assert result.origin == "downloaded" and result.path.suffix == ".jpg" and result.check == "a guess"


@pytest.mark.parametrize("data, kind, suffix", [
    (_image((900, 1200), "JPEG", quality=95), "JPEG", ".jpg"),
    (_image((900, 1200), "WEBP"), "JPEG", ".jpg"),
    (_image((900, 1200), "PNG", mode="RGBA"), "PNG", ".png"),
    (_image((900, 1200), "GIF", save_all=True, append_images=[Image.new("P", (900, 1200))]), "PNG", ".png"),
    (_image((900, 1200), "JPEG", mode="CMYK"), "JPEG", ".jpg"),
    (_image((900, 1200), "PNG", mode="L"), "PNG", ".png"),
])
def test_every_format_is_re_encoded_as_png_or_jpeg(data: bytes, kind: str, suffix: str) -> None:
    out, extension = prepared(data)
    image = Image.open(io.BytesIO(out))
    assert image.format == kind and extension == suffix and image.size == (900, 1200)
    assert image.mode in ("RGB", "RGBA")


@pytest.mark.slow
def test_a_big_noisy_photo_fits_every_platform() -> None:
    out, extension = prepared(_image((3000, 2000), "PNG", noise=True))
    image = Image.open(io.BytesIO(out))
    assert len(out) <= MAX_BYTES and image.width <= MAX_WIDTH and extension == ".jpg"


def test_the_byte_budget_is_kept_by_lowering_quality_then_size(monkeypatch: pytest.MonkeyPatch) -> None:
    import outreach.draft.cover as cover
    monkeypatch.setattr(cover, "MAX_BYTES", 40_000)
    out, extension = prepared(_image((1200, 900), "PNG", noise=True))
    assert len(out) <= 40_000 and extension == ".jpg" and Image.open(io.BytesIO(out)).width < 1200


def test_metadata_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {2: (55.0, 40.0, 0.0)}  # GPS
    out, _ = prepared(_image((800, 1000), "JPEG", exif=exif.tobytes()))
    assert b"Camera maker" not in out and not Image.open(io.BytesIO(out)).getexif()


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data, message", [
    (_bomb_png(100_000, 100_000), "too large"),
    (_bomb_png(8_000, 6_000), "too large"),
    (b"<html><body>not an image</body></html>", "cannot be read"),
    (b"GIF89a" + b"\x00" * 20, "cannot be read"),
    (_image((900, 1200), "JPEG")[:400], "cannot be read"),
    (_image((900, 1200), "TIFF"), "cannot be read"),
    (_image((900, 1200), "BMP"), "cannot be read"),
    (_image((64, 64), "PNG"), "too small"),
    (_image((2000, 200), "PNG"), "a strip"),
])
def test_an_unusable_image_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(DraftError, match=message):
        prepared(data)


@pytest.mark.parametrize("serve", [
    _serving(b"%PDF-1.7", "application/pdf"),
    _serving(_bomb_png(100_000, 100_000)),
    httpx.MockTransport(lambda request: httpx.Response(404)),
])
def test_an_unusable_cover_is_replaced_by_a_drawn_one(tmp_path: Path, serve: httpx.MockTransport) -> None:
    folder = tmp_path / "campaigns"
    result = cover_for(_facts("https://cdn.example.org/c.png"), folder, "jordan", LIMITS, PAGE, serve)
    assert result.origin == "drawn" and result.path == Path("jordan-cover.png")
    assert result.check and "could not be used" in result.check and "cdn.example.org" in result.check
    assert _opened(folder / result.path).format == "PNG"
    assert [p.name for p in folder.iterdir()] == ["jordan-cover.png"]  # no temporary file left


def test_a_cover_on_a_local_address_from_a_public_page_is_not_fetched(tmp_path: Path) -> None:
    seen: list[str] = []
    serve = httpx.MockTransport(lambda request: seen.append(str(request.url)) or httpx.Response(200))  # type: ignore[func-returns-value]
    result = cover_for(_facts("http://169.254.169.254/latest"), tmp_path, "s", LIMITS, PAGE, serve)
    assert result.origin == "drawn" and "private or local address" in (result.check or "") and seen == []


def test_no_cover_on_the_page_is_drawn_from_the_title(tmp_path: Path) -> None:
    result = cover_for(_facts(), tmp_path, "jordan", LIMITS, PAGE)
    assert result.origin == "drawn" and result.check and "names no cover" in result.check
    assert _opened(tmp_path / "jordan-cover.png").size == (1200, 675)


def test_an_existing_cover_is_never_overwritten_unless_forced(tmp_path: Path) -> None:
    existing = tmp_path / "jordan-cover.png"
    existing.write_bytes(b"mine")
    with pytest.raises(DraftError, match="already exists; use --force"):
        cover_for(_facts(), tmp_path, "jordan", LIMITS, PAGE)
    with pytest.raises(DraftError, match="already exists; use --force"):
        cover_for(_facts("https://cdn.example.org/c.png"), tmp_path, "jordan", LIMITS, PAGE,
                  _serving(_image((800, 1000), "PNG")))
    assert existing.read_bytes() == b"mine"
    cover_for(_facts(), tmp_path, "jordan", LIMITS, PAGE, force=True)
    assert _opened(existing).format == "PNG"


def test_the_folder_is_created(tmp_path: Path) -> None:
    folder = tmp_path / "campaigns" / "new"
    result = cover_for(_facts(), folder, "x", LIMITS, PAGE)
    assert (folder / result.path).is_file()


def test_report_facts_type_is_what_run_passes() -> None:
    assert isinstance(_facts(), ReportFacts)
