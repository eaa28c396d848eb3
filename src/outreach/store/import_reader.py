"""Reading an import's CSV: rows decoded and their addresses normalised chunk by chunk, duplicates found in a private file."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Iterator, NamedTuple

from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from .subscribers import normalise_email, rows_of


class Read(NamedTuple):
    """A row as read, with what reading it noted (replayed into the report in row order) and its address or why not."""

    number: int
    values: dict[str, str]
    notes: list[tuple[int, str, str]]
    problems: list[tuple[int, str, str]]
    key: str | None  # None: the address was refused (``reason``)
    display: str
    reason: str


_ATEXT = r"A-Za-z0-9_!#$%&'*+\-/=?^`{|}~"  # RFC 5322 atext, as email-validator has it
_PLAIN_LOCAL = re.compile(f"[{_ATEXT}]+(?:\\.[{_ATEXT}]+)*\\Z")
_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9.-]+\Z")


class Addresses:
    """:func:`normalise_email`, with each domain checked once per import (checking a domain is most of its time).

    Only a plain address takes the short way: ASCII dot-atom before the one ``@``, at most
    64 characters, not a mailbox name the validator lower-cases (``postmaster``), and a domain of
    ASCII letters, digits, dots and single hyphens that the validator accepts (asked once, with
    a stand-in local part). It comes out exactly as the validator writes it; anything else, and
    every refusal, goes through :func:`normalise_email` itself.
    """

    LIMIT = 100_000  # domains remembered

    def __init__(self) -> None:
        self._domains: dict[str, str | None] = {}

    def normalise(self, raw: str) -> tuple[str, str]:
        """(identity key, display form) of ``raw``, as :func:`normalise_email`; raise ``ValueError`` with the reason."""
        text = (raw or "").strip()
        local, _, domain = text.partition("@")
        if (len(local) <= 64 and "@" not in domain and "--" not in domain and _PLAIN_LOCAL.match(local) and _PLAIN_DOMAIN.match(domain)
                and local.lower() not in CASE_INSENSITIVE_MAILBOX_NAMES):
            checked = self._domain(domain)
            display = f"{local}@{checked}"
            if checked is not None and len(display) <= 254:
                return display.lower(), display
        return normalise_email(raw)

    def _domain(self, domain: str) -> str | None:
        """The validator's form of ``domain``, or None when it refuses it (the address then goes the long way, for the reason)."""
        if domain in self._domains:
            return self._domains[domain]
        try:
            checked: str | None = normalise_email(f"a@{domain}")[1].partition("@")[2]
        except ValueError:
            checked = None
        if len(self._domains) < self.LIMIT:
            self._domains[domain] = checked
        return checked


_NONE: list[tuple[int, str, str]] = []  # shared by the rows that noted nothing (never appended to)


def read_rows(path: Path, header: list[str], reader: Iterator[list[str]]) -> Iterator[Read]:
    """The file's data rows in order, each with what reading it noted and its address (or why it was refused)."""
    notes: list[tuple[int, str, str]] = []
    problems: list[tuple[int, str, str]] = []
    addresses = Addresses()
    for number, row in rows_of(header, reader, notes, problems, path):
        try:
            key, display = addresses.normalise(row.get("email", ""))
            reason = ""
        except ValueError as exc:
            key, display, reason = None, "", str(exc)
        yield Read(number, row, notes[:] if notes else _NONE, problems[:] if problems else _NONE, key, display, reason)
        notes.clear()
        problems.clear()


def chunks(rows: Iterator[Read], size: int) -> Iterator[list[Read]]:
    """``rows`` in lists of ``size`` (the last one shorter)."""
    chunk: list[Read] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Seen:
    """The first row of every address taken so far, in a private SQLite file: a million addresses in a dict take ~150 MB."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="outreach-import-")
        self._db = sqlite3.connect(Path(self._folder.name) / "seen.db", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-8000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE seen (address TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")

    def first_rows(self, keys: list[str]) -> dict[str, int]:
        """The row that first had each of ``keys``, for those taken before."""
        found: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            found.update(self._db.execute(f"SELECT address, row FROM seen WHERE address IN ({','.join('?' * len(part))})", part))
        return found

    def add(self, firsts: list[tuple[str, int]]) -> None:
        """Remember each (address, row) as taken."""
        self._db.execute("BEGIN")
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", firsts)
        self._db.execute("COMMIT")

    def close(self) -> None:
        """Delete the file."""
        self._db.close()
        self._folder.cleanup()
