"""LinkedIn: posts through the REST API (``POST /rest/posts``), called directly with httpx. (Stub: being built.)"""

from __future__ import annotations

from typing import Any

from .base import ApiChannel, OutgoingPart, Posted
from .linkedin_facts import LINKEDIN, commentary


class LinkedInChannel(ApiChannel):
    """Posts to one organisation page or member."""

    facts = LINKEDIN

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The body of ``POST /rest/posts`` (images by file name; the author is the config's)."""
        return {"author": "", "commentary": commentary(part.text), "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
                "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}

    @classmethod
    def request_for(cls, settings: Any, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The payload with the configured author."""
        return {**cls.payload(part, reply_to, root), "author": settings.author}
