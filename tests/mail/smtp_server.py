"""A real SMTP server on loopback (aiosmtpd) that records every delivery and can be told to fail."""

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
from aiosmtpd.smtp import AuthResult


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

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    """Accepts mail unless a rule says otherwise. Rules map an address to a list of actions,
    consumed one per attempt: "451 …"/"550 …" replies to RCPT, "data:451 …" replies to DATA,
    "drop-before-data" (close at RCPT), "drop-after-data" (close after the message arrived,
    before replying)."""

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
            self.deliveries.append(Delivery(rcpt, envelope.content, session.peer, envelope.mail_from))
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


class SmtpServer:
    def __init__(self, refuse_logins: bool = False) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        auth = {"authenticator": _refuse_everyone, "auth_require_tls": False} if refuse_logins else {}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, decode_data=False, **auth)

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

