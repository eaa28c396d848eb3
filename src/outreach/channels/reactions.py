"""What a platform shows of one post's reception, read from a hostile answer.

A count that is missing, not a JSON integer, negative or absurdly large is None,
never an exception and never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping

# A count above this is not believable (more than a person could see): a hostile or broken answer, stored as unknown.
MAX_COUNT = 2**31 - 1  # also the largest value the ``post_metrics`` Integer columns hold everywhere


def count(value: object) -> int | None:
    """A reaction count from an API answer: a non-negative JSON integer that fits, else None (never an exception).

    A string, a float, a boolean, a negative or a huge number is not a count outreach stores.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


@dataclass(frozen=True)
class Reactions:
    """What a platform shows of one post's reception; None where it does not expose (or garbled) the count."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    bookmarks: int | None = None
    impressions: int | None = None

    @classmethod
    def read(cls, answer: object, names: Mapping[str, str]) -> "Reactions":
        """Counts from a JSON object, by ``names`` (our field -> the platform's key); anything unreadable is None."""
        found = answer if isinstance(answer, Mapping) else {}
        return cls(**{ours: count(found.get(theirs)) for ours, theirs in names.items()})


REACTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Reactions))  # in display order: likes, reposts, …
