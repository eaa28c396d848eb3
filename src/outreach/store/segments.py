"""A campaign audience as a SQL condition (SQLAlchemy expressions, never raw SQL), and its size.

Who a campaign reaches: the active members of the audience's list, not suppressed (for that list
or all lists), not paused (``paused_until`` empty or past), matching every condition of the filter:

- topics: ``any`` / ``all`` / ``none`` as EXISTS on ``subscriber_topics``;
- language: the tag or a more specific one (``en`` matches ``en`` and ``en-gb``: RFC 4647 basic filtering);
- country: the code;
- attributes: the value in ``subscribers.attrs`` (JSON) of the same JSON type as the declared kind, equal to
  one of the values: a number is compared as a number, so ``10`` matches ``10.0``; a boolean as true/false;
  text and dates (ISO ``YYYY-MM-DD``) as text. A value of another type never matches and never raises
  (:func:`attribute_types` counts such values, for validate's warning). The name is bound as a parameter,
  never spliced into a JSON path; on SQLite it is compared with ``json_each``'s decoded key, so a non-ASCII
  name matches whether the stored JSON escapes it (``\\u00fc``) or not.

Join ``memberships`` and ``subscribers`` (``memberships.join(subscribers)``) to use the clause.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import Connection, Engine, Float, String, and_, case, cast, exists, func, literal, or_, select, true
from sqlalchemy.engine import make_url
from sqlalchemy.sql.elements import ColumnElement

from ..audience import AudienceSpec, TypedValue, typed_attributes
from ..config import AttributeKind, Config
from ..errors import OutreachError
from .schema import memberships, subscriber_topics, subscribers

_JSON_TYPES = {  # the JSON type a stored value of each kind has: (SQLite json_type, PostgreSQL json_typeof)
    AttributeKind.TEXT: (("text",), "string"),
    AttributeKind.DATE: (("text",), "string"),
    AttributeKind.NUMBER: (("integer", "real"), "number"),
    AttributeKind.BOOLEAN: (("true", "false"), "boolean"),
}


def _follows(topics: Iterable[str]) -> ColumnElement[bool]:
    """The subscriber row follows one of ``topics``."""
    return exists().where(subscriber_topics.c.subscriber_id == subscribers.c.id, subscriber_topics.c.topic.in_(list(topics)))


def _topics(spec: AudienceSpec) -> list[ColumnElement[bool]]:
    if spec.topics is None:
        return []
    out = []
    if spec.topics.any:
        out.append(_follows(spec.topics.any))
    out += [_follows([t]) for t in spec.topics.all or ()]
    if spec.topics.none:
        out.append(~_follows(spec.topics.none))
    return out


def _language(tags: tuple[str, ...]) -> ColumnElement[bool]:
    # tags are [a-z0-9-] only (outreach.locale), so the LIKE pattern has no wildcard of its own
    return or_(*[or_(subscribers.c.language == tag, subscribers.c.language.like(tag + "-%")) for tag in tags])


def _attrs_each() -> Any:
    """SQLite's ``json_each(subscribers.attrs)``: one row per attribute, its ``key`` decoded from the stored JSON.

    Rows are matched on this decoded key, never through a JSON path: a name like ``ünï`` is stored escaped
    (``"\\u00fcn\\u00ef"``), which ``json_extract(attrs, '$."ünï"')`` does not find, while :func:`attribute_names`
    (json_each too) calls the name known. Same function, same names: what validate knows, the filter matches.
    """
    return func.json_each(subscribers.c.attrs).table_valued("key", "type", "atom").alias("attr")


def _attribute(dialect: str, name: str, kind: AttributeKind, values: tuple[TypedValue, ...]) -> ColumnElement[bool]:
    """``attrs[name]`` is one of ``values``, compared as ``kind``; on SQLite or PostgreSQL."""
    sqlite_types, pg_type = _JSON_TYPES[kind]
    if dialect == "sqlite":
        each = _attrs_each()
        if kind is AttributeKind.BOOLEAN:
            matches = each.c.type.in_(["true" if v else "false" for v in values])
        else:  # the atom: a number compares as a number (10 = 10.0), text as text
            matches = and_(each.c.type.in_(sqlite_types), each.c.atom.in_(list(values)))
        return exists(select(literal(1)).select_from(each).where(each.c.key == name, matches))
    element = subscribers.c.attrs.op("->")(literal(name))
    text = subscribers.c.attrs.op("->>", return_type=String())(literal(name))  # the value as text, bound as text
    is_kind = func.json_typeof(element) == pg_type
    if kind is AttributeKind.NUMBER:
        # CASE: the cast runs only on numbers, so a stray text value never raises
        number = case((is_kind, cast(text, Float)), else_=None)
        return number.in_([float(v) for v in values])
    if kind is AttributeKind.BOOLEAN:
        return and_(is_kind, text.in_(["true" if v else "false" for v in values]))
    return and_(is_kind, text.in_([str(v) for v in values]))


def paused_clause(at: datetime) -> ColumnElement[bool]:
    """The subscriber row is paused at ``at``."""
    return and_(subscribers.c.paused_until.is_not(None), subscribers.c.paused_until > at)


def audience_clause(spec: AudienceSpec, config: Config, dialect: str, at: datetime) -> ColumnElement[bool]:
    """Who ``spec`` reaches at ``at``: active, unsuppressed, unpaused members of its list matching its filter."""
    from .subscribers import active_clause  # here: store.subscribers imports store.ledger, which imports this module

    conditions = [active_clause(spec.list), ~paused_clause(at)] + _topics(spec)
    if spec.language:
        conditions.append(_language(spec.language))
    if spec.country:
        conditions.append(subscribers.c.country.in_(list(spec.country)))
    for name, (kind, values) in typed_attributes(spec, config).items():
        conditions.append(_attribute(dialect, name, kind, values))
    return and_(true(), *conditions)


def audience_size(engine: Engine, spec: AudienceSpec, config: Config, at: datetime) -> tuple[int, int]:
    """(subscribers ``spec`` reaches at ``at``, all active unsuppressed members of its list)."""
    from .subscribers import active_clause

    def size(conn: Connection, where: ColumnElement[bool]) -> int:
        return int(conn.execute(select(func.count()).select_from(memberships.join(subscribers)).where(where)).scalar_one())

    with engine.connect() as conn:
        return size(conn, audience_clause(spec, config, engine.dialect.name, at)), size(conn, active_clause(spec.list))


def attribute_names(engine: Engine) -> set[str]:
    """Every attribute name some subscriber has (the keys of ``subscribers.attrs``)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            each = _attrs_each()
            query = select(each.c.key).distinct().select_from(subscribers).join(each, true()).where(func.json_type(subscribers.c.attrs) == "object")
        else:
            query = select(func.json_object_keys(subscribers.c.attrs)).distinct().where(func.json_typeof(subscribers.c.attrs) == "object")
        return {str(key) for key in conn.execute(query).scalars()}


_TYPE_WORDS = {"text": "text", "string": "text", "integer": "number", "real": "number", "number": "number",
               "true": "boolean", "false": "boolean", "boolean": "boolean", "object": "object", "array": "array"}


def attribute_types(engine: Engine, list_name: str, names: Iterable[str]) -> dict[str, dict[str, int]]:
    """For each of ``names``: how many active, unsuppressed members of ``list_name`` hold it as each JSON type
    (``text``, ``number``, ``boolean``, ``object``, ``array``; a JSON null is not counted)."""
    from .subscribers import active_clause

    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for name in names:
            if engine.dialect.name == "sqlite":
                each = _attrs_each()
                json_type = each.c.type
                source = memberships.join(subscribers).join(each, each.c.key == name)
            else:
                json_type = func.json_typeof(subscribers.c.attrs.op("->")(literal(name)))
                source = memberships.join(subscribers)
            query = select(json_type, func.count()).select_from(source).where(active_clause(list_name), json_type.is_not(None)).group_by(json_type)
            counts: dict[str, int] = {}
            for found, n in conn.execute(query):
                word = _TYPE_WORDS.get(str(found))
                if word is not None:
                    counts[word] = counts.get(word, 0) + int(n)
            out[name] = counts
    return out


def existing_database(config: Config) -> Engine | None:
    """The database, when one exists; None for an SQLite file not created yet (never creates one) or a database that cannot be opened."""
    from .db import open_db

    url = make_url(config.database)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return None
    try:
        return open_db(config)
    except OutreachError:
        return None
