"""Untrusted text on the admin's terminal and in exported CSV files.

Subscriber names, bounce replies, subjects, remote error messages and URLs
all come from people or servers outreach does not control. On a terminal,
rich would read ``[/]`` or ``[link=…]`` in them as markup (and crash or
hide words), and an escape sequence would reach the terminal itself. In a
CSV opened by a spreadsheet, a cell starting with ``=`` is a formula.

- :func:`outreach.text.visible` shows every control character as its escape (``\\x1b``);
- :func:`cell` is a rich cell that is never read as markup;
- :func:`csv_safe` neutralises spreadsheet formulas, as OWASP's CSV-injection guidance says.
"""

from __future__ import annotations

from rich.text import Text

from .text import visible

# OWASP "CSV Injection": a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> Text:
    """A table cell or printed line from untrusted ``value``: no markup, no raw control characters."""
    return Text(visible(value))


def lines(*values: object) -> Text:
    """Several untrusted values in one cell, one per line (the line breaks are ours, not theirs)."""
    return Text("\n").join(cell(v) for v in values if v not in (None, ""))


def csv_safe(value: object) -> str:
    """A CSV cell a spreadsheet will not run: a leading formula character gets a ``'`` before it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return visible(text)
