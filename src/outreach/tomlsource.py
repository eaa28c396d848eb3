"""Read a TOML file and remember the line of every key, for error messages.

``tomllib`` returns plain data with no positions, so :class:`LineIndex` scans the
source once and maps field paths (``posts[2].thread[1]``) to 1-based line numbers.
It understands tables, arrays of tables, inline tables, multi-line arrays and
multi-line strings: enough to point a person at the right line, which is all
it is for. Pydantic validation errors are turned into located messages here too,
so the campaign and the config file report problems the same way.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from .errors import CampaignError

_KEY = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_TABLE_RE = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(#.*)?$")
_ARRAY_TABLE_RE = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]\s*(#.*)?$")
_KEYVAL_RE = re.compile(rf"^\s*({_DOTTED})\s*=\s*(.*)$")
_INLINE_KEY_RE = re.compile(rf"({_KEY})\s*=")
_LINE_IN_MSG = re.compile(r"\(at line (\d+), column (\d+)\)")


def _split_dotted(dotted: str) -> list[str]:
    parts = re.findall(_KEY, dotted)
    return [p.strip("\"'") for p in parts]


def format_path(parts: Iterable[str | int]) -> str:
    """Render a path like ``("posts", 2, "thread", 1)`` as ``posts[2].thread[1]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class LineIndex:
    """Field path -> first line it appears on."""

    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """Return the line of ``path`` or of its nearest located parent."""
        probe = path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            if cut <= 0:
                break
            probe = probe[:cut]
        return self.lines.get(probe)

    @classmethod
    def scan(cls, text: str) -> "LineIndex":
        """Scan TOML source text once and index where each key is."""
        index = cls()
        table: list[str | int] = []
        array_counts: dict[str, int] = {}
        in_multiline_str: str | None = None
        open_array: tuple[list[str | int], int] | None = None  # (path, next element index)
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw
            if in_multiline_str:
                if in_multiline_str in line:
                    in_multiline_str = None
                continue
            if open_array is not None:
                path, count = open_array
                stripped = line.strip()
                if stripped.startswith("]"):
                    open_array = None
                    continue
                if stripped and not stripped.startswith("#"):
                    index.lines.setdefault(format_path([*path, count]), lineno)
                    count += stripped.count('",') + stripped.count("',") or 1
                    if stripped.rstrip().endswith("]"):
                        open_array = None
                        continue
                    open_array = (path, count)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        in_multiline_str = quote
                continue
            if m := _ARRAY_TABLE_RE.match(line):
                name = format_path(_split_dotted(m.group(1)))
                n = array_counts.get(name, 0)
                array_counts[name] = n + 1
                table = [*_split_dotted(m.group(1)), n]
                index.lines.setdefault(format_path(table), lineno)
                continue
            if m := _TABLE_RE.match(line):
                table = list(_split_dotted(m.group(1)))
                index.lines.setdefault(format_path(table), lineno)
                continue
            if m := _KEYVAL_RE.match(line):
                keypath = [*table, *_split_dotted(m.group(1))]
                index.lines.setdefault(format_path(keypath), lineno)
                value = m.group(2)
                if value.lstrip().startswith("{"):
                    for inner in _INLINE_KEY_RE.findall(value):
                        index.lines.setdefault(format_path([*keypath, inner.strip("\"'")]), lineno)
                if value.strip().startswith("[") and not value.strip().rstrip(",").endswith("]"):
                    open_array = (keypath, 0)
                    rest = value.strip()[1:].strip()
                    if rest and not rest.startswith("#"):
                        index.lines.setdefault(format_path([*keypath, 0]), lineno)
                        open_array = (keypath, 1)
                for quote in ('"""', "'''"):
                    if value.count(quote) % 2 == 1:
                        in_multiline_str = quote
        return index


def read_toml(path: Path) -> tuple[dict[str, Any], LineIndex]:
    """Parse ``path``; malformed TOML becomes a located :class:`CampaignError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors write one) is not content
    except FileNotFoundError:
        raise CampaignError(path, "", "file not found") from None
    except UnicodeDecodeError as exc:
        raise CampaignError(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise CampaignError(path, "", f"cannot read file: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        line = None
        if m := _LINE_IN_MSG.search(msg):
            line = int(m.group(1))
            msg = _LINE_IN_MSG.sub(f"(column {m.group(2)})", msg)
        raise CampaignError(path, "", f"malformed TOML: {msg}", line) from None
    return data, LineIndex.scan(text)


def close_match(name: str, allowed: Iterable[str]) -> str | None:
    """The allowed name closest to ``name``, if any is close enough."""
    close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, allowed: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint, or an empty string."""
    match = close_match(name, allowed)
    return f" (did you mean '{match}'?)" if match else ""


def located_errors(
    exc: ValidationError,
    file: Path,
    index: LineIndex,
    allowed_keys: Callable[[tuple[str | int, ...]], Iterable[str]],
) -> list[CampaignError]:
    """Turn a pydantic ``ValidationError`` into located, human-readable errors.

    A misspelt key shows up twice in pydantic (the typo is unknown, the real
    key is missing); it is reported once, as the unknown key with its hint.
    """
    raw = [(tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-"))), e) for e in exc.errors(include_url=False)]
    explained: set[tuple[str | int, ...]] = set()
    for loc, err in raw:
        if err["type"] == "extra_forbidden":
            match = close_match(str(loc[-1]), allowed_keys(loc[:-1]))
            if match:
                explained.add((*loc[:-1], match))
    out: list[CampaignError] = []
    for loc, err in raw:
        path = format_path(loc)
        kind = err["type"]
        if kind == "missing" and loc in explained:
            continue
        if kind == "extra_forbidden":
            name = str(loc[-1])
            msg = f"unknown field '{name}'{did_you_mean(name, allowed_keys(loc[:-1]))}"
        elif kind == "missing":
            msg = "required field is missing"
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            got = err.get("input")
            if kind.endswith("_type") and not isinstance(got, (dict, list)):
                msg += f" (got {type(got).__name__} {got!r})"
        out.append(CampaignError(file, path, msg, index.line_of(path)))
    return out
