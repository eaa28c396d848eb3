"""The drafted email subject and preheader, and one post per channel, each within its platform's limit.

Each post is built from segments (:mod:`.fitting`) and measured on the text as the platform receives
it (rendered by outreach, then composed by the platform: Bluesky shows the report link short), so
it stays within validate's count. Nothing is added that the page does not state, besides the link
and fixed wording ("New …", "Read the report", "Key findings").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from ..channels.registry import facts as platform_facts
from ..render.environment import with_utm
from ..render.posts import thread_number
from ..text import clean_line
from .facts import Found, Origin, ReportFacts
from .fitting import (Segment, budget, cut_words, escape_template, first_sentence, fit, measure, render, source_of,
                      tidy, too_long)

__all__ = ["DRAFTERS", "DraftedPost", "EmailDraft", "PostContext", "Segment", "draft_email", "draft_posts",
           "escape_template", "hashtag", "known", "render", "source_of", "tidy"]

MAX_ARGUMENTS = 6  # one thread part each (X), one line each (LinkedIn)
MAX_FINDING = 240  # a key finding on LinkedIn is a short line (the claims drafted from a page are this long at most)
MAX_TAGS = 5
MAX_TITLE_FIELD = 100  # a longer title is not worth a template field in a post
MAX_SERIES = 60  # a longer "series" is not a series name ("DIIS Report", "Policy Brief"): the generic word is used
SUBJECT_MAX, PREHEADER_MAX = 200, 200
# The few fixed words a draft adds, by the page's language (BCP 47 primary subtag); English otherwise.
WORDING: dict[str, dict[str, str]] = {
    "en": {"new": "New", "report": "report", "read": "Read the report", "by": "by", "and": "and",
           "findings": "Key findings:"},
    "da": {"new": "Ny", "report": "rapport", "read": "Læs rapporten", "by": "af", "and": "og",
           "findings": "Hovedpointer:"},
}


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


def series_name(facts: ReportFacts) -> str:
    """The series ("DIIS Report"), or "" when the page gives none or something too long to be one."""
    series = known(facts.series)
    return series if len(series) <= MAX_SERIES else ""


def draft_email(facts: ReportFacts) -> EmailDraft:
    """"New <series>: <title>" and the abstract's first sentence, each within 200 characters."""
    title, series, w = known(facts.title) or known(facts.headline), series_name(facts), wording(facts)
    kind = series or w["report"]
    subject = cut_words(f"{w['new']} {kind}: {title}", SUBJECT_MAX) if title else ""
    paragraphs = () if facts.abstract.origin is Origin.MISSING else facts.abstract.value
    preheader = first_sentence(paragraphs[0], PREHEADER_MAX) if paragraphs else ""
    return EmailDraft(subject or f"{w['new']} {w['report']}", preheader)


def _url(ctx: PostContext, channel: str) -> Segment:
    source, medium = platform_facts(channel).utm
    return Segment(with_utm(ctx.url, source, medium, ctx.slug), expr="report.url")


def _title_segment(facts: ReportFacts) -> Segment | None:
    title = known(facts.title)
    if not title:
        return None
    if len(title) > MAX_TITLE_FIELD:
        return Segment(title, trim=True)
    return Segment(title, expr="report.title")


def _listed(found: Found[tuple[str, ...]]) -> list[str]:
    """A list the page states, each item one clean line; [] when the page did not state it (never a placeholder)."""
    return [] if found.origin is Origin.MISSING else [c for v in found.value if (c := clean_line(v))]


def _closing(facts: ReportFacts, ctx: PostContext, channel: str) -> list[Segment]:
    """"Read the report by <authors>: <link>" (the authors left out first when it cannot fit)."""
    authors, w = _listed(facts.authors)[:3], wording(facts)
    by = Segment(f" {w['by']} {_names(authors, w['and'])}", optional=True) if authors else Segment("")
    return [Segment(w["read"]), by, Segment(": ", joiner=True), _url(ctx, channel)]


def x_thread(facts: ReportFacts, ctx: PostContext) -> DraftedPost:
    """The headline with the series' hashtag, one key argument per part, the report link in the last part."""
    lead = known(facts.headline) or known(facts.title)
    tags = _tags(series_name(facts), *ctx.hashtags)
    bodies: list[list[Segment]] = []
    if lead:
        bodies.append([Segment(lead, trim=True), Segment(f"\n\n{tags}", optional=True) if tags else Segment("")])
    bodies += [[Segment(a, trim=True)] for a in _listed(facts.key_arguments)[:MAX_ARGUMENTS]]
    bodies.append(_closing(facts, ctx, "x"))
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


def _announce(facts: ReportFacts) -> list[Segment]:
    """"New <series>: <title>" ("New report: …" when the page names no series)."""
    title, w = _title_segment(facts), wording(facts)
    segments = [Segment(f"{w['new']} {series_name(facts) or w['report']}")]
    return segments + [Segment(": ", joiner=True), title] if title is not None else segments


def mastodon_post(facts: ReportFacts, ctx: PostContext) -> DraftedPost:
    """"New <series>: <title>", the abstract's first sentence, the link, and hashtags from the topics and regions."""
    paragraphs = _listed(facts.abstract)
    lead = first_sentence(paragraphs[0], 400) if paragraphs else known(facts.headline)
    tags = _tags(*_listed(facts.regions), *_listed(facts.topics), *ctx.hashtags)
    segments = _announce(facts)
    if lead:
        segments += [Segment("\n\n", joiner=True), Segment(lead, trim=True)]
    segments += [Segment("\n\n", joiner=True), _url(ctx, "mastodon")]
    if tags:
        segments.append(Segment(f"\n\n{tags}", optional=True))
    fitted = fit(segments, "mastodon")
    return DraftedPost("mastodon", (source_of(fitted),), thread=False, image=True, check=too_long("mastodon", [fitted]))


def _link_left_out(url: Segment, channel: str, image: bool) -> str | None:
    """Why the report link is left out of a post's text, when the link as the platform shows it is over the draft's
    budget on its own; else None.

    Only for a post without images on a platform that then shows the report's link card: the card carries the
    link. Bluesky shows a link as its host and a short path, so there this is only a safety net.
    """
    platform = platform_facts(channel)
    length, most = measure(channel)(url.text), budget(channel)
    if image or not platform.link_card or length <= most:
        return None
    return (f"the report link alone counts {length} characters by {platform.display}'s count, over the draft's {most} "
            f"(the limit is {platform.limit}): it is left out of the text and the post's link card carries it; confirm the card")


def bluesky_post(facts: ReportFacts, ctx: PostContext) -> DraftedPost:
    """The headline, the link (Bluesky shows it short) and the series' hashtag; no image, so Bluesky shows the
    report's link card."""
    lead = known(facts.headline) or known(facts.title)
    tags = _tags(series_name(facts), *ctx.hashtags)
    url = _url(ctx, "bluesky")
    left_out = _link_left_out(url, "bluesky", image=False)
    segments = [Segment(lead, trim=True), Segment("\n\n", joiner=True)] if lead else []
    if not left_out:
        segments.append(url)
    if tags:
        segments.append(Segment(f"\n\n{tags}", optional=True))
    fitted = fit(segments, "bluesky")
    if not render(fitted):  # without the link nothing was left: fixed words, as a post may not be empty
        fitted = _announce(facts)[:1]
    check = too_long("bluesky", [fitted]) or left_out
    return DraftedPost("bluesky", (source_of(fitted),), thread=False, image=False, check=check)


def hook(text: str, fold: int | None) -> str:
    """The opening a feed shows before its "…see more" fold: ``text`` whole when it fits before ``fold``
    characters, else its first sentence (cut at a word boundary)."""
    text = clean_line(text)
    return text if fold is None or len(text) <= fold else first_sentence(text, fold)


def _opening(facts: ReportFacts) -> str:
    """The headline, or the abstract's first sentence when the headline only repeats the title (the post names it)."""
    headline, title = known(facts.headline), known(facts.title)
    if headline and headline.casefold() != title.casefold():
        return headline
    paragraphs = _listed(facts.abstract)
    return first_sentence(paragraphs[0], 1000) if paragraphs else ""


def linkedin_post(facts: ReportFacts, ctx: PostContext) -> DraftedPost:
    """A hook before LinkedIn's "…see more" fold (the headline, else the abstract's first sentence), "New <series>:
    <title>", the key findings one per line, the link with the authors, and hashtags from the regions, topics and
    series; the cover as its image.

    Page words are cut only when the post would not fit: the last finding first, then the hashtags, the
    authors and the findings (last first) are left out, and only then are a long title and the hook cut.
    """
    w, fold = wording(facts), platform_facts("linkedin").feed_fold
    opening = hook(_opening(facts), fold)
    segments = [Segment(opening, trim=True), Segment("\n\n", joiner=True)] if opening else []
    segments += _announce(facts)
    for i, finding in enumerate(cut_words(a, MAX_FINDING) for a in _listed(facts.key_arguments)[:MAX_ARGUMENTS]):
        # the heading rides on the first finding's separator, so it goes when the findings go
        lead_in = f"\n\n{w['findings']}\n• " if i == 0 else "\n• "
        segments += [Segment(lead_in, joiner=True), Segment(finding, trim=True, optional=True)]
    segments += [Segment("\n\n", joiner=True), *_closing(facts, ctx, "linkedin")]
    tags = _tags(*_listed(facts.regions), *_listed(facts.topics), series_name(facts), *ctx.hashtags)
    if tags:
        segments.append(Segment(f"\n\n{tags}", optional=True))
    fitted = fit(segments, "linkedin")
    return DraftedPost("linkedin", (source_of(fitted),), thread=False, image=True, check=too_long("linkedin", [fitted]))


DRAFTERS: dict[str, Callable[[ReportFacts, PostContext], DraftedPost]] = {
    "x": x_thread, "mastodon": mastodon_post, "bluesky": bluesky_post, "linkedin": linkedin_post,
}


def draft_posts(facts: ReportFacts, channels: Sequence[str], ctx: PostContext) -> tuple[DraftedPost, ...]:
    """One drafted post per channel, in the order given; a channel without a drafter is left out."""
    return tuple(DRAFTERS[name](facts, ctx) for name in channels if name in DRAFTERS)
