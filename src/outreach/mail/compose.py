"""Glue between a campaign, the config and :class:`MessageFactory`: headers, links, ids."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import quote, urlsplit

from sqlalchemy import Engine

from ..campaign import Campaign
from ..config import Config, secret
from ..errors import ConfigError
from ..render.email import RenderedEmail
from ..store.db import local_secret, now
from ..tokens import Keyring, keyring_from, make_return_token, make_token, verp_address
from .message import ClickValues, MessageFactory, Recipient

# Previews show a well-formed link signed with a public key: it is clearly not
# a real subscriber's link and works against no server.
_URL_SAFE = re.compile(r"^[A-Za-z0-9_.-]*$")

PREVIEW_KEYRING = Keyring.of(b"outreach-preview-sample-not-a-secret")
PREVIEW_SUBSCRIBER_KEY = "preview-sample-subscriber"
# A test copy's unsubscribe link: ``/u/test-copy`` names nobody (the web app answers it with a
# "this is a test copy" page; any other server says the link does not work).
TEST_COPY_TOKEN = "test-copy"
FEEDBACK_MAIL_TYPE = "newsletter"
INSECURE_LINKS_FLAG = "--allow-insecure-links"


def signing_keys(config: Config, engine: Engine) -> Keyring:
    """The keys that sign links: from the environment, or (outbox only) a random key kept in the database."""
    current = secret(config.email.secret_env, "the key that signs unsubscribe links", required=config.smtp is not None)
    previous = [value.encode() for name in config.email.previous_secret_envs if (value := secret(name, "an older link-signing key", required=False))]
    return keyring_from(current.encode() if current else local_secret(engine, "tokens"), previous)


def list_id(config: Config, list_name: str, list_title: str) -> str:
    """The RFC 2919 List-Id value for a subscriber list."""
    return f'"{list_title}" <{list_name}.{config.email.sender_domain}>'


_FEEDBACK_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _feedback_field(value: str) -> str:
    """One Feedback-ID field: a ':' or a space would shift Gmail's fields, so anything else becomes '-'."""
    return _FEEDBACK_UNSAFE.sub("-", value)[:64] or "-"


def feedback_sender_id(domain: str) -> str:
    """Gmail's mandatory SenderId (5-15 characters, the same for the whole stream): the sender domain when it fits."""
    if 5 <= len(domain) <= 15:
        return _feedback_field(domain)
    digest = hashlib.sha256(domain.encode("utf-8")).hexdigest()[:6]
    return f"{_feedback_field(domain)[:8]}-{digest}"


def feedback_id(config: Config, campaign_slug: str, list_name: str) -> str:
    """``campaign:list:newsletter:SenderId`` for Gmail's feedback loop (a:b:c:SenderId; no personal data)."""
    fields = (campaign_slug, list_name, FEEDBACK_MAIL_TYPE)
    return ":".join([*(_feedback_field(f) for f in fields), feedback_sender_id(config.email.sender_domain)])


def campaign_factory(config: Config, campaign: Campaign, rendered: RenderedEmail, subject_prefix: str = "",
                     clicks: ClickValues | None = None) -> MessageFactory:
    """The message factory for a campaign's email (a test copy differs only by ``subject_prefix``).

    With ``clicks``, ``rendered`` is the email with its links wrapped (:mod:`outreach.tracking.links`).
    """
    return MessageFactory(
        rendered,
        sender=config.email.from_,
        reply_to=config.email.reply_to,
        list_id=list_id(config, rendered.list_name, rendered.list_title),
        subject_prefix=subject_prefix,
        extra_headers={"X-Outreach-Campaign": campaign.slug, "Feedback-ID": feedback_id(config, campaign.slug, rendered.list_name)},
        clicks=clicks,
        preferences_url=preferences_link(config, TEST_COPY_TOKEN),  # only a recipient without their own link (a test copy) gets it
    )


def envelope_sender(config: Config, keys: Keyring, delivery_id: int) -> str:
    """A campaign message's SMTP envelope sender: the VERP address of its delivery row, or the From address without ``bounce_address``."""
    bounce = config.email.bounce_address
    if bounce is None:
        return config.email.sender_address
    return verp_address(bounce, make_return_token(keys, delivery_id))


def envelope_sender_of_test_copy(config: Config) -> str:
    """A test copy's envelope sender: the bounce address itself (same domain, so SPF judges it like the real send)."""
    return config.email.bounce_address or config.email.sender_address


def unsubscribe_links_of_test_copy(config: Config) -> tuple[str, str]:
    """The unsubscribe links of a test copy: they name nobody."""
    return unsubscribe_links(config, TEST_COPY_TOKEN)


def preferences_link(config: Config, token: str) -> str:
    """The "Manage your subscription" link for a preference token (``/p/test-copy`` names nobody)."""
    return f"{config.web.base_url}/p/{token}"


def unsubscribe_links(config: Config, token: str) -> tuple[str, str]:
    """The one-click URL and the mailto fallback for an unsubscribe token."""
    url = f"{config.web.base_url}/u/{token}"
    # signed tokens are URL-safe already (A-Z a-z 0-9 _ . -): only the space needs escaping
    subject = "unsubscribe%20" + token if _URL_SAFE.match(token) else quote("unsubscribe " + token)
    mailto = f"mailto:{config.email.unsubscribe_mailto}?subject={subject}"
    return url, mailto


def message_id(config: Config, campaign_slug: str, subscriber_key: str) -> str:
    """A Message-ID unique per campaign and subscriber, on the sender's domain; it reveals no row id.

    The same message always gets the same id, so a resend after ``unknown`` can be deduplicated downstream.
    """
    tag = hashlib.sha256(f"{campaign_slug}/{subscriber_key}".encode()).hexdigest()[:24]
    return f"<{campaign_slug}.{tag}@{config.email.sender_domain}>"


def recipient(config: Config, campaign_slug: str, list_name: str, keys: Keyring, subscriber_key: str, email: str, name: str | None) -> Recipient:
    """A real recipient with a signed unsubscribe token and a signed preference token, both for ``list_name``."""
    token = make_token(keys, "unsubscribe", subscriber_key, list_name)
    url, mailto = unsubscribe_links(config, token)
    preferences = preferences_link(config, make_token(keys, "preferences", subscriber_key, list_name))
    return Recipient(email, name, url, mailto, message_id(config, campaign_slug, subscriber_key), preferences)


def sample_recipient(config: Config, campaign: Campaign) -> Recipient:
    """The preview's sample subscriber; deterministic, never a real token."""
    list_name = campaign.email.list if campaign.email else "preview"
    token = make_token(PREVIEW_KEYRING, "unsubscribe", PREVIEW_SUBSCRIBER_KEY, list_name, now=0)
    url, mailto = unsubscribe_links(config, token)
    preferences = preferences_link(config, make_token(PREVIEW_KEYRING, "preferences", PREVIEW_SUBSCRIBER_KEY, list_name, now=0))
    return Recipient(config.preview.sample_email, config.preview.sample_name, url, mailto, message_id(config, campaign.slug, "preview"), preferences)


# Hosts under these names never reach a subscriber (RFC 2606, RFC 6761, RFC 6762 for .local).
_DEAD_SUFFIXES = ("localhost", "invalid", "test", "example", "local")


def dead_link_reason(base_url: str) -> str | None:
    """Why links under ``base_url`` cannot work for subscribers (or for a one-click POST), or None when they can."""
    parts = urlsplit(base_url)
    if parts.scheme != "https":
        return "it is not https (RFC 8058 one-click unsubscribe needs https)"
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        if ip.is_loopback or ip.is_unspecified:
            return f"its host {host} is this machine"
        if not ip.is_global or ip.is_multicast:
            return f"its host {host} is a private or reserved address that subscribers cannot reach"
        return None
    if any(host == s or host.endswith("." + s) for s in _DEAD_SUFFIXES):
        return f"its host {host} is under a reserved name that never resolves for subscribers"
    if not host or "." not in host:
        return f"its host {host or '(none)'} is not a public domain name"
    return None


def _base_url_location(config: Config) -> str:
    """Where ``web.base_url`` comes from: ``file:line: web.base_url``, or that the file leaves it at its default."""
    source = config.source
    if source is None:
        return "web.base_url (the built-in default; set it in [web] of outreach.toml)"
    line = None
    try:
        from ..tomlsource import read_toml

        line = read_toml(Path(source))[1].lines.get("web.base_url")
    except Exception:  # noqa: BLE001  (the location is a courtesy; the message stands without it)
        pass
    return f"{source}:{line}: web.base_url" if line else f"{source}: web.base_url (not set: the default; set it in [web])"


def require_live_links(config: Config) -> None:
    """Refuse to mail subscribers links that cannot work: a one-line :class:`ConfigError` naming ``web.base_url``."""
    reason = dead_link_reason(config.web.base_url)
    if reason is not None:
        raise ConfigError(f"{_base_url_location(config)}: {config.web.base_url} cannot be sent to subscribers over SMTP: {reason}, "
                          f"so every unsubscribe link would be dead; set the public https address of 'outreach serve', "
                          f"or pass {INSECURE_LINKS_FLAG} to 'outreach send' for a local test relay; nothing was sent")


def service_message(config: Config, email: str, subject: str, body: str) -> bytes:
    """A plain-text message outreach sends on its own (a confirmation, a review link, a notice), CRLF line ends.

    No campaign headers: it goes to one person who asked for it or works with the campaign.
    """
    msg = EmailMessage()
    msg["From"] = config.email.from_
    msg["To"] = email
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = make_msgid(domain=config.email.sender_domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
