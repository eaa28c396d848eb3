"""The test server's CHUNKING (RFC 3030, BDAT), driven by a raw socket: pipelined, multi-chunk, refused, binary."""

from __future__ import annotations

import socket
from typing import Iterator

import pytest

from tests.mail.smtp_server import SmtpServer


class RawClient:
    """A bare SMTP client: write any bytes at once, then read whole replies."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = b""
        assert self.reply().startswith("220")

    def send(self, data: bytes) -> None:
        """Write ``data`` in one go (pipelining: no reply is waited for)."""
        self.sock.sendall(data)

    def _line(self) -> str:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; unread: {self.buffer!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode()

    def reply(self) -> str:
        """One (possibly multi-line) reply, its lines joined by newlines."""
        lines = [self._line()]
        while lines[-1][3:4] == "-":
            lines.append(self._line())
        return "\n".join(lines)

    def replies(self, n: int) -> list[str]:
        """The next ``n`` replies' codes."""
        return [self.reply()[:3] for _ in range(n)]

    def closed(self) -> bool:
        """True when the server closed the connection without another byte."""
        return self.buffer == b"" and self.sock.recv(1) == b""


def envelope(sender: str, rcpt: str) -> bytes:
    return f"MAIL FROM:<{sender}>\r\nRCPT TO:<{rcpt}>\r\n".encode()


def bdat(chunk: bytes, last: bool = True) -> bytes:
    return f"BDAT {len(chunk)}{' LAST' if last else ''}\r\n".encode() + chunk


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer(chunking=True) as s:
        yield s


@pytest.fixture
def client(server: SmtpServer) -> Iterator[RawClient]:
    c = RawClient(server.port)
    c.send(b"EHLO test\r\n")
    c.ehlo = c.reply()
    yield c
    c.sock.close()


def test_ehlo_offers_chunking_and_pipelining_only_when_asked(client):
    assert "250-CHUNKING" in client.ehlo.splitlines() and "250-PIPELINING" in client.ehlo.splitlines()
    with SmtpServer() as plain:
        c = RawClient(plain.port)
        c.send(b"EHLO test\r\n")
        ehlo = c.reply()
        c.send(bdat(b"x"))
        assert "CHUNKING" not in ehlo and "PIPELINING" not in ehlo
        assert c.reply().startswith("500")  # unknown command; the default server is what it always was


def test_two_pipelined_messages_in_one_write(server, client):
    one, two = b"Subject: one\r\n\r\nfirst\r\n", b"Subject: two\r\n\r\nsecond\r\n"
    client.send(envelope("s@x.org", "a@example.org") + bdat(one) + envelope("s@x.org", "b@example.org") + bdat(two))
    assert client.replies(6) == ["250"] * 6
    assert [(d.rcpt, d.data, d.via) for d in server.deliveries] == [("a@example.org", one, "BDAT"), ("b@example.org", two, "BDAT")]
    assert server.deliveries[0].at <= server.deliveries[1].at


def test_a_message_in_several_chunks(server, client):
    parts = [b"Subject: many\r\n", b"\r\nbody ", b"in three\r\n", b""]
    client.send(envelope("s@x.org", "a@example.org") + b"".join(bdat(p, last=i == 3) for i, p in enumerate(parts)))
    replies = [client.reply() for _ in range(6)]
    assert [r[:3] for r in replies] == ["250"] * 6
    assert "15 octets" in replies[2]  # each chunk is acknowledged
    assert [d.data for d in server.deliveries] == [b"".join(parts)]


def test_binary_content_arrives_byte_for_byte(server, client):
    content = bytes(range(256)) * 8 + b"\r\n.\r\n..dot\r\n.\r\nQUIT\r\n\x00\r"
    client.send(envelope("s@x.org", "a@example.org") + bdat(content[:1000], last=False) + bdat(content[1000:]))
    assert client.replies(4) == ["250"] * 4
    assert server.deliveries[0].data == content  # no dot-stuffing, no line handling


def test_bdat_for_a_refused_recipient_reads_the_chunk_and_replies_554(server, client):
    server.when("gone@example.org", "550 5.1.1 no such user")
    trap = b"RSET\r\nMAIL FROM:<evil@x.org>\r\n"  # read as data, never as commands
    client.send(envelope("s@x.org", "gone@example.org") + bdat(trap, last=False) + bdat(b"more")
                + envelope("s@x.org", "ok@example.org") + bdat(b"fine\r\n"))
    assert client.replies(7) == ["250", "550", "554", "554", "250", "250", "250"]
    assert [(d.rcpt, d.data) for d in server.deliveries] == [("ok@example.org", b"fine\r\n")]


def test_bdat_without_mail_is_refused_and_consumed(server, client):
    client.send(bdat(b"RCPT TO:<a@b.org>\r\n") + b"NOOP\r\n")  # the chunk, read as a command, would be a 503
    assert client.replies(2) == ["503", "250"]
    assert server.deliveries == []


def test_data_after_bdat_in_one_transaction_is_503(server, client):
    client.send(envelope("s@x.org", "a@example.org") + bdat(b"part", last=False) + b"DATA\r\n" + bdat(b" end"))
    assert client.replies(5) == ["250", "250", "250", "503", "250"]
    assert [(d.data, d.via) for d in server.deliveries] == [(b"part end", "BDAT")]
    client.send(envelope("s@x.org", "b@example.org") + b"DATA\r\n")
    assert client.replies(3) == ["250", "250", "354"]
    client.send(b"by data\r\n.\r\n")
    assert client.reply()[:3] == "250"
    assert (server.deliveries[-1].data, server.deliveries[-1].via) == (b"by data\r\n", "DATA")


def test_data_rules_apply_to_the_last_chunk(server, client):
    server.when("later@example.org", "data:451 4.3.0 try later")
    server.when("cut@example.org", "drop-after-data")
    client.send(envelope("s@x.org", "later@example.org") + bdat(b"x") + envelope("s@x.org", "cut@example.org") + bdat(b"y"))
    assert client.replies(5) == ["250", "250", "451", "250", "250"]
    assert client.closed()  # the LAST chunk was read, and no reply came
    assert [d.rcpt for d in server.deliveries] == ["cut@example.org"]
