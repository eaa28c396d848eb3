"""What changed between two rendered versions of a campaign: word-level for texts, old → new for times, images by content.

:func:`compare` takes two :class:`Version` values (hashes and pieces, as stored
with every review version and approval) and lists each changed piece as a
:class:`PieceChange`. A piece whose hash changed but whose words are the same
(the email's HTML after a template edit) is still listed, and so is every
piece of an old approval whose words were never stored. :func:`as_text` writes
the changes for a terminal (``[-removed-]{+added+}``, like ``git diff
--word-diff=plain``), :func:`as_html` as an escaped fragment with ``<del>``,
``<ins>`` and both images' thumbnails, :func:`summary` as one line for an error.
"""

from __future__ import annotations

import difflib
import enum
import html
import itertools
import re
from dataclasses import dataclass, field

from .pieces import ImagePiece, RenderedPieces

_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_SEGMENT_RE = re.compile(r"(?<=\n)|(?<=[.!?;:] )")
WORD_BUDGET = 1_000_000  # tokens of the old text × tokens of the new one diffed word by word in one go
CONTEXT_WORDS = 6  # unchanged words kept on each side of a change in text output
MAX_SUMMARY = 160  # characters of words per piece in the one-line summary
MAX_WORD = 40  # characters of one unchanged word (a URL) shown next to a change


class ChangeKind(str, enum.Enum):
    """How a piece changed."""

    TEXT = "text"
    TIME = "time"
    IMAGE = "image"
    ADDED = "added"
    REMOVED = "removed"
    OPAQUE = "opaque"  # the hash differs; the words are the same or were never stored


class Op(str, enum.Enum):
    """One run of a word diff."""

    SAME = "same"
    DELETE = "delete"
    INSERT = "insert"


@dataclass(frozen=True)
class Run:
    """A run of tokens (words, spaces, punctuation) that is kept, removed or added."""

    op: Op
    text: str


@dataclass(frozen=True)
class PieceChange:
    """One changed piece."""

    name: str  # "posts[1]", "email subject", "time of posts[0]", "cover image" …
    kind: ChangeKind
    old: str | None = None
    new: str | None = None
    runs: tuple[Run, ...] = ()  # a TEXT change: the word diff
    old_image: ImagePiece | None = None
    new_image: ImagePiece | None = None
    note: str = ""


@dataclass(frozen=True)
class Version:
    """One rendered version as a diff sees it: per-piece hashes and, when stored, the pieces."""

    hashes: dict[str, str]
    pieces: RenderedPieces = field(default_factory=RenderedPieces)


def word_runs(old: str, new: str) -> tuple[Run, ...]:
    """The word-level diff of ``old`` and ``new`` as runs; spaces and punctuation are tokens of their own.

    Matching is quadratic in the worst case, so a long text (an abstract of thousands of words) is first
    matched sentence by sentence and only the changed sentences are diffed word by word (:data:`WORD_BUDGET`).
    """
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    if len(a) * len(b) <= WORD_BUDGET:
        return tuple(_merged(_token_runs(a, b)))
    sa, sb = _segments(old), _segments(new)
    head = _common_length(sa, sb)
    tail = _common_length(sa[head:][::-1], sb[head:][::-1])
    runs: list[Run] = [Run(Op.SAME, "".join(sa[:head]))] if head else []
    middle_a, middle_b = sa[head:len(sa) - tail], sb[head:len(sb) - tail]
    if len(middle_a) * len(middle_b) > WORD_BUDGET:  # thousands of sentences changed (or repeated): pair them in order
        runs.extend(_paired_runs(middle_a, middle_b))
    else:
        runs.extend(_segment_runs(middle_a, middle_b))
    if tail:
        runs.append(Run(Op.SAME, "".join(sa[len(sa) - tail:])))
    return tuple(_merged(runs))


def _common_length(a: list[str], b: list[str]) -> int:
    """How many leading items ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _segment_runs(sa: list[str], sb: list[str]) -> list[Run]:
    """Sentences matched, then each changed stretch word by word (or, when too long, sentence pair by pair)."""
    runs: list[Run] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_opcodes():
        before, after = "".join(sa[i1:i2]), "".join(sb[j1:j2])
        if tag == "equal":
            runs.append(Run(Op.SAME, before))
            continue
        ta, tb = _TOKEN_RE.findall(before), _TOKEN_RE.findall(after)
        if len(ta) * len(tb) <= WORD_BUDGET:
            runs.extend(_token_runs(ta, tb))
        else:  # many sentences changed: pair them in order, each pair diffed word by word
            runs.extend(_paired_runs(sa[i1:i2], sb[j1:j2]))
    return runs


def _paired_runs(old: list[str], new: list[str]) -> list[Run]:
    runs: list[Run] = []
    for before, after in itertools.zip_longest(old, new, fillvalue=""):
        ta, tb = _TOKEN_RE.findall(before), _TOKEN_RE.findall(after)
        if len(ta) * len(tb) <= WORD_BUDGET:
            runs.extend(_token_runs(ta, tb))
        else:  # one sentence of thousands of words on both sides
            runs += [Run(Op.DELETE, before), Run(Op.INSERT, after)]
    return runs


def _token_runs(a: list[str], b: list[str]) -> list[Run]:
    runs: list[Run] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(Run(Op.SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(Run(Op.DELETE, "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(Run(Op.INSERT, "".join(b[j1:j2])))
    return runs


def _segments(text: str) -> list[str]:
    """``text`` cut after each line end and each sentence end; joined again they are ``text``."""
    return [part for part in _SEGMENT_RE.split(text) if part]


def _merged(runs: list[Run]) -> list[Run]:
    """Adjacent runs of one kind as one run (sentence matching can leave them side by side)."""
    out: list[Run] = []
    for run in runs:
        if out and out[-1].op is run.op:
            out[-1] = Run(run.op, out[-1].text + run.text)
        else:
            out.append(run)
    return out


def compare(old: Version, new: Version) -> list[PieceChange]:
    """Every piece that differs between ``old`` and ``new``, texts first, then times, then images.

    When either side has no stored pieces (an approval made before they were kept), the changed pieces are named
    from the hashes alone.
    """
    if _empty(old.pieces) or _empty(new.pieces):
        return [_opaque(name, old, new) for name in sorted(set(old.hashes) | set(new.hashes))
                if old.hashes.get(name) != new.hashes.get(name)]
    changes = _text_changes(old.pieces.texts, new.pieces.texts)
    changes += _time_changes(old.pieces.times, new.pieces.times)
    changes += _image_changes(old.pieces.images, new.pieces.images)
    covered = {_hash_name(c.name) for c in changes}
    for name in sorted(set(old.hashes) | set(new.hashes)):
        if old.hashes.get(name) != new.hashes.get(name) and name not in covered:
            changes.append(_opaque(name, old, new))
    return changes


def _empty(pieces: RenderedPieces) -> bool:
    return not (pieces.texts or pieces.times or pieces.images)


def _opaque(name: str, old: Version, new: Version) -> PieceChange:
    if name not in old.hashes:
        return PieceChange(name, ChangeKind.ADDED, note="new since")
    if name not in new.hashes:
        return PieceChange(name, ChangeKind.REMOVED, note="gone since")
    if _empty(old.pieces):
        return PieceChange(name, ChangeKind.OPAQUE, note="changed (the earlier words were not stored)")
    return PieceChange(name, ChangeKind.OPAQUE, note="changed (markup or layout; the words are the same)")


def _hash_name(piece: str) -> str:
    """The :attr:`Plan.hashes` key a piece's change accounts for."""
    if piece.startswith("time of "):
        return piece
    if piece in ("email subject", "email preheader"):
        return "email subject"
    if piece.startswith("posts[") and " image " in piece:
        return piece.split(" image ", 1)[0]
    return piece


def _text_changes(old: dict[str, str], new: dict[str, str]) -> list[PieceChange]:
    out = []
    for name in _ordered(old, new):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None:
            out.append(PieceChange(name, ChangeKind.ADDED, None, after, word_runs("", after or "")))
        elif after is None:
            out.append(PieceChange(name, ChangeKind.REMOVED, before, None, word_runs(before, "")))
        else:
            out.append(PieceChange(name, ChangeKind.TEXT, before, after, word_runs(before, after)))
    return out


def _time_changes(old: dict[str, str], new: dict[str, str]) -> list[PieceChange]:
    return [PieceChange(f"time of {name}", ChangeKind.TIME, old.get(name), new.get(name))
            for name in _ordered(old, new) if old.get(name) != new.get(name)]


def _image_changes(old: dict[str, ImagePiece], new: dict[str, ImagePiece]) -> list[PieceChange]:
    out = []
    for name in _ordered(old, new):
        before, after = old.get(name), new.get(name)
        if before == after or (before and after and before.sha256 == after.sha256 and before.alt == after.alt):
            continue
        kind = ChangeKind.IMAGE if before and after else ChangeKind.ADDED if after else ChangeKind.REMOVED
        note = "alt text changed" if before and after and before.sha256 == after.sha256 else ""
        out.append(PieceChange(name, kind, before.alt if before else None, after.alt if after else None,
                               old_image=before, new_image=after, note=note))
    return out


def _ordered(old: dict, new: dict) -> list[str]:
    """Keys of both, in the newer version's order, then the ones only the older has."""
    return list(new) + [k for k in old if k not in new]


# -- output -----------------------------------------------------------------------------------------

def as_text(changes: list[PieceChange], context: int = CONTEXT_WORDS) -> str:
    """The changes for a terminal: one block per piece, ``[-removed-]{+added+}`` with a few words around."""
    if not changes:
        return "nothing changed\n"
    blocks = []
    for change in changes:
        blocks.append(f"{change.name}: " + _line(change, context).replace("\n", "\n    "))
    return "\n".join(blocks) + "\n"


def _line(change: PieceChange, context: int) -> str:
    if change.kind is ChangeKind.TIME:
        return f"{change.old or '(none)'} → {change.new or '(none)'}"
    if change.old_image is not None or change.new_image is not None:
        old = change.old_image.sha256[:12] if change.old_image else "(none)"
        new = change.new_image.sha256[:12] if change.new_image else "(none)"
        alt = f"; alt: {change.old!r} → {change.new!r}" if change.old != change.new else ""
        return f"image {old} → {new}{alt}" if old != new else f"{change.note}{alt}"
    if change.runs:
        return _marked(change.runs, context)
    return change.note


def _marked(runs: tuple[Run, ...], context: int) -> str:
    parts = []
    for index, run in enumerate(runs):
        if run.op is Op.DELETE:
            parts.append(f"[-{run.text}-]")
        elif run.op is Op.INSERT:
            parts.append(f"{{+{run.text}+}}")
        else:
            parts.append(_trimmed(run.text, context, first=index == 0, last=index == len(runs) - 1))
    return "".join(parts)


def _trimmed(text: str, context: int, *, first: bool, last: bool) -> str:
    """An unchanged run with at most ``context`` words kept next to each change (a long word, a URL, shortened)."""
    words = text.split(" ")
    if len(words) > 2 * context + 1 or first or last:
        head = [] if first else words[:context]
        tail = [] if last else words[-context:]
        if len(head) + len(tail) < len(words):
            words = head + ["…"] + tail
    return " ".join(w if len(w) <= MAX_WORD else w[: MAX_WORD - 1] + "…" for w in words)


def summary(changes: list[PieceChange]) -> str:
    """One line naming each change with its words, for an error message."""
    parts = []
    for change in changes:
        line = " ".join(_line(change, 3).split())
        if len(line) > MAX_SUMMARY:
            line = line[: MAX_SUMMARY - 1] + "…"
        parts.append(f"{change.name}: {line}")
    return "; ".join(parts) if parts else "nothing changed"


def as_html(changes: list[PieceChange]) -> str:
    """The changes as an HTML fragment: every text escaped, ``<del>``/``<ins>`` runs, both thumbnails of a changed image."""
    if not changes:
        return '<p class="diff-none">Nothing changed.</p>'
    items = []
    for change in changes:
        items.append(f'<section class="diff-piece"><h3>{html.escape(change.name)}</h3>{_html_body(change)}</section>')
    return '<div class="diff">' + "".join(items) + "</div>"


def _html_body(change: PieceChange) -> str:
    if change.kind is ChangeKind.TIME:
        return (f'<p class="diff-time"><del>{html.escape(change.old or "(none)")}</del> → '
                f'<ins>{html.escape(change.new or "(none)")}</ins></p>')
    if change.old_image is not None or change.new_image is not None:
        return f'<div class="diff-images">{_figure("Before", change.old_image)}{_figure("After", change.new_image)}</div>'
    if change.runs:
        spans = []
        for run in change.runs:
            text = html.escape(run.text)
            spans.append(f"<del>{text}</del>" if run.op is Op.DELETE else f"<ins>{text}</ins>" if run.op is Op.INSERT else text)
        return f'<p class="diff-words" style="white-space: pre-wrap">{"".join(spans)}</p>'
    return f'<p class="diff-note">{html.escape(change.note)}</p>'


def _figure(label: str, image: ImagePiece | None) -> str:
    if image is None:
        return f'<figure><figcaption>{label}: none</figcaption></figure>'
    uri = image.data_uri()
    alt = html.escape(image.alt or "(no alt text)")
    img = f'<img src="{html.escape(uri)}" alt="{label}: {alt}">' if uri else "<span>(no thumbnail)</span>"
    return f'<figure>{img}<figcaption>{label}: {html.escape(image.sha256[:12])}, alt “{alt}”</figcaption></figure>'


def diff_page(slug: str, against: str, note: str, changes: list[PieceChange]) -> str:
    """A standalone page of the changes (``outreach diff --html``): works offline, asks for nothing, runs no script."""
    from markupsafe import Markup

    from ..render.environment import template_env

    return template_env(None).get_template("review/diff.html.j2").render(  # never a campaign's own copy
        slug=slug, against=against, note=note, fragment=Markup(as_html(changes)))  # as_html escapes every text
