"""Issue 9, items 3 (import side) and 15: imports take every row the same way on every database, and say what they changed.

- control characters in names and attribute values are removed, with a note per row;
- names, attribute keys and values, addresses have one set of limits, checked before the database;
- RFC 4180 quoting is honoured (``"O""Neil"``), whatever the sniffer guesses;
- duplicate column names are refused with a message naming them;
- a cell over several lines (an unterminated quote) is a problem of its row, not a name; a cell the CSV
  reader cannot take, or a file that is not UTF-8, refuses the file before anything is stored.
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


# A line break inside a quoted cell is the CSV reader's business (see the multi-line tests below); these are not.
UNSAFE = {**{k: v for k, v in HOSTILE_NAMES.items() if "\n" not in v and "\r" not in v}, "tab": "Ann\tBob"}
BROKEN = {k: v for k, v in HOSTILE_NAMES.items() if "\n" in v or "\r" in v}


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


@pytest.mark.parametrize("value", BROKEN.values(), ids=BROKEN.keys())
def test_a_line_break_inside_a_quoted_cell_is_a_problem_of_its_row_and_not_imported(db_config, tmp_path, value):
    report, _ = _import(db_config, tmp_path, f"email,name,org\nann@example.org,{_quoted(value)},DIIS\nbob@example.org,Bob,x\n")
    assert report.added == 2 and report.rejected == [] and not report.complete
    assert [(row, column) for row, column, _ in report.problems] == [(2, "name")]
    assert "a quoted cell runs over 2 lines" in report.problems[0][2] and "(an unterminated quote?)" in report.problems[0][2]
    ann = _members(db_config)["ann@example.org"]
    assert ann["name"] == "" and ann["attrs"] == {"org": "DIIS"}


UNTERMINATED = 'email,name\nzoe@example.org,Zoe\n\nann@example.org,"Ann\nbob@example.org,Bob\ncat@example.org,Cat\ndan@example.org,Dan\n'


def test_an_unterminated_quote_is_reported_with_the_rows_it_swallowed(db_config, tmp_path):
    report, _ = _import(db_config, tmp_path, UNTERMINATED)
    assert list(_members(db_config)) == ["zoe@example.org", "ann@example.org"] and _members(db_config)["ann@example.org"]["name"] == ""
    assert report.problems == [(4, "name", "a quoted cell runs over 4 lines (the row is file lines 4-7) (an unterminated quote?); "
                                           "rows inside it were not read as rows; the cell was not imported")]
    assert report.values_not_imported == 1 and not report.complete


def test_the_cli_exits_1_on_an_unterminated_quote(cli, db_config, tmp_path, monkeypatch):
    path = _cli_setup(db_config, tmp_path, monkeypatch, UNTERMINATED)
    result = cli("subscribers", "import", path, "--list", "research", "--consent", "seminar")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"not imported: {path}:4: name: a quoted cell runs over 4 lines (the row is file lines 4-7)" in result.err
    assert "2 rows: 2 added" in result.out and "1 values not imported" in result.out


def _cli_setup(db_config, tmp_path, monkeypatch, text: str, encoding: str = "utf-8"):
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{db_config.database}"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(config_file))
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return path


HUGE_CELL = "email,name\nann@example.org,Ann\nbob@example.org," + "B" * 140_000 + "\ncat@example.org,Cat\n"


def test_a_cell_beyond_the_csv_readers_limit_refuses_the_file_naming_the_row(db_config, tmp_path):
    with pytest.raises(SubscriberError, match=r"people.csv:3: a cell is longer than 131,072 characters \(an unterminated quote\?\): "
                                              r"nothing was imported$"):
        _import(db_config, tmp_path, HUGE_CELL)
    assert _members(db_config) == {}


def test_the_cli_refuses_a_huge_cell_in_one_line(cli, db_config, tmp_path, monkeypatch):
    path = _cli_setup(db_config, tmp_path, monkeypatch, HUGE_CELL)
    result = cli("subscribers", "import", path, "--list", "research", "--consent", "seminar")
    assert result.code == 1 and "internal error" not in result.err and "Traceback" not in result.err
    assert [line for line in result.err.splitlines() if line] == [
        f"error: {path}:3: a cell is longer than 131,072 characters (an unterminated quote?): nothing was imported"]


WINDOWS = "email,name\nann@example.org,Søren\n"


def test_a_file_that_is_not_utf8_is_refused_naming_the_byte(db_config, tmp_path):
    with pytest.raises(SubscriberError, match=r"people.csv: not UTF-8 \(byte 0xf8 at offset 28, line 2\): nothing was imported; "
                                              r".*--encoding cp1252"):
        _import(db_config, tmp_path, WINDOWS, encoding="cp1252")
    assert _members(db_config) == {}
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + WINDOWS.encode("cp1252"))  # the offset counts the BOM
    with pytest.raises(SubscriberError, match=r"not UTF-8 \(byte 0xf8 at offset 31, line 2\)"):
        import_csv(open_db(db_config), path, "research")


def test_windows_1252_is_read_when_asked_and_a_utf8_bom_with_it_is_refused(db_config, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(WINDOWS.encode("cp1252"))
    report = import_csv(open_db(db_config), path, "research", encoding="cp1252")
    assert report.added == 1 and _members(db_config)["ann@example.org"]["name"] == "Søren"
    path.write_bytes(WINDOWS.encode("utf-8-sig"))
    with pytest.raises(SubscriberError, match=r"starts with a UTF-8 byte order mark, so it is UTF-8"):
        import_csv(open_db(db_config), path, "research", encoding="cp1252")
    with pytest.raises(SubscriberError, match=r"encoding 'latin-1': give one of utf-8, cp1252"):
        import_csv(open_db(db_config), path, "research", encoding="latin-1")
    path.write_bytes(b"email,name\nann@example.org,A\x81\n")  # 0x81 has no character in Windows-1252
    with pytest.raises(SubscriberError, match=r"not Windows-1252 \(byte 0x81 at offset 28, line 2 is not a character in it\)"):
        import_csv(open_db(db_config), path, "research", encoding="cp1252")


def test_the_cli_refuses_windows_1252_unless_told(cli, db_config, tmp_path, monkeypatch):
    path = _cli_setup(db_config, tmp_path, monkeypatch, WINDOWS, encoding="cp1252")
    refused = cli("subscribers", "import", path, "--list", "research", "--consent", "seminar")
    assert refused.code == 1 and "Traceback" not in refused.err
    assert f"{path}: not UTF-8 (byte 0xf8 at offset 28, line 2): nothing was imported" in refused.err
    assert _members(db_config) == {}
    done = cli("subscribers", "import", path, "--list", "research", "--consent", "seminar", "--encoding", "cp1252")
    assert done.code == 0, done.err
    assert done.out.startswith(f"{path}: read as Windows-1252 (--encoding cp1252)")
    assert _members(db_config)["ann@example.org"]["name"] == "Søren"
