"""The link card a post without images carries for the report (Bluesky's external embed, LinkedIn's article).

One place builds it, for posting and for the preview alike, so what a reviewer sees is what is sent.
"""

from __future__ import annotations

from ..campaign import Campaign
from ..channels.base import LinkCard, Media
from ..channels.registry import facts
from .posts import report_url


def report_card(campaign: Campaign, channel: str) -> LinkCard | None:
    """The card for the report on ``channel``, or None where the platform sends none."""
    if not facts(channel).link_card:
        return None
    cover = campaign.report.cover
    thumb = Media(campaign.asset(cover.image, "report.cover.image"), cover.alt) if cover else None
    description = campaign.report.subtitle or (campaign.report.paragraphs[0][:280] if campaign.report.paragraphs else "")
    return LinkCard(report_url(campaign, channel), campaign.report.title, description, thumb)
