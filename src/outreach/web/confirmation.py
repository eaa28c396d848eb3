"""The double opt-in confirmation email (one message, so a plain EmailMessage is fine here)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ..config import Config
from ..mail.transport import mail_transport
from ..store.db import now
from ..tokens import Keyring, make_token


def send_confirmation(config: Config, keys: Keyring, subscriber_key: str, email: str, name: str | None, list_name: str) -> str:
    """Send the "confirm your subscription" message; return the transport's reply."""
    token = make_token(keys, "confirm", subscriber_key, list_name)
    link = f"{config.web.base_url}/confirm/{token}"
    title = config.lists[list_name].title
    msg = EmailMessage()
    msg["From"] = config.email.from_
    msg["To"] = email
    msg["Subject"] = f"Confirm your subscription to {title}"
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = make_msgid(domain=config.email.sender_domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(f"Hello{' ' + name if name else ''},\n\nPlease confirm that you want to receive {title}:\n\n{link}\n\n"
                    "If you did not ask for this, ignore this message: you will not be subscribed.\n")
    connection = mail_transport(config, "confirmations").open()
    try:
        return connection.send(config.email.sender_address, email, msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")), name=f"confirm-{subscriber_key}")
    finally:
        connection.close()
