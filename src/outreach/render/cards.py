"""The link card a post without images carries for the report (Bluesky's external embed, LinkedIn's article).

One place builds it, for posting and for the preview alike, so what a reviewer sees is what is sent:
the report's title, the abstract's first sentence (else the subtitle), and the cover as thumbnail,
re-encoded when it is over the platform's byte limit (:mod:`outreach.channels.thumbnail`), under a
name whose suffix says the bytes' type.
"""

from __future__ import annotations


from ..campaign import Campaign
from ..channels.base import LinkCard, Media
from ..channels.registry import facts
from ..channels.thumbnail import ThumbnailError, fit
from ..text import cut_words, sentences
from .posts import report_url

DESCRIPTION_MAX = 300  # characters of the card's description: the feeds show two or three lines of it


def report_card(campaign: Campaign, channel: str) -> LinkCard | None:
    """The card for the report on ``channel``, or None where the platform sends none.

    Raises a located :class:`~outreach.errors.CampaignError` (``report.cover.image``) when the cover cannot be
    made into a thumbnail within the platform's limit."""
    if not facts(channel).link_card:
        return None
    return LinkCard(report_url(campaign, channel), campaign.report.title, card_description(campaign), _thumb(campaign, channel))


def card_description(campaign: Campaign) -> str:
    """The abstract's first sentence (at most :data:`DESCRIPTION_MAX` graphemes, cut at a word); else the subtitle."""
    paragraphs = campaign.report.paragraphs
    found = sentences(paragraphs[0]) if paragraphs else ()
    first = found[0] if found else campaign.report.subtitle
    return cut_words(first, DESCRIPTION_MAX)


def _thumb(campaign: Campaign, channel: str) -> Media | None:
    cover = campaign.report.cover
    if cover is None:
        return None
    path = campaign.asset(cover.image, "report.cover.image")
    platform = facts(channel)
    try:
        fitted = fit(path.read_bytes(), platform.max_image_bytes, platform.image_formats)
    except OSError as exc:
        raise campaign.error("report.cover.image", f"{cover.image}: {exc.strerror}") from None
    except ThumbnailError as exc:
        raise campaign.error("report.cover.image", f"{cover.image}: no {platform.display} card thumbnail: {exc}") from None
    name = path if not fitted.changed else path.with_name(f"{path.stem}-card{fitted.suffix}")
    return Media(name, cover.alt, content=fitted.data)
