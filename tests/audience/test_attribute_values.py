"""Attribute conditions that used to go wrong, on SQLite and PostgreSQL: a non-ASCII attribute name (stored
escaped in the JSON) matches like any other; a number no database can bind is refused before it reaches one;
values held as another JSON type than the declared kind are named in a warning (they never match)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from outreach.audience import AudienceSpec
from outreach.config import AttributeKind
from outreach.store.db import forget_engines, open_db
from outreach.store.segments import attribute_names, audience_size
from tests.audience.conftest import NOW, Person, add_people
from tests.audience.test_segment_send import segment_campaign

NAMES = ["ünï", "région", "名前", "a.b c", "x[0]", "it's", "$"]


def imported(cli, config: Path, tmp_path: Path, header: list[str], rows: list[list[str]]) -> None:
    """``subscribers import`` of a CSV with ``header`` into research (the real importer: how attrs get stored)."""
    people = tmp_path / "people.csv"
    people.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    result = cli("--config", config, "subscribers", "import", people, "--list", "research", "--consent", "test subscribers")
    assert result.code == 0, result.err


def preview(cli, config: Path, campaign: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    result = cli("--config", config, "preview", campaign, "--out", tmp_path / "preview")
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    return result


# -- 1. a non-ASCII attribute name ------------------------------------------------------------------

def test_a_non_ascii_attribute_name_matches(cli, db_config, audience_config, campaign_copy, tmp_path):
    """The issue's repro: header ``ünï``, value ``z``; validate knows the name, and the filter finds the subscriber."""
    config = audience_config()
    imported(cli, config, tmp_path, ["email", *NAMES], [["a@example.org", *["z"] * len(NAMES)], ["b@example.org", *["y"] * len(NAMES)]])
    engine = open_db(db_config)
    assert set(NAMES) <= attribute_names(engine)
    for name in NAMES:
        spec = AudienceSpec.model_validate({"list": "research", "attributes": {name: {"in": ["z", "w"]}}})
        assert audience_size(engine, spec, db_config, NOW) == (1, 2), name
    campaign = segment_campaign(campaign_copy, '{ list = "research", attributes = { "ünï" = "z" } }')
    checked = cli("--config", config, "validate", campaign)
    assert checked.code == 0, checked.err
    assert "Email audience: research subscribers whose ünï is z: 1 of 2" in preview(cli, config, campaign, tmp_path).out
    forget_engines()


def test_a_name_stored_escaped_or_not_matches_alike(db_config):
    """Rows written by another JSON encoder (UTF-8 as is, no \\u escapes) match the same way."""
    engine = open_db(db_config)
    add_people(engine, [Person("escaped@example.org", attrs={"ünï": "z", "n": 1}), Person("plain@example.org")])
    raw = '{"ünï": "z", "n": 1}'
    with engine.begin() as conn:
        value = "CAST(:attrs AS JSON)" if engine.dialect.name == "postgresql" else ":attrs"
        conn.execute(text(f"UPDATE subscribers SET attrs = {value} WHERE email = 'plain@example.org'"), {"attrs": raw})
        stored = conn.execute(text("SELECT CAST(attrs AS TEXT) FROM subscribers WHERE email = 'plain@example.org'")).scalar_one()
    assert "ünï" in stored
    for attributes, size in [({"ünï": "z"}, 2), ({"ünï": "y"}, 0), ({"n": 1}, 2)]:
        spec = AudienceSpec.model_validate({"list": "research", "attributes": attributes})
        assert audience_size(engine, spec, db_config.model_copy(update={"attributes": {"n": AttributeKind.NUMBER}}), NOW) == (size, 2), attributes


# -- 2. numbers no database can bind -----------------------------------------------------------------

TOO_BIG = [
    ("99999999999999999999", "attribute 'staff': 99999999999999999999 is out of range: numbers go from -9223372036854775808 to 9223372036854775807"),
    ("9223372036854775808", "attribute 'staff': 9223372036854775808 is out of range"),
    ("{ in = [1, -9223372036854775809] }", "attribute 'staff': -9223372036854775809 is out of range"),
    ("inf", "attribute 'staff': inf is not a finite number"),
    ("-inf", "attribute 'staff': -inf is not a finite number"),
    ("{ in = [nan] }", "attribute 'staff': nan is not a finite number"),
    ("1e400", "attribute 'staff': inf is not a finite number"),
]


@pytest.mark.parametrize("value, message", TOO_BIG, ids=[v for v, _ in TOO_BIG])
def test_a_number_no_database_can_bind_is_refused(cli, db_config, audience_config, campaign_copy, tmp_path, value, message):
    config = audience_config('[attributes]\nstaff = "number"\n')
    add_people(open_db(db_config), [Person("a@example.org", attrs={"staff": 10})])
    campaign = segment_campaign(campaign_copy, f"{{ list = \"research\", attributes = {{ staff = {value} }} }}")
    for command in ("validate", "preview"):
        result = preview(cli, config, campaign, tmp_path) if command == "preview" else cli("--config", config, "validate", campaign)
        assert result.code == 1, (command, result.out, result.err)
        assert f"error: {campaign}:55: email.audience.attributes: {message}" in result.err, (command, result.err)


def test_the_largest_numbers_are_compared(cli, db_config, audience_config, campaign_copy, tmp_path):
    """The edges of signed 64-bit pass, and the preview counts them."""
    config = audience_config('[attributes]\nstaff = "number"\n')
    add_people(open_db(db_config), [Person("a@example.org", attrs={"staff": 10})])
    campaign = segment_campaign(campaign_copy, '{ list = "research", attributes = { staff = { in = [9223372036854775807, -9223372036854775808, 1e300] } } }')
    result = preview(cli, config, campaign, tmp_path)
    assert result.code == 0, result.err
    assert ": 0 of 1" in result.out


# -- 3. values of another type than the declared kind -------------------------------------------------

def test_values_held_as_text_are_named_in_a_warning(cli, db_config, audience_config, campaign_copy, tmp_path):
    """The issue's repro: ``age`` imported undeclared (text "40"), then declared a number: validate and the preview warn,
    at the audience's attribute, and --strict fails; the audience size says why nobody matches."""
    imported(cli, audience_config(), tmp_path, ["email", "age"], [["a@example.org", "40"], ["b@example.org", "41"]])
    add_people(open_db(db_config), [Person("typed@example.org", attrs={"age": 40}), Person("flag@example.org", attrs={"age": True}),
                                    Person("other-list@example.org", lists={"briefing": "active"}, attrs={"age": "40"}),
                                    Person("gone@example.org", lists={"research": "unsubscribed"}, attrs={"age": "40"})])
    config = audience_config('[attributes]\nage = "number"\n')
    campaign = segment_campaign(campaign_copy, '{ list = "research", attributes = { age = 40 } }')
    expected = [f"warning: {campaign}: line 55, email.audience.attributes.age: "
                "1 research subscriber holds 'age' as boolean, not number: it never matches; import the file again to type it",
                f"warning: {campaign}: line 55, email.audience.attributes.age: "
                "2 research subscribers hold 'age' as text, not number: they never match; import the file again to type them"]
    checked = cli("--config", config, "validate", campaign)
    assert checked.code == 0, checked.err
    assert [line for line in checked.err.splitlines() if "attributes.age" in line] == expected
    assert cli("--config", config, "validate", "--strict", campaign).code == 1
    shown = preview(cli, config, campaign, tmp_path)
    assert shown.code == 0, shown.err
    assert [line for line in shown.err.splitlines() if "attributes.age" in line] == expected
    assert "research subscribers whose age is 40: 1 of 4" in shown.out


def test_a_text_attribute_holding_numbers_is_named_too(cli, db_config, audience_config, campaign_copy):
    add_people(open_db(db_config), [Person("a@example.org", attrs={"sector": 5}), Person("b@example.org", attrs={"sector": "ngo"})])
    campaign = segment_campaign(campaign_copy, '{ list = "research", attributes = { sector = "ngo" } }')
    checked = cli("--config", audience_config(), "validate", campaign)
    assert checked.code == 0, checked.err
    assert f"{campaign}: line 55, email.audience.attributes.sector: 1 research subscriber holds 'sector' as number, not text" in checked.err


def test_no_warning_when_every_value_has_its_kind(cli, db_config, audience_config, campaign_copy):
    add_people(open_db(db_config), [Person("a@example.org", attrs={"age": 40, "since": "2024-01-01"}), Person("b@example.org")])
    config = audience_config('[attributes]\nage = "number"\nsince = "date"\n')
    campaign = segment_campaign(campaign_copy, '{ list = "research", attributes = { age = 40, since = 2024-01-01 } }')
    checked = cli("--config", config, "validate", campaign)
    assert checked.code == 0, checked.err
    assert "email.audience" not in checked.err


def test_no_database_no_warning_and_none_created(cli, tmp_path, campaign_copy):
    config = tmp_path / "outreach.toml"
    config.write_text(f'database = "sqlite:///{tmp_path / "absent.db"}"\n[attributes]\nage = "number"\n', encoding="utf-8")
    campaign = segment_campaign(campaign_copy, '{ list = "research", attributes = { age = 40 } }')
    checked = cli("--config", config, "validate", campaign)
    assert checked.code == 0, checked.err
    assert "email.audience" not in checked.err
    assert not (tmp_path / "absent.db").exists()
