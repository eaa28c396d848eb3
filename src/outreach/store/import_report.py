"""What an import did: its counts, and every row and value not taken as it was, in lists that spill to temporary files."""

from __future__ import annotations

import io
import itertools
import pickle
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Generic, Iterable, Iterator, NamedTuple, TypeVar

if TYPE_CHECKING:
    from .import_rows import Column

T = TypeVar("T")


class Spool(Generic[T]):
    """A list that keeps its first :attr:`KEEP` entries in memory and the rest in a temporary file.

    A report of a million-row file with a problem in every row must still be printed in
    full, but never held in memory at once: the entries are read back in order.
    """

    KEEP = 1000

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._head: list[T] = []
        self._file: BinaryIO | None = None
        self._size = 0
        self.extend(items)

    def append(self, item: T) -> None:
        """Add ``item`` at the end."""
        if self._size < self.KEEP:
            self._head.append(item)
        else:
            if self._file is None:
                self._file = tempfile.TemporaryFile()
            pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._size += 1

    def extend(self, items: Iterable[T]) -> None:
        """Add ``items`` at the end, in order."""
        for item in items:
            self.append(item)

    def __iadd__(self, items: Iterable[T]) -> "Spool[T]":
        self.extend(items)
        return self

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[T]:
        size = self._size
        yield from self._head[:min(size, self.KEEP)]
        if self._file is None or size <= self.KEEP:
            return
        self._file.flush()
        at = 0
        for _ in range(size - self.KEEP):
            self._file.seek(at)
            item = pickle.load(self._file)  # our own file, written above
            at = self._file.tell()
            self._file.seek(0, io.SEEK_END)  # an append while the caller holds this iterator goes to the end
            yield item

    def __getitem__(self, index: int) -> T:
        if 0 <= index < len(self._head):
            return self._head[index]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("Spool index out of range")
        return next(itertools.islice(iter(self), index, None))

    def __contains__(self, item: object) -> bool:
        return any(entry == item for entry in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Spool, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        more = f", … {self._size - len(self._head)} more" if self._size > len(self._head) else ""
        return f"Spool({self._head!r}{more})"


class Duplicate(NamedTuple):
    """A row whose address an earlier row of the file already has: only the earlier row is imported."""

    row: int
    first: int  # the row that was imported
    address: str
    values: tuple[str, ...]  # the columns with a (non-empty) value in this row, other than the address: not imported


@dataclass
class ImportReport:
    """What an import did, row by row where a row was not taken as it was (long lists wait in temporary files)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: Spool[tuple[int, str, str]] = field(default_factory=Spool)  # (row, value, reason)
    merged: Spool[Duplicate] = field(default_factory=Spool)
    # (row, column, what was done): a value taken, but not exactly as it was in the file
    notes: Spool[tuple[int, str, str]] = field(default_factory=Spool)
    # (row, column, reason): a value not taken (the rest of its row was)
    problems: Spool[tuple[int, str, str]] = field(default_factory=Spool)
    columns: list[Column] = field(default_factory=list)
    consents: int = 0
    suppressed: int = 0

    @property
    def total_rows(self) -> int:
        """Data rows read from the file."""
        return self.added + self.updated + self.unchanged + len(self.rejected) + len(self.merged)

    @property
    def values_not_imported(self) -> int:
        """Values in the file that are not stored: the problems, and every value of a duplicate row."""
        return len(self.problems) + sum(len(d.values) for d in self.merged)

    @property
    def complete(self) -> bool:
        """True when every row and every value of the file was taken (a note is a change, not a loss)."""
        return not (self.rejected or self.problems or any(d.values for d in self.merged))
