"""The drafted email subject and preheader, and one post per channel, each within its platform's limit.

A post is built from segments: the page's own words (escaped, so text like ``{{ x }}`` from a page
never becomes template code) and template fields like ``{{ report.url }}``. Its length is measured
on the text as outreach will render it (the report link with this channel's UTM tags, the numbered
thread suffix) with the platform's own counting rule, and page words are cut at a sentence or word
boundary until it fits. Nothing is added that the page does not state, besides the link and
fixed wording ("New …", "Read the report").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import grapheme

from ..channels.registry import PLATFORMS
from ..render.environment import with_utm
from ..render.posts import thread_number
from ..text import clean_line
from ..validate import NEAR_LIMIT
from .facts import Found, Origin, ReportFacts

HEADROOM = NEAR_LIMIT  # drafts stay out of validate's warning band, and a person may lengthen the link
MAX_ARGUMENTS = 6  # one thread part each
MAX_TAGS = 5
MAX_TITLE_FIELD = 100  # a longer title is not worth a template field in a post
MAX_SERIES = 60  # a longer "series" is not a series name ("DIIS Report", "Policy Brief"): the generic word is used
ELLIPSIS = "…"
SUBJECT_MAX, PREHEADER_MAX = 200, 200
# The few fixed words a draft adds, by the page's language (BCP 47 primary subtag); English otherwise.
WORDING: dict[str, dict[str, str]] = {
    "en": {"new": "New", "report": "report", "read": "Read the report", "by": "by", "and": "and"},
    "da": {"new": "Ny", "report": "rapport", "read": "Læs rapporten", "by": "af", "and": "og"},
}
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'’”)]))\s+")


@dataclass(frozen=True)
class Segment:
    """Part of a post: the page's words (``text``) or a template field (``expr``, whose rendered value is ``text``)."""

    text: str
    expr: str | None = None
    trim: bool = False  # page words that may be cut to fit
    optional: bool = False  # left out when the post cannot fit otherwise
    joiner: bool = False  # a separator ("\n\n", ": "): dropped when a neighbour is gone

    @property
    def source(self) -> str:
        """How the segment is written in the campaign file."""
        return f"{{{{ {self.expr} }}}}" if self.expr else escape_template(self.text)


@dataclass(frozen=True)
class DraftedPost:
    """One drafted ``[[posts]]`` entry: its channel, its text or thread parts (template sources), and options."""

    channel: str
    parts: tuple[str, ...]
    thread: bool
    numbered: bool = False
    image: bool = False
    check: str | None = None  # why a person must shorten it: it could not be drafted within the limit


@dataclass(frozen=True)
class EmailDraft:
    """The drafted email subject and preheader (plain text, not templates)."""

    subject: str
    preheader: str


@dataclass(frozen=True)
class PostContext:
    """What a post's template fields render to, for measuring."""

    url: str  # the report address as the campaign file will have it
    slug: str
    hashtags: tuple[str, ...] = ()  # from [draft] hashtags, without '#'


def escape_template(text: str) -> str:
    """``text`` as a Jinja template that renders to exactly ``text``: every ``{`` becomes ``{{ "{" }}``."""
    return text.replace("{", '{{ "{" }}')


def known(found: Found[str]) -> str:
    """The value, or "" when the page did not state it (a placeholder is never drafted into a post)."""
    return "" if found.origin is Origin.MISSING else clean_line(found.value)


def wording(facts: ReportFacts) -> dict[str, str]:
    """The fixed words for the page's language (English when it is not stated or not known)."""
    return WORDING.get(known(facts.language).lower().split("-")[0], WORDING["en"])


def hashtag(words: str) -> str:
    """``words`` as one CamelCase hashtag body of letters and digits ("Peace and violence" → "PeaceAndViolence"), or ""."""
    parts = [w for w in re.findall(r"[^\W_]+", words)[:8]]
    tag = "".join(p[:1].upper() + p[1:] for p in parts)[:40]
    return tag if any(ch.isalpha() for ch in tag) else ""


def _tags(*names: str) -> str:
    """Unique hashtags, in order, as one "#A #B" string (at most MAX_TAGS)."""
    seen: list[str] = []
    for name in names:
        tag = hashtag(name)
        if tag and tag.casefold() not in {s.casefold() for s in seen}:
            seen.append(tag)
    return " ".join(f"#{t}" for t in seen[:MAX_TAGS])


def _cut_words(text: str, room: int) -> str:
    """``text`` cut at a word boundary to at most ``room`` characters, with an ellipsis; "" if not even a word fits."""
    if len(text) <= room:
        return text
    head = text[: max(0, room - len(ELLIPSIS)) + 1]
    cut = head.rfind(" ")
    if cut <= 0 and " " not in text:  # a script written without spaces: cut between characters, never inside one
        kept = grapheme.slice(text, 0, max(0, grapheme.length(head) - 2))
        return kept + ELLIPSIS if kept else ""
    if cut <= 0:
        return ""
    return head[:cut].rstrip(" ,;:–—-") + ELLIPSIS


def first_sentence(text: str, most: int) -> str:
    """The first sentence of ``text`` (cut at a word boundary when longer than ``most``)."""
    text = clean_line(text)
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    return _cut_words(sentence, most)


def series_name(facts: ReportFacts) -> str:
    """The series ("DIIS Report"), or "" when the page gives none or something too long to be one."""
    series = known(facts.series)
    return series if len(series) <= MAX_SERIES else ""


def draft_email(facts: ReportFacts) -> EmailDraft:
    """"New <series>: <title>" and the abstract's first sentence, each within 200 characters."""
    title, series, w = known(facts.title) or known(facts.headline), series_name(facts), wording(facts)
    kind = series or w["report"]
    subject = _cut_words(f"{w['new']} {kind}: {title}", SUBJECT_MAX) if title else ""
    paragraphs = () if facts.abstract.origin is Origin.MISSING else facts.abstract.value
    preheader = first_sentence(paragraphs[0], PREHEADER_MAX) if paragraphs else ""
    return EmailDraft(subject or f"{w['new']} {w['report']}", preheader)


def tidy(segments: Sequence[Segment]) -> list[Segment]:
    """The segments without empty ones, and without a separator left at an end or next to another separator."""
    kept: list[Segment] = []
    for segment in (s for s in segments if s.text):
        if segment.joiner and (not kept or kept[-1].joiner):
            if kept:
                kept[-1] = segment  # of two separators in a row, the later one (it led into what follows)
            continue
        kept.append(segment)
    while kept and kept[-1].joiner:
        kept.pop()
    return kept


def render(segments: Sequence[Segment]) -> str:
    """The segments as outreach will render them (template fields replaced by their values), stripped."""
    return "".join(s.text for s in tidy(segments)).strip()


def _fits(segments: Sequence[Segment], measure: Callable[[str], int], budget: int, suffix: str) -> bool:
    return measure(render(segments) + suffix) <= budget


def _trimmed(segments: list[Segment], measure: Callable[[str], int], budget: int, suffix: str, keep: int) -> list[Segment] | None:
    """The segments with the last trimmable one cut (longest cut that fits, at least ``keep`` characters), or None."""
    spots = [i for i, s in enumerate(segments) if s.trim and s.text]
    if not spots:
        return None
    i = spots[-1]
    text = segments[i].text
    low, high, best = 0, len(text), None
    while low <= high:  # the measured length grows with the kept prefix: binary search on it
        mid = (low + high) // 2
        candidate = _cut_words(text, mid)
        if _fits([*segments[:i], replace(segments[i], text=candidate), *segments[i + 1:]], measure, budget, suffix):
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    if best is None or len(best) < keep:
        return None
    sentences = _SENTENCE_END.split(best)
    whole = " ".join(sentences[:-1]) if len(sentences) > 1 and best.endswith(ELLIPSIS) else ""
    if whole and len(whole) >= 0.6 * len(best):  # a whole sentence reads better than a cut one
        best = whole
    return [*segments[:i], replace(segments[i], text=best), *segments[i + 1:]]


def fit(segments: Sequence[Segment], channel: str, suffix: str = "", keep: int = 40) -> list[Segment]:
    """The segments within ``channel``'s limit (with headroom): page words cut first (keeping at least ``keep``
    characters), then optional segments left out from the end, then page words cut to nothing."""
    platform = PLATFORMS[channel]
    budget = int(platform.limit * HEADROOM)
    current = [s for s in segments if s.text]
    while not _fits(current, platform.length, budget, suffix):
        cut = _trimmed(current, platform.length, budget, suffix, keep)
        if cut is not None:
            return cut
        optional = [i for i, s in enumerate(current) if s.optional]
        if optional:
            current = current[: optional[-1]] + current[optional[-1] + 1:]
            continue
        if keep > 0:
            keep = 0
            continue
        spots = [i for i, s in enumerate(current) if s.trim]
        if not spots:
            return current  # only fixed words and fields are left; validate will say by how much it is over
        current = current[: spots[-1]] + current[spots[-1] + 1:]
    return current


def too_long(channel: str, parts: Sequence[Sequence[Segment]], suffixes: Sequence[str] = ()) -> str | None:
    """Why a person must shorten the post, when a part is still over the draft's budget after fitting; else None."""
    platform = PLATFORMS[channel]
    budget = int(platform.limit * HEADROOM)
    for i, segments in enumerate(parts):
        text = render(segments) + (suffixes[i] if i < len(suffixes) else "")
        length = platform.length(text)
        if length <= budget:
            continue
        where = f"part {i + 1} is " if len(parts) > 1 else ""
        links = [platform.length(s.text) for s in segments if s.expr == "report.url"]
        why = f"; the report link alone counts {links[0]}" if links and links[0] > budget // 3 else ""
        return (f"{where}{length} characters by {platform.display}'s count, over the draft's {budget} "
                f"(the limit is {platform.limit}) even with the page's words cut{why}: shorten it")
    return None


def source_of(segments: Sequence[Segment]) -> str:
    """The segments as the campaign file writes them (page words escaped, fields as ``{{ … }}``), stripped."""
    return "".join(s.source for s in tidy(segments)).strip()


def _url(ctx: PostContext, channel: str) -> Segment:
    source, medium = PLATFORMS[channel].utm
    return Segment(with_utm(ctx.url, source, medium, ctx.slug), expr="report.url")


def _title_segment(facts: ReportFacts) -> Segment | None:
    title = known(facts.title)
    if not title:
        return None
    if len(title) > MAX_TITLE_FIELD:
        return Segment(title, trim=True)
    return Segment(title, expr="report.title")


def x_thread(facts: ReportFacts, ctx: PostContext) -> DraftedPost:
    """The headline with the series' hashtag, one key argument per part, the report link in the last part."""
    lead = known(facts.headline) or known(facts.title)
    tags = _tags(series_name(facts), *ctx.hashtags)
    arguments = [] if facts.key_arguments.origin is Origin.MISSING else [clean_line(a) for a in facts.key_arguments.value]
    authors = [] if facts.authors.origin is Origin.MISSING else [clean_line(a) for a in facts.authors.value][:3]
    w = wording(facts)
    closing = [Segment(w["read"]), Segment(f" {w['by']} {_names(authors, w['and'])}", optional=True) if authors else Segment(""),
               Segment(": ", joiner=True), _url(ctx, "x")]
    bodies: list[list[Segment]] = []
    if lead:
        bodies.append([Segment(lead, trim=True), Segment(f"\n\n{tags}", optional=True) if tags else Segment("")])
    bodies += [[Segment(a, trim=True)] for a in arguments[:MAX_ARGUMENTS] if a]
    bodies.append(closing)
    for _ in range(2):  # a part cut to nothing is left out, and the rest numbered again
        total = len(bodies)
        fitted = [fit(b, "x", suffix=_numbering(i, total)) for i, b in enumerate(bodies)]
        bodies = [f for f in fitted if render(f)]
        if len(bodies) == total:
            break
    parts = tuple(source_of(b) for b in bodies)
    check = too_long("x", bodies, [_numbering(i, len(bodies)) for i in range(len(bodies))])
    return DraftedPost("x", parts, thread=True, numbered=len(parts) > 1, image=True, check=check)


def _numbering(i: int, total: int) -> str:
    """The "n/N" outreach adds to part ``i`` of a numbered thread (counted in its length)."""
    return thread_number(i, total)


def _names(names: Sequence[str], and_: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {and_} " + names[-1]


def mastodon_post(facts: ReportFacts, ctx: PostContext) -> DraftedPost:
    """"New <series>: <title>", the abstract's first sentence, the link, and hashtags from the topics and regions."""
    series = series_name(facts)
    title = _title_segment(facts)
    paragraphs = () if facts.abstract.origin is Origin.MISSING else facts.abstract.value
    lead = first_sentence(paragraphs[0], 400) if paragraphs else known(facts.headline)
    topics = () if facts.topics.origin is Origin.MISSING else facts.topics.value
    regions = () if facts.regions.origin is Origin.MISSING else facts.regions.value
    tags = _tags(*regions, *topics, *ctx.hashtags)
    w = wording(facts)
    segments = [Segment(f"{w['new']} {series or w['report']}")]
    if title is not None:
        segments += [Segment(": ", joiner=True), title]
    if lead:
        segments += [Segment("\n\n", joiner=True), Segment(lead, trim=True)]
    segments += [Segment("\n\n", joiner=True), _url(ctx, "mastodon")]
    if tags:
        segments.append(Segment(f"\n\n{tags}", optional=True))
    fitted = fit(segments, "mastodon")
    return DraftedPost("mastodon", (source_of(fitted),), thread=False, image=True, check=too_long("mastodon", [fitted]))


def _link_left_out(url: Segment, channel: str) -> str | None:
    """Why the report link is left out of a post's text, when the link alone is over the draft's budget; else None.

    Only for a platform that shows a link card for a post without images (Bluesky): the card carries the link.
    """
    platform = PLATFORMS[channel]
    budget = int(platform.limit * HEADROOM)
    length = platform.length(url.text)
    if not platform.link_card or length <= budget:
        return None
    return (f"the report link alone counts {length} characters by {platform.display}'s count, over the draft's {budget} "
            f"(the limit is {platform.limit}): it is left out of the text and the post's link card carries it; confirm the card")


def bluesky_post(facts: ReportFacts, ctx: PostContext) -> DraftedPost:
    """The headline, the series' hashtag and the link; no image, so Bluesky shows the report's link card.

    A report link too long for the post on its own is left out of the text (the link card still carries
    it) and the reason is given in ``check``, so the post stays within the limit.
    """
    lead = known(facts.headline) or known(facts.title)
    tags = _tags(series_name(facts), *ctx.hashtags)
    url = _url(ctx, "bluesky")
    left_out = _link_left_out(url, "bluesky")
    segments = [Segment(lead, trim=True), Segment("\n\n", joiner=True)] if lead else []
    if not left_out:
        segments.append(url)
    if tags:
        segments.append(Segment(f"\n\n{tags}", optional=True))
    fitted = fit(segments, "bluesky")
    if not render(fitted):  # without the link nothing was left: fixed words, as a post may not be empty
        w = wording(facts)
        fitted = [Segment(f"{w['new']} {series_name(facts) or w['report']}")]
    check = too_long("bluesky", [fitted]) or left_out
    return DraftedPost("bluesky", (source_of(fitted),), thread=False, image=False, check=check)


DRAFTERS: dict[str, Callable[[ReportFacts, PostContext], DraftedPost]] = {
    "x": x_thread, "mastodon": mastodon_post, "bluesky": bluesky_post,
}


def draft_posts(facts: ReportFacts, channels: Sequence[str], ctx: PostContext) -> tuple[DraftedPost, ...]:
    """One drafted post per channel, in the order given; a channel without a drafter is left out."""
    return tuple(DRAFTERS[name](facts, ctx) for name in channels if name in DRAFTERS)
