"""Issue 9 items 2, 16 and 17: what a campaign file may name and contain.

Item 2: every image path must resolve (symlinks followed) to a regular file
inside the campaign's folder, be a PNG/JPEG/GIF/WebP image by its content,
and stay under the size cap. Before, ``cover = { image = "/proc/self/environ" }``
passed validate and the file was copied into the preview, archived on the web
and uploaded to Bluesky.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from outreach.campaign import load_campaign
from outreach.preview import write_preview
from outreach.validate import check
from tests.conftest import SAMPLE_COVER
from tests.helpers import replace_once

COVER_LINE = 'cover = { image = "soldier-defections-myanmar-cover.png"'
BLUESKY = 'channel = "bluesky"\nat = 2027-01-12T10:00:00\n'


def _outside(tmp_path: Path) -> Path:
    """A valid image outside the campaign folder."""
    other = tmp_path / "elsewhere"
    other.mkdir(exist_ok=True)
    shutil.copyfile(SAMPLE_COVER, other / "secret.png")
    return other / "secret.png"


# Each maker prepares the campaign folder and returns the path to write in the campaign file.
def _absolute(folder: Path, tmp: Path) -> str:
    return str(_outside(tmp))


def _dotdot(folder: Path, tmp: Path) -> str:
    _outside(tmp)
    return "../elsewhere/secret.png"


def _proc_environ(folder: Path, tmp: Path) -> str:
    return "/proc/self/environ"


def _proc_relative(folder: Path, tmp: Path) -> str:
    return "../" * 30 + "proc/self/environ"


def _symlink_passwd(folder: Path, tmp: Path) -> str:
    (folder / "passwd.png").symlink_to("/etc/passwd")
    return "passwd.png"


def _symlink_outside_image(folder: Path, tmp: Path) -> str:
    (folder / "looks-fine.png").symlink_to(_outside(tmp))
    return "looks-fine.png"


def _symlinked_dir_outside(folder: Path, tmp: Path) -> str:
    _outside(tmp)
    (folder / "assets").symlink_to(tmp / "elsewhere", target_is_directory=True)
    return "assets/secret.png"


def _directory(folder: Path, tmp: Path) -> str:
    (folder / "dir.png").mkdir()
    return "dir.png"


def _fifo(folder: Path, tmp: Path) -> str:
    os.mkfifo(folder / "pipe.png")
    return "pipe.png"


def _text_named_png(folder: Path, tmp: Path) -> str:
    (folder / "notes.png").write_text("SMTP_PASSWORD=hunter2\n", encoding="utf-8")
    return "notes.png"


def _truncated_png(folder: Path, tmp: Path) -> str:
    (folder / "broken.png").write_bytes(SAMPLE_COVER.read_bytes()[:200])
    return "broken.png"


def _svg(folder: Path, tmp: Path) -> str:
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', encoding="utf-8")
    return "logo.svg"


def _jpeg_named_png(folder: Path, tmp: Path) -> str:
    Image.new("RGB", (40, 30), "green").save(folder / "photo.png", format="JPEG")
    return "photo.png"


def _escape_in_name(folder: Path, tmp: Path) -> str:
    shutil.copyfile(SAMPLE_COVER, folder / "cover\x1b[2J.png")
    return "cover\x1b[2J.png"


def _symlink_to_escape_name(folder: Path, tmp: Path) -> str:
    shutil.copyfile(SAMPLE_COVER, folder / "real\x1b]0;title\x07.png")
    (folder / "fine.png").symlink_to(folder / "real\x1b]0;title\x07.png")
    return "fine.png"


def _oversized_file(folder: Path, tmp: Path) -> str:
    data = SAMPLE_COVER.read_bytes()
    (folder / "huge.png").write_bytes(data + b"\0" * (16_000_001 - len(data)))
    return "huge.png"


def _too_many_pixels(folder: Path, tmp: Path) -> str:
    Image.new("1", (9000, 5000)).save(folder / "bomb.png", format="PNG")
    return "bomb.png"


def _empty_file(folder: Path, tmp: Path) -> str:
    (folder / "empty.png").write_bytes(b"")
    return "empty.png"


BAD = [
    pytest.param(_absolute, "not an absolute path", id="absolute"),
    pytest.param(_dotdot, "outside the campaign's folder", id="dotdot"),
    pytest.param(_proc_environ, "not an absolute path", id="proc-self-environ"),
    pytest.param(_proc_relative, "outside the campaign's folder", id="proc-via-dotdot"),
    pytest.param(_symlink_passwd, "outside the campaign's folder", id="symlink-etc-passwd"),
    pytest.param(_symlink_outside_image, "outside the campaign's folder", id="symlink-outside-image"),
    pytest.param(_symlinked_dir_outside, "outside the campaign's folder", id="symlinked-folder"),
    pytest.param(_directory, "not a regular file", id="directory"),
    pytest.param(_fifo, "not a regular file", id="fifo"),
    pytest.param(_text_named_png, "not a PNG, JPEG, GIF or WebP image", id="text-named-png"),
    pytest.param(_truncated_png, "not a PNG, JPEG, GIF or WebP image", id="truncated-png"),
    pytest.param(_svg, "not a PNG, JPEG, GIF or WebP image", id="svg"),
    pytest.param(_jpeg_named_png, "the content is a JPEG image; name the file with .jpg or .jpeg", id="jpeg-named-png"),
    pytest.param(_escape_in_name, "must be one line of plain text (found U+001B)", id="escape-in-name"),
    pytest.param(_symlink_to_escape_name, "must be one line of plain text (found U+001B, U+0007)", id="symlink-to-escape-name"),
    pytest.param(_oversized_file, "images may be at most 16,000,000", id="oversized-file"),
    pytest.param(_too_many_pixels, "pixels is too large", id="too-many-pixels"),
    pytest.param(_empty_file, "not a PNG, JPEG, GIF or WebP image", id="empty"),
]


def _as_cover(rel: str) -> Callable[[str], str]:
    return replace_once('image = "soldier-defections-myanmar-cover.png"', f"image = {json.dumps(rel)}")


def _as_post_image(rel: str) -> Callable[[str], str]:
    return replace_once(BLUESKY, BLUESKY + f"images = [{{ path = {json.dumps(rel)}, alt = \"A picture\" }}]\n")


PLACES = [
    pytest.param(_as_cover, "report.cover.image", "cover = {", id="cover"),
    pytest.param(_as_post_image, "posts[2].images[0].path", "images = [", id="post-image"),
]


@pytest.mark.parametrize("place, field, needle", PLACES)
@pytest.mark.parametrize("make, message", BAD)
def test_bad_image_paths_are_refused_with_a_located_error(cli, campaign_copy, tmp_path, make, message, place, field, needle):
    folder = tmp_path / "campaigns"
    folder.mkdir(exist_ok=True)
    rel = make(folder, tmp_path)
    path = campaign_copy(place(rel))
    result = cli("validate", path)
    assert result.code == 1, result.out
    errors = [l for l in result.err.splitlines() if l.startswith("error:")]
    assert len(errors) == 1, result.err
    assert f": {field}: " in errors[0] and message in errors[0], errors[0]
    line = int(errors[0][len(f"error: {path}:"):].split(":", 1)[0])
    assert needle in path.read_text(encoding="utf-8").splitlines()[line - 1]
    assert "hunter2" not in result.err and "root:" not in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("make", [_proc_environ, _symlink_passwd, _dotdot], ids=["proc", "symlink", "dotdot"])
def test_preview_refuses_and_copies_nothing(cli, campaign_copy, tmp_path, make):
    folder = tmp_path / "campaigns"
    folder.mkdir(exist_ok=True)
    path = campaign_copy(_as_cover(make(folder, tmp_path)))
    out = tmp_path / "pv"
    result = cli("preview", path, "--out", out)
    assert result.code == 1
    assert "report.cover.image" in result.err
    assert not out.exists()


def test_valid_images_pass_and_every_reader_gets_the_resolved_file(campaign_copy, tmp_path, config):
    folder = tmp_path / "campaigns"
    (folder / "art").mkdir(parents=True)
    Image.new("RGB", (60, 40), "navy").save(folder / "art" / "chart.jpeg", format="JPEG")
    Image.new("RGB", (60, 40), "olive").save(folder / "art" / "map.webp", format="WEBP")
    (folder / "chart-link.jpg").symlink_to(folder / "art" / "chart.jpeg")  # a symlink inside the folder is fine
    edit = replace_once(BLUESKY, BLUESKY + 'images = [{ path = "chart-link.jpg", alt = "A chart" }, { path = "./art/../art/map.webp", alt = "A map" }]\n')
    campaign = load_campaign(campaign_copy(edit))
    checked = check(campaign, config)
    assert checked.ok, checked.errors
    plan = checked.plan
    resolved = folder.resolve()
    assert [img.path for img in plan.posts[2].images] == [resolved / "art" / "chart.jpeg", resolved / "art" / "map.webp"]
    assert plan.email is not None and plan.email.cover_path == resolved / SAMPLE_COVER.name
    preview = write_preview(checked, config, tmp_path / "pv")
    assert sorted(p.name for p in (preview.folder / "images").iterdir()) == ["01-soldier-defections-myanmar-cover.png", "02-chart.jpeg", "03-map.webp"]


def test_changing_an_image_changes_the_content_hash(campaign_copy, config):
    path = campaign_copy()
    before = check(load_campaign(path), config).plan.content_hash
    Image.new("RGB", (120, 80), "red").save(path.parent / SAMPLE_COVER.name, format="PNG")
    assert check(load_campaign(path), config).plan.content_hash != before


# --- item 16: bad values are located errors, never crashes ---------------------------------------

def _one_error(cli, path: Path) -> str:
    result = cli("validate", path)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err and "internal error" not in result.err
    errors = [l for l in result.err.splitlines() if l.startswith("error:")]
    assert len(errors) == 1, result.err
    return errors[0]


def _line_of(path: Path, error: str) -> str:
    line = int(error[len(f"error: {path}:"):].split(":", 1)[0])
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


UNSAFE = [pytest.param(c, id=f"U+{ord(c):04X}") for c in ("\u2028", "\u2029", "\u0085", "\x1b", "\x00", "\t", "\x7f", "\u202e")]
ONE_LINE_FIELDS = [
    pytest.param('subject = "New DIIS report:', "email.subject", id="subject"),
    pytest.param('preheader = "Around', "email.preheader", id="preheader"),
    pytest.param('title = "Soldier', "report.title", id="title"),
    pytest.param('name = "Helene', "experts[0].name", id="expert-name"),
]


@pytest.mark.parametrize("start, field", ONE_LINE_FIELDS)
@pytest.mark.parametrize("char", UNSAFE)
def test_control_and_separator_characters_are_refused(cli, campaign_copy, tmp_path, char, start, field):
    escaped = f"\\u{ord(char):04X}"  # written as a TOML escape, as an author (or a paste) would get it in
    path = campaign_copy(replace_once(start, start[:-1] + escaped + start[-1:] if start.endswith('"') else start + escaped))
    error = _one_error(cli, path)
    assert f": {field}: must be one line of plain text (found U+{ord(char):04X})" in error, error
    assert start.split(" =")[0] in _line_of(path, error)
    result = cli("preview", path, "--out", tmp_path / "pv")
    assert result.code == 1 and "Traceback" not in result.err and not (tmp_path / "pv").exists()


@pytest.mark.parametrize("when", ["9999-12-31T23:59:00", "2101-01-01T00:00:00", "1999-12-31T09:00:00", "0001-01-01T00:00:00"])
@pytest.mark.parametrize("key, field", [("send_at = 2027-01-12T09:00:00", "email.send_at"), ("at = 2027-01-12T09:30:00", "posts[0].at")])
def test_far_dates_are_located_errors(cli, campaign_copy, when, key, field):
    path = campaign_copy(replace_once(key, key.split("= ")[0] + "= " + when))
    error = _one_error(cli, path)
    assert f": {field}: " in error and "between 2000 and 2100" in error, error
    assert key.split(" =")[0] in _line_of(path, error)


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "EST5EDT", "Etc/GMT+5", "US/Eastern", "GMT", "posix/Europe/Copenhagen", "Europe/../UTC"])
def test_only_area_location_zones_and_utc(cli, campaign_copy, zone):
    path = campaign_copy(replace_once('timezone = "Europe/Copenhagen"', f'timezone = "{zone}"'))
    error = _one_error(cli, path)
    assert f": timezone: unknown timezone '{zone}'" in error, error


@pytest.mark.parametrize("zone", ["UTC", "America/Argentina/Buenos_Aires", "Asia/Yangon", "Europe/Copenhagen"])
def test_real_zones_are_accepted(cli, campaign_copy, zone):
    path = campaign_copy(lambda t: t.replace('timezone = "Europe/Copenhagen"', f'timezone = "{zone}"').replace("send_at = 2027-01-12T09:00:00", "send_at = 2027-01-12T09:00:01"))
    result = cli("validate", path)
    assert result.code == 0, result.err


# --- item 17: validate is linear in the number of posts; a BOM is accepted -----------------------

def _many_posts(campaign_copy, n: int, name: str) -> Path:
    def edit(text: str) -> str:
        head = text[: text.index("[[posts]]")]
        posts = "".join(
            f'\n[[posts]]\nchannel = "{("x", "mastodon", "bluesky")[i % 3]}"\nat = 2027-02-{1 + i % 27:02d}T10:{i % 60:02d}:00\n'
            f'text = "Post {i}: {{{{ report.title }}}} {{{{ report.url }}}}"\n' + ('image = "cover"\n' if i % 2 else "")
            for i in range(n))
        return head + posts

    return campaign_copy(edit, name=name)


def _check_seconds(path: Path, config) -> float:
    import time

    campaign = load_campaign(path)
    started = time.process_time()  # CPU time: other processes on a loaded machine do not count
    checked = check(campaign, config)
    elapsed = time.process_time() - started
    assert checked.ok, checked.errors[:3]
    return elapsed


@pytest.mark.slow
def test_validate_scales_linearly_with_posts(campaign_copy, config):
    small = _many_posts(campaign_copy, 300, "small.toml")
    large = _many_posts(campaign_copy, 3000, "large.toml")
    small_time = min(_check_seconds(small, config) for _ in range(3))
    large_time = min(_check_seconds(large, config) for _ in range(2))
    # linear: ~10x; the quadratic it was (a full campaign dump per post) gave ~40x here, 46 s for 4,000 posts
    assert large_time / small_time < 20, (small_time, large_time)
    assert large_time < 60, large_time


@pytest.mark.parametrize("error", [False, True], ids=["valid", "error-on-line-4"])
def test_a_byte_order_mark_is_accepted_with_right_line_numbers(cli, campaign_copy, error):
    edit = (lambda t: t) if not error else replace_once('timezone = "Europe/Copenhagen"', 'timezone = "Europe/Copenhagn"')
    path = campaign_copy(lambda t: "\ufeff" + edit(t))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = cli("validate", path)
    if not error:
        assert result.code == 0, result.err
        return
    assert result.code == 1
    [line] = [l for l in result.err.splitlines() if l.startswith("error:")]
    assert line.startswith(f"error: {path}:4: timezone: unknown timezone"), line


def test_a_bom_in_a_malformed_file_keeps_the_line(cli, campaign_copy):
    path = campaign_copy(lambda t: "\ufeff" + t.replace('timezone = "Europe/Copenhagen"', 'timezone = "Europe/Copenhagen'))
    result = cli("validate", path)
    assert result.code == 1
    assert f"error: {path}:4: malformed TOML" in result.err, result.err


# --- issue 10 §4: line numbers for multi-line strings in arrays and escaped quotes ---------------

TRICKY = '''\
# a comment with "quotes", and 'more', and [brackets]
timezone = "UTC"   # trailing "comment",
a = [
    """multi
line, with "quote", and ',
""", "same line as the close",
    'lit\\',
    """x""",
]
b = "has \\" an escaped quote, [ and ] {"
d = ["x\\", y", "z",
     "w"]
f = [
    "one \\"quoted\\", thing",
    "two",
]
g = """ starts "" here
  a \\""" still inside
ends """""
h = "line\\u2028separator is not a line break"
"quoted.key" = 1
site."a.b".c = 2
inline = { x = 1, "y.z" = [1,
  2], w = { v = 3 } }
when = 2027-01-12 09:00:00
after = 4

[[posts]]
thread = ["""first
part""", "second", 'third']

[[posts]]
text = "p1"

[[posts.images]]
path = "img"

[report]
cover = { image = "c.png", alt = """a
b""" }
title = "t"
'''
EXPECTED_LINES = {
    "timezone": 2, "a": 3, "a[0]": 4, "a[1]": 6, "a[2]": 7, "a[3]": 8, "b": 10, "d": 11, "d[0]": 11, "d[1]": 11, "d[2]": 12,
    "f": 13, "f[0]": 14, "f[1]": 15, "g": 17, "h": 20, "quoted.key": 21, "site.a.b.c": 22, "inline": 23, "inline.x": 23,
    "inline.y.z": 23, "inline.y.z[1]": 24, "inline.w.v": 24, "when": 25, "after": 26, "posts[0]": 28, "posts[0].thread[0]": 29,
    "posts[0].thread[1]": 30, "posts[0].thread[2]": 30, "posts[1]": 32, "posts[1].text": 33, "posts[1].images[0]": 35,
    "posts[1].images[0].path": 36, "report": 38, "report.cover.image": 39, "report.cover.alt": 39, "report.title": 41,
}


def test_line_index_knows_strings_arrays_and_tables():
    import tomllib

    from outreach.tomlsource import LineIndex

    tomllib.loads(TRICKY)  # the scanner only ever sees valid TOML
    lines = LineIndex.scan(TRICKY).lines
    wrong = {k: (lines.get(k), v) for k, v in EXPECTED_LINES.items() if lines.get(k) != v}
    assert not wrong, wrong


def test_errors_after_tricky_strings_point_at_the_right_line(cli, campaign_copy):
    def tricky(text: str) -> str:
        # thread[0] becomes a multi-line string closed on the same line as thread[1] opens; thread[1] has an escaped quote and a comma
        text = text.replace('    "Since the 2021 coup, an estimated', '    """Since the 2021\ncoup, an estimated', 1)
        text = text.replace('New #DIIS report:",\n    "Why do they leave?', 'New #DIIS report:""", "Why \\", do they leave?', 1)
        return text.replace("Why do most stay?", "Why do most stay? {{ nope }}", 1)

    path = campaign_copy(tricky)
    result = cli("validate", path)
    assert result.code == 1
    [error] = [l for l in result.err.splitlines() if l.startswith("error:")]
    assert ": posts[0].thread[2]: template error" in error, error
    line = int(error[len(f"error: {path}:"):].split(":", 1)[0])
    assert "Why do most stay? {{ nope }}" in path.read_text(encoding="utf-8").splitlines()[line - 1]
