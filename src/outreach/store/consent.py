"""Consent records: how each membership was agreed to, kept after an unsubscribe as the proof.

Every path that puts a person on a list writes one (:class:`ConsentMethod`): the double
opt-in (a pending record at sign-up, completed by the confirmation with its time,
client address and user agent), an import (file, row, who ran it and the ``--consent``
basis), the preference centre and the command line. An unsubscribe, a bounce or a
complaint never deletes a record: it sets ``withdrawn_at``. Only forgetting the person
deletes their records. Each function works inside the caller's transaction.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Iterator

from sqlalchemy import Connection, Engine, insert, select, update

from ..text import clean_line
from .db import now
from .schema import consents, subscribers

MAX_USER_AGENT = 400


class ConsentMethod(str, enum.Enum):
    """How a person came to be on a list."""

    DOUBLE_OPT_IN = "double-opt-in"
    IMPORT = "import"
    PREFERENCES = "preferences"
    CLI = "cli"
    BEFORE_RECORDS = "before-records"


@dataclass(frozen=True)
class Evidence:
    """What a consent record keeps besides its method and times (all optional; paths fill what they know)."""

    ip: str | None = None
    user_agent: str | None = None
    form_version: str | None = None
    source_file: str | None = None
    source_row: int | None = None
    collected_by: str | None = None
    basis: str | None = None
    topics: tuple[str, ...] | None = None  # the topics asked for with this consent (sign-up form), sorted ids


@dataclass(frozen=True)
class ConsentRecord:
    """One stored consent record."""

    id: int
    list_name: str
    method: ConsentMethod
    requested_at: datetime | None
    given_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    evidence: Evidence


def client_ip(raw: str | None, truncate: bool) -> str | None:
    """The client address to keep: as it is, or (``truncate``) with the host part zeroed (/24 of IPv4, /48 of IPv6)."""
    if not raw:
        return None
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None  # not an address (a test client, a unix socket): nothing worth keeping
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # a dual-stack listener's view of an IPv4 client
    if not truncate:
        return str(address)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def form_version(*template_sources: str) -> str:
    """A short, stable fingerprint of a form's wording (the template sources it is rendered from)."""
    digest = hashlib.sha256("\x00".join(template_sources).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:16]}"


def _values(evidence: Evidence) -> dict[str, object]:
    values = {f.name: getattr(evidence, f.name) for f in fields(evidence)}
    values["user_agent"] = clean_line(evidence.user_agent or "", MAX_USER_AGENT) or None
    values["topics"] = sorted(set(evidence.topics)) if evidence.topics is not None else None
    return values


def record(conn: Connection, subscriber_id: int, list_name: str, method: ConsentMethod, evidence: Evidence,
           given_at: datetime | None = None) -> int:
    """A consent given now (or at ``given_at``); its id."""
    row = {"subscriber_id": subscriber_id, "list": list_name, "method": method.value, "given_at": given_at or now(), **_values(evidence)}
    return int(conn.execute(insert(consents).returning(consents.c.id), [row]).scalar_one())


def record_pending(conn: Connection, subscriber_id: int, list_name: str, evidence: Evidence) -> int:
    """A double opt-in sign-up: requested now, given only when :func:`complete` runs; its id."""
    row = {"subscriber_id": subscriber_id, "list": list_name, "method": ConsentMethod.DOUBLE_OPT_IN.value,
           "requested_at": now(), "given_at": None, **_values(evidence)}
    return int(conn.execute(insert(consents).returning(consents.c.id), [row]).scalar_one())


def complete(conn: Connection, record_id: int, ip: str | None, user_agent: str | None) -> None:
    """Complete one pending double opt-in with the confirmation's time, client address and user agent."""
    agent = clean_line(user_agent or "", MAX_USER_AGENT) or None
    conn.execute(update(consents).where(consents.c.id == record_id, consents.c.given_at.is_(None)).values(given_at=now(), ip=ip, user_agent=agent))


def withdraw(conn: Connection, subscriber_id: int, list_name: str, source: str) -> int:
    """Mark the list's standing consents withdrawn (an unsubscribe, bounce or complaint); how many."""
    return conn.execute(update(consents).where(consents.c.subscriber_id == subscriber_id, consents.c.list == list_name,
                                               consents.c.given_at.is_not(None), consents.c.withdrawn_at.is_(None))
                        .values(withdrawn_at=now(), withdrawn_by=source[:20])).rowcount


def _record(row) -> ConsentRecord:  # type: ignore[no-untyped-def]
    evidence = Evidence(**{f.name: getattr(row, f.name) for f in fields(Evidence) if f.name != "topics"},
                        topics=tuple(row.topics) if row.topics is not None else None)
    return ConsentRecord(row.id, row.list, ConsentMethod(row.method), row.requested_at, row.given_at, row.withdrawn_at, row.withdrawn_by, evidence)


def records_of(conn: Connection, subscriber_id: int) -> list[ConsentRecord]:
    """The subscriber's consent records, oldest first."""
    return [_record(r) for r in conn.execute(select(consents).where(consents.c.subscriber_id == subscriber_id).order_by(consents.c.id))]


def iter_records(engine: Engine, batch: int = 2000) -> Iterator[tuple[str, ConsentRecord]]:
    """Every consent record with its subscriber's address, by id (keyset pages: never all in memory)."""
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(select(consents, subscribers.c.display_email).select_from(consents.join(subscribers))
                                .where(consents.c.id > last).order_by(consents.c.id).limit(batch)).all()
        if not rows:
            return
        for r in rows:
            yield str(r.display_email), _record(r)
        last = rows[-1].id
