"""Subscriber import, issue 13: columns mapped by header, typed attributes, topics, language and country,
every value not taken reported by row and column, and a consent record for every membership an import makes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from outreach.config import AttributeKind
from outreach.store.consent import ConsentMethod, records_of
from outreach.store.db import open_db
from outreach.store.importer import Duplicate, import_csv
from outreach.store.profile import set_topics
from outreach.store.schema import memberships, subscribers
from outreach.store.subscribers import suppress

ATTRIBUTES = {"staff": AttributeKind.NUMBER, "journalist": AttributeKind.BOOLEAN, "joined": AttributeKind.DATE, "sector": AttributeKind.TEXT}


@pytest.fixture
def people_config(db_config):
    return db_config.model_copy(update={"attributes": ATTRIBUTES})


def _import(config, tmp_path, text: str, name: str = "people.csv", list_name: str = "research", basis: str = "seminar sign-up sheet"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_csv(open_db(config), path, list_name, config=config, basis=basis, collected_by="jane")


def _person(config, address: str):
    with open_db(config).connect() as conn:
        return conn.execute(select(subscribers).where(subscribers.c.email == address)).one()


def _topics(config, address: str) -> list[str]:
    from outreach.store.profile import topics_of

    with open_db(config).connect() as conn:
        return topics_of(conn, _person(config, address).id)


def test_columns_are_mapped_by_header_with_aliases_and_types(people_config, tmp_path):
    report = _import(people_config, tmp_path, "EMAIL,Lang,Interests,Country,Name,staff,journalist,joined,sector,org type\n"
                                              "ann@example.org,en_GB,Asia; peace,dk,Ann,12,Yes,2024-01-05,NGO,think tank\n")
    assert [c.describe() for c in report.columns] == [
        "email -> email", "lang -> language", "interests -> topics", "country -> country", "name -> name",
        "staff -> attribute staff (number)", "journalist -> attribute journalist (boolean)", "joined -> attribute joined (date)",
        "sector -> attribute sector (text)", "org type -> attribute org type (text, not declared in [attributes])"]
    assert (report.added, report.problems, report.rejected) == (1, [], [])
    ann = _person(people_config, "ann@example.org")
    assert (ann.name, ann.language, ann.country) == ("Ann", "en-gb", "DK")
    assert ann.attrs == {"staff": 12, "journalist": True, "joined": "2024-01-05", "sector": "NGO", "org type": "think tank"}
    assert _topics(people_config, "ann@example.org") == ["asia", "peace"]


TYPED = {
    "int": ("staff", "40", 40), "float": ("staff", "2.5", 2.5), "negative": ("staff", "-3", -3), "exponent": ("staff", "1e3", 1000.0),
    "true": ("journalist", "TRUE", True), "no": ("journalist", "no", False), "one": ("journalist", "1", True), "zero": ("journalist", "0", False),
    "date": ("joined", "2026-02-28", "2026-02-28"),
    "largest": ("staff", "9223372036854775807", 2 ** 63 - 1), "smallest": ("staff", "-9223372036854775808", -(2 ** 63)),
}


@pytest.mark.parametrize("column,cell,value", TYPED.values(), ids=TYPED.keys())
def test_declared_attributes_are_stored_typed(people_config, tmp_path, column, cell, value):
    report = _import(people_config, tmp_path, f"email,{column}\nann@example.org,{cell}\n")
    assert report.problems == []
    stored = _person(people_config, "ann@example.org").attrs[column]
    assert stored == value and type(stored) is type(value)


BAD = {
    "number": ("staff", "twelve", "'twelve' is not a number"),
    "nan": ("staff", "nan", "'nan' is not a number"),
    "infinite": ("staff", "1e999", "'1e999' is too large"),
    "beyond 64 bits": ("staff", "99999999999999999999", "'99999999999999999999' is too large (a whole number must be between"),
    "just over": ("staff", "9223372036854775808", "'9223372036854775808' is too large"),
    "just under": ("staff", "-9223372036854775809", "'-9223372036854775809' is too large"),
    "boolean": ("journalist", "maybe", "'maybe' is not a yes/no value"),
    "date format": ("joined", "05/01/2024", "'05/01/2024' is not a date as YYYY-MM-DD"),
    "no such day": ("joined", "2024-02-30", "'2024-02-30' is not a date as YYYY-MM-DD"),
    "language": ("language", "english!", "'english!' is not a language tag"),
    "country": ("country", "Denmark", "'Denmark' is not a two-letter country code"),
    "topic": ("topics", "asia;asai", "unknown topic 'asai' (did you mean 'asia'?) (known: africa, asia, climate, defence, europe, migration, peace)"),
}


@pytest.mark.parametrize("column,cell,reason", BAD.values(), ids=BAD.keys())
def test_a_value_not_of_its_type_is_reported_by_row_and_the_rest_of_the_row_is_imported(people_config, tmp_path, column, cell, reason):
    report = _import(people_config, tmp_path, f"email,name,{column},sector\nbob@example.org,Bob,x-ok,y\nann@example.org,Ann,{cell},NGO\n")
    assert [(row, col) for row, col, _ in report.problems if row == 3] == [(3, column)]
    assert reason in [r for row, _, r in report.problems if row == 3][0]
    ann = _person(people_config, "ann@example.org")
    assert ann.name == "Ann" and ann.attrs.get("sector") == "NGO" and column not in ann.attrs
    assert report.added == 2 and report.rejected == []


def test_topics_by_id_or_label_any_case_any_separator_and_never_removed(people_config, tmp_path):
    _import(people_config, tmp_path, 'email,topics\nann@example.org,"CLIMATE | peace and conflict, Asia"\n')
    assert _topics(people_config, "ann@example.org") == ["asia", "climate", "peace"]
    with open_db(people_config).begin() as conn:  # the reader drops climate in the preference centre
        set_topics(conn, _person(people_config, "ann@example.org").id, ["asia", "peace", "europe"])
    report = _import(people_config, tmp_path, "email,topics\nann@example.org,defence\n", name="again.csv")
    assert _topics(people_config, "ann@example.org") == ["asia", "defence", "europe", "peace"]
    assert report.updated == 1
    unchanged = _import(people_config, tmp_path, "email,topics\nann@example.org,Defence and security\n", name="third.csv")
    assert unchanged.unchanged == 1


def test_empty_cells_keep_what_is_stored(people_config, tmp_path):
    _import(people_config, tmp_path, "email,name,language,country,staff\nann@example.org,Ann,da,DK,3\n")
    report = _import(people_config, tmp_path, "email,name,language,country,staff,sector\nann@example.org,,,,,NGO\n", name="b.csv")
    ann = _person(people_config, "ann@example.org")
    assert (ann.name, ann.language, ann.country, ann.attrs) == ("Ann", "da", "DK", {"staff": 3, "sector": "NGO"})
    assert report.updated == 1


@pytest.mark.parametrize("header,message", [
    ("email,language,lang", "columns 'language' and 'lang' are both the language"),
    ("email,topics,Interests", "columns 'topics' and 'interests' are both the topics"),
    ("email,lists", "column 2: 'lists': an import adds everyone to the one list named by --list"),
])
def test_two_columns_for_one_field_or_a_lists_column_refuse_the_file(people_config, tmp_path, header, message):
    from outreach.errors import SubscriberError

    with pytest.raises(SubscriberError, match="people.csv:1: " + message.replace("(", r"\(")):
        _import(people_config, tmp_path, f"{header}\nann@example.org,x,y\n")


def _consents(config, address):
    with open_db(config).connect() as conn:
        return records_of(conn, _person(config, address).id)


def test_every_membership_an_import_creates_or_activates_gets_a_consent_record(people_config, tmp_path):
    engine = open_db(people_config)
    _import(people_config, tmp_path, "email\nold@example.org\nleft@example.org\n", name="first.csv", basis="first basis")
    with engine.begin() as conn:  # one left the list; one signed up on the web and has not confirmed yet
        left = _person(people_config, "left@example.org").id
        conn.execute(memberships.update().where(memberships.c.subscriber_id == left).values(status="unsubscribed"))
        suppress(conn, "left@example.org", "research", "unsubscribed", "web")
    pending = _import(people_config, tmp_path, "email\npending@example.org\n", name="p.csv", list_name="research")
    with engine.begin() as conn:
        pid = _person(people_config, "pending@example.org").id
        conn.execute(memberships.update().where(memberships.c.subscriber_id == pid).values(status="pending"))
    assert pending.consents == 1
    report = _import(people_config, tmp_path, "email\nnew@example.org\nold@example.org\nleft@example.org\nPENDING@example.org\n",
                     name="second.csv", basis="second basis")
    assert report.consents == 2  # new (created) and pending (activated); old was active, left stays unsubscribed
    record = _consents(people_config, "new@example.org")[0]
    assert record.method == ConsentMethod.IMPORT and record.given_at is not None
    e = record.evidence
    assert (e.source_file, e.source_row, e.collected_by, e.basis) == ("second.csv", 2, "jane", "second basis")
    assert [r.evidence.source_file for r in _consents(people_config, "old@example.org")] == ["first.csv"]
    assert [r.evidence.source_file for r in _consents(people_config, "left@example.org")] == ["first.csv"]
    assert [(r.evidence.source_file, r.evidence.source_row) for r in _consents(people_config, "pending@example.org")] == [("p.csv", 2), ("second.csv", 5)]
    with engine.connect() as conn:
        status = conn.execute(select(memberships.c.status).where(memberships.c.subscriber_id == left)).scalar_one()
    assert status == "unsubscribed"


def test_the_cli_prints_the_mapping_before_the_summary_and_every_problem_by_row(cli, people_config, tmp_path, monkeypatch):
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{people_config.database}"\n[attributes]\nstaff = "number"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(config_file))
    path = tmp_path / "people.csv"
    path.write_text("email,locale,topics,staff,note\nann@example.org,da,asia,7,\x1b[2Jhi\nbob@example.org,en,Mars,lots,\n", encoding="utf-8")
    result = cli("subscribers", "import", path, "--list", "research", "--consent", "Asia seminar 2026 attendees")
    assert result.code == 1 and "Traceback" not in result.err
    lines = result.out.splitlines()
    assert lines[:6] == [f"{path}: columns:", "  email -> email", "  locale -> language", "  topics -> topics",
                         "  staff -> attribute staff (number)", "  note -> attribute note (text, not declared in [attributes])"]
    assert lines[6].startswith(f"{path}: 2 rows: 2 added, 0 updated, 0 unchanged, 0 rejected, 0 merged duplicates; 2 consent records, 2 values not imported")
    assert f"not imported: {path}:3: topics: unknown topic 'Mars'" in result.err
    assert f"not imported: {path}:3: staff: 'lots' is not a number" in result.err
    assert "\x1b" not in result.out + result.err


def test_a_duplicate_rows_values_are_reported_as_not_imported(people_config, tmp_path):
    report = _import(people_config, tmp_path, "email,topics,staff\ndup@example.org,asia,\nDup@example.org,climate,12\nDUP@example.org,,\n")
    assert report.merged == [Duplicate(3, 2, "Dup@example.org", ("topics", "staff")), Duplicate(4, 2, "DUP@example.org", ())]
    assert (report.added, report.values_not_imported, report.complete) == (1, 2, False)
    assert _topics(people_config, "dup@example.org") == ["asia"] and _person(people_config, "dup@example.org").attrs == {}
    only_addresses = _import(people_config, tmp_path, "email,topics\nann@example.org,asia\nANN@example.org,\n", name="b.csv")
    assert (only_addresses.values_not_imported, only_addresses.complete) == (0, True)


def test_the_cli_names_each_duplicate_row_and_exits_1_when_it_carried_values(cli, people_config, tmp_path, monkeypatch):
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{people_config.database}"\n[attributes]\nstaff = "number"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(config_file))
    path = tmp_path / "people.csv"
    path.write_text("email,topics,staff\ndup@example.org,asia,\nDup@example.org,climate,12\n", encoding="utf-8")
    result = cli("subscribers", "import", path, "--list", "research", "--consent", "seminar")
    assert result.code == 1 and "Traceback" not in result.err
    assert (f"not imported: {path}:3: 'Dup@example.org' is the same address as row 2: this row's values were not imported "
            "(topics, staff)") in result.err
    assert "2 rows: 1 added, 0 updated, 0 unchanged, 0 rejected, 1 merged duplicates; 1 consent records, 2 values not imported" in result.out
    path.write_text("email,topics\nann@example.org,asia\nANN@example.org,\n", encoding="utf-8")
    quiet = cli("subscribers", "import", path, "--list", "research", "--consent", "seminar")
    assert quiet.code == 0, quiet.err
    assert f"merged: {path}:3: 'ANN@example.org' is the same address as row 2 (the row has nothing else)" in quiet.err


def test_a_number_beyond_64_bits_is_refused_by_the_cli_with_its_row(cli, people_config, tmp_path, monkeypatch):
    config_file = tmp_path / "outreach.toml"
    config_file.write_text(f'database = "{people_config.database}"\n[attributes]\nstaff = "number"\n', encoding="utf-8")
    monkeypatch.setenv("OUTREACH_CONFIG", str(config_file))
    path = tmp_path / "people.csv"
    path.write_text("email,staff\nann@example.org,99999999999999999999\n", encoding="utf-8")
    result = cli("subscribers", "import", path, "--list", "research", "--consent", "seminar")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"not imported: {path}:2: staff: '99999999999999999999' is too large" in result.err
    assert cli("subscribers", "show", "ann@example.org").code == 0
