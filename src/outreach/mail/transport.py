"""Where messages go: an SMTP relay over a pool of connections, or the outbox folder.

A connection's :meth:`send` returns the server's reply or raises one of the
channel errors; it never returns a flag. The SMTP phases are driven by hand
so that a dropped connection is told apart by *when* it dropped: before the
end of DATA the server discards the message (safe to retry), after it the
message may have been delivered (:class:`OutcomeUnknown`).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import threading
import time
from pathlib import Path
from typing import Protocol

from ..config import Config, SmtpConfig, secret
from ..errors import AuthFailed, OutcomeUnknown, Rejected, Unavailable



class SmtpRejected(Rejected):
    """A 5xx reply; ``phase`` says whether the recipient (rcpt, data) or the sender (mail) was refused."""

    def __init__(self, reason: str, phase: str) -> None:
        self.phase = phase
        super().__init__(reason)


class MailConnection(Protocol):
    """One open connection to wherever mail goes."""

    def send(self, sender: str, recipient: str, data: bytes, name: str) -> str:
        """Deliver ``data``; return the server's reply text."""

    def close(self) -> None:
        """Close the connection."""


class MailTransport(Protocol):
    """Opens connections; ``connections`` says how many to keep in parallel."""

    connections: int
    description: str

    def open(self) -> MailConnection:
        """A fresh connection."""


def _reply(code: int, message: bytes) -> str:
    return f"{code} {message.decode('utf-8', 'replace').strip()}"


class SmtpConnection:
    """One SMTP session."""

    def __init__(self, cfg: SmtpConfig, username: str | None, password: str | None) -> None:
        try:
            if cfg.security == "tls":
                self.smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            self.smtp.ehlo()
            if cfg.security == "starttls":
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
            if username:
                self.smtp.login(username, password or "")
            self.pipelining = self.smtp.has_extn("pipelining")
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthFailed(f"SMTP {cfg.host}:{cfg.port} refused the login: {_reply(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise AuthFailed(f"SMTP {cfg.host}:{cfg.port}: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Unavailable(f"SMTP {cfg.host}:{cfg.port}: cannot connect: {exc}") from None

    def _check(self, code: int, message: bytes, ok: tuple[int, ...], phase: str) -> None:
        if code in ok:
            return
        reply = _reply(code, message)
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            pass
        if 400 <= code < 500 or code == -1:
            raise Unavailable(f"{phase}: {reply}")
        raise SmtpRejected(f"{phase}: {reply}", phase)

    def send(self, sender: str, recipient: str, data: bytes, name: str = "") -> str:
        """Run MAIL, RCPT, DATA for one message (pipelined when the server offers PIPELINING)."""
        smtp = self.smtp
        # Addresses were validated on import, so they are not parsed again here.
        commands = f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode("ascii")
        payload = (b"." if data.startswith(b".") else b"") + data.replace(b"\n.", b"\n..")
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        try:
            if self.pipelining:
                smtp.send(commands)
                replies = [smtp.getreply() for _ in range(3)]
            else:
                replies = []
                for line in commands.split(b"\r\n")[:3]:
                    smtp.send(line + b"\r\n")
                    replies.append(smtp.getreply())
                    if replies[-1][0] >= 400:
                        break
            for (code, message), ok, phase in zip(replies, ((250,), (250, 251), (354,)), ("mail", "rcpt", "data")):
                self._check(code, message, ok=ok, phase=phase)
            smtp.send(payload + b".\r\n")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Unavailable(f"connection dropped before the end of DATA: {exc}") from None
        try:
            code, message = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise OutcomeUnknown(f"connection dropped after the end of DATA, before the server's reply: {exc}") from None
        self._check(code, message, ok=(250,), phase="data")
        return _reply(code, message)

    def close(self) -> None:
        """Say QUIT; ignore a connection that is already gone."""
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            try:
                self.smtp.close()
            except OSError:
                pass


class SmtpTransport:
    """An SMTP relay from the ``[smtp]`` table."""

    def __init__(self, cfg: SmtpConfig) -> None:
        self.cfg = cfg
        self.connections = cfg.connections
        self.description = f"SMTP {cfg.host}:{cfg.port} ({cfg.security}, {cfg.connections} connections)"
        self._username = secret(cfg.username_env, "SMTP user name") if cfg.username_env else None
        self._password = secret(cfg.password_env, "SMTP password") if cfg.password_env else None

    def open(self) -> SmtpConnection:
        """A new, logged-in SMTP session."""
        return SmtpConnection(self.cfg, self._username, self._password)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", text)[:200]


class OutboxConnection:
    """Writes each message as an ``.eml`` file (atomically: temp file, then rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, sender: str, recipient: str, data: bytes, name: str = "") -> str:
        """Write the message; return where it went."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{_safe_name(name or recipient)}.eml"
        tmp = path.with_suffix(f".tmp{threading.get_ident()}")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise Unavailable(f"outbox {self.folder}: {exc.strerror}") from None
        return f"written to {path}"

    def close(self) -> None:
        """Nothing to close."""


class OutboxTransport:
    """The outbox folder: the default when no ``[smtp]`` table is configured."""

    connections = 1

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = f"outbox folder {folder}"

    def open(self) -> OutboxConnection:
        """A writer into the outbox folder."""
        return OutboxConnection(self.folder)


def mail_transport(config: Config, subfolder: str) -> MailTransport:
    """SMTP when configured, else the outbox (``outbox/email/<subfolder>``)."""
    if config.smtp is not None:
        return SmtpTransport(config.smtp)
    return OutboxTransport(config.outbox / "email" / _safe_name(subfolder))


class RateLimiter:
    """A token bucket shared by the sending threads (``rate`` messages per second)."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next message may go."""
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)

