"""Fitting a drafted post into its platform's limit: segments, their measure, and the cuts.

A post is built from segments: the page's own words (escaped, so text like ``{{ x }}`` from a page
never becomes template code) and template fields like ``{{ report.url }}``. It is measured on the
text as the platform receives it: rendered by outreach (the report link with this channel's UTM
tags, the numbered thread suffix), then composed by the platform's facts (Bluesky shows a link as
its short form), and counted by the platform's own rule. Page words are cut at a sentence or word
boundary until it fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from ..channels.registry import facts
from ..text import ELLIPSIS, clean_line, cut_words
from ..validate import NEAR_LIMIT

HEADROOM = NEAR_LIMIT  # drafts stay out of validate's warning band, and a person may lengthen the link
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'’”)]))\s+")


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


def escape_template(text: str) -> str:
    """``text`` as a Jinja template that renders to exactly ``text``: every ``{`` becomes ``{{ "{" }}``."""
    return text.replace("{", '{{ "{" }}')


def measure(channel: str) -> Callable[[str], int]:
    """``channel``'s count of a text as outreach renders it, taken on the text as the platform receives it."""
    platform = facts(channel)
    return lambda text: platform.length(platform.compose(text).text)


def budget(channel: str) -> int:
    """The most a drafted post on ``channel`` may count: its limit less validate's near-the-limit band."""
    return int(facts(channel).limit * HEADROOM)


def first_sentence(text: str, most: int) -> str:
    """The first sentence of ``text`` (cut at a word boundary when longer than ``most``)."""
    text = clean_line(text)
    sentence = SENTENCE_END.split(text, maxsplit=1)[0]
    return cut_words(sentence, most)


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


def source_of(segments: Sequence[Segment]) -> str:
    """The segments as the campaign file writes them (page words escaped, fields as ``{{ … }}``), stripped."""
    return "".join(s.source for s in tidy(segments)).strip()


def _fits(segments: Sequence[Segment], count: Callable[[str], int], most: int, suffix: str) -> bool:
    return count(render(segments) + suffix) <= most


def _trimmed(segments: list[Segment], count: Callable[[str], int], most: int, suffix: str, keep: int) -> list[Segment] | None:
    """The segments with the last trimmable one cut (longest cut that fits, at least ``keep`` characters), or None."""
    spots = [i for i, s in enumerate(segments) if s.trim and s.text]
    if not spots:
        return None
    i = spots[-1]
    text = segments[i].text
    low, high, best = 0, len(text), None
    while low <= high:  # the measured length grows with the kept prefix: binary search on it
        mid = (low + high) // 2
        candidate = cut_words(text, mid)
        if _fits([*segments[:i], replace(segments[i], text=candidate), *segments[i + 1:]], count, most, suffix):
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    if best is None or len(best) < keep:
        return None
    sentences = SENTENCE_END.split(best)
    whole = " ".join(sentences[:-1]) if len(sentences) > 1 and best.endswith(ELLIPSIS) else ""
    if whole and len(whole) >= 0.6 * len(best):  # a whole sentence reads better than a cut one
        best = whole
    return [*segments[:i], replace(segments[i], text=best), *segments[i + 1:]]


def fit(segments: Sequence[Segment], channel: str, suffix: str = "", keep: int = 40) -> list[Segment]:
    """The segments within ``channel``'s limit (with headroom): page words cut first (keeping at least ``keep``
    characters), then optional segments left out from the end, then page words cut to nothing."""
    count, most = measure(channel), budget(channel)
    current = [s for s in segments if s.text]
    while not _fits(current, count, most, suffix):
        cut = _trimmed(current, count, most, suffix, keep)
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
    platform, count, most = facts(channel), measure(channel), budget(channel)
    for i, segments in enumerate(parts):
        length = count(render(segments) + (suffixes[i] if i < len(suffixes) else ""))
        if length <= most:
            continue
        where = f"part {i + 1} is " if len(parts) > 1 else ""
        links = [count(s.text) for s in segments if s.expr == "report.url"]
        why = f"; the report link alone counts {links[0]}" if links and links[0] > most // 3 else ""
        return (f"{where}{length} characters by {platform.display}'s count, over the draft's {most} "
                f"(the limit is {platform.limit}) even with the page's words cut{why}: shorten it")
    return None
