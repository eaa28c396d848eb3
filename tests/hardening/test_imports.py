"""Issue 9, items 3 (import side) and 15: imports take every row the same way on every database, and say what they changed.

- control characters in names and attribute values are removed, with a note per row;
- names, attribute keys and values, addresses have one set of limits, checked before the database;
- RFC 4180 quoting is honoured (``"O""Neil"``), whatever the sniffer guesses;
- duplicate column names are refused with a message naming them.
"""

from __future__ import annotations

import pytest

from outreach.errors import SubscriberError
from outreach.store.db import open_db
from outreach.store.subscribers import MAX_ATTR_VALUE, MAX_NAME, import_csv, iter_members
from outreach.text import is_single_line
from tests.helpers import HOSTILE_NAMES


def _import(db_config, tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return import_csv(open_db(db_config), path, "research"), path


def _members(db_config) -> dict[str, dict]:
    return {m["email"]: m for m in iter_members(open_db(db_config), "research")}


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


UNSAFE = {**HOSTILE_NAMES, "tab": "Ann\tBob"}


@pytest.mark.parametrize("value", UNSAFE.values(), ids=UNSAFE.keys())
def test_control_characters_are_removed_from_names_and_attributes_with_a_note(db_config, tmp_path, value):
    report, _ = _import(db_config, tmp_path, f"email,name,org\nann@example.org,{_quoted(value)},{_quoted(value)}\nbob@example.org,Bob,DIIS\n")
    assert report.added == 2 and report.rejected == []
    ann = _members(db_config)["ann@example.org"]
    assert is_single_line(ann["name"]) and is_single_line(ann["attrs"]["org"]) and "Ann" in ann["name"]
    assert {(row, column) for row, column, _ in report.notes} == {(2, "name"), (2, "org")}
    assert all("control characters removed" in note and "U+" in note for _, _, note in report.notes)
    assert _members(db_config)["bob@example.org"]["name"] == "Bob"


def test_a_control_character_in_an_address_rejects_the_row(db_config, tmp_path):
    report, _ = _import(db_config, tmp_path, 'email,name\n"ann@example.org\nBcc: x@example.net",Ann\nbob@example.org,Bob\n')
    assert report.added == 1 and [r for r, _, _ in report.rejected] == [2]


@pytest.mark.parametrize("header", ['email,"na\nme"', "email,na\x1bme", "email,\u202ename"], ids=["lf", "ansi", "bidi"])
def test_a_control_character_in_a_column_name_refuses_the_file(db_config, tmp_path, header):
    with pytest.raises(SubscriberError, match=r"people.csv:1: column 2: the name has control characters"):
        _import(db_config, tmp_path, f"{header}\nann@example.org,Ann\n")


LIMITS = {
    "name 300": ("name", "N" * 300, MAX_NAME),
    "name 201": ("name", "N" * 201, MAX_NAME),
    "attribute 5000": ("org", "O" * 5000, MAX_ATTR_VALUE),
}


@pytest.mark.parametrize("column,value,limit", LIMITS.values(), ids=LIMITS.keys())
def test_the_same_length_limits_on_every_database_cut_with_a_note(db_config, tmp_path, column, value, limit):
    rows = "".join(f"p{i}@example.org,{value if i == 3 else 'x'},{value if i == 3 else 'y'}\n" for i in range(10))
    report, _ = _import(db_config, tmp_path, "email,name,org\n" + rows)
    assert report.added == 10 and report.rejected == []
    member = _members(db_config)["p3@example.org"]
    kept = member["name"] if column == "name" else member["attrs"]["org"]
    assert kept == value[:limit]
    assert (5, column, f"cut to {limit} characters") in report.notes


def test_an_overlong_address_is_rejected_not_fatal(db_config, tmp_path):
    long_address = "a" * 300 + "@" + "b" * 60 + ".org"
    report, _ = _import(db_config, tmp_path, f"email,name\n{long_address},A\nbob@example.org,Bob\n")
    assert report.added == 1 and [r for r, _, _ in report.rejected] == [2]


def test_an_overlong_column_name_refuses_the_file(db_config, tmp_path):
    with pytest.raises(SubscriberError, match=r"column 2: the name is longer than 64 characters"):
        _import(db_config, tmp_path, "email," + "k" * 65 + "\nann@example.org,x\n")


def test_cli_import_of_a_300_character_name_succeeds_on_every_database(cli, db_config, tmp_path, monkeypatch):
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{db_config.database}"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(config_file))
    path = tmp_path / "people.csv"
    path.write_text("email,name\n" + "".join(f"person{i}@example.org,{'Z' * 300 if i == 0 else f'Person {i}'}\n" for i in range(10)), encoding="utf-8")
    result = cli("subscribers", "import", path, "--list", "research", "--consent", "asked at the seminar")
    assert result.code == 0, result.err
    assert "10 rows: 10 added" in result.out
    assert f"{path}:2: name: cut to 200 characters" in result.err
    assert "person1@" not in result.out + result.err and "Traceback" not in result.err


QUOTING = {
    "doubled quote": ('email,name\nann@example.org,"O""Neil"\n', 'O"Neil'),
    "all quoted": ('"email","name"\n"ann@example.org","O""Neil"\n', 'O"Neil'),
    "comma inside": ('email,name\nann@example.org,"O""Neil, Jr."\n', 'O"Neil, Jr.'),
    "semicolons": ('email;name\nann@example.org;"O""Neil; Jr."\n', 'O"Neil; Jr.'),
    "quoted only": ('email,name\nann@example.org,""""\n', '"'),
    "tabs": ('email\tname\nann@example.org\t"Say ""hi"""\n', 'Say "hi"'),
}


@pytest.mark.parametrize("text,name", QUOTING.values(), ids=QUOTING.keys())
def test_rfc4180_quotes_are_read_as_written(db_config, tmp_path, text, name):
    report, _ = _import(db_config, tmp_path, text)
    assert report.added == 1 and report.notes == []
    assert _members(db_config)["ann@example.org"]["name"] == name


DUPLICATES = {
    "email twice": ("email,name,email", r"'email' in columns 1, 3"),
    "email in other case": ("Email,name,EMAIL ", r"'email' in columns 1, 3"),
    "name twice": ("name,email,name", r"'name' in columns 1, 3"),
    "attribute twice": ("email,org,name,org", r"'org' in columns 2, 4"),
}


@pytest.mark.parametrize("header,named", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_duplicate_columns_are_refused_and_named(db_config, tmp_path, header, named):
    with pytest.raises(SubscriberError, match=r"people.csv:1: duplicate column names \(" + named):
        _import(db_config, tmp_path, f"{header}\nann@example.org,a,other@example.org,b\n")
    assert _members(db_config) == {}


def test_cells_without_a_column_are_noted_not_silently_dropped(db_config, tmp_path):
    report, _ = _import(db_config, tmp_path, "email,name,\nann@example.org,Ann,lost\nbob@example.org,Bob,,extra\n")
    assert report.added == 2
    assert [(row, column) for row, column, _ in report.notes] == [(2, "columns 3"), (3, "columns 4")]
