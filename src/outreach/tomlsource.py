"""Read a TOML file and remember the line of every key, for error messages.

``tomllib`` returns plain data with no positions, so :class:`LineIndex` tokenizes
the (already parsed, so valid) source once and maps field paths
(``posts[2].thread[1]``) to 1-based line numbers. The tokenizer knows every TOML
string form (escaped quotes, multi-line strings anywhere, also inside arrays),
comments, tables, arrays of tables (nested too), inline tables and arrays.
Pydantic validation errors are turned into located messages here too, so the
campaign and the config file report problems the same way.
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

_LINE_IN_MSG = re.compile(r"\(at line (\d+), column (\d+)\)")


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
        """Index where each key and array element of (already parsed, so valid) TOML source is."""
        index = cls()
        _Scanner(_tokens(text), index.lines).document()
        return index


@dataclass(frozen=True)
class _Token:
    kind: str  # "str" (a quoted string), "bare" (key, number, date, bool), "nl", or the punctuation itself
    text: str
    line: int
    pos: int


_PUNCT = "[]{}=,"
_BARE_END = re.compile(r"[\s#\[\]{}=,\"']")


def _string_end(text: str, start: int, quote: str) -> int:
    """Index just past the string opening at ``start`` (escapes and multi-line forms understood)."""
    if text.startswith(quote * 3, start):
        end = start + 3
        while True:
            if quote == '"' and text[end] == "\\":
                end += 2
                continue
            if text.startswith(quote * 3, end):
                end += 3
                extra = 0
                while extra < 2 and end < len(text) and text[end] == quote:  # up to two quotes may close the content
                    end, extra = end + 1, extra + 1
                return end
            end += 1
    end = start + 1
    while text[end] != quote:
        end += 2 if quote == '"' and text[end] == "\\" else 1
    return end + 1


def _tokens(text: str) -> list[_Token]:
    """The TOML source as tokens with their 1-based line; comments and spaces dropped."""
    out: list[_Token] = []
    i, line = 0, 1
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            out.append(_Token("nl", ch, line, i))
            i, line = i + 1, line + 1
        elif ch in " \t\r":
            i += 1
        elif ch == "#":
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
        elif ch in "\"'":
            end = _string_end(text, i, ch)
            out.append(_Token("str", text[i:end], line, i))
            line += text.count("\n", i, end)
            i = end
        elif ch in _PUNCT:
            out.append(_Token(ch, ch, line, i))
            i += 1
        else:
            m = _BARE_END.search(text, i)
            end = m.start() if m else len(text)
            out.append(_Token("bare", text[i:end], line, i))
            i = end
    return out


class _Scanner:
    """Walks the tokens of a valid TOML document and records the line of every key path."""

    def __init__(self, tokens: list[_Token], lines: dict[str, int]) -> None:
        self.tokens, self.lines, self.i = tokens, lines, 0
        self.table: list[str | int] = []
        self.array_tables: dict[str, int] = {}  # path of an array of tables -> its last index

    def peek(self, skip_newlines: bool = False) -> _Token | None:
        while skip_newlines and self.i < len(self.tokens) and self.tokens[self.i].kind == "nl":
            self.i += 1
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def record(self, path: list[str | int], line: int) -> None:
        self.lines.setdefault(format_path(path), line)

    def document(self) -> None:
        """Statements: table headers and key/value pairs."""
        while (tok := self.peek(skip_newlines=True)) is not None:
            if tok.kind == "[":
                self.header()
            else:
                path = [*self.table, *self.key("=")]
                self.record(path, tok.line)
                self.value(path)

    def key(self, until: str) -> list[str]:
        """A dotted key up to (and past) the ``until`` token."""
        parts: list[str] = []
        while (tok := self.take()).kind != until:
            if tok.kind == "str":
                parts.append(str(tomllib.loads(f"k = {tok.text}")["k"]))
            else:
                parts += [p for p in tok.text.split(".") if p]
        return parts

    def header(self) -> None:
        """``[table]`` or ``[[array.of.tables]]``."""
        start = self.take()
        nxt = self.peek()
        is_array = nxt is not None and nxt.kind == "[" and nxt.pos == start.pos + 1
        if is_array:
            self.take()
        names = self.key("]")
        if is_array:
            self.take()  # the second "]"
        path: list[str | int] = []
        for name in names[:-1]:
            path.append(name)
            if format_path(path) in self.array_tables:
                path.append(self.array_tables[format_path(path)])
        path.append(names[-1])
        if is_array:
            n = self.array_tables.get(format_path(path), -1) + 1
            self.array_tables[format_path(path)] = n
            path.append(n)
        elif format_path(path) in self.array_tables:
            path.append(self.array_tables[format_path(path)])
        self.table = path
        self.record(path, start.line)

    def value(self, path: list[str | int]) -> None:
        """One value: an array, an inline table, or a scalar (possibly several bare tokens, like a date and a time)."""
        tok = self.take()
        if tok.kind == "[":
            self.array(path)
        elif tok.kind == "{":
            self.inline_table(path)
        else:
            while (nxt := self.peek()) is not None and nxt.kind == "bare":
                self.take()

    def array(self, path: list[str | int]) -> None:
        n = 0
        while (tok := self.peek(skip_newlines=True)) is not None and tok.kind != "]":
            if tok.kind == ",":
                self.take()
                continue
            self.record([*path, n], tok.line)
            self.value([*path, n])
            n += 1
        self.take()

    def inline_table(self, path: list[str | int]) -> None:
        while (tok := self.peek(skip_newlines=True)) is not None and tok.kind != "}":
            if tok.kind == ",":
                self.take()
                continue
            inner = [*path, *self.key("=")]
            self.record(inner, tok.line)
            self.value(inner)
        self.take()


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
