"""Glue between a campaign, the config and :class:`MessageFactory`: headers, links, ids."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from ..campaign import Campaign
from ..config import Config
from ..render.email import RenderedEmail
from ..tokens import make_token
from .message import MessageFactory, Recipient

# Previews show a well-formed link signed with a public key: it is clearly not
# a real subscriber's link and works against no server.
PREVIEW_KEY = b"outreach-preview-sample-not-a-secret"
PREVIEW_SUBSCRIBER_ID = 0


def list_id(config: Config, list_name: str, list_title: str) -> str:
    """The RFC 2919 List-Id value for a subscriber list."""
    return f'"{list_title}" <{list_name}.{config.email.sender_domain}>'


def campaign_factory(config: Config, campaign: Campaign, rendered: RenderedEmail, subject_prefix: str = "") -> MessageFactory:
    """The message factory for a campaign's email."""
    return MessageFactory(
        rendered,
        sender=config.email.from_,
        reply_to=config.email.reply_to,
        list_id=list_id(config, rendered.list_name, rendered.list_title),
        subject_prefix=subject_prefix,
        extra_headers={"X-Outreach-Campaign": campaign.slug},
    )


def unsubscribe_links(config: Config, token: str) -> tuple[str, str]:
    """The one-click URL and the mailto fallback for an unsubscribe token."""
    url = f"{config.web.base_url}/u/{token}"
    mailto = f"mailto:{config.email.unsubscribe_mailto}?subject={quote('unsubscribe ' + token)}"
    return url, mailto


def message_id(config: Config, campaign_slug: str, subscriber_id: int | str) -> str:
    """A Message-ID unique per campaign and subscriber, on the sender's domain."""
    tag = hashlib.sha256(f"{campaign_slug}/{subscriber_id}".encode()).hexdigest()[:12]
    return f"<{campaign_slug}.{subscriber_id}.{tag}@{config.email.sender_domain}>"


def recipient(config: Config, campaign_slug: str, list_name: str, secret: bytes, subscriber_id: int, email: str, name: str | None) -> Recipient:
    """A real recipient with a signed unsubscribe token."""
    token = make_token(secret, "unsubscribe", subscriber_id, list_name)
    url, mailto = unsubscribe_links(config, token)
    return Recipient(email, name, url, mailto, message_id(config, campaign_slug, subscriber_id))


def sample_recipient(config: Config, campaign: Campaign) -> Recipient:
    """The preview's sample subscriber; deterministic, never a real token."""
    list_name = campaign.email.list if campaign.email else "preview"
    token = make_token(PREVIEW_KEY, "unsubscribe", PREVIEW_SUBSCRIBER_ID, list_name, now=0)
    url, mailto = unsubscribe_links(config, token)
    return Recipient(config.preview.sample_email, config.preview.sample_name, url, mailto, message_id(config, campaign.slug, "preview"))
