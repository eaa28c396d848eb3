"""Each filter operator selects exactly its subscribers, on SQLite and PostgreSQL (store/segments.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from outreach.audience import AudienceSpec
from outreach.config import AttributeKind
from outreach.store.db import open_db
from outreach.store.schema import memberships, subscribers
from outreach.store.segments import attribute_names, audience_clause, audience_size
from tests.audience.conftest import EVERYONE, MATCHING, NOW, RESEARCH_ACTIVE, Person, add_people

KINDS = {"sector": AttributeKind.TEXT, "staff": AttributeKind.NUMBER, "member": AttributeKind.BOOLEAN, "since": AttributeKind.DATE}
PEOPLE = [
    Person("a@example.org", topics=("asia",), language="en", country="DK",
           attrs={"sector": "ngo", "staff": 10, "member": True, "since": "2024-05-01", "region": "north"}),
    Person("b@example.org", topics=("asia", "peace"), language="da", country="SE",
           attrs={"sector": "gov", "staff": 20.0, "member": False, "since": "2025-01-01"}),
    # values of the wrong JSON type (as an old import kept them): never match, never raise
    Person("c@example.org", topics=("peace",), language="en-gb", country="DK",
           attrs={"sector": "ngo", "staff": "10", "member": "true", "since": "2024-05-01", "region": "south"}),
    Person("d@example.org"),
    Person("e@example.org", topics=("climate",), language="eng", country="GB", attrs={"sector": 5, "staff": "many"}),
    Person("f@example.org", attrs={"staff": True, "member": 1}),  # JSON true is not the number 1, nor 1 true
    Person("off-list@example.org", topics=("asia", "peace"), language="en", country="DK", lists={"briefing": "active"},
           attrs={"sector": "ngo", "staff": 10, "member": True, "since": "2024-05-01"}),
]


@pytest.fixture
def world(db_config):
    engine = open_db(db_config)
    add_people(engine, PEOPLE)
    return engine, db_config.model_copy(update={"attributes": KINDS})


def selected(world: Any, **spec: Any) -> set[str]:
    engine, config = world
    audience = AudienceSpec.model_validate({"list": "research", **spec})
    where = audience_clause(audience, config, engine.dialect.name, NOW)
    with engine.connect() as conn:
        found = {e.split("@")[0] for e in conn.execute(select(subscribers.c.email).select_from(memberships.join(subscribers)).where(where)).scalars()}
    assert audience_size(engine, audience, config, NOW)[0] == len(found)
    return found


CASES = [
    ({}, {"a", "b", "c", "d", "e", "f"}),
    ({"topics": {"any": ["asia", "peace"]}}, {"a", "b", "c"}),
    ({"topics": {"any": ["asia"]}}, {"a", "b"}),
    ({"topics": {"all": ["asia", "peace"]}}, {"b"}),
    ({"topics": {"none": ["asia"]}}, {"c", "d", "e", "f"}),
    ({"topics": {"any": ["peace"], "none": ["asia"]}}, {"c"}),
    ({"topics": {"all": ["peace"], "any": ["asia", "climate"]}}, {"b"}),
    ({"language": "en"}, {"a", "c"}),  # en-gb is English; "eng" is another tag
    ({"language": "EN_gb"}, {"c"}),
    ({"language": {"in": ["da", "en"]}}, {"a", "b", "c"}),
    ({"country": "dk"}, {"a", "c"}),
    ({"country": {"in": ["SE", "GB"]}}, {"b", "e"}),
    ({"attributes": {"sector": "ngo"}}, {"a", "c"}),
    ({"attributes": {"sector": {"in": ["ngo", "gov"]}}}, {"a", "b", "c"}),
    ({"attributes": {"staff": 10}}, {"a"}),  # "10" as text is not the number 10
    ({"attributes": {"staff": {"in": [10.0, 20]}}}, {"a", "b"}),
    ({"attributes": {"member": True}}, {"a"}),  # "true" as text is not true
    ({"attributes": {"member": False}}, {"b"}),
    ({"attributes": {"staff": 1}}, set()),
    ({"attributes": {"since": date(2024, 5, 1)}}, {"a", "c"}),
    ({"attributes": {"since": {"in": ["2025-01-01"]}}}, {"b"}),
    ({"attributes": {"region": "north"}}, {"a"}),  # not declared: text
    ({"topics": {"any": ["asia", "peace"]}, "language": "en", "country": "DK", "attributes": {"sector": "ngo", "staff": 10}}, {"a"}),
]


@pytest.mark.parametrize("spec, expected", CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_operator_selects_exactly_its_subscribers(world, spec, expected):
    assert selected(world, **spec) == expected


def test_only_members_of_the_list_ever_match(world):
    """off-list matches every condition, on another list."""
    assert "off-list" not in selected(world, topics={"any": ["asia"]}, attributes={"sector": "ngo"})
    engine, config = world
    briefing = AudienceSpec.model_validate({"list": "briefing", "topics": {"any": ["asia"]}})
    with engine.connect() as conn:
        rows = conn.execute(select(subscribers.c.email).select_from(memberships.join(subscribers))
                            .where(audience_clause(briefing, config, engine.dialect.name, NOW))).scalars().all()
    assert rows == ["off-list@example.org"]


def test_the_done_when_population(db_config):
    """Other lists, other topics, unsubscribed, pending, suppressed (all lists or this one), paused: only the segment."""
    engine = open_db(db_config)
    add_people(engine, EVERYONE)
    spec = AudienceSpec.model_validate({"list": "research", "topics": {"any": ["asia", "peace"]}, "language": "en"})
    with engine.connect() as conn:
        found = set(conn.execute(select(subscribers.c.email).select_from(memberships.join(subscribers))
                                 .where(audience_clause(spec, db_config, engine.dialect.name, NOW))).scalars())
    assert found == MATCHING
    assert audience_size(engine, spec, db_config, NOW) == (len(MATCHING), len(RESEARCH_ACTIVE))
    # the pause ends: the paused reader is in the audience again
    assert audience_size(engine, spec, db_config, NOW + timedelta(days=31))[0] == len(MATCHING) + 1


def test_attribute_names_come_from_the_subscribers(world):
    engine, _ = world
    assert attribute_names(engine) == {"sector", "staff", "member", "since", "region"}
