"""Glue between a campaign, the config and :class:`MessageFactory`: headers, links, ids."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from sqlalchemy import Engine

from ..campaign import Campaign
from ..config import Config, secret
from ..render.email import RenderedEmail
from ..store.db import local_secret
from ..tokens import Keyring, keyring_from, make_token
from .message import MessageFactory, Recipient

# Previews show a well-formed link signed with a public key: it is clearly not
# a real subscriber's link and works against no server.
PREVIEW_KEYRING = Keyring.of(b"outreach-preview-sample-not-a-secret")
PREVIEW_SUBSCRIBER_KEY = "preview-sample-subscriber"


def signing_keys(config: Config, engine: Engine) -> Keyring:
    """The keys that sign links: from the environment, or (outbox only) a random key kept in the database."""
    current = secret(config.email.secret_env, "the key that signs unsubscribe links", required=config.smtp is not None)
    previous = [value.encode() for name in config.email.previous_secret_envs if (value := secret(name, "an older link-signing key", required=False))]
    return keyring_from(current.encode() if current else local_secret(engine, "tokens"), previous)


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


def message_id(config: Config, campaign_slug: str, subscriber_key: str) -> str:
    """A Message-ID unique per campaign and subscriber, on the sender's domain; it reveals no row id.

    The same message always gets the same id, so a resend after ``unknown`` can be deduplicated downstream.
    """
    tag = hashlib.sha256(f"{campaign_slug}/{subscriber_key}".encode()).hexdigest()[:24]
    return f"<{campaign_slug}.{tag}@{config.email.sender_domain}>"


def recipient(config: Config, campaign_slug: str, list_name: str, keys: Keyring, subscriber_key: str, email: str, name: str | None) -> Recipient:
    """A real recipient with a signed unsubscribe token."""
    token = make_token(keys, "unsubscribe", subscriber_key, list_name)
    url, mailto = unsubscribe_links(config, token)
    return Recipient(email, name, url, mailto, message_id(config, campaign_slug, subscriber_key))


def sample_recipient(config: Config, campaign: Campaign) -> Recipient:
    """The preview's sample subscriber; deterministic, never a real token."""
    list_name = campaign.email.list if campaign.email else "preview"
    token = make_token(PREVIEW_KEYRING, "unsubscribe", PREVIEW_SUBSCRIBER_KEY, list_name, now=0)
    url, mailto = unsubscribe_links(config, token)
    return Recipient(config.preview.sample_email, config.preview.sample_name, url, mailto, message_id(config, campaign.slug, "preview"))
