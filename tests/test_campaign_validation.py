"""`outreach validate` rejects each bad input with a located one-line message and exit 1."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import regex_edit, replace_once

def test_sample_campaign_is_valid(cli, campaign_copy):
    path = campaign_copy()
    result = cli("validate", path)
    assert result.code == 0, result.err
    assert f"ok: {path}" in result.out
    assert "5 steps" in result.out


CASES = [
    pytest.param(replace_once('timezone = "Europe/Copenhagen"', 'timezone = "Europe/Copenhagen'), "malformed TOML", "timezone =", "", id="malformed-toml"),
    pytest.param(replace_once('headline = "Defecting', 'headlin = "Defecting'), "unknown field 'headlin' (did you mean 'headline'?)", "headlin =", "report.headlin", id="unknown-field"),
    pytest.param(regex_edit(r'^headline = .*\n', ""), "required field is missing", "[report]", "report.headline", id="missing-field"),
    pytest.param(replace_once('authors = ["Ah Lynn", "Helene Maria Kyed"]', 'authors = "Ah Lynn"'), "valid list", "authors =", "report.authors", id="wrong-type"),
    pytest.param(replace_once('timezone = "Europe/Copenhagen"', 'timezone = "Europe/Copenhagn"'), "unknown timezone 'Europe/Copenhagn' (did you mean 'Europe/Copenhagen'?)", "timezone =", "timezone", id="unknown-timezone"),
    pytest.param(replace_once('subject = "New DIIS report: why', 'subject = "New DIIS report:\\nwhy'), "must be one line of plain text (found U+000A)", "subject =", "email.subject", id="subject-line-break"),
    pytest.param(replace_once('preheader = "Around', 'preheader = "Around\\r'), "must be one line of plain text (found U+000D)", "preheader =", "email.preheader", id="preheader-line-break"),
    pytest.param(replace_once("Why do most stay?", "Why do most stay? " + "Many reasons keep them. " * 12), "the limit is 280 (over by", "Why do most stay?", "posts[0].thread[2]", id="x-over-limit"),
    pytest.param(replace_once("{{ experts[0].name }}: {{ report.url }}", "{{ experts[0].nmae }}: {{ report.url }}"), "template error", "nmae", "posts[0].thread[3]", id="undefined-variable"),
    pytest.param(replace_once("New #DIIS report: {{ report.title }}.", "{{ report.__class__.__mro__ }}"), "sandbox", "text = \"\"\"", "posts[1].text", id="sandbox-violation"),
    pytest.param(replace_once('image = "soldier-defections-myanmar-cover.png"', 'image = "missing-cover.png"'), "image file not found", "missing-cover.png", "report.cover.image", id="missing-cover"),
    pytest.param(replace_once('list = "research"', 'list = "reserch"'), "no subscriber list 'reserch' in the config (did you mean 'research'?)", 'list = "reserch"', "email.list", id="unknown-list"),
    pytest.param(replace_once('channel = "mastodon"', 'channel = "mastodonn"'), "unknown channel 'mastodonn' (did you mean 'mastodon'?)", "mastodonn", "posts[1].channel", id="unknown-channel"),
    pytest.param(replace_once('channel = "bluesky"\nat = 2027-01-12T10:00:00', 'channel = "bluesky"\nat = 2027-01-12T10:00:00\nimage = "cover"\nimages = [' + ", ".join(['{ path = "soldier-defections-myanmar-cover.png", alt = "c" }'] * 4) + "]"), "5 images on one post; at most 4", "[[posts]]", "posts[2]", id="too-many-images"),
    pytest.param(replace_once("send_at = 2027-01-12T09:00:00", "send_at = 2027-01-12T09:00:00+01:00"), "without offset", "send_at =", "email.send_at", id="offset-datetime"),
    pytest.param(replace_once("send_at = 2027-01-12T09:00:00", "send_at = 2027-03-28T02:30:00"), "does not exist in Europe/Copenhagen", "send_at =", "email.send_at", id="dst-gap"),
]


@pytest.mark.parametrize("edit, message, needle, field", CASES)
def test_bad_input_gets_one_located_line(cli, campaign_copy, edit, message, needle, field):
    path = campaign_copy(edit)
    result = cli("validate", path)
    assert result.code == 1
    errors = [l for l in result.err.splitlines() if l.startswith("error:")]
    assert len(errors) == 1, result.err
    assert message in errors[0]
    assert errors[0].startswith(f"error: {path}:"), errors[0]
    line = int(errors[0][len(f"error: {path}:"):].split(":", 1)[0])
    assert needle in path.read_text(encoding="utf-8").splitlines()[line - 1], (line, errors[0])
    if field:
        assert f": {field}:" in errors[0]
    assert "Traceback" not in result.err


def test_all_errors_in_a_file_are_reported_together(cli, campaign_copy):
    path = campaign_copy(lambda t: t.replace('list = "research"', 'list = "nope"').replace('channel = "mastodon"', 'channel = "myspace"'))
    result = cli("validate", path)
    assert result.code == 1
    assert "posts[1].channel" in result.err
    # the shape error no longer stops the config check (issue 10 §4): the unknown list is named in the same run
    assert "no subscriber list 'nope'" in result.err
    assert result.err.count("error:") == 2


def test_several_files_validate_independently(cli, campaign_copy, tmp_path):
    good = campaign_copy()
    bad = tmp_path / "campaigns" / "other.toml"
    bad.write_text("timezone = 'Mars/Olympus'\n", encoding="utf-8")
    result = cli("validate", good, bad)
    assert result.code == 1
    assert f"ok: {good}" in result.out
    assert "unknown timezone 'Mars/Olympus'" in result.err
    assert f"{bad}: report: required field is missing" in result.err


def test_missing_file_is_reported_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "outreach", "validate", str(tmp_path / "nope.toml")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "nope.toml: file not found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_warnings_do_not_fail_unless_strict(cli, campaign_copy):
    path = campaign_copy(replace_once('url = "https://example.org', 'url = "http://example.org'))
    result = cli("validate", path)
    assert result.code == 0
    assert "non-https link: http://example.org/PLACEHOLDER" in result.err
    assert cli("validate", "--strict", path).code == 1


# Issue 10 §4: one run reports the shape errors and the cross-field checks together. Each variant has one shape error of a
# different kind, plus the same three cross-field problems: an unknown list, a missing image, an over-long X part.
# Breaks if: load stops at the shape error (validate.check never runs), a broken post shifts the others' numbers or
# lines, or a broken part is reported twice.
CROSS_FIELD = [
    ("email.list", "no subscriber list 'nope'", 'list = "nope"'),
    ("posts[2].images[0].path", "image file not found", "nope.png"),
    ("posts[0].thread[2]", "the limit is 280 (over by", "Why do most stay?"),
]
SHAPE_ERRORS = [
    pytest.param(replace_once('channel = "mastodon"', 'channel = "myspace"'), "posts[1].channel", "unknown channel 'myspace'", "myspace", id="unknown-channel"),
    pytest.param(replace_once('channel = "mastodon"\nat = 2027-01-12T10:00:00', 'channel = "mastodon"\nat = 2027-01-12T10:00:00+01:00'), "posts[1].at", "without offset", "+01:00", id="offset-time-in-a-post"),
    pytest.param(replace_once('channel = "mastodon"\nat = 2027-01-12T10:00:00', 'channel = "mastodon"\nat = 2027-01-12T10:00:00\nnumberd = true'), "posts[1].numberd", "unknown field 'numberd'", "numberd", id="unknown-post-field"),
    pytest.param(replace_once('send_at = 2027-01-12T09:00:00', 'send_at = 2027-01-12T09:00:00\nsubjekt = "x"'), "email.subjekt", "unknown field 'subjekt'", "subjekt", id="unknown-email-field"),
    pytest.param(replace_once('subject = "New DIIS report: why', 'subject = "New DIIS report:\\nwhy'), "email.subject", "must be one line", "subject =", id="email-subject-line-break"),
    pytest.param(lambda t: "colour = \"green\"\n" + t, "colour", "unknown field 'colour'", "colour =", id="unknown-top-level-key"),
]


def _with_cross_field_problems(edit):
    def apply(text: str) -> str:
        text = text.replace('list = "research"', 'list = "nope"')
        text = text.replace("Why do most stay?", "Why do most stay? " + "Many reasons keep them. " * 12)
        text = text.replace('channel = "bluesky"\nat = 2027-01-12T10:00:00', 'channel = "bluesky"\nat = 2027-01-12T10:00:00\nimages = [{ path = "nope.png", alt = "a" }]')
        return edit(text)
    return apply


@pytest.mark.parametrize("edit, field, message, needle", SHAPE_ERRORS)
def test_shape_and_cross_field_errors_are_reported_in_one_run(cli, campaign_copy, edit, field, message, needle):
    path = campaign_copy(_with_cross_field_problems(edit))
    result = cli("validate", path)
    assert result.code == 1 and "Traceback" not in result.err
    errors = [l for l in result.err.splitlines() if l.startswith("error:")]
    lines = path.read_text(encoding="utf-8").splitlines()
    for want_field, want_message, want_needle in [(field, message, needle), *CROSS_FIELD]:
        found = [e for e in errors if f": {want_field}: " in e and want_message in e]
        assert len(found) == 1, (want_field, result.err)
        line = int(found[0][len(f"error: {path}:"):].split(":", 1)[0])
        assert want_needle in lines[line - 1], (want_field, line, lines[line - 1])
    assert len(errors) == 4, result.err


def test_a_broken_report_still_reports_its_shape_errors(cli, campaign_copy):
    """The control: when the report itself is broken, nothing else can be checked, and nothing false is reported."""
    path = campaign_copy(_with_cross_field_problems(replace_once('headline = "Defecting', 'headlin = "Defecting')))
    result = cli("validate", path)
    errors = [l for l in result.err.splitlines() if l.startswith("error:")]
    assert result.code == 1 and len(errors) == 1 and "unknown field 'headlin'" in errors[0], result.err
