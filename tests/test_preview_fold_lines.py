"""LinkedIn's feed folds after about 210 characters or three lines, whichever comes first: short and blank lines bring
"…see more" earlier (render.feed.fold with the platform's feed_fold_lines)."""

from __future__ import annotations

from outreach.channels.linkedin_facts import LINKEDIN
from outreach.render.feed import Kind, Segment, fold, line_limit


def folded_at(text: str) -> int | None:
    return fold((Segment(text, Kind.TEXT, "", 0, len(text)),), LINKEDIN.feed_fold, LINKEDIN.feed_fold_lines)[2]


def test_three_short_lines_fold_before_the_fourth():
    text = "Line one.\n\nLine two.\n\nLine three.\n\nLine four."
    assert text[:folded_at(text)] == "Line one.\n\nLine two."


def test_one_long_paragraph_folds_by_characters():
    text = ("word " * 80).strip()
    cut = folded_at(text)
    assert cut is not None and 180 < cut <= 210


def test_a_paragraph_of_three_lines_then_a_break_folds_at_the_break():
    first = "x" * 60 + " " + "y" * 60 + " " + "z" * 60
    assert folded_at(first + "\n\nMore text after the break.") == len(first)


def test_line_limit_counts_blank_lines():
    assert line_limit("a\n\nb\n\nc", 210, 3) == len("a\n\nb")
    assert line_limit("short", 210, 3) == len("short")
