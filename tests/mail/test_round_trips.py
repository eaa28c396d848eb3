"""One round trip per message: a scripted SMTP server counts how often it has to wait for the client.

The server answers everything it has been sent in one write, then waits: each wait is a
round trip. Pipelined across transactions (or with BDAT), a send of N messages over one
connection costs about N of them (plus EHLO, the first envelope and QUIT); one message at
a time costs two per message (the envelope, then the content).
"""

from __future__ import annotations

import re
import select
import socket
import threading
from dataclasses import dataclass, field

import pytest

from outreach.campaign import load_campaign
from outreach.config import Config, SmtpConfig, WebConfig
from outreach.mail.send import send_email
from outreach.plan import build_plan
from outreach.store.db import open_db
from outreach.store.ledger_queries import counts
from outreach.store.subscribers import import_csv
from tests.mail.conftest import PUBLIC_BASE_URL, write_csv

MESSAGES = 30
COALESCE = 0.02  # the server gathers what arrives within this long into one turn (one client write can land in pieces)


@dataclass
class TurnCountingServer:
    """A small SMTP server on 127.0.0.1 (one connection at a time) offering PIPELINING, and CHUNKING if asked."""

    chunking: bool = False
    pipelining: bool = True
    limit: int | None = None  # sessions at once; one more is greeted "421 too many connections" and closed
    turns: int = 0
    refused: int = 0
    most: int = 0
    recipients: list[str] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)
    via: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.active = 0
        self.lock = threading.Lock()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with self.lock:
            full = self.limit is not None and self.active >= self.limit
            self.refused += full
            self.active += not full
            self.most = max(self.most, self.active)
        with conn:
            if full:
                conn.sendall(b"421 4.7.0 too many connections from your host\r\n")
                return
            try:
                self._session(conn)
            finally:
                with self.lock:
                    self.active -= 1

    def _session(self, conn: socket.socket) -> None:
        conn.sendall(b"220 turns.test ESMTP\r\n")
        session = _Session(self)
        while not session.closed:
            chunk = conn.recv(65536)
            if not chunk:
                return
            while select.select([conn], [], [], COALESCE)[0]:
                more = conn.recv(65536)
                if not more:
                    break
                chunk += more
            replies = session.feed(chunk)
            if replies:
                conn.sendall(replies)
                self.turns += 1

    def close(self) -> None:
        self.sock.close()


class _Session:
    """The protocol state of one connection: commands, DATA content and BDAT chunks as they arrive."""

    def __init__(self, server: TurnCountingServer) -> None:
        self.server, self.buffer, self.in_data, self.closed = server, b"", False, False
        self.rcpt: str | None = None

    def feed(self, chunk: bytes) -> bytes:
        self.buffer += chunk
        out = []
        while (reply := self._next()) is not None:
            out.append(reply)
        return b"".join(out)

    def _next(self) -> bytes | None:
        if self.in_data:
            end = self.buffer.find(b"\r\n.\r\n")
            if end < 0:
                return None
            self._deliver(self.buffer[:end + 2].replace(b"\r\n..", b"\r\n."), "DATA")
            self.buffer, self.in_data = self.buffer[end + 5:], False
            return b"250 2.0.0 queued\r\n"
        line_end = self.buffer.find(b"\r\n")
        if line_end < 0:
            return None
        line = self.buffer[:line_end].decode("ascii")
        if (bdat := re.fullmatch(r"BDAT (\d+) LAST", line, re.IGNORECASE)) is not None:
            size = int(bdat.group(1))
            if len(self.buffer) < line_end + 2 + size:
                return None
            self._deliver(self.buffer[line_end + 2:line_end + 2 + size], "BDAT")
            self.buffer = self.buffer[line_end + 2 + size:]
            return b"250 2.0.0 queued\r\n"
        self.buffer = self.buffer[line_end + 2:]
        return self._command(line)

    def _command(self, line: str) -> bytes:
        verb = line.split(" ", 1)[0].upper()
        if verb == "EHLO":
            extensions = ["PIPELINING"] * self.server.pipelining + ["CHUNKING"] * self.server.chunking
            return "".join(f"250-{e}\r\n" for e in ["turns.test", *extensions]).encode() + b"250 SIZE 10000000\r\n"
        if verb == "RCPT":
            self.rcpt = line.split("<", 1)[1].rstrip(">")
            return b"250 2.1.5 ok\r\n"
        if verb == "DATA":
            self.in_data = True
            return b"354 go ahead\r\n"
        if verb == "QUIT":
            self.closed = True
            return b"221 bye\r\n"
        return b"250 2.0.0 ok\r\n"  # MAIL, RSET, NOOP

    def _deliver(self, data: bytes, via: str) -> None:
        self.server.messages.append(data)
        self.server.recipients.append(self.rcpt or "")
        self.server.via.append(via)


@pytest.fixture
def subscribed(db_config: Config, tmp_path, campaign_copy, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "test-signing-key")
    engine = open_db(db_config)
    import_csv(engine, write_csv(tmp_path / "list.csv", [(f"reader{i:03d}@example.org", f"Reader {i}") for i in range(MESSAGES)]),
               "research", config=db_config, basis="test")
    return campaign_copy()


class Notes:
    """A progress display that keeps the notes."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def start(self, total: int, already_done: int) -> None: ...
    def advance(self, state: str) -> None: ...

    def note(self, message: str) -> None:
        self.notes.append(message)


def _send(db_config: Config, campaign, server: TurnCountingServer, connections: int = 1, notes: Notes | None = None) -> dict[str, int]:
    smtp = SmtpConfig(host="127.0.0.1", port=server.port, security="none", connections=connections, timeout=10)
    config = db_config.model_copy(update={"smtp": smtp, "require_approval": False, "web": WebConfig(base_url=PUBLIC_BASE_URL)})
    result = send_email(config, build_plan(load_campaign(campaign), config), progress=notes)
    return result.ledger


@pytest.mark.parametrize("chunking", [False, True], ids=["pipelining", "chunking"])
def test_one_round_trip_per_message(db_config, subscribed, chunking):
    server = TurnCountingServer(chunking=chunking)
    try:
        ledger = _send(db_config, subscribed, server)
    finally:
        server.close()
    assert ledger["sent"] == MESSAGES
    assert sorted(server.recipients) == [f"reader{i:03d}@example.org" for i in range(MESSAGES)]
    assert set(server.via) == {"BDAT" if chunking else "DATA"}
    # EHLO, the first envelope, one round per message, QUIT (and, at most, the last message alone after a pause)
    assert server.turns <= MESSAGES + 4, f"{server.turns} round trips for {MESSAGES} messages"
    assert all(b"\r\n\r\n" in m and m.endswith(b"\r\n") for m in server.messages)


def test_without_pipelining_each_message_costs_two_round_trips(db_config, subscribed):
    """The counter can tell: a server that does not offer PIPELINING is driven one step at a time."""
    server = TurnCountingServer(pipelining=False)
    try:
        ledger = _send(db_config, subscribed, server)
    finally:
        server.close()
    assert ledger["sent"] == MESSAGES
    assert server.turns >= 2 * MESSAGES
    assert counts(open_db(db_config), "soldier-defections-myanmar", 1)["sending"] == 0


def test_a_relay_that_takes_fewer_connections_than_configured_gets_the_mail_over_those(db_config, subscribed):
    """Six connections configured, the relay takes two and greets the rest with 421: every message goes, once, at once."""
    server, notes = TurnCountingServer(limit=2), Notes()
    try:
        ledger = _send(db_config, subscribed, server, connections=6, notes=notes)
    finally:
        server.close()
    assert ledger["sent"] == MESSAGES and ledger["queued"] == 0
    assert sorted(server.recipients) == [f"reader{i:03d}@example.org" for i in range(MESSAGES)]
    assert server.refused >= 1 and server.most <= 2
    # refused while others send: no more waiting to try again (the run would wait for it), a note saying so; a refusal
    # before the others had logged in waits once (1 s), as any refused connection does
    assert not [n for n in notes.notes if "retrying in 4s" in n], notes.notes
    said = [n for n in notes.notes if "carrying on" in n]
    assert len(said) == 1 and "too many connections" in said[0] and "carrying on with the connections the relay took" in said[0], notes.notes
