"""ESP event webhooks: verify a provider's post, then read its bounces, complaints and unsubscribes.

Each provider module has ``verify_and_parse(headers, body, settings, secret, now, …)``
returning ``InboundMessage``s (``external_id`` is the provider-prefixed receipt
that makes a replay fail in the recorder) or raising :class:`WebhookRefused`
with the HTTP status to answer. Nothing here writes to the database.
"""

from __future__ import annotations

from . import mailgun, postmark, sendgrid, sns
from .base import MAX_BODY_BYTES, WebhookRefused

__all__ = ["MAX_BODY_BYTES", "WebhookRefused", "mailgun", "postmark", "sendgrid", "sns"]
