"""``outreach inbound``: the SMTP or LMTP receiver the bounce domain's MX (or a relay) forwards to.

It is not a relay: RCPT is accepted only for the return path (``bounces+TOKEN@domain``
and the bare bounce address) and the ``mailto:`` unsubscribe address, anything else
gets 550. After DATA the mail is classified and recorded, and 250 is sent only once
the record is committed; a database failure answers 451 so the sending MTA keeps it
and tries again. A mail recorded before (the same Message-ID) is answered 250.
LMTP answers DATA once per accepted recipient (RFC 2033).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from email import policy
from typing import Any, Awaitable, Callable, Sequence

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..config import Config
from ..errors import DatabaseUnavailable
from ..tokens import Keyring, verp_token_of
from .events import Classification, InboundMessage, InboundSource
from .record import stored_receipt

log = logging.getLogger("outreach.inbound")

TEMPORARY = "451 4.3.0 Temporary failure, please try again later"


@dataclass(frozen=True)
class Ingested:
    """What happened to one inbound mail: how it was read, and whether this call recorded it."""

    classification: Classification
    receipt: str | None
    recorded: Any = None  # the recorder's Recorded; None when the mail was recorded before
    already: bool = False


def accepts_recipient(config: Config, address: str) -> bool:
    """Whether ``address`` is ours: a VERP form of the bounce address, the bounce address, the mailto: unsubscribe."""
    addr = address.strip().strip("<>").lower()
    bounce = config.email.bounce_address
    if bounce is not None and (addr == bounce.lower() or verp_token_of(addr, bounce) is not None):
        return True
    return addr == config.email.unsubscribe_mailto.lower()


def mail_receipt(raw: bytes) -> str | None:
    """``mail:<Message-ID>`` for a mail that has one (hashed when too long for the column), else None."""
    try:
        value = BytesHeaderParser(policy=policy.compat32).parsebytes(raw).get("Message-ID")
    except Exception:  # noqa: BLE001  (an unparsable header block simply has no usable Message-ID)
        return None
    if value is None:
        return None
    message_id = " ".join(str(value).split())
    if not message_id or not message_id.isprintable():
        return None
    return stored_receipt(f"mail:{message_id}")  # the value kept, so the IMAP poller can look it up


def ingest(engine: Engine, config: Config, keys: Keyring, raw: bytes, source: InboundSource, *,
           envelope_recipients: Sequence[str] = (), receipt: str | None = None) -> Ingested:
    """Classify one mail and record it; a mail recorded before is not recorded again.

    Database failures propagate (:class:`DatabaseUnavailable` or SQLAlchemy's errors): the caller
    keeps the mail for another attempt.
    """
    from .classify import classify
    from .record import AlreadyRecorded, record

    classification = classify(raw, bounce_address=config.email.bounce_address,
                              unsubscribe_address=config.email.unsubscribe_mailto,
                              envelope_recipients=tuple(envelope_recipients))
    message = InboundMessage(source=source, raw=raw, classification=classification,
                             received_at=datetime.now(timezone.utc), external_id=receipt)
    try:
        return Ingested(classification, receipt, record(engine, config, keys, message))
    except AlreadyRecorded:
        return Ingested(classification, receipt, already=True)


def is_database_failure(exc: BaseException) -> bool:
    """A failure the database caused, worth another attempt later."""
    return isinstance(exc, (DatabaseUnavailable, SQLAlchemyError))


class InboundHandler:
    """aiosmtpd handler: refuse strangers at RCPT, classify and record at DATA."""

    def __init__(self, config: Config, engine: Engine, keys: Keyring, *, lmtp: bool = False) -> None:
        self.config, self.engine, self.keys = config, engine, keys
        self.source = InboundSource.LMTP if lmtp else InboundSource.SMTP

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if not accepts_recipient(self.config, address):
            return "550 5.1.1 No such mailbox here (this server only takes returned mail)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        try:
            done = await asyncio.get_running_loop().run_in_executor(None, self._take, raw, tuple(envelope.rcpt_tos))
        except Exception as exc:  # noqa: BLE001  (never a traceback to the client: the MTA retries)
            what = "database unavailable" if is_database_failure(exc) else f"internal error ({type(exc).__name__})"
            log.warning("inbound %s from %s: %s, answered 451", self.source.value, _peer(session), what)
            return TEMPORARY
        kind = done.classification.kind.value
        log.info("inbound %s from %s: %s, %d bytes, %s", self.source.value, _peer(session), kind, len(raw),
                 "recorded before" if done.already else "recorded")
        return "250 2.0.0 Already have it" if done.already else f"250 2.0.0 Recorded as {kind}"

    def _take(self, raw: bytes, recipients: tuple[str, ...]) -> Ingested:
        return ingest(self.engine, self.config, self.keys, raw, self.source,
                      envelope_recipients=recipients, receipt=mail_receipt(raw))

    async def handle_exception(self, error: Exception) -> str:
        log.warning("inbound %s: session error (%s)", self.source.value, type(error).__name__)
        return "421 4.3.0 Error, closing connection"


def _peer(session: Session) -> str:
    peer = session.peer
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else str(peer)


class _LmtpServer(LMTP):
    """aiosmtpd's LMTP, answering DATA once per accepted recipient, its own 552/500 refusals included."""

    _rcpts = 0          # recipients of the transaction whose DATA is being read
    _final_next = False  # the 354 went out: the next reply is DATA's final one

    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802
        self._rcpts = len(self.envelope.rcpt_tos) if self.envelope is not None else 0
        try:
            await super().smtp_DATA(arg)
        finally:
            self._rcpts, self._final_next = 0, False

    async def push(self, status: Any) -> None:
        if self._final_next:
            self._final_next = False
            for _ in range(max(self._rcpts, 1)):
                await super().push(status)
            return
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else str(status)
        if self._rcpts and text.startswith("354"):
            self._final_next = True
        await super().push(status)


def server_factory(config: Config, engine: Engine, keys: Keyring, *, lmtp: bool) -> Callable[[], SMTP]:
    """A protocol factory for ``loop.create_server``: one SMTP (or LMTP) session per connection."""
    handler = InboundHandler(config, engine, keys, lmtp=lmtp)
    server_class = _LmtpServer if lmtp else SMTP
    limit = config.inbound.smtp.max_message_bytes

    def make() -> SMTP:
        return server_class(handler, data_size_limit=limit, decode_data=False, enable_SMTPUTF8=False,
                            ident="outreach inbound")

    return make


async def serve(config: Config, engine: Engine, keys: Keyring, *, host: str, port: int, lmtp: bool,
                stop: asyncio.Event, ready: Callable[[str, int], None] = lambda h, p: None,
                also: Callable[[asyncio.Event], Awaitable[None]] | None = None) -> None:
    """Listen on ``host:port`` until ``stop`` is set; ``ready`` is told the bound address, ``also`` runs alongside."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(server_factory(config, engine, keys, lmtp=lmtp), host=host, port=port)
    bound = server.sockets[0].getsockname()
    ready(bound[0], bound[1])
    side = asyncio.create_task(also(stop)) if also is not None else None
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        if side is not None:
            await side


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` on a new event loop; SIGTERM and SIGINT set ``stop`` so it ends cleanly."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await main(stop)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)

    asyncio.run(runner())
