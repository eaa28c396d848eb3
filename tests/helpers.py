"""Small helpers for editing the sample campaign in tests."""

from __future__ import annotations

import re
from typing import Callable


def replace_once(old: str, new: str) -> Callable[[str], str]:
    """An edit that replaces exactly one occurrence (fails loudly if absent)."""

    def edit(text: str) -> str:
        assert text.count(old) >= 1, f"{old!r} not in the sample campaign"
        return text.replace(old, new, 1)

    return edit


def regex_edit(pattern: str, repl: str) -> Callable[[str], str]:
    """An edit by regular expression (multiline, once)."""
    return lambda text: re.sub(pattern, repl, text, count=1, flags=re.M)


def subscriber_key(config, sid: int) -> str:
    """The random key that signed links name, for the subscriber with row id ``sid``."""
    from sqlalchemy import select

    from outreach.store.db import open_db
    from outreach.store.schema import subscribers

    with open_db(config).connect() as conn:
        key = conn.execute(select(subscribers.c.token_key).where(subscribers.c.id == sid)).scalar_one_or_none()
    return key or "no-such-subscriber-key-000"


def keyring(secret: bytes):
    """A one-key keyring, as the web server builds from OUTREACH_SECRET."""
    from outreach.tokens import Keyring

    return Keyring.of(secret)


# One line of text that is not: each would add a mail header, break a terminal or hide what it says.
HOSTILE_NAMES = {
    "crlf-bcc": "Ann\r\nBcc: victim@example.net",
    "lf": "Ann\nSubject: second",
    "cr": "Ann\rX",
    "line-separator": "Ann\u2028Bob",
    "next-line": "Ann\u0085Bob",
    "nul": "Ann\x00Bob",
    "ansi": "\x1b[31mAnn\x1b[0m",
    "bidi-override": "Ann\u202egnp.exe",
}


async def raw_get(port: int, path: str, user_agent: str) -> int:
    """One HTTP/1.1 GET on a connection of its own (no keep-alive to race with a server's idle timeout); the status.

    Written by hand: an HTTP client's pool slows down with hundreds of connections at once.
    """
    import asyncio

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {user_agent}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        await reader.read()
        return status
    finally:
        writer.close()
