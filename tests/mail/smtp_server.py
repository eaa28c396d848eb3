"""A real SMTP server on loopback (aiosmtpd) that records every delivery and can be told to fail.

``SmtpServer(chunking=True)`` also offers CHUNKING (RFC 3030, ``BDAT``) and PIPELINING;
``SmtpServer(pipelining=True)`` offers PIPELINING alone. By default neither is advertised.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, syntax


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Delivery:
    rcpt: str
    data: bytes
    peer: tuple
    mail_from: str
    via: str = "DATA"  # how the content came: "DATA", or "BDAT" (RFC 3030 chunks)
    at: float = field(default_factory=time.monotonic)  # when the whole message had arrived (time.monotonic)

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    """Accepts mail unless a rule says otherwise. Rules map an address to a list of actions,
    consumed one per attempt: "451 …"/"550 …" replies to RCPT, "data:451 …" replies to DATA,
    "drop-before-data" (close at RCPT), "drop-after-data" (close after the message arrived,
    before replying). A message sent with BDAT meets the same rules at its LAST chunk."""

    rules: dict[str, list[str]] = field(default_factory=dict)
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    rcpt_at: dict[str, float] = field(default_factory=dict)  # when each address's RCPT TO arrived (time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _next(self, address: str) -> str | None:
        with self.lock:
            actions = self.rules.get(address)
            return actions.pop(0) if actions else None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.lock:
            self.rcpt_at.setdefault(address, time.monotonic())
        action = self._next(address)
        if action == "drop-before-data":
            server.transport.close()
            return "421 closing"
        if action and action[0] in "45":
            return action
        if action:
            self.rules.setdefault(address, []).insert(0, action)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        rcpt = envelope.rcpt_tos[0]
        action = self._next(rcpt)
        with self.lock:
            via = getattr(envelope, "via", "DATA")
            self.deliveries.append(Delivery(rcpt, envelope.content, session.peer, envelope.mail_from, via))
        if action == "drop-after-data":
            server.transport.close()
            return "250 never seen"
        if action and action.startswith("data:"):
            with self.lock:
                self.deliveries.pop()
            return action[len("data:"):]
        return "250 2.0.0 queued"

    def counts(self) -> Counter:
        with self.lock:
            return Counter(d.rcpt for d in self.deliveries)


def _refuse_everyone(server, session, envelope, mechanism, auth_data) -> AuthResult:
    return AuthResult(success=False, handled=False)


class ExtendedSMTP(SMTP):
    """aiosmtpd's SMTP plus, when asked for, PIPELINING in EHLO and CHUNKING (RFC 3030: ``BDAT <size> [LAST]``).

    A BDAT chunk is read whole (exactly <size> octets, no dot-stuffing) whatever the reply, so a
    pipelined client stays in step; each chunk gets a 250; the LAST one delivers the message
    through the handler's ``handle_DATA`` like DATA does (``envelope.via == "BDAT"``).
    """

    def __init__(self, handler, *, chunking: bool = False, pipelining: bool = False, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.bdat: bytearray | None = None
        self.bdat_failed = False
        self.chunking = chunking
        self.pipelining = pipelining or chunking  # BDAT is made for pipelining (RFC 3030 §4.2)

    def _set_post_data_state(self) -> None:
        super()._set_post_data_state()
        self.bdat: bytearray | None = None  # the chunks so far of a BDAT transaction
        self.bdat_failed = False  # a chunk was refused: the rest up to LAST is read and refused too

    @syntax("EHLO hostname")
    async def smtp_EHLO(self, hostname: str) -> None:
        lines: list[str] = []

        async def collect(status: str) -> None:
            lines.append(status)

        self.push = collect  # type: ignore[method-assign]  # gather aiosmtpd's reply to add our keywords
        try:
            await super().smtp_EHLO(hostname)
        finally:
            del self.push
        if lines and lines[0].startswith("250"):
            extra = ["250-PIPELINING"] * self.pipelining + ["250-CHUNKING"] * self.chunking
            lines[1:1] = extra
        for line in lines:
            await self.push(line)

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if self.bdat is not None or self.bdat_failed:
            await self.push("503 5.5.1 Error: DATA after BDAT in one transaction")
            return
        self.envelope.via = "DATA"
        await super().smtp_DATA(arg)

    @syntax("BDAT <size> [LAST]")
    async def smtp_BDAT(self, arg: str | None) -> None:
        if not self.chunking:
            await self.push('500 Error: command "BDAT" not recognized')
            return
        size, last = _bdat_args(arg)
        if size is None:
            await self.push("501 5.5.4 Syntax: BDAT <size> [LAST]")
            return
        try:
            chunk = await self._reader.readexactly(size)
        except asyncio.CancelledError:
            self._writer.close()
            raise
        refusal = self._bdat_refusal()
        if refusal:
            self.bdat_failed = True
            if last:
                self._set_post_data_state()
            await self.push(refusal)
            return
        if self.bdat is None:
            self.bdat = bytearray()
        self.bdat += chunk
        if not last:
            await self.push(f"250 2.0.0 {size} octets received")
            return
        await self._deliver_bdat()

    def _bdat_refusal(self) -> str | None:
        """Why this BDAT chunk is refused (after it was read), or None."""
        if not self.session.host_name:
            return "503 5.5.1 Error: send EHLO first"
        if self._auth_required and not self.session.authenticated:
            return "530 5.7.0 Authentication required"
        if not self.envelope.mail_from:
            return "503 5.5.1 Error: need MAIL command"
        if self.bdat_failed:
            return "554 5.5.1 Error: transaction already failed"
        if not self.envelope.rcpt_tos:
            return "554 5.5.1 Error: no valid recipients"
        return None

    async def _deliver_bdat(self) -> None:
        """The LAST chunk arrived: hand the message to the handler as DATA would, then reply."""
        content = bytes(self.bdat or b"")
        self.envelope.content = self.envelope.original_content = content
        self.envelope.via = "BDAT"
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if not isinstance(status, str) else status)


def _bdat_args(arg: str | None) -> tuple[int | None, bool]:
    """``BDAT``'s <size> and whether LAST was given; size None when the syntax is wrong."""
    words = (arg or "").split()
    if not 1 <= len(words) <= 2 or not words[0].isdigit() or (len(words) == 2 and words[1].upper() != "LAST"):
        return None, False
    return int(words[0]), len(words) == 2


class _ExtendedController(Controller):
    """A Controller whose connections are :class:`ExtendedSMTP`."""

    def __init__(self, handler, *, chunking: bool, pipelining: bool, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.extensions = {"chunking": chunking, "pipelining": pipelining}

    def factory(self) -> ExtendedSMTP:
        return ExtendedSMTP(self.handler, **self.extensions, **self.SMTP_kwargs)


class SmtpServer:
    def __init__(self, refuse_logins: bool = False, chunking: bool = False, pipelining: bool = False) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        auth = {"authenticator": _refuse_everyone, "auth_require_tls": False} if refuse_logins else {}
        options = dict(hostname="127.0.0.1", port=self.port, decode_data=False, **auth)
        if chunking or pipelining:
            self.controller = _ExtendedController(self.handler, chunking=chunking, pipelining=pipelining, **options)
        else:  # exactly what the tests written before BDAT saw
            self.controller = Controller(self.handler, **options)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def when(self, address: str, *actions: str) -> None:
        self.handler.rules.setdefault(address, []).extend(actions)

    @property
    def deliveries(self) -> list[Delivery]:
        return self.handler.deliveries
