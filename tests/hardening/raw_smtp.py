"""A scripted SMTP server on a raw socket: it misbehaves exactly when and how a test says.

aiosmtpd cannot close a connection in the middle of DATA, send a reply while the
client is still streaming, or reset the connection; this can. Each connection
runs ``behaviour(n)`` (n counts connections from 0) to pick what to do:

- ``ok``: accept everything;
- ``mail:<reply>``: answer MAIL FROM with ``<reply>`` (``550 …``, ``421 …``);
- ``close-mid-data``: read part of the message, then close;
- ``close-after:<n>``: read n bytes of the message, then close (the rest unread);
- ``rst-mid-data``: read part of the message, then reset (SO_LINGER 0);
- ``early:<reply>``: read part of the message, answer ``<reply>``, stop reading;
- ``close-after-dot``: read the whole message, then close without a reply;
- ``silent-after-dot``: read the whole message and never answer.

``dots`` counts messages whose final dot the server read: a message can only have
been accepted if its dot arrived, so a retry is safe exactly when this did not grow.
"""

from __future__ import annotations

import socket
import struct
import threading
from typing import Callable

PARTIAL = 64 * 1024


class RawSmtp:
    def __init__(self, behaviour: Callable[[int], str]) -> None:
        self.behaviour = behaviour
        self.dots = 0
        self.accepted: list[bytes] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._socks: list[socket.socket] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> "RawSmtp":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        for s in self._socks:
            try:
                s.close()
            except OSError:
                pass
        self.server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                n = self.connections
                self.connections += 1
                self._socks.append(conn)
            threading.Thread(target=self._serve, args=(conn, self.behaviour(n)), daemon=True).start()

    def _serve(self, conn: socket.socket, how: str) -> None:
        try:
            self._session(conn, conn.makefile("rb"), how)
        except OSError:
            pass

    def _session(self, conn: socket.socket, reader, how: str) -> None:
        conn.sendall(b"220 raw.test ESMTP\r\n")
        while not self._stop.is_set():
            line = reader.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250-raw.test\r\n250 8BITMIME\r\n")
            elif verb == b"MAIL":
                conn.sendall((how[5:] if how.startswith("mail:") else "250 sender ok").encode() + b"\r\n")
            elif verb == b"RCPT":
                conn.sendall(b"250 recipient ok\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                if not self._data(conn, reader, how):
                    return
            elif verb == b"RSET" or verb == b"NOOP":
                conn.sendall(b"250 ok\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"500 what\r\n")

    def _data(self, conn: socket.socket, reader, how: str) -> bool:
        """Handle one message body; False when the connection is finished."""
        if how.startswith("close-after:"):  # a small message is wholly sent by now: closing with it unread resets
            conn.recv(int(how.split(":")[1]))
            self._stop.wait(0.3)  # let the rest arrive, so that it is there, unread, when we close
            conn.close()
            return False
        if how in ("close-mid-data", "rst-mid-data") or how.startswith("early:"):
            reader.read(PARTIAL)
            if how == "close-mid-data":
                conn.close()
            elif how == "rst-mid-data":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                conn.sendall(how[6:].encode() + b"\r\n")
                self._stop.wait(30)  # stop reading; the client must notice the reply and give up
            return False
        body = []
        while (line := reader.readline()) not in (b".\r\n", b""):
            body.append(line)
        if line != b".\r\n":
            return False
        with self._lock:
            self.dots += 1
        if how == "close-after-dot":
            conn.close()
            return False
        if how == "silent-after-dot":
            self._stop.wait(60)
            return False
        with self._lock:
            self.accepted.append(b"".join(body))
        conn.sendall(b"250 2.0.0 queued\r\n")
        return True
