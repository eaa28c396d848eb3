"""A person's data on request: everything stored about them (``subscribers show``), and forgetting them.

Forgetting deletes the subscriber row (and with it their memberships, topics, consent
records and queued web mail) and their suppression rows, makes their deliveries
anonymous (the counts stay), and takes their address out of every detail, audit row and
inbound message. What is left of them is one keyed hash in the suppression list
(``forgotten:`` + HMAC-SHA256 of the address under a key of its own, :func:`keyring`), so
a later import of the same address is refused instead of silently adding them again.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update

from ..config import Config, secret
from ..errors import SubscriberError
from ..tokens import Keyring
from .consent import records_of
from .db import local_secret, now
from .delivery import DeliveryState
from .late_events import forget_recipient_in
from .ledger_queries import email_deliveries_of
from .profile import topics_of
from .schema import audit, clicks, consents, inbound_messages, links, memberships, outgoing_mail, subscriber_topics, subscribers, suppressions
from .subscribers import ALL_LISTS, normalise_email
from .upsert import insert_ignore

FORGOTTEN = "forgotten"
MARK_PREFIX = "forgotten:"
SCRUBBED = "[forgotten]"
_CHUNK = 500


def keyring(config: Config, engine: Engine) -> Keyring:
    """The key of forgotten addresses' marks: ``[privacy] forget_key_env``, else a random key kept in the database.

    Not the link-signing key: that one is rotated and its old values dropped, and a mark must
    keep matching for as long as the database lives.
    """
    value = secret(config.privacy.forget_key_env, "the key of forgotten addresses' marks") if config.privacy.forget_key_env else None
    if value:
        return Keyring.of(value.encode())
    where = engine.url.render_as_string(hide_password=True)
    if where not in _LOCAL_KEYS:  # read (or made) once per database: every inbound message asks for it
        _LOCAL_KEYS[where] = local_secret(engine, "forget")
    return Keyring.of(_LOCAL_KEYS[where])


_LOCAL_KEYS: dict[str, bytes] = {}  # database -> its forget key; the key never changes once made


def mark(key: bytes, address: str) -> str:
    """The suppression list's entry for a forgotten ``address`` (normalised) under one key."""
    return MARK_PREFIX + hmac.digest(key, address.encode("utf-8"), "sha256").hex()  # one-shot: a quarter of hmac.new's time


def is_forgotten(conn: Connection, keys: Keyring, address: str) -> bool:
    """True when the (normalised) ``address`` was forgotten, under any key of ``keys`` (on the caller's connection)."""
    marks = [mark(k, address) for k in keys.keys]
    return conn.execute(select(suppressions.c.email).where(suppressions.c.email.in_(marks), suppressions.c.list == ALL_LISTS).limit(1)).first() is not None


def lift_mark(engine: Engine, keys: Keyring, subscriber_key: str) -> bool:
    """A forgotten person who signed up and confirmed again is a subscriber again: their forgotten mark goes (audited)."""
    with engine.begin() as conn:
        address = conn.execute(select(subscribers.c.email).where(subscribers.c.token_key == subscriber_key)).scalar_one_or_none()
        if address is None:
            return False
        marks = [mark(k, address) for k in keys.keys]
        lifted = conn.execute(delete(suppressions).where(suppressions.c.email.in_(marks), suppressions.c.list == ALL_LISTS)).rowcount
        if lifted:
            conn.execute(insert(audit), [{"at": now(), "action": "unforgotten", "email": address, "list": ALL_LISTS, "source": "web",
                                          "detail": "signed up and confirmed again after being forgotten"}])
    return bool(lifted)


def forgotten_in(engine: Engine, keys: Keyring, addresses: Iterable[str]) -> set[str]:
    """Which of the (normalised) ``addresses`` were forgotten, under any key of ``keys``."""
    by_mark = {mark(k, a): a for a in addresses for k in keys.keys}
    marks, found = list(by_mark), set()
    with engine.connect() as conn:
        for i in range(0, len(marks), _CHUNK):
            hits = conn.execute(select(suppressions.c.email).where(suppressions.c.email.in_(marks[i:i + _CHUNK]), suppressions.c.list == ALL_LISTS))
            found |= {by_mark[m] for m in hits.scalars()}
    return found


# -- the right of access ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonData:
    """Everything stored about one address, section by section (each a list of plain rows)."""

    address: str
    profile: dict[str, Any] | None  # None: no subscriber row (the address is known only from what follows)
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The data as JSON-ready values (times in ISO 8601)."""
        return _jsonable({"address": self.address, "profile": self.profile, **self.sections})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def person_data(engine: Engine, config: Config, address: str) -> PersonData | None:
    """What is stored about ``address``; None when nothing is. Raises ``ValueError`` for an unusable address."""
    key, _ = normalise_email(address)
    with engine.connect() as conn:
        row = conn.execute(select(subscribers).where(subscribers.c.email == key)).first()
        sid = int(row.id) if row is not None else None
        sent = email_deliveries_of(conn, sid, key)
        sections = {"memberships": _memberships(conn, sid), "consents": _consents(conn, sid), "suppressions": _suppressions(conn, key),
                    "deliveries": [_delivery(d, events) for d, events in sent], "clicks": _clicks(conn, [d.id for d, _ in sent]),
                    "inbound": _inbound(conn, key, [d.id for d, _ in sent]), "audit": _audit(conn, key)}
        profile = _profile(conn, config, row) if row is not None else None
    if profile is None and not any(sections.values()):
        return None
    return PersonData(key, profile, sections)


def _profile(conn: Connection, config: Config, row: Any) -> dict[str, Any]:
    topics = [{"id": t, "label": config.topics.get(t, t)} for t in topics_of(conn, row.id)]
    return {"email": row.display_email, "name": row.name, "language": row.language, "country": row.country, "paused_until": row.paused_until,
            "topics": topics, "attributes": dict(row.attrs or {}), "created_at": row.created_at, "updated_at": row.updated_at}


def _memberships(conn: Connection, sid: int | None) -> list[dict[str, Any]]:
    if sid is None:
        return []
    q = select(memberships.c.list, memberships.c.status, memberships.c.source, memberships.c.updated_at).where(memberships.c.subscriber_id == sid)
    return [dict(r._mapping) for r in conn.execute(q.order_by(memberships.c.list))]


def _consents(conn: Connection, sid: int | None) -> list[dict[str, Any]]:
    if sid is None:
        return []
    return [{"list": r.list_name, "method": r.method.value, "requested_at": r.requested_at, "given_at": r.given_at, "ip": r.evidence.ip,
             "user_agent": r.evidence.user_agent, "form_version": r.evidence.form_version, "file": r.evidence.source_file,
             "row": r.evidence.source_row, "by": r.evidence.collected_by, "basis": r.evidence.basis,
             "topics": list(r.evidence.topics or ()), "withdrawn_at": r.withdrawn_at, "withdrawn_by": r.withdrawn_by} for r in records_of(conn, sid)]


def _suppressions(conn: Connection, key: str) -> list[dict[str, Any]]:
    q = select(suppressions.c.list, suppressions.c.reason, suppressions.c.detail, suppressions.c.created_at).where(suppressions.c.email == key)
    return [dict(r._mapping) for r in conn.execute(q.order_by(suppressions.c.created_at))]


def _delivery(d: Any, events: list[Any]) -> dict[str, Any]:
    return {"campaign": d.campaign, "step": d.step, "state": d.state.value, "attempts": d.attempts, "updated_at": d.updated_at,
            "detail": d.detail, "message_id": d.message_id,
            "events": [{"kind": e.kind.value, "detail": e.detail, "source": e.source, "at": e.occurred_at} for e in events]}


def _clicks(conn: Connection, delivery_ids: list[int]) -> list[dict[str, Any]]:
    q = (select(links.c.campaign, links.c.url, clicks.c.at, clicks.c.machine_reason).select_from(clicks.join(links))
         .where(clicks.c.delivery_id.in_(delivery_ids)).order_by(clicks.c.at, clicks.c.id))
    return [dict(r._mapping) for r in conn.execute(q)]


def _inbound(conn: Connection, key: str, delivery_ids: list[int]) -> list[dict[str, Any]]:
    q = (select(inbound_messages.c.id, inbound_messages.c.received_at, inbound_messages.c.source, inbound_messages.c.kind,
                inbound_messages.c.reason, inbound_messages.c.status, inbound_messages.c.action, inbound_messages.c.undone_at)
         .where(or_(inbound_messages.c.address == key, inbound_messages.c.delivery_id.in_(delivery_ids))).order_by(inbound_messages.c.id))
    return [dict(r._mapping) for r in conn.execute(q)]


def _audit(conn: Connection, key: str) -> list[dict[str, Any]]:
    q = select(audit.c.at, audit.c.action, audit.c.list, audit.c.source, audit.c.detail).where(audit.c.email == key).order_by(audit.c.id)
    return [dict(r._mapping) for r in conn.execute(q)]


# -- the right to be forgotten -------------------------------------------------------------------------

@dataclass(frozen=True)
class Forgotten:
    """What forgetting a person changed."""

    subscriber: bool
    deliveries: int
    inbound: int
    audit: int
    suppressions: int


def scrubber(*words: str | None) -> Callable[[str | None], str | None]:
    """A function taking each of ``words`` (any case) out of a text; words under 3 characters are left (they would hit anything)."""
    kept = sorted({w for w in words if w and len(w) >= 3}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in kept), re.IGNORECASE) if kept else None

    def scrub(text: str | None) -> str | None:
        return pattern.sub(SCRUBBED, text) if pattern is not None and text else text

    return scrub


def forget(engine: Engine, config: Config, address: str, source: str = "cli") -> Forgotten | None:
    """Erase everything about ``address`` but its keyed mark in the suppression list; None when nothing was stored."""
    key, _ = normalise_email(address)
    if person_data(engine, config, address) is None:
        return None
    new_mark = mark(keyring(config, engine).keys[-1], key)
    with engine.begin() as conn:
        row = conn.execute(select(subscribers.c.id, subscribers.c.display_email, subscribers.c.name, subscribers.c.token_key)
                           .where(subscribers.c.email == key).with_for_update()).first()
        _refuse_while_sending(conn, row.id if row else None, key)
        scrub = scrubber(key, row.display_email if row else None, row.name if row else None)
        ids = forget_recipient_in(conn, row.id if row else None, key, scrub)
        inbound = _forget_inbound(conn, key, ids, scrub)
        audited = _forget_audit(conn, key, scrub)
        lifted = conn.execute(delete(suppressions).where(suppressions.c.email == key)).rowcount
        _scrub_suppressions(conn, key, scrub)
        if row is not None:
            _delete_subscriber(conn, row.id, row.token_key)
        insert_ignore(conn, suppressions, [{"email": new_mark, "list": ALL_LISTS, "reason": FORGOTTEN, "detail": None, "created_at": now()}],
                      ["email", "list"])
        conn.execute(insert(audit), [{"at": now(), "action": FORGOTTEN, "email": None, "list": ALL_LISTS, "source": source,
                                      "detail": f"{len(ids)} deliveries made anonymous, {inbound} inbound messages cleared"}])
    return Forgotten(row is not None, len(ids), inbound, audited, lifted)


def _refuse_while_sending(conn: Connection, subscriber_id: int | None, key: str) -> None:
    """A message to them in flight would write the relay's reply (which quotes the address) after the erasure."""
    sending = [d.campaign for d, _ in email_deliveries_of(conn, subscriber_id, key) if d.state is DeliveryState.SENDING]
    if sending:
        raise SubscriberError(f"a message of campaign '{sending[0]}' is being sent to this address right now; "
                              "nothing was done: run forget again once that send has finished")


def _delete_subscriber(conn: Connection, sid: int, token_key: str) -> None:
    # each table named, not left to ON DELETE CASCADE: an SQLite connection without foreign keys on would keep them
    conn.execute(delete(outgoing_mail).where(outgoing_mail.c.token_key == token_key))
    for table in (consents, subscriber_topics, memberships):
        conn.execute(delete(table).where(table.c.subscriber_id == sid))
    conn.execute(delete(subscribers).where(subscribers.c.id == sid))


def _forget_inbound(conn: Connection, key: str, delivery_ids: list[int], scrub: Callable[[str | None], str | None]) -> int:
    """Clear the inbound messages about the person: by address, by delivery, or carrying the address anywhere in the raw mail."""
    needle, hits, last = key.encode("utf-8"), set(), 0
    while True:  # the raw mail of every message is searched, a page at a time
        page = conn.execute(select(inbound_messages.c.id, inbound_messages.c.address, inbound_messages.c.delivery_id, inbound_messages.c.raw)
                            .where(inbound_messages.c.id > last).order_by(inbound_messages.c.id).limit(_CHUNK)).all()
        if not page:
            break
        hits |= {r.id for r in page if r.address == key or r.delivery_id in delivery_ids or needle in bytes(r.raw).lower()}
        last = page[-1].id
    for r in conn.execute(select(inbound_messages.c.id, inbound_messages.c.reason, inbound_messages.c.action, inbound_messages.c.effects)
                          .where(inbound_messages.c.id.in_(sorted(hits)))).all():
        effects = json.loads(scrub(json.dumps(r.effects, ensure_ascii=False)) or "null") if r.effects else r.effects
        conn.execute(update(inbound_messages).where(inbound_messages.c.id == r.id).values(
            address=None, raw=b"", reason=scrub(r.reason) or "", action=scrub(r.action) or "", effects=effects))
    return len(hits)


def _forget_audit(conn: Connection, key: str, scrub: Callable[[str | None], str | None]) -> int:
    """Audit rows keep what happened and when, never to whom: the address leaves the email column and every detail."""
    rows = conn.execute(select(audit.c.id, audit.c.email, audit.c.detail)
                        .where(or_(audit.c.email == key, func.lower(audit.c.detail).contains(key, autoescape=True)))).all()
    for r in rows:  # a row about someone else that mentions the address keeps its own address
        conn.execute(update(audit).where(audit.c.id == r.id).values(email=None if r.email == key else r.email, detail=scrub(r.detail)))
    return len(rows)


def _scrub_suppressions(conn: Connection, key: str, scrub: Callable[[str | None], str | None]) -> None:
    """Another address's suppression whose detail names the person keeps its row, without the name."""
    rows = conn.execute(select(suppressions.c.email, suppressions.c.list, suppressions.c.detail)
                        .where(func.lower(suppressions.c.detail).contains(key, autoescape=True))).all()
    for r in rows:
        conn.execute(update(suppressions).where(suppressions.c.email == r.email, suppressions.c.list == r.list).values(detail=scrub(r.detail)))
