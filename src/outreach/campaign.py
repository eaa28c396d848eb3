"""The campaign model and its loader.

A campaign is one TOML file, ``campaigns/<slug>.toml``; the slug is its id.
Every time in the file is local to its ``timezone``. Loading checks the
shape (missing, unknown and mistyped fields, the timezone, line breaks in
headers, image counts); :mod:`outreach.validate` adds the checks that need
rendering or the config.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zoneinfo
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, Literal

from PIL import Image as PILImage
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, create_model, field_validator, model_validator

from .audience import AudienceSpec, audience_list_of, email_with_audience
from .channels.registry import PLATFORMS
from .errors import CampaignError, CampaignErrors
from .text import describe_unsafe, is_single_line
from .tomlsource import LineIndex, did_you_mean, located_errors, read_toml

CHANNELS = tuple(PLATFORMS)  # the platforms' facts say what each takes
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_AREA_LOCATION = re.compile(r"(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)(/[A-Za-z0-9_+-]+){1,2}")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a campaign date outside this is a typo (and year 9999 overflows UTC)
# Image formats by content (Pillow's name) and the file extensions that may carry each; the gate takes what
# any platform takes, and validate checks each post's image against its own platform's facts.
_EXTENSIONS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "GIF": (".gif",), "WEBP": (".webp",)}
IMAGE_FORMATS = {kind: _EXTENSIONS[kind] for kind in _EXTENSIONS if any(kind in f.image_formats for f in PLATFORMS.values())}
MAX_IMAGE_FILE_BYTES = max(f.max_image_bytes for f in PLATFORMS.values())  # the largest any platform takes
MAX_IMAGE_PIXELS = 40_000_000  # beyond any real cover; keeps a decompression bomb out


def _single_line(v: str | None) -> str | None:
    """A one-line value: no line break, control, line-separator or bidi-override character (see :mod:`outreach.text`)."""
    if v is not None and not is_single_line(v):
        raise ValueError(describe_unsafe(v))
    return v


def _single_lines(v: list[str]) -> list[str]:
    for item in v:
        _single_line(item)
    return v


def _sane_date(v: datetime) -> datetime:
    if not FIRST_YEAR <= v.year <= LAST_YEAR:
        raise ValueError(f"{v:%Y-%m-%d %H:%M} is out of range; give a date between {FIRST_YEAR} and {LAST_YEAR}")
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Image(_Strict):
    """An image file with its alt text; ``path`` is relative to the campaign file."""

    path: str
    alt: str = ""


class Cover(_Strict):
    """The report's cover picture."""

    image: str
    alt: str = ""


class Report(_Strict):
    """What the campaign is about."""

    title: str
    subtitle: str = ""
    headline: str
    series: str = ""
    url: str
    authors: list[str] = Field(min_length=1)
    regions: list[str] = []
    topics: list[str] = []
    published: date | None = None
    abstract: str
    key_arguments: list[str] = Field(min_length=1)
    cover: Cover | None = None

    _one_line = field_validator("title", "subtitle", "headline", "series", "url")(_single_line)
    _one_line_items = field_validator("authors", "regions", "topics")(_single_lines)

    @field_validator("url")
    @classmethod
    def _absolute_url(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+", v):
            raise ValueError(f"must be an absolute http(s) URL, got {v!r}")
        return v

    @property
    def paragraphs(self) -> list[str]:
        """The abstract split on blank lines, each paragraph's lines joined."""
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", self.abstract.strip()) if p.strip()]


# An expert's social handles: one optional field per platform in the registry.
Handles = create_model("Handles", __base__=_Strict, __doc__="An expert's social handles.",
                       **{name: (str | None, None) for name in PLATFORMS})  # type: ignore[call-overload]


class Expert(_Strict):
    """A contact for press and readers."""

    name: str
    role: str
    unit: str
    phone: str
    email: str | None = None
    handles: Handles = Handles()

    _one_line = field_validator("name", "role", "unit", "phone", "email")(_single_line)


class EmailSpec(_Strict):
    """The newsletter email.

    ``audience`` is a list name or a filtered audience (:mod:`outreach.audience`); the older
    ``list = "..."`` still works and means the whole list. After loading, ``list`` is always the
    audience's list name and ``audience`` always an :class:`AudienceSpec`.
    """

    list: str
    audience: AudienceSpec
    subject: str = Field(min_length=1, max_length=200)
    preheader: str = Field("", max_length=200)
    send_at: datetime
    template: str = "report"

    _one_line = field_validator("list", "subject", "preheader")(_single_line)
    _sane = field_validator("send_at")(_sane_date)
    _list_field: str = PrivateAttr(default="email.list")

    @model_validator(mode="wrap")
    @classmethod
    def _list_and_audience(cls, data: Any, handler: Any) -> "EmailSpec":
        """Fill ``list`` from ``audience`` and ``audience`` from ``list``; two different lists are an error."""
        field = "email.list"
        if isinstance(data, dict) and "list" not in data:
            field = "email.audience.list" if isinstance(data.get("audience"), dict) else "email.audience"
        if isinstance(data, dict):
            data = email_with_audience(data)
        model = handler(data)
        model._list_field = field
        return model

    @property
    def list_field(self) -> str:
        """Where the file names the list: ``email.list``, ``email.audience`` or ``email.audience.list``."""
        return self._list_field

    @field_validator("template")
    @classmethod
    def _template_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", v):
            raise ValueError("template must be a plain name like 'report'")
        return v


class Post(_Strict):
    """One social post or thread on one channel."""

    channel: str
    at: datetime
    text: str | None = None
    thread: list[str] | None = None
    image: Literal["cover"] | None = None
    images: list[Image] = []
    numbered: bool = False

    _sane = field_validator("at")(_sane_date)

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, v: str) -> str:
        if v not in CHANNELS:
            raise ValueError(f"unknown channel '{v}'{did_you_mean(v, CHANNELS)}; use one of {', '.join(CHANNELS)}")
        return v

    @model_validator(mode="after")
    def _text_or_thread(self) -> "Post":
        if (self.text is None) == (self.thread is None):
            raise ValueError("give either 'text' or 'thread', not both or neither")
        if self.thread is not None and not self.thread:
            raise ValueError("'thread' needs at least one part")
        platform = PLATFORMS[self.channel]
        if self.thread is not None and len(self.thread) > 1 and not platform.threads:
            raise ValueError(f"{platform.display} has no threads; give one 'text'")
        count, most = len(self.images) + (1 if self.image else 0), PLATFORMS[self.channel].max_images
        if count > most:
            raise ValueError(f"{count} images on one post; at most {most} are allowed")
        return self

    @property
    def parts(self) -> list[str]:
        """The post's texts (templates), one per thread part."""
        return [self.text] if self.text is not None else list(self.thread or [])


class Campaign(_Strict):
    """A validated campaign file."""

    timezone: str
    report: Report
    experts: list[Expert] = Field(min_length=1)
    email: EmailSpec | None = None
    posts: list[Post] = []

    _path: Path = PrivateAttr(default=Path("campaign.toml"))
    _lines: LineIndex = PrivateAttr(default_factory=LineIndex)
    _assets: dict[str, Path | str] = PrivateAttr(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        if v not in _zones():
            raise ValueError(f"unknown timezone '{v}'{did_you_mean(v, _zones())}; use an IANA Area/Location name like 'Europe/Copenhagen', or UTC")
        return v

    @property
    def path(self) -> Path:
        """The campaign file."""
        return self._path

    @property
    def folder(self) -> Path:
        """The folder relative paths in the file are resolved against."""
        return self._path.parent

    @property
    def slug(self) -> str:
        """The campaign id: the file name without ``.toml``."""
        return self._path.stem

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The campaign's timezone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def line_of(self, field: str) -> int | None:
        """The line in the campaign file where ``field`` is written, when known."""
        return self._lines.line_of(field)

    def error(self, field: str, message: str) -> CampaignError:
        """A located error about ``field`` of this campaign."""
        return CampaignError(self._path, field, message, self.line_of(field))

    def asset(self, relative: str, field: str) -> Path:
        """The checked, resolved file of an image path written in the campaign; raise a located error otherwise.

        The one gate for every file the campaign names: it must resolve (symlinks
        followed) to a regular file inside the campaign's folder, within the size
        cap, and be a PNG, JPEG, GIF or WebP image by its content, named with a
        matching extension. Every reader (render, plan hash, preview, archive,
        upload) takes the path this returns, never the path as written.
        """
        if relative not in self._assets:
            self._assets[relative] = _checked_image(self.folder, relative)
        found = self._assets[relative]
        if isinstance(found, str):
            raise self.error(field, found)
        return found

    def image_fields(self) -> list[tuple[str, str]]:
        """Every image path the campaign names, with its field: the cover, then each post's images."""
        found = [(self.report.cover.image, "report.cover.image")] if self.report.cover is not None else []
        for i, post in enumerate(self.posts):
            found += [(img.path, f"posts[{i}].images[{j}].path") for j, img in enumerate(post.images)]
        return found

    def to_utc(self, local: datetime, field: str) -> datetime:
        """Convert a local time in the file to UTC, refusing times DST skips."""
        aware = local.replace(tzinfo=self.tz)
        try:
            roundtrip = aware.astimezone(timezone.utc).astimezone(self.tz).replace(tzinfo=None)
        except OverflowError:
            raise self.error(field, f"{local:%Y-%m-%d %H:%M} is out of range") from None
        if roundtrip != local:
            raise self.error(field, f"{local:%Y-%m-%d %H:%M} does not exist in {self.timezone} (clocks go forward)")
        return aware.astimezone(timezone.utc)


def _checked_image(folder: Path, relative: str) -> Path | str:
    """The resolved image file, or why it is refused (checked on the open file, so a swap after the checks is caught)."""
    if not relative.strip():
        return "give the image's path relative to the campaign file"
    if not is_single_line(relative):  # the name is shown in terminals and pages
        return f"the path {describe_unsafe(relative)}"
    if Path(relative).is_absolute():
        return f"{relative}: give a path inside the campaign's folder, not an absolute path"
    root = folder.resolve()
    try:
        target = (root / relative).resolve(strict=True)
    except FileNotFoundError:
        return f"image file not found: {folder / relative}"
    except (OSError, RuntimeError):
        return f"{relative}: the path cannot be resolved (a symlink loop or a permission problem)"
    if not target.is_relative_to(root):
        return f"{relative}: resolves outside the campaign's folder {folder}; images must be files inside it"
    if not is_single_line(str(target.relative_to(root))):
        return f"{relative}: the file it resolves to has a name that {describe_unsafe(str(target.relative_to(root)))}"
    data = _read_regular(target, relative)
    if isinstance(data, str):
        return data
    return _judge_image(target, relative, data)


def _read_regular(target: Path, relative: str) -> bytes | str:
    """The bytes of a regular file within the size cap; never blocks on a FIFO or follows a late symlink."""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        return f"{relative}: cannot open the file ({exc.strerror})"
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return f"{relative}: not a regular file"
    with os.fdopen(fd, "rb") as fh:
        if info.st_size > MAX_IMAGE_FILE_BYTES:
            return f"{relative} is {info.st_size:,} bytes; images may be at most {MAX_IMAGE_FILE_BYTES:,}"
        data = fh.read(MAX_IMAGE_FILE_BYTES + 1)
    if len(data) > MAX_IMAGE_FILE_BYTES:
        return f"{relative} is over {MAX_IMAGE_FILE_BYTES:,} bytes; images may be at most {MAX_IMAGE_FILE_BYTES:,}"
    return data


def _judge_image(target: Path, relative: str, data: bytes) -> Path | str:
    """``target`` when ``data`` is an allowed image whose name matches its content, else the reason."""
    allowed = "a PNG, JPEG, GIF or WebP image"
    try:
        with PILImage.open(io.BytesIO(data)) as img:
            kind, (width, height) = img.format or "", img.size
            if kind in IMAGE_FORMATS and width * height <= MAX_IMAGE_PIXELS:
                img.verify()
    except Exception:  # Pillow raises many types for malformed data; any of them means "not an image we take"
        return f"{relative}: not {allowed} (judged by the file's content)"
    if kind not in IMAGE_FORMATS:
        return f"{relative}: not {allowed} (the content is {kind or 'unknown'})"
    if width * height > MAX_IMAGE_PIXELS:
        return f"{relative}: {width}x{height} pixels is too large; at most {MAX_IMAGE_PIXELS:,} pixels"
    if target.suffix.lower() not in IMAGE_FORMATS[kind]:
        return f"{relative}: the content is a {kind} image; name the file with {' or '.join(IMAGE_FORMATS[kind])}"
    return target


@cache
def _zones() -> frozenset[str]:
    """UTC and the IANA Area/Location names: not ``localtime``, ``posixrules``, ``Factory``, ``EST5EDT``,
    ``Etc/GMT+5`` (its sign is the reverse of what it reads) or the old ``US/...`` style links."""
    return frozenset(z for z in zoneinfo.available_timezones() if z == "UTC" or _AREA_LOCATION.fullmatch(z))


def _campaign_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: Any = Campaign
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) if model else None
        if info is None:
            return []
        model = _model_in(info.annotation)
    return list(model.model_fields) if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


def _check_local_times(data: dict[str, Any], path: Path, index: LineIndex) -> list[CampaignError]:
    """TOML offset datetimes would silently ignore ``timezone``: refuse them."""
    found: list[tuple[str, Any]] = []
    if isinstance(data.get("email"), dict):
        found.append(("email.send_at", data["email"].get("send_at")))
    for i, post in enumerate(data.get("posts") or []):
        if isinstance(post, dict):
            found.append((f"posts[{i}].at", post.get("at")))
    errors = []
    for field, value in found:
        if isinstance(value, datetime) and value.tzinfo is not None:
            errors.append(CampaignError(path, field, "write a local time without offset; it is read in the campaign's timezone", index.line_of(field)))
        elif value is not None and not isinstance(value, datetime):
            errors.append(CampaignError(path, field, f"must be a local date-time like 2026-12-01T09:00:00 (got {value!r})", index.line_of(field)))
    return errors


def load_campaign(path: str | Path) -> Campaign:
    """Load and shape-check a campaign file; raise :class:`CampaignErrors` listing every problem."""
    campaign, errors = read_campaign(path)
    if errors or campaign is None:
        raise CampaignErrors(errors)
    return campaign


def read_campaign(path: str | Path) -> tuple[Campaign | None, list[CampaignError]]:
    """The campaign and its shape errors. With errors, the campaign is a stand-in built from the parts that
    are sound (see :func:`_stand_in`), for the cross-field checks only, or None when too little is sound."""
    path = Path(path)
    if path.suffix != ".toml":
        return None, [CampaignError(path, "", "a campaign file must end in .toml")]
    if not SLUG_RE.match(path.stem):
        return None, [CampaignError(path, "", "the file name is the campaign id: use lower-case letters, digits and dashes")]
    try:
        data, index = read_toml(path)
    except CampaignError as exc:
        return None, [exc]
    errors = _check_local_times(data, path, index)
    bad: list[tuple[str | int, ...]] = [_loc_of(e.field) for e in errors]
    try:
        campaign: Campaign | None = Campaign.model_validate(data)
    except ValidationError as exc:
        seen = {e.field for e in errors}
        errors += [e for e in located_errors(exc, path, index, _campaign_keys) if e.field not in seen]
        bad += [tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-"))) for e in exc.errors(include_url=False)]
        campaign = None
    if errors:
        campaign = _stand_in(data, bad)
    if campaign is not None:
        campaign._path = path
        campaign._lines = index
    return campaign, errors


def _loc_of(field: str) -> tuple[str | int, ...]:
    """``posts[2].at`` as a pydantic location, ``("posts", 2, "at")``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", field) if p)


STAND_IN_AT = datetime(2099, 1, 1, 12, 0)
STAND_IN_EMAIL = {"subject": "-", "preheader": "", "send_at": STAND_IN_AT, "template": "report"}


def _stand_in(data: dict[str, Any], bad: list[tuple[str | int, ...]]) -> Campaign | None:
    """A campaign for the cross-field checks of a file with shape errors: unknown keys left out, a broken post
    replaced by a one-word placeholder (so every other post keeps its number), a broken email field by a neutral
    value. None when the report, the experts or the email's list is broken: the rest depends on them."""
    pruned: dict[str, Any] = {**data, "posts": list(data.get("posts") or [])}
    email = dict(data["email"]) if isinstance(data.get("email"), dict) else None
    for loc in bad:
        top = loc[0] if loc else None
        if top == "posts" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(pruned["posts"]):
            pruned["posts"][loc[1]] = {"channel": CHANNELS[0], "at": STAND_IN_AT, "text": "-"}
        elif top == "email" and email is not None and len(loc) > 1 and loc[1] in STAND_IN_EMAIL:
            email[loc[1]] = STAND_IN_EMAIL[loc[1]]
        elif top == "email" and email is not None and len(loc) > 1 and loc[1] == "audience" and audience_list_of(email):
            email["audience"] = audience_list_of(email)  # a broken filter: the rest is checked against the whole list
        elif top == "email" and email is not None and len(loc) > 1 and loc[1] not in EmailSpec.model_fields:
            email.pop(loc[1], None)
        elif top == "timezone":
            pruned["timezone"] = "UTC"
        elif isinstance(top, str) and len(loc) == 1 and top not in Campaign.model_fields:
            pruned.pop(top, None)  # an unknown top-level key
        else:
            return None
    if email is not None:
        pruned["email"] = email
    try:
        return Campaign.model_validate(pruned)
    except ValidationError:
        return None
