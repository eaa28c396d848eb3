"""A campaign email's audience: one list, narrowed by an optional structured filter.

``[email] audience`` is a list name (``audience = "research"``: the whole list) or an
inline table::

    audience = { list = "research", topics = { any = ["asia", "peace"] }, language = "en",
                 country = { in = ["DK", "SE"] }, attributes = { sector = "ngo", staff = { in = [10, 20] } } }

Topics take ``any``, ``all`` and ``none``; language, country and each attribute take one
value or ``{ in = [...] }`` (a number must be finite and fit in signed 64 bits: what a database can
compare). The filter is data, never SQL: :mod:`outreach.store.segments`
turns it into a SQLAlchemy clause. This module holds the model (shape checks, when the
campaign file is read), the checks against the config (:func:`check_audience`, with "did
you mean" hints), the frozen JSON form (:func:`audience_filter`) and the words
(:func:`describe`).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, field_validator, model_validator

from .config import AttributeKind, Config
from .locale import language_name, normalise_country, normalise_language
from .text import describe_unsafe, is_single_line
from .tomlsource import did_you_mean

Scalar = StrictBool | StrictInt | StrictFloat | date | StrictStr
# An attribute name the filter can address: what an import header or [attributes] can give (any script),
# minus quotes, backslashes and control characters, which no sane header holds and no message should echo.
_ATTRIBUTE_NAME = re.compile(r'^[^"\\\x00-\x1f\x7f]{1,64}$')
TypedValue = bool | int | float | str  # a value as stored in subscribers.attrs (a date as its ISO text)


def _one_or_in(value: Any) -> tuple[Any, ...]:
    """One value, or ``{ in = [...] }`` with at least one: the values as a tuple."""
    if isinstance(value, dict):
        extra = sorted(set(value) - {"in"})
        if extra:
            raise ValueError(f"unknown key '{extra[0]}'{did_you_mean(extra[0], ['in'])}: write one value or {{ in = [...] }}")
        if "in" not in value:
            raise ValueError("write one value or { in = [...] }")
        values = value["in"]
        if not isinstance(values, list):
            raise ValueError("'in' takes a list of values, like { in = [\"a\", \"b\"] }")
        if not values:
            raise ValueError("'in' is empty: it would match nobody; give at least one value")
        return tuple(values)
    if isinstance(value, list):
        raise ValueError("write one value or { in = [...] }, not a bare list")
    return (value,)


_INT64 = (-(1 << 63), (1 << 63) - 1)  # what SQLite's INTEGER (and PostgreSQL's bigint) can bind


def _storable(name: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """``values`` when each is a value an attribute can hold and a database can compare; ``ValueError`` otherwise."""
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool) and not _INT64[0] <= v <= _INT64[1]:
            raise ValueError(f"attribute '{name}': {v} is out of range: numbers go from {_INT64[0]} to {_INT64[1]}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"attribute '{name}': {v} is not a finite number")
        if isinstance(v, datetime):
            raise ValueError(f"{v.isoformat()} is a date and time; attributes hold dates like 2026-01-31")
        if isinstance(v, (dict, list)):
            raise ValueError("each value must be text, a number, true/false or a date")
        if isinstance(v, str) and not is_single_line(v):
            raise ValueError(f"the value {describe_unsafe(v)}")  # stored values are single lines: it would match nobody
    return values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicFilter(_Strict):
    """Which topics a subscriber must follow (``any``: one of them; ``all``: every one) or must not (``none``)."""

    any: tuple[StrictStr, ...] | None = None
    all: tuple[StrictStr, ...] | None = None
    none: tuple[StrictStr, ...] | None = None

    @field_validator("any", "all", "none")
    @classmethod
    def _not_empty(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None and not v:
            raise ValueError("empty: give at least one topic id, or leave it out")
        return v

    @model_validator(mode="after")
    def _something(self) -> "TopicFilter":
        if self.any is None and self.all is None and self.none is None:
            raise ValueError("give any, all or none, e.g. topics = { any = [\"asia\", \"peace\"] }")
        for v in (self.any or ()) + (self.all or ()) + (self.none or ()):
            if not is_single_line(v):
                raise ValueError(f"topic id {describe_unsafe(v)}")
        return self


class AudienceSpec(_Strict):
    """Who a campaign's email goes to: the members of ``list`` matching every condition given."""

    list: StrictStr
    topics: TopicFilter | None = None
    language: tuple[StrictStr, ...] | None = None
    country: tuple[StrictStr, ...] | None = None
    attributes: dict[str, tuple[Scalar, ...]] = {}

    @field_validator("list")
    @classmethod
    def _list_line(cls, v: str) -> str:
        if not is_single_line(v):
            raise ValueError(describe_unsafe(v))
        return v

    @field_validator("language", mode="before")
    @classmethod
    def _languages(cls, v: Any) -> tuple[str, ...] | None:
        return None if v is None else tuple(normalise_language(x) if isinstance(x, str) else x for x in _one_or_in(v))

    @field_validator("country", mode="before")
    @classmethod
    def _countries(cls, v: Any) -> tuple[str, ...] | None:
        return None if v is None else tuple(normalise_country(x) if isinstance(x, str) else x for x in _one_or_in(v))

    @field_validator("attributes", mode="before")
    @classmethod
    def _attribute_values(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v  # pydantic says it is not a table
        for name in v:
            if not _ATTRIBUTE_NAME.match(name):
                raise ValueError(f"attribute name {name[:40]!r} cannot be selected on (1 to 64 characters, no quotes, backslashes or control characters)")
        return {name: _storable(name, _one_or_in(value)) for name, value in v.items()}

    @property
    def is_whole_list(self) -> bool:
        """True when no condition narrows the list."""
        return self.topics is None and self.language is None and self.country is None and not self.attributes


def spec_from(raw: Any, list_name: str | None) -> Any:
    """The raw ``[email] audience`` value as input for :class:`AudienceSpec` (a list name becomes ``{list = name}``)."""
    if raw is None:
        return {"list": list_name} if list_name is not None else None
    if isinstance(raw, str):
        return {"list": raw}
    if isinstance(raw, dict) and "list" not in raw and list_name is not None:
        return {**raw, "list": list_name}
    return raw


def email_with_audience(data: dict[str, Any]) -> dict[str, Any]:
    """The raw ``[email]`` table with ``list`` and ``audience`` both given (from whichever was written)."""
    raw, written = data.get("audience"), data.get("list")
    name = written if isinstance(written, str) else None
    audience = spec_from(raw, name)
    found = raw if isinstance(raw, str) else raw.get("list") if isinstance(raw, dict) else None
    if isinstance(found, str) and name is not None and found != name:
        raise ValueError(f"email.list '{name}' and the audience's list '{found}' differ: name the list once, in audience")
    out = dict(data)
    if audience is not None:
        out["audience"] = audience
    if name is None and isinstance(found, str):
        out["list"] = found
    if name is None and raw is None:
        raise ValueError("give the audience: audience = \"research\" (a list), or a table with list and a filter")
    return out


def audience_list_of(email: dict[str, Any]) -> str | None:
    """The list a broken audience names (or ``email.list``), when there is one."""
    raw = email.get("audience")
    found = raw.get("list") if isinstance(raw, dict) else raw if isinstance(raw, str) else email.get("list")
    return found if isinstance(found, str) else None


# -- the checks that need the config (and the database's attribute names) --------------------------

def check_audience(spec: AudienceSpec, config: Config, known_attributes: Iterable[str], list_field: str) -> list[tuple[str, str]]:
    """Every problem of ``spec`` against the config, as ``(field, message)``; ``list_field`` is where the list was written.

    ``known_attributes``: the attribute names found in the database (declared ones come from the config).
    """
    problems: list[tuple[str, str]] = []
    if spec.list not in config.lists:
        problems.append((list_field, f"no subscriber list '{spec.list}' in the config{did_you_mean(spec.list, config.lists)}; "
                                     f"known lists: {', '.join(sorted(config.lists)) or 'none'}"))
    if spec.topics is not None:
        for op in ("any", "all", "none"):
            for i, topic in enumerate(getattr(spec.topics, op) or ()):
                if topic not in config.topics:
                    problems.append((f"email.audience.topics.{op}[{i}]", f"unknown topic '{topic}'{did_you_mean(topic, config.topics)}; "
                                                                          f"known topics: {', '.join(sorted(config.topics)) or 'none'}"))
    known = set(config.attributes) | set(known_attributes)
    for name, values in spec.attributes.items():
        field = f"email.audience.attributes.{name}"
        if name not in known:
            problems.append((field, f"unknown attribute '{name}'{did_you_mean(name, known)}; known attributes: {', '.join(sorted(known)) or 'none'} "
                                    "(declared in [attributes] or found on subscribers)"))
            continue
        kind = config.attributes.get(name, AttributeKind.TEXT)
        for value in values:
            try:
                typed_value(value, kind)
            except ValueError as exc:
                problems.append((field, f"{exc} ('{name}' is {kind.value}{'' if name in config.attributes else ': not in [attributes], so text'})"))
    return problems


_HELD_AS = {AttributeKind.TEXT: "text", AttributeKind.DATE: "text", AttributeKind.NUMBER: "number", AttributeKind.BOOLEAN: "boolean"}


def mistyped(spec: AudienceSpec, config: Config, held: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """Warnings, as ``(field, message)``, for subscribers holding a filtered attribute as another JSON type than its
    kind (text imported before the attribute was declared a number): such values never match.

    ``held``: attribute name -> JSON type word (text, number, boolean, object, array) -> how many subscribers.
    """
    out = []
    for name in spec.attributes:
        kind = config.attributes.get(name, AttributeKind.TEXT)
        for word, count in sorted(held.get(name, {}).items()):
            if word != _HELD_AS[kind] and count:
                out.append((f"email.audience.attributes.{name}",
                            f"{count:,} {spec.list} {'subscriber holds' if count == 1 else 'subscribers hold'} '{name}' as {word}, "
                            f"not {kind.value}: {'it never matches' if count == 1 else 'they never match'}; "
                            f"import the file again to type {'it' if count == 1 else 'them'}"))
    return out


def typed_value(value: Any, kind: AttributeKind) -> TypedValue:
    """``value`` as stored for an attribute of ``kind``; ``ValueError`` with the reason when it is the wrong type."""
    if kind is AttributeKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{value!r} is not a number")
        return value
    if kind is AttributeKind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not true or false")
        return value
    if kind is AttributeKind.DATE:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise ValueError(f"{value!r} is not a date like 2026-01-31")
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text; write it in quotes")
    return value


def typed_attributes(spec: AudienceSpec, config: Config) -> dict[str, tuple[AttributeKind, tuple[TypedValue, ...]]]:
    """Each attribute condition with its kind and typed values (call after :func:`check_audience` found nothing)."""
    out = {}
    for name, values in spec.attributes.items():
        kind = config.attributes.get(name, AttributeKind.TEXT)
        out[name] = (kind, tuple(typed_value(v, kind) for v in values))
    return out


def audience_filter(spec: AudienceSpec, config: Config) -> dict[str, Any] | None:
    """The filter as JSON-ready data, as frozen with the audience; None for the whole list."""
    if spec.is_whole_list:
        return None
    out: dict[str, Any] = {"list": spec.list}
    if spec.topics is not None:
        out["topics"] = {op: list(v) for op in ("any", "all", "none") if (v := getattr(spec.topics, op)) is not None}
    if spec.language is not None:
        out["language"] = list(spec.language)
    if spec.country is not None:
        out["country"] = list(spec.country)
    if spec.attributes:
        out["attributes"] = {name: {"kind": kind.value, "in": list(values)} for name, (kind, values) in sorted(typed_attributes(spec, config).items())}
    return out


# -- in words --------------------------------------------------------------------------------------

def _either(words: list[str], last: str) -> str:
    """``A``, ``A or B``, ``A, B or C``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def _label(config: Config, topic: str) -> str:
    return config.topics.get(topic, topic)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else str(value)


def describe(spec: AudienceSpec, config: Config) -> str:
    """The audience in words: "research subscribers interested in Asia or Peace and conflict, in English"."""
    parts: list[str] = []
    topics = spec.topics
    if topics is not None and topics.any:
        parts.append("interested in " + _either([_label(config, t) for t in topics.any], "or"))
    if topics is not None and topics.all:
        labels = [_label(config, t) for t in topics.all]
        parts.append("interested in " + (labels[0] if len(labels) == 1 else "all of " + _either(labels, "and")))
    if topics is not None and topics.none:
        parts.append("not interested in " + _either([_label(config, t) for t in topics.none], "or"))
    if spec.language:
        parts.append("in " + _either([language_name(t) for t in spec.language], "or"))
    if spec.country:
        parts.append("with country " + _either(list(spec.country), "or"))
    for name, values in spec.attributes.items():
        parts.append(f"whose {name} is " + _either([_shown(v) for v in values], "or"))
    return " ".join([f"{spec.list} subscribers", ", ".join(parts)]).strip()


def describe_size(words: str, matching: int, total: int) -> str:
    """``words: 1,204 of 8,311`` (matching subscribers of all active members of the list)."""
    return f"{words}: {matching:,} of {total:,}"
