"""One definition of "unsafe characters" for every value a person or a file gives us.

Names from a CSV or the public sign-up form, campaign subjects, config values
such as ``from``: each ends up in a mail header, a terminal or a web page. A
line break there adds a header; an escape sequence rewrites the admin's
terminal; a line separator (U+2028) crashes header folding. Every entry point
asks this module, so the rule is written once.

- :func:`control_chars` lists what is wrong (for a located error message);
- :func:`clean_line` removes it (for free text people type, like a name);
- :func:`visible` shows it escaped (for a terminal, where nothing may be lost or obeyed).
"""

from __future__ import annotations

import re
import unicodedata

import grapheme

# C0 controls (tab included: it has no place in a one-line value), DEL, C1 controls,
# and the Unicode line/paragraph separators that str.splitlines() breaks on.
_LINE_BREAKING = "\u2028\u2029\u0085"
# Bidirectional overrides and isolates can make a name read differently from what it is.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Lone surrogates (from a JSON "\ud800" escape) are not characters: no encoder takes them.
_SURROGATES = "\ud800-\udfff"
_UNSAFE_RE = re.compile(f"[\x00-\x1f\x7f-\x9f{_LINE_BREAKING}{_BIDI}{_SURROGATES}]")
_SPACES_RE = re.compile(r"\s+")


def control_chars(value: str) -> list[str]:
    """The unsafe characters in a one-line ``value``, as ``U+000A`` names, in order of first appearance."""
    found: list[str] = []
    for ch in _UNSAFE_RE.findall(value):
        name = f"U+{ord(ch):04X}"
        if name not in found:
            found.append(name)
    return found


def is_single_line(value: str) -> bool:
    """True when ``value`` has no control, line-breaking or bidi-override character."""
    return _UNSAFE_RE.search(value) is None


def clean_line(value: str, max_length: int | None = None) -> str:
    """``value`` as one safe line: unsafe characters become spaces, runs of space fold, NFC, trimmed, capped."""
    text = unicodedata.normalize("NFC", _UNSAFE_RE.sub(" ", value))
    text = _SPACES_RE.sub(" ", text).strip()
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text


def visible(value: object) -> str:
    """``value`` as text with each unsafe character written as its escape (``\\x1b``, ``\\u202e``): safe on a terminal."""
    text = "" if value is None else str(value)
    return _UNSAFE_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def describe_unsafe(value: str) -> str:
    """A short reason naming the unsafe characters, for error messages."""
    return "must be one line of plain text (found " + ", ".join(control_chars(value)) + ")"


# Words a full stop ends without ending the sentence (English and Danish).
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "dr.", "mr.", "mrs.", "ms.", "prof.", "no.", "vs.", "cf.", "st.",
                            "f.eks.", "bl.a.", "ca.", "jf.", "mv.", "nr."})
_BREAK = re.compile(r"[.!?]+[\"”’)\]]?\s+")


def sentences(paragraph: str) -> tuple[str, ...]:
    """The sentences of one paragraph (a full stop before a capital, not after "e.g." or "Dr.")."""
    text = " ".join(paragraph.split())
    found: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        following = text[match.end():match.end() + 1]
        word = text[:match.start() + 1].rsplit(" ", 1)[-1].lower()
        if not following or not (following.isupper() or following.isdigit() or following in "\"“‘("):
            continue
        if word in _ABBREVIATIONS or (len(word) == 2 and word[0].isalpha()):  # "e.g." or an initial "A."
            continue
        found.append(text[start:match.end()].strip())
        start = match.end()
    found.append(text[start:].strip())
    return tuple(s for s in found if s)


ELLIPSIS = "…"


def cut_words(text: str, room: int) -> str:
    """``text`` cut at a word boundary to at most ``room`` characters, with an ellipsis; "" if not even a word fits."""
    if len(text) <= room:
        return text
    head = text[: max(0, room - len(ELLIPSIS)) + 1]
    cut = head.rfind(" ")
    if cut <= 0 and " " not in text:  # a script written without spaces: cut between characters, never inside one
        kept = grapheme.slice(text, 0, max(0, grapheme.length(head) - 2))
        return kept + ELLIPSIS if kept else ""
    if cut <= 0:
        return ""
    return head[:cut].rstrip(" ,;:–—-") + ELLIPSIS
