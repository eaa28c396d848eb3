"""Where messages go: an SMTP relay over a pool of connections, or the outbox folder.

With ``[email.dkim]`` either is wrapped in :class:`SigningTransport`: each
message is signed by the connection that sends it, so what leaves (or lands
in the outbox) is exactly the signed bytes, and campaign mail is signed in its
sender threads.

A connection's :meth:`send` returns the server's reply or raises one of the
channel errors; it never returns a flag. The SMTP phases are driven by hand
so that a dropped connection is told apart by *when* it dropped. A server
accepts a message only after the final ``.``; so anything we can prove
happened before it went out is safe to retry (:class:`Unavailable`):

- a write that fails (the bytes, and so the dot, were never handed over);
- a reply, a close or a reset that arrives while the body is still streaming
  (checked before the dot is written);

- a reset (RST) instead of a reply: a server's system resets a connection it closes
  with unread data, and the dot was the last thing written, so it was not read
  (a server that read the dot and then died closes with a FIN, which is not this);

while a clean close or silence after the dot was written may follow an
accepted message, so it is :class:`OutcomeUnknown` and never retried.
A 5xx to ``MAIL FROM`` refuses *us*, not the recipient (:class:`SenderRefused`):
the run stops and the rows stay queued.
"""

from __future__ import annotations

import os
import re
import select
import smtplib
import socket
import ssl
import threading
from pathlib import Path
from typing import Callable, Protocol

from ..config import Config, SmtpConfig, secret
from ..errors import AuthFailed, ChannelError, OutcomeUnknown, Rejected, Unavailable
from .dkim import DkimSigner


class SmtpRejected(Rejected):
    """A 5xx reply; ``phase`` says whether the recipient (rcpt, data) or the sender (mail) was refused."""

    def __init__(self, reason: str, phase: str) -> None:
        self.phase = phase
        super().__init__(reason)


class SenderRefused(Unavailable):
    """The server refused our sender (a 5xx to ``MAIL FROM``): no message can go; stop the run, keep the rows queued."""


class ReplyTimeout(Unavailable):
    """No reply before the end of DATA within the timeout: nothing was accepted; retry later."""


class DataTimeout(OutcomeUnknown):
    """The whole message went out and no reply came within the timeout: it may have been accepted."""


class UnsafeEnvelope(Rejected):
    """An envelope address that is not one line of ASCII: writing it would add SMTP commands."""


_CHUNK = 64 * 1024
# Temporary failures (4xx, a relay that is down) are tried again after these waits, then given up.
BACKOFF = (30.0, 120.0, 600.0, 1800.0)
MAX_ATTEMPTS = len(BACKOFF) + 1
CONNECT_TRIES = 4  # a relay that refuses the connection is tried again after 1, 4 and 16 s


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


def reply_text(code: int, message: bytes) -> str:
    """An SMTP reply as one line of text."""
    return f"{code} {message.decode('utf-8', 'replace').strip()}"


def unsafe_envelope(sender: str, recipient: str) -> UnsafeEnvelope | None:
    """An error when an envelope address is not one line of printable ASCII (writing it would add SMTP commands)."""
    for address in (sender, recipient):
        if not address.isascii() or any(c in address for c in "\r\n<>\x00") or not address.isprintable():
            return UnsafeEnvelope("an envelope address is not one line of printable ASCII")
    return None


def stuffed(content: bytes) -> bytes:
    """A message's content as DATA sends it: dot-stuffed, ending in CRLF (the final dot is not included)."""
    payload = (b"." if content.startswith(b".") else b"") + content.replace(b"\n.", b"\n..")
    return payload if payload.endswith(b"\r\n") else payload + b"\r\n"


def timed_out(exc: BaseException) -> bool:
    """Whether a failed read was a timeout (smtplib wraps the socket's error)."""
    cause = exc.__context__ if isinstance(exc, smtplib.SMTPServerDisconnected) else exc
    return isinstance(exc, TimeoutError) or isinstance(cause, TimeoutError)


def after_end(exc: BaseException | None, timeout: float | None, last_written: bool) -> ChannelError:
    """No reply after the end of a message was written: unknown, unless a reset proves the end was never read.

    A reset (not a close) means the server's side closed with our data still unread; that proves
    the end was unread only when it was the last thing written (nothing pipelined after it).
    """
    if exc is None:
        return OutcomeUnknown("the connection failed after the end of the message was written, before the server's reply")
    cause = exc.__context__ if isinstance(exc, smtplib.SMTPServerDisconnected) else exc
    if timed_out(exc):
        return DataTimeout(f"no reply within {timeout}s after the end of the message")
    if isinstance(cause, ConnectionResetError) and last_written:
        return Unavailable(f"the server reset the connection without reading the end of the message: {exc}")
    return OutcomeUnknown(f"connection dropped after the end of DATA, before the server's reply: {exc}")


def refusal(code: int, message: bytes, phase: str) -> ChannelError:
    """A refusal by phase: a 5xx to MAIL refuses us; 4xx (or a lost line) is temporary; other 5xx refuse the recipient."""
    reply = reply_text(code, message)
    if phase == "mail" and 500 <= code < 600 and code != 503:  # 503 is out of sequence (a transaction left open), not the sender
        return SenderRefused(f"the server refused the sender address: {reply}")
    if phase == "mail" and code == 503:
        return Unavailable(f"{phase}: {reply}")
    if 400 <= code < 500 or code == -1:
        return Unavailable(f"{phase}: {reply}")
    return SmtpRejected(f"{phase}: {reply}", phase)


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
            # The final dot is written on its own, after a last look for an early reply: without
            # NODELAY, Nagle's algorithm holds it back until the body is acknowledged (40 ms each).
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthFailed(f"SMTP {cfg.host}:{cfg.port} refused the login: {reply_text(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise AuthFailed(f"SMTP {cfg.host}:{cfg.port}: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Unavailable(f"SMTP {cfg.host}:{cfg.port}: cannot connect: {exc}") from None

    def _check(self, code: int, message: bytes, ok: tuple[int, ...], phase: str) -> None:
        if code in ok:
            return
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            pass
        raise refusal(code, message, phase)

    def _replies(self, commands: bytes) -> list[tuple[int, bytes]]:
        """MAIL, RCPT, DATA (pipelined when offered); stop at the first refusal otherwise."""
        smtp = self.smtp
        if self.pipelining:
            smtp.send(commands)
            return [smtp.getreply() for _ in range(3)]
        replies = []
        for line in commands.split(b"\r\n")[:3]:
            smtp.send(line + b"\r\n")
            replies.append(smtp.getreply())
            if replies[-1][0] >= 400:
                break
        return replies

    def early_reply(self) -> str | None:
        """What the server said, or that it closed, before our final dot; None when it is quiet."""
        sock = self.smtp.sock
        if isinstance(sock, socket.socket) and hasattr(sock, "pending") and sock.pending():  # TLS already decrypted
            readable = True
        else:
            readable = bool(select.select([sock], [], [], 0)[0])
        if not readable:
            return None
        try:
            code, message = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            return f"the connection closed: {exc}"
        return reply_text(code, message)

    def write_round(self, data: bytes, dot_end: int) -> None:
        """Write ``data``, in which a message's content ends at ``dot_end`` (0: none ends in it).

        A failure says whether that end was handed over (:class:`OutcomeUnknown`) or not
        (:class:`Unavailable`); a reply that arrives before it means the server discards the message.
        """
        sock = self.smtp.sock
        if (early := self.early_reply()) is not None:
            raise Unavailable(f"the server answered before the message was sent, which it discards: {early}")
        view = memoryview(data)
        sent = 0
        timeout = sock.gettimeout()
        try:
            # TLS writes a call's records all or (on an error) "none", though earlier records may be out: no call
            # may then span the end of the content, or a sent dot would read as unsent
            split = dot_end if isinstance(sock, ssl.SSLSocket) and 0 < dot_end < len(view) else 0
            if len(view) <= _CHUNK and not split:  # the usual round: one send, no wait for the socket to be writable first
                sent = sock.send(view)
            while sent < len(view):
                readable, writable, _ = select.select([sock], [sock], [], timeout)
                if readable and sent < dot_end and (early := self.early_reply()) is not None:
                    raise Unavailable(f"the server answered before the end of the message, which it discards: {early}")
                if not writable:
                    raise TimeoutError("timed out writing the message")
                end = min(sent + _CHUNK, split) if sent < split else sent + _CHUNK
                sent += sock.send(view[sent:end])
        except OSError as exc:
            if dot_end and sent >= dot_end:
                raise OutcomeUnknown(f"the connection failed after the end of the message was written: {exc}") from None
            raise Unavailable(f"writing the message failed before its end: {exc}") from None

    def send(self, sender: str, recipient: str, data: bytes, name: str = "") -> str:
        """Run MAIL, RCPT, DATA for one message; see the module docstring for what each failure means."""
        try:
            return self._send(sender, recipient, data)
        except (Unavailable, OutcomeUnknown):
            self.broken = True  # mid-session: a QUIT would only wait for a reply that may never come
            raise

    def _send(self, sender: str, recipient: str, data: bytes) -> str:
        if (unsafe := unsafe_envelope(sender, recipient)) is not None:
            raise unsafe
        commands = f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode("ascii")
        payload = stuffed(data)
        try:
            replies = self._replies(commands)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            if timed_out(exc):
                raise ReplyTimeout(f"no reply before DATA within {self.smtp.timeout}s") from None
            raise Unavailable(f"connection dropped before DATA: {exc}") from None
        for (code, message), ok, phase in zip(replies, ((250,), (250, 251), (354,)), ("mail", "rcpt", "data")):
            self._check(code, message, ok=ok, phase=phase)
        self.write_round(payload + b".\r\n", len(payload) + 3)  # the dot is the last thing written
        try:
            code, message = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise after_end(exc, self.smtp.timeout, last_written=True) from None
        self._check(code, message, ok=(250,), phase="data")
        return reply_text(code, message)

    def close(self) -> None:
        """Say QUIT (just close a connection left mid-session); ignore a connection that is already gone."""
        try:
            if getattr(self, "broken", False):
                raise OSError("left mid-session")
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
        except BaseException as exc:
            tmp.unlink(missing_ok=True)  # a full disk must not leave half a message behind
            if isinstance(exc, OSError):
                raise Unavailable(f"outbox {self.folder}: {exc.strerror or exc}") from None
            raise
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


class SigningConnection:
    """A connection that DKIM-signs each message as it sends it, in the thread that sends it."""

    def __init__(self, inner: MailConnection, signer: DkimSigner) -> None:
        self.inner, self.signer = inner, signer

    def send(self, sender: str, recipient: str, data: bytes, name: str = "") -> str:
        """Sign ``data`` (OpenSSL releases the GIL: the sender threads sign in parallel), then send it."""
        return self.inner.send(sender, recipient, self.signer.sign(data), name=name)

    def close(self) -> None:
        """Close the connection underneath."""
        self.inner.close()


class SigningTransport:
    """Any transport whose messages leave DKIM-signed: SMTP and outbox ``.eml`` files alike."""

    def __init__(self, inner: MailTransport, signer: DkimSigner) -> None:
        self.inner, self.signer = inner, signer
        self.connections = inner.connections
        self.description = f"{inner.description}, DKIM-signed d={signer.domain} s={signer.selector}"

    def open(self) -> SigningConnection:
        """A connection of the transport underneath, signing."""
        return SigningConnection(self.inner.open(), self.signer)


def signing(transport: MailTransport, signer: DkimSigner | None) -> MailTransport:
    """``transport`` signing with ``signer`` (unchanged without a signer, or when it signs already)."""
    if signer is None or isinstance(transport, SigningTransport):
        return transport
    return SigningTransport(transport, signer)


def plain_transport(config: Config, subfolder: str) -> MailTransport:
    """SMTP when configured, else the outbox (``outbox/email/<subfolder>``); unsigned."""
    if config.smtp is not None:
        return SmtpTransport(config.smtp)
    return OutboxTransport(config.outbox / "email" / _safe_name(subfolder))


def mail_transport(config: Config, subfolder: str) -> MailTransport:
    """Where mail goes (:func:`plain_transport`), DKIM-signed when ``[email.dkim]`` is configured."""
    return signing(plain_transport(config, subfolder), DkimSigner.from_config(config))


def open_with_retries(transport: "MailTransport", note: Callable[[str], None], stop: threading.Event | None = None,
                      enough: Callable[[], bool] = lambda: False) -> "MailConnection":
    """Open (and log in to) a connection, waiting 1, 4, 16 s between refusals; raise the last :class:`Unavailable`.

    :class:`AuthFailed` is raised at once: trying the same password again will not help. A refusal
    when ``enough()`` (other connections are sending: the relay takes fewer than configured, "421
    too many connections") is raised at once too: the run carries on with the connections it has.
    """
    stop = stop or threading.Event()
    delay = 1.0
    for attempt in range(1, CONNECT_TRIES + 1):
        try:
            return transport.open()
        except Unavailable as exc:
            if attempt == CONNECT_TRIES or stop.is_set() or enough():
                raise
            note(f"{exc}; retrying in {delay:.0f}s")
            stop.wait(delay)
            delay *= 4
    raise AssertionError("unreachable")
