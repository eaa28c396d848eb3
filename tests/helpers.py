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
