"""The audience filter is checked against the config, with located one-line errors and "did you mean" hints;
its words and its frozen JSON form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from outreach.audience import AudienceSpec, audience_filter, describe
from outreach.config import AttributeKind, Config
from outreach.store.db import forget_engines, open_db
from tests.audience.conftest import Person, add_people
from tests.helpers import replace_once

CONFIG = '[attributes]\nstaff = "number"\nmember = "boolean"\nsince = "date"\nsector = "text"\n'


def with_audience(campaign_copy, audience: str, keep_list: bool = False) -> Path:
    return campaign_copy(replace_once('list = "research"\n', ('list = "research"\n' if keep_list else "") + f"audience = {audience}\n"))


def errors_of(cli, config: Path, campaign: Path) -> list[str]:
    result = cli("--config", config, "validate", campaign)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    return [line for line in result.err.splitlines() if line.startswith("error: ")]


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "outreach.toml"
    path.write_text('[lists.research]\ntitle = "Research"\n[lists.briefing]\ntitle = "Briefing"\n' + CONFIG, encoding="utf-8")
    return path


BAD = [
    ('{ list = "research", topics = { any = ["asai", "peace"] } }',
     "email.audience.topics.any[0]: unknown topic 'asai' (did you mean 'asia'?); known topics: africa, asia, climate"),
    ('{ list = "research", topics = { none = ["defense"] } }', "email.audience.topics.none[0]: unknown topic 'defense' (did you mean 'defence'?)"),
    ('{ list = "reserch" }', "email.audience.list: no subscriber list 'reserch' in the config (did you mean 'research'?); known lists: briefing, research"),
    ('"reserch"', "email.audience: no subscriber list 'reserch' in the config (did you mean 'research'?)"),
    ('{ list = "research", attributes = { sectr = "ngo" } }', "email.audience.attributes.sectr: unknown attribute 'sectr' (did you mean 'sector'?)"),
    ('{ list = "research", attributes = { staff = "ten" } }', "email.audience.attributes.staff: 'ten' is not a number ('staff' is number)"),
    ('{ list = "research", attributes = { staff = { in = [10, true] } } }', "email.audience.attributes.staff: True is not a number"),
    ('{ list = "research", attributes = { member = "yes" } }', "email.audience.attributes.member: 'yes' is not true or false ('member' is boolean)"),
    ('{ list = "research", attributes = { since = "2026-02-30" } }', "email.audience.attributes.since: '2026-02-30' is not a date like 2026-01-31"),
    ('{ list = "research", attributes = { sector = 5 } }', "email.audience.attributes.sector: 5 is not text; write it in quotes ('sector' is text)"),
    ('{ list = "research", attributes = { since = 2026-01-01T10:00:00 } }', "email.audience.attributes: 2026-01-01T10:00:00 is a date and time"),
    ('{ list = "research", topics = { any = [] } }', "email.audience.topics.any: empty: give at least one topic id, or leave it out"),
    ('{ list = "research", topics = {} }', "email.audience.topics: give any, all or none"),
    ('{ list = "research", language = { in = [] } }', "email.audience.language: 'in' is empty: it would match nobody; give at least one value"),
    ('{ list = "research", attributes = { sector = { in = [] } } }', "email.audience.attributes: 'in' is empty: it would match nobody"),
    ('{ list = "research", language = "english" }', "email.audience.language: 'english' is not a language tag like 'en', 'da' or 'pt-BR'"),
    ('{ list = "research", country = { in = ["DK", "Denmark"] } }', "email.audience.country: 'Denmark' is not a two-letter country code like 'DK'"),
    ('{ list = "research", country = { on = ["DK"] } }', "email.audience.country: unknown key 'on': write one value or { in = [...] }"),
    ('{ list = "research", langauge = "en" }', "email.audience.langauge: unknown field 'langauge' (did you mean 'language'?)"),
    ('{ list = "research", topics = { any = ["asia"], nope = ["x"] } }', "email.audience.topics.nope: unknown field 'nope' (did you mean 'none'?)"),
    ('{ list = "research", attributes = { \'a"b\' = "x" } }', "email.audience.attributes: attribute name 'a\"b' cannot be selected on"),
    ('{ list = "research", attributes = { sector = "ngo\\u202e" } }', "email.audience.attributes: the value must be one line of plain text (found"),
    ('{ topics = { any = ["asia"] } }', "email.audience.list: required field is missing"),
]


@pytest.mark.parametrize("audience, message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_a_bad_audience_is_one_located_line(cli, config_path, campaign_copy, audience, message):
    campaign = with_audience(campaign_copy, audience)
    found = errors_of(cli, config_path, campaign)
    assert any(f"{campaign}:55: {message}" in line or (message.startswith("email:") and f"{campaign}:54: {message}" in line)
               for line in found), found


def test_the_list_written_twice_must_agree(cli, config_path, campaign_copy):
    campaign = with_audience(campaign_copy, '{ list = "briefing", language = "en" }', keep_list=True)
    assert errors_of(cli, config_path, campaign) == [
        f"error: {campaign}:54: email: email.list 'research' and the audience's list 'briefing' differ: name the list once, in audience"]
    same = with_audience(campaign_copy, '{ list = "research", language = "en" }', keep_list=True)
    assert cli("--config", config_path, "validate", same).code == 0


def test_an_unknown_list_in_email_list_is_still_named_there(cli, config_path, campaign_copy):
    campaign = campaign_copy(replace_once('list = "research"\n', 'list = "reserch"\n'))
    assert errors_of(cli, config_path, campaign) == [
        f"error: {campaign}:55: email.list: no subscriber list 'reserch' in the config (did you mean 'research'?); known lists: briefing, research"]


def test_every_shape_error_and_the_unknown_list_in_one_run(cli, config_path, campaign_copy):
    campaign = with_audience(campaign_copy, '{ list = "reserch", topics = { all = [] }, language = "x" }')
    found = errors_of(cli, config_path, campaign)
    assert len(found) == 3, found
    assert "email.audience: no subscriber list 'reserch'" in found[2]


def test_an_attribute_found_on_subscribers_is_known(cli, db_config, campaign_copy, tmp_path):
    """Undeclared attributes a database holds are known (as text); validate reads that database, never creates one."""
    config = tmp_path / "outreach.toml"
    config.write_text(f'database = "{db_config.database}"\n', encoding="utf-8")
    campaign = with_audience(campaign_copy, '{ list = "research", attributes = { region = "north" } }')
    if db_config.database.startswith("sqlite"):
        assert "unknown attribute 'region'; known attributes: none" in errors_of(cli, config, campaign)[0]
        assert not (tmp_path / "outreach.db").exists()
    add_people(open_db(db_config), [Person("a@example.org", attrs={"region": "south", "regime": "x"})])
    result = cli("--config", config, "validate", campaign)
    assert result.code == 0, result.err
    assert "email audience: research subscribers whose region is north" in result.out
    typo = with_audience(campaign_copy, '{ list = "research", attributes = { regon = "north" } }')
    assert "unknown attribute 'regon' (did you mean 'region'?); known attributes: regime, region" in errors_of(cli, config, typo)[0]
    forget_engines()


CONFIGURED = Config(attributes={"staff": AttributeKind.NUMBER, "member": AttributeKind.BOOLEAN, "since": AttributeKind.DATE})
WORDS = [
    ({}, "research subscribers"),
    ({"topics": {"any": ["asia", "peace"]}, "language": "en"}, "research subscribers interested in Asia or Peace and conflict, in English"),
    ({"topics": {"any": ["asia", "africa", "europe"]}}, "research subscribers interested in Asia, Africa or Europe"),
    ({"topics": {"all": ["asia", "defence"]}}, "research subscribers interested in all of Asia and Defence and security"),
    ({"topics": {"all": ["asia"], "none": ["climate", "migration"]}},
     "research subscribers interested in Asia, not interested in Climate and development or Migration"),
    ({"language": {"in": ["da", "en-GB", "xx"]}}, "research subscribers in Danish, English (GB) or xx"),
    ({"country": {"in": ["dk", "SE"]}}, "research subscribers with country DK or SE"),
    ({"attributes": {"staff": {"in": [10, 20]}, "member": True, "since": date(2024, 5, 1), "sector": "ngo"}},
     "research subscribers whose staff is 10 or 20, whose member is yes, whose since is 2024-05-01, whose sector is ngo"),
]


@pytest.mark.parametrize("spec, words", WORDS, ids=[str(i) for i in range(len(WORDS))])
def test_the_audience_in_words(spec, words):
    assert describe(AudienceSpec.model_validate({"list": "research", **spec}), CONFIGURED) == words


def test_the_frozen_filter_is_typed_json():
    spec = AudienceSpec.model_validate({"list": "research", "topics": {"any": ["asia"], "none": ["peace"]}, "language": "EN", "country": "dk",
                                        "attributes": {"staff": 10, "since": date(2024, 5, 1), "member": False, "region": {"in": ["n", "s"]}}})
    assert audience_filter(spec, CONFIGURED) == {
        "list": "research", "topics": {"any": ["asia"], "none": ["peace"]}, "language": ["en"], "country": ["DK"],
        "attributes": {"member": {"kind": "boolean", "in": [False]}, "region": {"kind": "text", "in": ["n", "s"]},
                       "since": {"kind": "date", "in": ["2024-05-01"]}, "staff": {"kind": "number", "in": [10]}}}
    assert audience_filter(AudienceSpec(list="research"), CONFIGURED) is None


def test_an_email_without_list_or_audience_says_what_to_give(cli, config_path, campaign_copy):
    campaign = campaign_copy(replace_once('list = "research"\n', ""))
    assert errors_of(cli, config_path, campaign) == [
        f"error: {campaign}:54: email: give the audience: audience = \"research\" (a list), or a table with list and a filter"]
