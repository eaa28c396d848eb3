"""The double opt-in confirmation email, the preference-link email, and the worker that sends them off the request path.

A sign-up only queues a row (:func:`outreach.store.membership.request_sign_up`);
:class:`ConfirmationWorker` runs inside ``outreach serve`` and sends what is
due through the configured transport. So a request never waits for SMTP, and
a slow or dead relay changes neither the answer nor its timing. The message
carries nothing the person who filled in the form chose: no name, only the
list's title from the config and the signed link. A preference link asked for
at ``/preferences`` (purpose ``preferences``) is queued and sent the same way.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..config import Config
from ..errors import ChannelError, OutcomeUnknown
from ..mail.compose import service_message
from ..mail.transport import BACKOFF, MailTransport, mail_transport
from ..store.db import now
from ..store.membership import QueuedMail, claim_due_mail, finish_mail, recover_mail
from ..store.preferences import PURPOSE as PREFERENCES, mail_purposes
from ..tokens import Keyring, make_token
from .background import BackgroundWorker

log = logging.getLogger("outreach.web.confirmation")

POLL_SECONDS = 1.0  # how often the worker looks for mail queued by another server process
RECOVER_SECONDS = 300.0  # how often it requeues mail a dead server left "sending" and prunes old rows
RETRY_AFTER = BACKOFF  # seconds before attempt 2, 3, 4, 5: the same policy as campaign mail
MAX_ATTEMPTS = len(RETRY_AFTER) + 1


def confirmation_message(config: Config, keys: Keyring, subscriber_key: str, email: str, list_name: str) -> bytes:
    """The "confirm your subscription" message for ``email``, as bytes with CRLF line ends."""
    link = f"{config.web.base_url}/confirm/{make_token(keys, 'confirm', subscriber_key, list_name)}"
    title = config.lists[list_name].title
    return service_message(config, email, f"Confirm your subscription to {title}",
                            f"Hello,\n\nPlease confirm that you want to receive {title}:\n\n{link}\n\n"
                            "If you did not ask for this, ignore this message: you will not be subscribed.\n")


def preferences_message(config: Config, keys: Keyring, subscriber_key: str, email: str, list_name: str) -> bytes:
    """The "your subscription settings" message with a fresh ``/p/<token>`` link, as bytes with CRLF line ends."""
    link = f"{config.web.base_url}/p/{make_token(keys, 'preferences', subscriber_key, list_name)}"
    return service_message(config, email, "Your subscription settings",
                            "Hello,\n\nHere is the link to manage your subscription: your newsletters, your topics, a pause, or leaving:"
                            f"\n\n{link}\n\nIf you did not ask for this, ignore this message: nothing changes.\n")


class ConfirmationWorker(BackgroundWorker):
    """Sends queued confirmation mail; one per ``outreach serve`` process (several may share a database)."""

    name = "confirmation queue"

    def __init__(self, config: Config, engine: Engine, keys: Keyring, transport: MailTransport | None = None) -> None:
        super().__init__(POLL_SECONDS)
        self.config, self.engine, self.keys = config, engine, keys
        self.transport = transport
        self._recovered: float | None = None

    def round(self) -> None:
        """Requeue mail a dead server left "sending" (every RECOVER_SECONDS), then send what is due."""
        if self._recovered is None or time.monotonic() - self._recovered > RECOVER_SECONDS:
            self._recover()
            self._recovered = time.monotonic()
        self.send_due()

    def _recover(self) -> None:
        try:
            recover_mail(self.engine)
        except SQLAlchemyError as exc:
            log.error("confirmation queue: cannot recover stale mail (%s)", exc.__class__.__name__)

    def send_due(self) -> int:
        """Send every due mail once; return how many were handled."""
        try:
            due = claim_due_mail(self.engine)
        except SQLAlchemyError as exc:
            log.error("confirmation queue: database error (%s); retrying", exc.__class__.__name__)
            return 0
        try:
            purposes = mail_purposes(self.engine, [mail.id for mail in due])
        except SQLAlchemyError as exc:  # the rows stay "sending"; recovery requeues them
            log.error("confirmation queue: database error (%s); retrying", exc.__class__.__name__)
            return 0
        for mail in due:
            try:
                self._send(mail, purposes.get(mail.id) == PREFERENCES)
            except SQLAlchemyError as exc:  # the row stays "sending"; recovery requeues it
                log.error("confirmation mail %d: database error (%s)", mail.id, exc.__class__.__name__)
        return len(due)

    def _send(self, mail: QueuedMail, preferences: bool = False) -> None:
        # Errors are logged by class and mail id only: SMTP replies often quote the address.
        try:
            message = preferences_message if preferences else confirmation_message
            data = message(self.config, self.keys, mail.subscriber_key, mail.email, mail.list_name)
            connection = (self.transport or mail_transport(self.config, "confirmations")).open()
            try:
                connection.send(self.config.email.sender_address, mail.email, data, name=f"{'preferences' if preferences else 'confirm'}-{mail.id:09d}")
            finally:
                connection.close()
        except OutcomeUnknown:
            log.warning("confirmation mail %d: the relay dropped after the message; not resent", mail.id)
            finish_mail(self.engine, mail.id, "unknown")
        except ChannelError as exc:
            if mail.attempts >= MAX_ATTEMPTS:
                log.warning("confirmation mail %d: %s on attempt %d; giving up", mail.id, exc.__class__.__name__, mail.attempts)
                finish_mail(self.engine, mail.id, "failed")
            else:
                log.warning("confirmation mail %d: %s; retrying later", mail.id, exc.__class__.__name__)
                finish_mail(self.engine, mail.id, "queued", now() + timedelta(seconds=RETRY_AFTER[mail.attempts - 1]))
        except Exception as exc:  # noqa: BLE001  (one bad mail must not stop the worker)
            log.error("confirmation mail %d: internal error %s", mail.id, exc.__class__.__name__)
            finish_mail(self.engine, mail.id, "failed")
        else:
            finish_mail(self.engine, mail.id, "sent")
