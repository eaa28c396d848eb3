"""The word diff (outreach.review.diff): word runs, times, images by content, old approvals, hostile stored JSON.

Pure functions: no database.
"""

from __future__ import annotations

import re

import pytest

from outreach.review.diff import (WORD_BUDGET, ChangeKind, Op, Run, Version, as_html, as_text, compare, summary, word_runs)
from outreach.review.pieces import ImagePiece, RenderedPieces

THUMB_A = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
THUMB_B = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC"


def _version(texts=None, times=None, images=None, hashes=None) -> Version:  # type: ignore[no-untyped-def]
    pieces = RenderedPieces(texts or {}, times or {}, images or {})
    if hashes is None:  # a hash per piece that follows its value, as Plan.hashes does
        hashes = {**{k: f"h:{v}" for k, v in (texts or {}).items()},
                  **{f"time of {k}": f"h:{v}" for k, v in (times or {}).items()},
                  **{k: f"h:{v.sha256}:{v.alt}" for k, v in (images or {}).items()}}
    return Version(hashes, pieces)


# -- word runs -------------------------------------------------------------------------------------

def test_word_runs_mark_only_the_changed_word() -> None:
    runs = word_runs("Why do most soldiers stay?", "Why do many soldiers stay?")
    assert runs == (Run(Op.SAME, "Why do "), Run(Op.DELETE, "most"), Run(Op.INSERT, "many"), Run(Op.SAME, " soldiers stay?"))


def test_word_runs_rebuild_both_texts() -> None:
    old, new = "A cat, sat on\nthe mat. Then left!", "A dog sat on the\n\nmat — then stayed?"
    runs = word_runs(old, new)
    assert "".join(r.text for r in runs if r.op is not Op.INSERT) == old
    assert "".join(r.text for r in runs if r.op is not Op.DELETE) == new


def test_word_runs_of_identical_texts_are_one_same_run() -> None:
    assert word_runs("no change here", "no change here") == (Run(Op.SAME, "no change here"),)
    assert word_runs("", "") == ()


def test_punctuation_is_a_token_of_its_own() -> None:
    runs = word_runs("stay?", "stay!")
    assert runs == (Run(Op.SAME, "stay"), Run(Op.DELETE, "?"), Run(Op.INSERT, "!"))


# -- compare ---------------------------------------------------------------------------------------

def test_compare_lists_each_changed_text_and_leaves_the_rest() -> None:
    old = _version({"email subject": "Old subject", "posts[0]": "one two three", "posts[1]": "same"})
    new = _version({"email subject": "New subject", "posts[0]": "one two three", "posts[1]": "same"})
    [change] = compare(old, new)
    assert (change.name, change.kind, change.old, change.new) == ("email subject", ChangeKind.TEXT, "Old subject", "New subject")
    assert as_text([change]) == "email subject: [-Old-]{+New+} subject\n"


def test_compare_of_equal_versions_is_empty() -> None:
    same = _version({"posts[0]": "x"}, {"posts[0]": "2027-01-12 09:30 Europe/Copenhagen"})
    assert compare(same, same) == []
    assert as_text([]) == "nothing changed\n" and summary([]) == "nothing changed"
    assert "Nothing changed" in as_html([])


def test_times_show_old_and_new() -> None:
    old = _version(times={"email": "2027-01-12 09:00 Europe/Copenhagen"})
    new = _version(times={"email": "2027-01-12 08:15 Europe/Copenhagen"})
    [change] = compare(old, new)
    assert change.kind is ChangeKind.TIME and change.name == "time of email"
    assert as_text([change]) == "time of email: 2027-01-12 09:00 Europe/Copenhagen → 2027-01-12 08:15 Europe/Copenhagen\n"
    assert "<del>2027-01-12 09:00 Europe/Copenhagen</del> → <ins>2027-01-12 08:15 Europe/Copenhagen</ins>" in as_html([change])


def test_a_new_or_removed_post_is_named() -> None:
    old = _version({"posts[0]": "first"})
    new = _version({"posts[0]": "first", "posts[1]": "second post"})
    [added] = compare(old, new)
    assert added.kind is ChangeKind.ADDED and added.name == "posts[1]" and "{+second post+}" in as_text([added])
    [removed] = compare(new, old)
    assert removed.kind is ChangeKind.REMOVED and "[-second post-]" in as_text([removed])


def test_images_are_compared_by_content() -> None:
    before = _version(images={"cover image": ImagePiece("a" * 64, "The cover", THUMB_A)})
    after = _version(images={"cover image": ImagePiece("b" * 64, "The cover", THUMB_B)})
    [change] = compare(before, after)
    assert change.kind is ChangeKind.IMAGE and change.old_image.sha256 == "a" * 64 and change.new_image.sha256 == "b" * 64  # type: ignore[union-attr]
    assert as_text([change]) == f"cover image: image {'a' * 12} → {'b' * 12}\n"
    page = as_html([change])
    assert re.findall(r'<img src="([^"]+)"', page) == [f"data:image/png;base64,{THUMB_A}", f"data:image/png;base64,{THUMB_B}"]


def test_the_same_bytes_under_a_new_file_name_are_no_change() -> None:
    # a piece names its image by its place ("cover image"), never by file name; the content is the hash
    before = _version(images={"cover image": ImagePiece("c" * 64, "The cover", THUMB_A)})
    after = _version(images={"cover image": ImagePiece("c" * 64, "The cover", THUMB_A)})
    assert compare(before, after) == []


def test_the_same_image_with_new_alt_text_says_so() -> None:
    # an image in a post is part of the post's hash (Plan.hashes), and the alt text is in it
    before = _version(images={"posts[0] image 1": ImagePiece("c" * 64, "old alt", THUMB_A)}, hashes={"posts[0]": "1"})
    after = _version(images={"posts[0] image 1": ImagePiece("c" * 64, "new alt", THUMB_A)}, hashes={"posts[0]": "2"})
    [change] = compare(before, after)
    assert change.note == "alt text changed"
    assert as_text([change]) == "posts[0] image 1: alt text changed; alt: 'old alt' → 'new alt'\n"


def test_a_hash_change_without_a_word_change_is_still_listed() -> None:
    old = _version({"email text": "same words"}, hashes={"email text": "1", "email html": "old-markup"})
    new = _version({"email text": "same words"}, hashes={"email text": "1", "email html": "new-markup"})
    [change] = compare(old, new)
    assert change.name == "email html" and change.kind is ChangeKind.OPAQUE and "the words are the same" in change.note


def test_an_old_approval_without_pieces_names_only_the_changed_pieces() -> None:
    hashes = {"email subject": "s", "email text": "t", "posts[0]": "p0", "posts[1]": "p1", "time of email": "e"}
    old = Version(hashes)  # approved before pieces were stored: hashes only
    new = _version({"email subject": "Subject", "email text": "Text", "posts[0]": "changed", "posts[1]": "P1"},
                   {"email": "2027-01-12 09:00 Europe/Copenhagen"},
                   hashes={**hashes, "posts[0]": "p0-new"})
    changes = compare(old, new)
    assert [(c.name, c.kind) for c in changes] == [("posts[0]", ChangeKind.OPAQUE)]
    assert changes[0].note == "changed (the earlier words were not stored)"
    assert summary(changes) == "posts[0]: changed (the earlier words were not stored)"


def test_text_output_keeps_a_few_words_around_a_change() -> None:
    words = " ".join(f"w{i}" for i in range(40))
    [change] = compare(_version({"posts[0]": words}), _version({"posts[0]": words.replace("w20", "CHANGED")}))
    line = as_text([change])
    assert "[-w20-]{+CHANGED+}" in line and "w15" in line and "w25" in line and " … " in line
    assert "w14 " not in line and "w26" not in line


def test_summary_is_one_line_and_bounded() -> None:
    long = "word " * 200
    [change] = compare(_version({"email text": "a\nb"}), _version({"email text": long}))
    line = summary([change])
    assert "\n" not in line and len(line) < 200


# -- hostile input ---------------------------------------------------------------------------------

def test_html_escapes_every_text_and_name() -> None:
    old = _version({"<b>posts[0]</b>": "<script>alert(1)</script> & co"})
    new = _version({"<b>posts[0]</b>": "<img src=x onerror=alert(1)> & co"},
                   images={"cover image": ImagePiece("<i>", "\" onload=\"alert(1)", THUMB_A)})
    page = as_html(compare(old, new))
    assert "<script" not in page and "<img src=x" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;<del>script&gt;</del><ins>img src=x onerror=</ins>alert(1)<del>&lt;/script</del>&gt; &amp; co" in page
    assert 'onload="' not in page


HOSTILE_PIECES = [
    None, [], "text", 42, {"texts": "x"}, {"texts": {"a": 1, "b": None, "c": ["x"]}}, {"texts": {1: "x"}},
    {"times": {"email": {"nested": True}}}, {"images": {"cover image": "x"}}, {"images": {"cover image": {"sha256": 5}}},
    {"images": {"cover image": {"sha256": "a", "alt": 7, "thumbnail": ["x"]}}}, {"images": []},
]


@pytest.mark.parametrize("stored", HOSTILE_PIECES, ids=[str(i) for i in range(len(HOSTILE_PIECES))])
def test_stored_pieces_of_the_wrong_shape_become_empty_pieces(stored: object) -> None:
    pieces = RenderedPieces.from_json(stored)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in {**pieces.texts, **pieces.times}.items())
    assert all(isinstance(v.sha256, str) and isinstance(v.alt, str) and isinstance(v.thumbnail, str) for v in pieces.images.values())
    current = _version({"posts[0]": "now"}, {"email": "2027-01-12 09:00 Europe/Copenhagen"},
                       {"cover image": ImagePiece("a" * 64, "cover", THUMB_A)})
    changes = compare(Version({"posts[0]": "old"}, pieces), current)
    assert as_text(changes) and as_html(changes) and summary(changes)


def test_a_stored_thumbnail_cannot_break_out_of_its_attribute() -> None:
    """A thumbnail read back from stored JSON is attacker-shaped text until proven base64."""
    stored = RenderedPieces.from_json({"images": {"cover image": {"sha256": "a", "alt": "x",
                                                                  "thumbnail": '"><script>alert(1)</script><img src="'}}})
    page = as_html(compare(_version(images=dict(stored.images)), _version(images={"cover image": ImagePiece("b", "x", THUMB_B)})))
    assert "<script" not in page
    assert all(re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/]*={0,2}", src) for src in re.findall(r'<img src="([^"]*)"', page))


@pytest.fixture
def match_sizes(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The size (items of one side × items of the other) of every match the diff module makes during the test."""
    from outreach.review import diff as diff_module

    sizes: list[int] = []
    real = diff_module.difflib.SequenceMatcher

    def counting(junk, a, b, autojunk=True):  # type: ignore[no-untyped-def]
        sizes.append(len(a) * len(b))
        return real(junk, a, b, autojunk=autojunk)

    monkeypatch.setattr(diff_module.difflib, "SequenceMatcher", counting)
    return sizes


def _long_texts(words: int, every: int) -> tuple[str, str]:
    import random

    rng = random.Random(words)
    vocabulary = "defectors soldiers army coup report voices motivation obstacle family fear".split()
    old = [rng.choice(vocabulary) + ("." if i % 15 == 14 else "") for i in range(words)]
    new = [("changed" + ("." if w.endswith(".") else "")) if i % every == 0 else w for i, w in enumerate(old)]
    return " ".join(old), " ".join(new)


@pytest.mark.parametrize("words", [300, 3000, 12000, 60000])
def test_a_long_text_is_diffed_word_by_word_within_a_bounded_budget(match_sizes, words):
    old, new = _long_texts(words, every=4)  # a quarter of the words changed: every sentence touched
    runs = word_runs(old, new)
    assert "".join(r.text for r in runs if r.op is not Op.INSERT) == old
    assert "".join(r.text for r in runs if r.op is not Op.DELETE) == new
    assert max(match_sizes) <= WORD_BUDGET, "no match is quadratic beyond the budget (the sentence match included)"
    assert sum(1 for r in runs if r.op is Op.INSERT and "changed" in r.text) >= words // 8, "the changes are found word by word"
    assert all(len(r.text) < 2000 for r in runs if r.op is not Op.SAME), "no whole-text delete and insert"


def test_a_long_text_with_one_change_reads_as_one_change_in_its_context():
    old, _ = _long_texts(3000, every=10**9)
    cut = old.index(" ", len(old) // 2)
    new = old[:cut] + " inserted" + old[cut:]
    runs = word_runs(old, new)
    assert [r.op for r in runs] == [Op.SAME, Op.INSERT, Op.SAME], "the unchanged text around the change is one run each side"
    line = as_text(compare(Version({"posts[0]": "a"}, RenderedPieces(texts={"posts[0]": old})),
                           Version({"posts[0]": "b"}, RenderedPieces(texts={"posts[0]": new}))))
    assert line.count("{+") == 1 and line.count("…") == 2, line


@pytest.mark.parametrize("unit", ["same line\n", "Same sentence. ", "Para.\n\n"])
def test_thousands_of_repeated_sentences_stay_within_the_budget(match_sizes, unit):
    old = unit * 20000
    new = unit * 7000 + "Inserted here. " + unit * 13000
    runs = word_runs(old, new)
    assert "".join(r.text for r in runs if r.op is not Op.INSERT) == old
    assert "".join(r.text for r in runs if r.op is not Op.DELETE) == new
    assert max(match_sizes, default=0) <= WORD_BUDGET
    assert [r.text for r in runs if r.op is Op.INSERT] == ["Inserted here. "]
