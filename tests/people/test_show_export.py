"""The right of access (``subscribers show``, text and ``--json``) and ``subscribers export --consent``."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select

from outreach.store import consent
from outreach.store.db import open_db
from outreach.store.membership import unsubscribe_in
from outreach.store.schema import audit, subscribers


@pytest.fixture
def configured(cli, db_config, tmp_path, monkeypatch):
    """A config file on the test database with typed attributes, and two people imported into it."""
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{db_config.database}"\n[attributes]\nstaff = "number"\njournalist = "boolean"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(config_file))
    people = tmp_path / "people.csv"
    people.write_text('email,name,language,country,topics,staff,journalist,note\n'
                      'Ann@Example.org,"Ann \x1b[31mRed",da,dk,asia;peace,12,yes,=HYPERLINK(""http://x"")\n'
                      'bob@example.org,Bob,,,,,,\n', encoding="utf-8")
    assert cli("subscribers", "import", people, "--list", "research", "--consent", "=cmd|' /C calc'!A0").code == 0
    return db_config


def _sid(config, address: str) -> int:
    with open_db(config).connect() as conn:
        return conn.execute(select(subscribers.c.id).where(subscribers.c.email == address)).scalar_one()


def test_show_json_holds_everything_stored_about_the_person(cli, configured):
    engine = open_db(configured)
    with engine.begin() as conn:
        sid = _sid(configured, "ann@example.org")
        consent.record(conn, sid, "research", consent.ConsentMethod.PREFERENCES, consent.Evidence(ip="192.0.2.0", user_agent="UA/1"))
        conn.execute(insert(audit), [{"at": datetime.now(timezone.utc), "action": "topics", "email": "ann@example.org", "list": None,
                                      "source": "preferences", "detail": "asia, peace"}])
    result = cli("subscribers", "show", "ANN@example.org", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["address"] == "ann@example.org"
    profile = data["profile"]
    assert (profile["email"], profile["name"], profile["language"], profile["country"]) == ("Ann@example.org", "Ann [31mRed", "da", "DK")
    assert profile["topics"] == [{"id": "asia", "label": "Asia"}, {"id": "peace", "label": "Peace and conflict"}]
    assert profile["attributes"] == {"staff": 12, "journalist": True, "note": '=HYPERLINK(""http://x"")'}
    assert [(m["list"], m["status"]) for m in data["memberships"]] == [("research", "active")]
    assert [(c["method"], c["file"], c["row"], c["ip"]) for c in data["consents"]] == [("import", "people.csv", 2, None), ("preferences", None, None, "192.0.2.0")]
    assert [(a["action"], a["source"]) for a in data["audit"]] == [("topics", "preferences")]
    assert {k: data[k] for k in ("suppressions", "deliveries", "clicks", "inbound")} == {"suppressions": [], "deliveries": [], "clicks": [], "inbound": []}


def test_show_in_the_terminal_escapes_control_characters(cli, configured):
    with open_db(configured).begin() as conn:  # stored by an older release or another path, not cleaned
        conn.execute(insert(audit), [{"at": datetime.now(timezone.utc), "action": "note", "email": "ann@example.org", "list": None,
                                      "source": "cli", "detail": "hi\x1b]8;;http://evil\x07there\u202e"}])
    result = cli("subscribers", "show", "ann@example.org")
    assert result.code == 0
    assert "\x1b" not in result.out and "\x07" not in result.out and "\u202e" not in result.out
    assert "detail=hi\\x1b]8;;http://evil\\x07there\\u202e" in result.out and "name: Ann [31mRed" in result.out
    assert "topics: asia (Asia), peace (Peace and conflict)" in result.out
    assert "  staff = 12 (number)" in result.out and "  journalist = true (boolean)" in result.out
    assert "consents: 1" in result.out and "method=import" in result.out


def test_show_an_address_after_it_left_keeps_the_withdrawn_record_and_the_suppression(cli, configured):
    engine = open_db(configured)
    with engine.begin() as conn:
        key = conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == "bob@example.org")).scalar_one()
        unsubscribe_in(conn, key, "research", "one-click")
    data = json.loads(cli("subscribers", "show", "bob@example.org", "--json").out)
    assert [(s["list"], s["reason"]) for s in data["suppressions"]] == [("research", "unsubscribed")]
    assert [m["status"] for m in data["memberships"]] == ["unsubscribed"]
    assert any(a["action"] == "unsubscribed" for a in data["audit"])


@pytest.mark.parametrize("address,message", [("nobody@example.org", "nothing is stored about this address"), ("not an address", "not an address")])
def test_show_an_unknown_or_broken_address_says_so_and_exits_1(cli, configured, address, message):
    result = cli("subscribers", "show", address)
    assert result.code == 1 and message in result.err and "Traceback" not in result.err and result.out == ""


def test_export_consent_writes_every_record_with_safe_cells(cli, configured):
    engine = open_db(configured)
    with engine.begin() as conn:
        key = conn.execute(select(subscribers.c.token_key).where(subscribers.c.email == "bob@example.org")).scalar_one()
        unsubscribe_in(conn, key, "research", "one-click")
    result = cli("subscribers", "export", "--consent")
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["email", "list", "method", "requested", "given", "ip", "user agent", "form version", "file", "row", "by", "basis",
                       "topics", "withdrawn", "withdrawn by"]
    by_email = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert set(by_email) == {"Ann@example.org", "bob@example.org"}
    ann = by_email["Ann@example.org"]
    assert (ann["method"], ann["file"], ann["row"], ann["basis"]) == ("import", "people.csv", "2", "'=cmd|' /C calc'!A0")
    assert ann["given"] and not ann["withdrawn"] and ann["by"]
    assert by_email["bob@example.org"]["withdrawn"] and by_email["bob@example.org"]["withdrawn by"] == "one-click"
    assert cli("subscribers", "export", "--consent", "--list", "research").out == result.out
    assert cli("subscribers", "export", "--consent", "--list", "nope").code == 1
    nothing = cli("subscribers", "export")
    assert nothing.code == 1 and "give --list NAME" in nothing.err


def test_a_consent_text_with_control_characters_is_refused(cli, configured, tmp_path):
    people = tmp_path / "more.csv"
    people.write_text("email\ncai@example.org\n", encoding="utf-8")
    result = cli("subscribers", "import", people, "--list", "research", "--consent", "basis\x1b[2J")
    assert result.code == 1 and "--consent must be one line of plain text" in result.err and "\x1b" not in result.err
