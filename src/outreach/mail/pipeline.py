"""One round trip per message: SMTP transactions pipelined across messages (RFC 2920), or BDAT (RFC 3030).

A send run drives each connection in *rounds*. A round carries the content of
the message whose envelope the server already accepted, and the envelope of the
next one::

    DATA:  <content k> CRLF . CRLF   MAIL FROM  RCPT TO  DATA   → 250 (k)  250 250 354
    BDAT:  BDAT n LAST <content k>   MAIL FROM  RCPT TO         → 250 (k)  250 250

With CHUNKING the content needs no dot-stuffing and no 354, and a message the
sender gives up after its envelope was accepted costs an RSET rather than the
connection (after 354 only a closed connection discards the content). Either
way each envelope is answered before its content goes, so a connection that
drops mid-envelope proves the message was not taken.

Between the write and the replies, ``meanwhile`` runs: the sender commits the
previous outcome and claims the next message there, so the ledger's commit
overlaps the network's round trip instead of adding to it. At most two
messages per connection are ``sending`` at any moment: the one whose final
reply is awaited and the next one, claimed before its content goes out.

What a failure means is decided by what was written (see :mod:`.transport`):
before the end of content k was handed over, nothing of k can have been
taken (:class:`Unavailable`, retried); after it, a dropped connection or
silence may follow an accepted message (:class:`OutcomeUnknown`). A reset is
proof of an unread end only when the end was the last thing written.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Callable, Protocol

from ..errors import ChannelError, Unavailable
from .dkim import DkimSigner
from .transport import (MailConnection, ReplyTimeout, SigningConnection, SmtpConnection, SmtpRejected, UnsafeEnvelope, after_end, refusal,
                        reply_text, stuffed, timed_out, unsafe_envelope)



@dataclass(frozen=True)
class Envelope:
    """Who a message is from (its own envelope sender) and to; ``name``: how the outbox names its file."""

    sender: str
    recipient: str
    name: str = ""


@dataclass(frozen=True)
class Settled:
    """How one message (or one envelope) ended on the wire: the server's reply, or the error that says what happened."""

    reply: str | None = None
    error: ChannelError | None = None


@dataclass(frozen=True)
class Round:
    """What one round settled: the message whose content went out, and the next message's envelope."""

    content: Settled | None
    envelope: Settled | None
    usable: bool = True


ACCEPTED = Settled(reply="ready")


class NotAnswered(Unavailable):
    """The connection failed before this message's envelope was answered: it was never sent (says nothing of the server)."""


class Pipeline(Protocol):
    """A connection driven in rounds (see the module docstring); ``overlaps``: whether ``meanwhile`` runs while replies travel."""

    overlaps: bool

    def prepare(self, data: bytes) -> bytes:
        """The bytes that will go out for ``data`` (DKIM-signed when the transport signs)."""

    def exchange(self, content: bytes | None, following: Envelope | None, meanwhile: Callable[[], None]) -> Round:
        """Send ``content`` (for the envelope accepted last round) and ``following``'s envelope; run ``meanwhile`` while waiting."""

    def withdraw(self) -> bool:
        """The last accepted envelope will not get content after all; False when that costs the connection."""

    def close(self) -> None:
        """Close the connection underneath."""


def pipeline_for(conn: MailConnection) -> Pipeline:
    """The way to drive ``conn``: pipelined SMTP when the server offers it, else one message at a time."""
    signer = None
    if isinstance(conn, SigningConnection):
        conn, signer = conn.inner, conn.signer
    if isinstance(conn, SmtpConnection) and conn.pipelining:
        return SmtpPipeline(conn, signer)
    return SerialPipeline(conn, signer)


class SerialPipeline:
    """Any connection, one message at a time (the outbox, a relay without PIPELINING): ``meanwhile`` runs first.

    Nothing overlaps, so the sender gives it a message's content and the next envelope in
    separate rounds: the outcome is committed with the next claim, one row in flight.
    """

    overlaps = False

    def __init__(self, conn: MailConnection, signer: DkimSigner | None = None) -> None:
        self.conn, self.signer = conn, signer
        self._pending: Envelope | None = None

    def prepare(self, data: bytes) -> bytes:
        """Signed when the transport signs."""
        return self.signer.sign(data) if self.signer else data

    def exchange(self, content: bytes | None, following: Envelope | None, meanwhile: Callable[[], None]) -> Round:
        """Claim first, then send: nothing overlaps."""
        meanwhile()
        settled = None
        usable = True
        if content is not None and self._pending is not None:
            try:
                settled = Settled(reply=self.conn.send(self._pending.sender, self._pending.recipient, content, name=self._pending.name))
            except ChannelError as exc:
                settled, usable = Settled(error=exc), isinstance(exc, (SmtpRejected, UnsafeEnvelope))
        self._pending = following
        opened = None
        if following is not None:
            opened = Settled(error=error) if (error := unsafe_envelope(following.sender, following.recipient)) else ACCEPTED
        return Round(settled, opened, usable)

    def withdraw(self) -> bool:
        """Nothing was written for it."""
        self._pending = None
        return True

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class SmtpPipeline:
    """An SMTP session that pipelines across transactions; with CHUNKING, each message is one BDAT group."""

    overlaps = True

    def __init__(self, conn: SmtpConnection, signer: DkimSigner | None = None) -> None:
        self.conn, self.signer = conn, signer
        self.smtp = conn.smtp
        self.chunking = conn.smtp.has_extn("chunking")
        self._pending: Envelope | None = None  # accepted last round (DATA mode: the server awaits its content)
        self._reset = False  # the last envelope failed: the next group starts with RSET

    def prepare(self, data: bytes) -> bytes:
        """Signed when the transport signs."""
        return self.signer.sign(data) if self.signer else data

    def withdraw(self) -> bool:
        """BDAT: the next round starts with RSET. DATA: the server awaits content after 354, and only a closed connection discards it."""
        if self._pending is None:
            return True
        self._pending = None
        if self.chunking:
            self._reset = True
            return True
        self.conn.broken = True
        self.conn.close()
        return False

    def close(self) -> None:
        """QUIT, or just close a connection left mid-transaction."""
        if self._pending is not None and not self.chunking:
            self.conn.broken = True
        self.conn.close()

    # -- one round ------------------------------------------------------------------------
    def exchange(self, content: bytes | None, following: Envelope | None, meanwhile: Callable[[], None]) -> Round:
        """One write, ``meanwhile``, then every reply of the round (see the module docstring)."""
        unsafe = unsafe_envelope(following.sender, following.recipient) if following is not None else None
        if unsafe is not None:
            following = None
        pending, self._pending = self._pending, None
        if content is None or pending is None:
            content, pending = None, None
        data, dot_end, phases = self._group(content, pending, following)
        if not data:
            meanwhile()
            return Round(None, Settled(error=unsafe) if unsafe else None)
        try:
            self.conn.write_round(data, dot_end)
        except ChannelError as exc:
            meanwhile()
            self.conn.broken = True
            lost = Settled(error=NotAnswered(f"not sent: {exc}")) if following is not None else None
            return Round(Settled(error=exc) if content is not None else None, Settled(error=unsafe) if unsafe else lost, usable=False)
        meanwhile()
        settled = _Replies(phases, self.smtp, last_written=following is None).read()
        if settled.envelope is not None and settled.envelope.error is None:
            self._pending = following
        self._reset = settled.usable and any(s is not None and s.error is not None for s in (settled.content, settled.envelope))
        if not settled.usable:
            self.conn.broken = True
        return Round(settled.content, Settled(error=unsafe) if unsafe else settled.envelope, settled.usable)

    def _group(self, content: bytes | None, pending: Envelope | None, following: Envelope | None) -> tuple[bytes, int, list[tuple[str, str]]]:
        """The round's bytes, where the end of the content lies in them, and the replies expected as (whose, phase)."""
        parts: list[bytes] = []
        phases: list[tuple[str, str]] = []
        if content is not None and pending is not None:
            if self.chunking:
                parts += [f"BDAT {len(content)} LAST\r\n".encode("ascii"), content]
            else:
                parts += [stuffed(content), b".\r\n"]
            phases.append(("content", "end"))
        dot_end = sum(len(p) for p in parts)
        if following is not None:
            parts.append(self._envelope_lines(following, self._reset) + (b"" if self.chunking else b"DATA\r\n"))
            steps = ("rset",) * self._reset + ("mail", "rcpt") + (() if self.chunking else ("data",))
            phases += [("envelope", p) for p in steps]
        return b"".join(parts), dot_end, phases

    @staticmethod
    def _envelope_lines(envelope: Envelope, reset: bool) -> bytes:
        return (b"RSET\r\n" if reset else b"") + f"MAIL FROM:<{envelope.sender}>\r\nRCPT TO:<{envelope.recipient}>\r\n".encode("ascii")


_OK = {"rset": (250,), "mail": (250,), "rcpt": (250, 251), "end": (250,), "data": (354,)}


class _Replies:
    """Reads a round's replies in order and settles the content's message and the next envelope from them."""

    def __init__(self, phases: list[tuple[str, str]], smtp: smtplib.SMTP, last_written: bool) -> None:
        self.phases, self.smtp, self.last_written = phases, smtp, last_written
        self.final = {whose: phase for whose, phase in phases}  # the reply that settles each (the last one of its phases)
        self.found: dict[str, Settled] = {}
        self.usable = True

    def read(self) -> Round:
        """Every expected reply; the first that fails to arrive settles everyone still waiting."""
        for whose, phase in self.phases:
            if not self.usable:
                self._lose(whose, phase, None)
                continue
            try:
                code, message = self.smtp.getreply()
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self.usable = False
                self._lose(whose, phase, exc)
                continue
            self._take(whose, phase, code, message)
        return Round(self.found.get("content"), self.found.get("envelope"), self.usable)

    def _take(self, whose: str, phase: str, code: int, message: bytes) -> None:
        if phase == "rset" and code != 250:  # a server that cannot reset is in no state to take mail
            self.usable = False
            self.found.setdefault(whose, Settled(error=Unavailable(f"RSET: {reply_text(code, message)}")))
            return
        if code in (421, -1):
            self.usable = False  # the server is closing the connection
        if code not in _OK[phase]:
            self.found.setdefault(whose, Settled(error=refusal(code, message, "data" if phase == "end" else phase)))
        elif phase == "data" and whose in self.found:  # refused earlier, yet 354: the server awaits content we will not send
            self.usable = False
        elif phase == self.final[whose]:
            self.found.setdefault(whose, Settled(reply=reply_text(code, message)) if phase == "end" else ACCEPTED)

    def _lose(self, whose: str, phase: str, exc: BaseException | None) -> None:
        """No reply: after the end of the content was written (BDAT: the whole group), the message may have been taken."""
        if whose in self.found:
            return
        if whose == "content":
            self.found[whose] = Settled(error=after_end(exc, self.smtp.timeout, self.last_written))
        elif exc is not None and timed_out(exc):
            self.found[whose] = Settled(error=ReplyTimeout(f"no reply before DATA within {self.smtp.timeout}s"))
        elif exc is None:
            self.found[whose] = Settled(error=NotAnswered("not sent: the connection failed on an earlier reply"))
        else:
            self.found[whose] = Settled(error=Unavailable(f"connection dropped before this message was sent: {exc}"))


