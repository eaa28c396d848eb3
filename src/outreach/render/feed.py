"""Posts as each platform's feed shows them, for the preview: the account, the text with links as followers see
them, the image grid, the link card, and where the feed folds or cuts the text.

Everything here is read from the platforms' facts (``shown_link``, ``feed_fold``, ``page_card``, ``link_card``)
and from :func:`outreach.render.cards.report_card`, the one builder of the card that is sent. Nothing is fetched
and nothing is written: images are named by :class:`ImageSources` (a preview file already written, or a
``data:`` URI), so the page stays one deterministic, script-free file.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from enum import Enum
from typing import Callable

from PIL import Image, UnidentifiedImageError

from ..campaign import Campaign
from ..channels.base import LinkCard, Media
from ..channels.facts import HASHTAG
from ..channels.registry import facts
from ..channels.web_url import parse
from ..config import Config
from ..errors import CampaignError, ChannelError
from ..text import clean_line
from .cards import report_card
from .posts import RenderedPart, RenderedPost, report_url

GRID_MAX = 4  # images a feed draws in its grid; the rest are a "+N" on the last one (LinkedIn)
SHOWN_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
NAME_MAX = 60  # characters of an account name shown (a feed cuts longer ones too)
HANDLE_MAX = 80
LINE_BREAK_WINDOW = 0.75  # a line break in the last quarter before the fold is where the feed's last line ends
_SPACE = re.compile(r"\s")


class Kind(Enum):
    """What a piece of a post's text is in the feed."""

    TEXT = "text"
    LINK = "link"
    TAG = "tag"  # a hashtag: coloured like a link in every feed


class CardKind(Enum):
    """Which card a feed draws under a post."""

    SENT = "sent"  # sent with the post (Bluesky's external embed, LinkedIn's article): from report_card
    PAGE = "page"  # drawn by the platform from the linked page's own tags (X): the report's title, host and cover


@dataclass(frozen=True)
class Account:
    """Who posts: the name and handle the feed shows, and what to set when they are placeholders."""

    name: str
    handle: str
    missing: str = ""  # e.g. "[x] account_name, account_handle": shown as a placeholder warning

    @property
    def initial(self) -> str:
        """The letter drawn in the avatar."""
        return next((ch.upper() for ch in self.name if ch.isalnum()), "?")


@dataclass(frozen=True)
class Segment:
    """A run of a post's text as the feed shows it; a link's ``href`` is the full address it opens."""

    text: str
    kind: Kind = Kind.TEXT
    href: str = ""
    start: int = 0  # where it is in the text as posted (characters)
    end: int = 0


@dataclass(frozen=True)
class FeedImage:
    """An image as the page shows it: its ``src`` (a preview file or a ``data:`` URI) and alt text."""

    src: str
    alt: str


@dataclass(frozen=True)
class FeedCard:
    """The link card a feed draws under a post."""

    kind: CardKind
    uri: str
    host: str
    title: str
    description: str
    thumb: FeedImage | None


@dataclass(frozen=True)
class FeedPart:
    """One post (or one part of a thread) as the feed draws it, with its text as posted beside it."""

    shown: tuple[Segment, ...]  # the text before the fold (all of it when the feed shows it whole)
    folded: tuple[Segment, ...]  # the text behind "…see more"
    text: str  # as posted
    cut: int | None  # where the feed folds ``text`` (characters), None when it shows it whole
    length: int
    limit: int
    images: tuple[FeedImage, ...] = ()
    more_images: int = 0  # beyond the grid
    card: FeedCard | None = None

    @property
    def near(self) -> bool:
        """True when the text uses more than 90% of its limit."""
        return self.length > 0.9 * self.limit

    @property
    def link_runs(self) -> tuple[Segment, ...]:
        """The part's links as the feed shows them, each with the full address it opens."""
        return tuple(s for s in self.shown + self.folded if s.kind is Kind.LINK)

    @property
    def grid(self) -> int:
        """How many images the grid draws (its layout)."""
        return len(self.images)


@dataclass(frozen=True)
class FeedPost:
    """A post or thread on one channel as its feed shows it."""

    channel: str
    display: str
    field: str
    account: Account
    parts: tuple[FeedPart, ...]
    notes: tuple[str, ...]  # where the feed cuts or folds the text, in words
    alts: tuple[FeedImage, ...] = ()  # the post's images, for the alt-text note
    card_images: tuple[FeedImage, ...] = ()  # its cards' images (the page's description of them; a card may send none)


@dataclass(frozen=True)
class ImageSources:
    """Where the page finds an image: the preview's own copy of the same bytes, else a ``data:`` URI."""

    files: dict[str, str] = field(default_factory=dict)  # sha256 of the bytes -> preview file name

    def src(self, data: bytes) -> str | None:
        """``data`` as an image source; None when it is not a PNG, JPEG, GIF or WebP image."""
        try:
            with Image.open(io.BytesIO(data)) as img:
                mime = SHOWN_FORMATS.get(img.format or "")
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            return None
        if mime is None:
            return None
        known = self.files.get(hashlib.sha256(data).hexdigest())
        return known or f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def account(config: Config, channel: str) -> Account:
    """The account name and handle from ``[channel] account_name/account_handle``; placeholders when unset."""
    table = getattr(config, channel, None)
    name = clean_line(str(getattr(table, "account_name", "") or ""), NAME_MAX)
    handle = clean_line(str(getattr(table, "account_handle", "") or ""), HANDLE_MAX)
    missing = ", ".join(f for f, v in (("account_name", name), ("account_handle", handle)) if not v)
    name = name or clean_line(parseaddr(config.email.from_)[0], NAME_MAX) or "Your organisation"
    prefix = facts(channel).handle_prefix
    if prefix:
        handle = prefix + ("".join(handle.split()).lstrip(prefix) or "handle")
    else:  # a LinkedIn page shows no @handle: its line under the name, as written
        handle = handle or "placeholder: page's tagline"
    return Account(name, handle, f"[{channel}] {missing}" if missing else "")


def segments(part: RenderedPart, shown_link: Callable[[str], str]) -> tuple[Segment, ...]:
    """The part's text in runs, each link shown as the feed shows it (already short in the text, or ``shown_link``)."""
    text = part.text
    out: list[Segment] = []
    last = 0
    for span in sorted(part.links, key=lambda s: (s.start, s.end)):
        if span.start < last or not 0 <= span.start < span.end <= len(text):
            continue  # overlapping or out of range: a bad span shows as plain text rather than breaking the card
        out.extend(_text_runs(text, last, span.start))
        written = text[span.start:span.end]
        visible = shown_link(span.uri) if written == span.uri else written
        href = span.uri if span.uri[:8].lower().startswith(("http://", "https://")) else ""  # the link finder's, never urlsplit's (it raises)
        out.append(Segment(visible, Kind.LINK if href else Kind.TEXT, href, span.start, span.end))
        last = span.end
    out.extend(_text_runs(text, last, len(text)))
    return tuple(out)


def _text_runs(text: str, start: int, end: int) -> list[Segment]:
    """Plain text from ``start`` to ``end``, its hashtags as their own runs."""
    runs: list[Segment] = []
    at = start
    for m in HASHTAG.finditer(text, start, end):
        if m.start() > at:
            runs.append(Segment(text[at:m.start()], Kind.TEXT, "", at, m.start()))
        runs.append(Segment(m.group(0), Kind.TAG, "", m.start(), m.end()))
        at = m.end()
    if end > at:
        runs.append(Segment(text[at:end], Kind.TEXT, "", at, end))
    return runs


def line_limit(text: str, at: int, lines: int) -> int:
    """Where the feed's ``lines``-th line ends, a line holding about ``at / lines`` characters and a line break starting
    a new one (so blank lines count)."""
    width = max(1, at // lines)
    used = position = 0
    for line in text.split("\n"):
        rows = max(1, -(-len(line) // width))
        if used + rows >= lines:
            return position + min(len(line), (lines - used) * width)
        used += rows
        position += len(line) + 1
    return len(text)


def fold(runs: tuple[Segment, ...], at: int | None, lines: int | None = None) -> tuple[tuple[Segment, ...], tuple[Segment, ...], int | None]:
    """The runs before and behind the feed's fold after about ``at`` characters or ``lines`` lines, whichever comes
    first (at white space, never inside a link), and where the fold falls in the text as posted; the runs whole and
    None when the feed shows them whole."""
    shown_length = sum(len(r.text) for r in runs)
    if at is not None and lines:
        at = min(at, line_limit("".join(r.text for r in runs), at, lines))
    if at is None or shown_length <= at:
        return runs, (), None
    candidates = [0]
    offset = 0
    for run in runs:
        if run.kind is Kind.TEXT:
            candidates += [offset + m.start() for m in _SPACE.finditer(run.text)]
        else:
            candidates.append(offset)
        offset += len(run.text)
    cut = max(c for c in candidates if c <= at) or at  # no white space before the fold: cut at it
    text = "".join(r.text for r in runs)
    lines = [c for c in candidates if at * LINE_BREAK_WINDOW < c <= at and text[c] == "\n"]
    cut = lines[-1] if lines else cut  # a line break near the fold: the feed ends its lines there
    cut = len(text[:cut].rstrip()) or cut
    offset = 0
    for run in runs:  # a fold inside a link or hashtag (one longer than the fold, at the start) comes after it
        if run.kind is not Kind.TEXT and offset < cut < offset + len(run.text):
            cut = offset + len(run.text)
        offset += len(run.text)
    shown: list[Segment] = []
    folded: list[Segment] = []
    offset, plain_cut = 0, None
    for run in runs:
        end = offset + len(run.text)
        if end <= cut:
            shown.append(run)
        elif offset >= cut:  # never inside a link or hashtag: the cut was moved past them
            plain_cut = run.start if plain_cut is None else plain_cut
            folded.append(run)
        else:
            k = cut - offset
            shown.append(Segment(run.text[:k], run.kind, "", run.start, run.start + k))
            folded.append(Segment(run.text[k:], run.kind, "", run.start + k, run.end))
            plain_cut = run.start + k
        offset = end
    if not folded:
        return runs, (), None
    return tuple(shown), tuple(folded), plain_cut


def _image(data: bytes | None, alt: str, sources: ImageSources) -> FeedImage | None:
    src = sources.src(data) if data else None
    return FeedImage(src, alt) if src else None


def _read(media: Media) -> bytes | None:
    try:
        return media.read()
    except (ChannelError, OSError):
        return None


def _host(uri: str) -> str:
    parsed = parse(uri)  # as a browser reads it, the way the platforms show a card's host
    return parsed.hostname if parsed is not None else ""


def sent_card(campaign: Campaign, channel: str, sources: ImageSources) -> FeedCard | None:
    """The card that is sent with a post without images (Bluesky, LinkedIn), from :func:`report_card`."""
    card: LinkCard | None = report_card(campaign, channel)
    if card is None:
        return None
    thumb = _image(_read(card.thumb), card.thumb.alt, sources) if card.thumb else None
    return FeedCard(CardKind.SENT, card.uri, _host(card.uri), card.title, card.description, thumb)


def page_card(campaign: Campaign, channel: str, sources: ImageSources) -> FeedCard:
    """The card a platform draws from the report page's own tags (X): its title, host and cover."""
    uri = report_url(campaign, channel)
    cover = campaign.report.cover
    thumb = None
    if cover is not None:
        try:
            thumb = _image(_read(Media(campaign.asset(cover.image, "report.cover.image"), cover.alt)), cover.alt, sources)
        except CampaignError:  # validate has said so; the card goes without its image
            thumb = None
    return FeedCard(CardKind.PAGE, uri, _host(uri), campaign.report.title, "", thumb)


def _card_for(campaign: Campaign, post: RenderedPost, index: int, sources: ImageSources) -> FeedCard | None:
    """The card under part ``index``: the sent card on the first part without images, or the one the platform draws
    from the page when the part's last link is the report and the part has no images."""
    platform = facts(post.channel)
    if index == 0 and post.images:
        return None
    if platform.link_card:
        return sent_card(campaign, post.channel, sources) if index == 0 else None
    links = post.parts[index].links
    if platform.page_card and links and links[-1].uri == report_url(campaign, post.channel):
        return page_card(campaign, post.channel, sources)
    return None


def _notes(display: str, parts: tuple[FeedPart, ...]) -> tuple[str, ...]:
    """Where the feed cuts or folds the text, in words."""
    notes: list[str] = []
    for i, part in enumerate(parts):
        label = f"Part {i + 1}: " if len(parts) > 1 else ""
        if part.cut is not None:
            tail = part.text[:part.cut].rstrip()[-30:].lstrip()
            notes.append(f"{label}{display}'s feed shows the first {part.cut} characters, to “…{tail}”, then “…see more”.")
        if part.length > part.limit:
            notes.append(f"{label}over {display}'s limit by {part.length - part.limit}: it is refused.")
    if len(parts) > 1:
        notes.append(f"Feeds lead with part 1; the other {len(parts) - 1} show when the thread is opened.")
    if not notes:
        notes.append(f"{display}'s feed shows the whole text: nothing is cut.")
    return tuple(notes)


def feed_post(campaign: Campaign, post: RenderedPost, config: Config, sources: ImageSources) -> FeedPost:
    """``post`` as its platform's feed shows it."""
    platform = facts(post.channel)
    pictures = [_image(_read(Media(img.path, img.alt)), img.alt, sources) for img in post.images]
    images = tuple(p for p in pictures if p is not None)
    parts: list[FeedPart] = []
    for i, part in enumerate(post.parts):
        shown, folded, cut = fold(segments(part, platform.shown_link), platform.feed_fold, platform.feed_fold_lines)
        grid = images[:GRID_MAX] if i == 0 else ()
        more = len(images) - len(grid) if i == 0 else 0
        parts.append(FeedPart(shown, folded, part.text, cut, part.length, part.limit, grid, more,
                              _card_for(campaign, post, i, sources)))
    cards = tuple(dict.fromkeys(p.card.thumb for p in parts if p.card and p.card.thumb))
    return FeedPost(post.channel, platform.display, f"posts[{post.index}]", account(config, post.channel), tuple(parts),
                    _notes(platform.display, tuple(parts)), images, cards)


def feed_posts(campaign: Campaign, posts: list[RenderedPost], config: Config, sources: ImageSources) -> list[FeedPost]:
    """Every post as its feed shows it, in campaign order."""
    return [feed_post(campaign, post, config, sources) for post in posts]
