"""The preference centre's changes: lists, topics, name, a pause, or leaving everything.

Each change is one transaction with its audit row (source ``preferences``). The
person is named by the random key in their signed link, never by a row id.
Joining a list here is a consent record of method ``preferences`` with the page's
client address, user agent and form version; leaving one withdraws its consent and
suppresses the address for that list, exactly like an unsubscribe. Names are not
written to the audit: it says that the name changed, not what it became.

:func:`request_link` queues a fresh link to the preference page in
``outgoing_mail`` (purpose ``preferences``) and does the same statements whether
or not the address is known, so neither the answer nor its timing tells.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from sqlalchemy import Connection, Engine, Row, insert, select, update

from ..text import clean_line
from . import consent, profile
from .db import now
from .membership import CONFIRM_EVERY, CONFIRM_PER_DAY, CONFIRM_PER_DAY_WINDOW, SENT_STATES, unsubscribe_everywhere_in, unsubscribe_in
from .schema import audit, memberships, outgoing_mail, subscribers, suppressions
from .subscribers import ALL_LISTS, MAX_NAME, normalise_email, unsuppress
from .upsert import upsert_row

SOURCE = "preferences"
PURPOSE = "preferences"  # outgoing_mail.purpose of a mailed preference link


@dataclass(frozen=True)
class Settings:
    """What the preference page shows about one person."""

    subscriber_id: int
    email: str
    display_email: str
    name: str | None
    topics: tuple[str, ...]
    paused_until: datetime | None
    lists: Mapping[str, str]  # list -> active | pending | unsubscribed (lists never joined are absent)
    blocked: bool  # bounced or complained: no list can be joined from here


@dataclass(frozen=True)
class ListChange:
    """What a lists form did."""

    joined: tuple[str, ...]
    left: tuple[str, ...]
    refused: tuple[str, ...]  # wanted, but the address bounced or complained


def _row(conn: Connection, key: str, lock: bool = False) -> Row | None:
    q = select(subscribers.c.id, subscribers.c.email, subscribers.c.display_email, subscribers.c.name,
               subscribers.c.paused_until).where(subscribers.c.token_key == key)
    return conn.execute(q.with_for_update() if lock else q).first()


def _blocked(conn: Connection, email: str) -> bool:
    return conn.execute(select(suppressions.c.reason).where(suppressions.c.email == email, suppressions.c.list == ALL_LISTS)).first() is not None


def _statuses(conn: Connection, subscriber_id: int) -> dict[str, str]:
    rows = conn.execute(select(memberships.c.list, memberships.c.status).where(memberships.c.subscriber_id == subscriber_id))
    return {str(r.list): str(r.status) for r in rows}


def _audit(conn: Connection, action: str, email: str, list_name: str | None = None, detail: str | None = None) -> None:
    conn.execute(insert(audit), [{"at": now(), "action": action, "email": email, "list": list_name, "source": SOURCE, "detail": detail}])


def settings(engine: Engine, key: str) -> Settings | None:
    """The person's lists, topics, name and pause; None when the link names nobody (any more)."""
    with engine.connect() as conn:
        row = _row(conn, key)
        if row is None:
            return None
        lists = _statuses(conn, row.id)
        return Settings(row.id, row.email, row.display_email, row.name, tuple(profile.topics_of(conn, row.id)), row.paused_until,
                        lists, _blocked(conn, row.email))


def save_lists(engine: Engine, key: str, wanted: Iterable[str], offered: Sequence[str], evidence: consent.Evidence) -> ListChange | None:
    """Be on exactly the ``wanted`` lists among ``offered``; None when the person no longer exists.

    Joining is a new consent record; leaving unsubscribes (suppression, consent withdrawn).
    """
    want = set(wanted) & set(offered)
    with engine.begin() as conn:
        row = _row(conn, key, lock=True)
        if row is None:
            return None
        held = _statuses(conn, row.id)
        blocked = _blocked(conn, row.email)
        joining = sorted(name for name in want if held.get(name) != "active")
        # a pending sign-up is not shown ticked (a pre-ticked box is no consent): leaving it unticked leaves it pending
        leaving = sorted(name for name in offered if name not in want and held.get(name) == "active")
        for name in ([] if blocked else joining):
            _join(conn, row, name, evidence)
        for name in leaving:
            unsubscribe_in(conn, key, name, SOURCE)  # suppresses, withdraws the list's consent, audits
    return ListChange(tuple([] if blocked else joining), tuple(leaving), tuple(joining if blocked else []))


def _join(conn: Connection, row: Row, list_name: str, evidence: consent.Evidence) -> None:
    unsuppress(conn, row.email, list_name, SOURCE)  # joining here is a new, explicit opt-in
    upsert_row(conn, memberships, {"subscriber_id": row.id, "list": list_name, "status": "active", "source": SOURCE, "updated_at": now()},
               ["subscriber_id", "list"], ["status", "source", "updated_at"])
    consent.record(conn, row.id, list_name, consent.ConsentMethod.PREFERENCES, evidence)
    _audit(conn, "subscribed", row.email, list_name)


def save_topics(engine: Engine, key: str, topics: Iterable[str]) -> tuple[list[str], list[str]] | None:
    """Follow exactly ``topics`` (already checked against the config); (added, removed), or None when gone."""
    with engine.begin() as conn:
        row = _row(conn, key, lock=True)
        if row is None:
            return None
        added, removed = profile.set_topics(conn, row.id, topics)
        if added or removed:
            detail = "; ".join(part for part in (f"added {', '.join(added)}" if added else "",
                                                 f"removed {', '.join(removed)}" if removed else "") if part)
            _audit(conn, "topics changed", row.email, detail=detail)
    return added, removed


def save_name(engine: Engine, key: str, name: str) -> bool:
    """Set the person's name (cleaned to one line; blank removes it); False when gone."""
    cleaned = clean_line(name, MAX_NAME) or None
    with engine.begin() as conn:
        row = _row(conn, key, lock=True)
        if row is None:
            return False
        if cleaned != row.name:
            conn.execute(update(subscribers).where(subscribers.c.id == row.id).values(name=cleaned, updated_at=now()))
            _audit(conn, "name changed", row.email, detail="removed" if cleaned is None else "changed")
    return True


def pause(engine: Engine, key: str, days: int | None) -> datetime | None | bool:
    """Pause campaign mail for ``days`` (None resumes); the new ``paused_until``, or False when gone."""
    until = now() + timedelta(days=days) if days else None
    with engine.begin() as conn:
        row = _row(conn, key, lock=True)
        if row is None:
            return False
        profile.pause(conn, row.id, until)
        if until is None:
            _audit(conn, "resumed", row.email)
        else:
            _audit(conn, "paused", row.email, detail=f"for {days} days, until {until:%Y-%m-%d %H:%M} UTC")
    return until


def leave_everything(engine: Engine, key: str) -> list[str] | None:
    """Unsubscribe from every list (consents withdrawn, records kept); the lists left, or None when gone."""
    with engine.begin() as conn:
        row = _row(conn, key, lock=True)
        if row is None:
            return None
        # suppresses each list, withdraws its consent (kept as the record) and audits it
        return unsubscribe_everywhere_in(conn, row.email, SOURCE)


def request_link(engine: Engine, email: str, offered: Sequence[str]) -> str:
    """Queue a fresh preference link for ``email``: ``queued``, ``throttled`` or ``unknown``.

    Raises ``ValueError`` for a malformed address. The link names one of the
    person's lists (a token always carries one), else the first ``offered`` list.
    """
    key, _ = normalise_email(email)
    stamp = now()
    with engine.begin() as conn:
        found = conn.execute(select(subscribers.c.id, subscribers.c.token_key).where(subscribers.c.email == key).with_for_update()).first()
        token_key = found.token_key if found else None
        held = conn.execute(select(memberships.c.list).where(memberships.c.subscriber_id == (found.id if found else -1))
                            .order_by(memberships.c.list)).scalars().all()
        state = _throttle(conn, token_key, stamp)
        list_name = next((name for name in held if name in offered), offered[0])
        if found is None:
            # the same round trips as a known address, writing nothing (no row may name a stranger's address)
            conn.execute(update(outgoing_mail).where(outgoing_mail.c.id == -1).values(updated_at=stamp))
            return "unknown"
        conn.execute(insert(outgoing_mail), [{"purpose": PURPOSE, "token_key": token_key, "list": list_name, "state": state,
                                              "attempts": 0, "not_before": None, "created_at": stamp, "updated_at": stamp}])
    return state


def _throttle(conn: Connection, token_key: str | None, stamp: datetime) -> str:
    """``queued``, or ``throttled`` when this address had a preference link too recently or too often today."""
    recent = select(outgoing_mail.c.created_at).where(outgoing_mail.c.token_key == (token_key or ""), outgoing_mail.c.purpose == PURPOSE,
                                                      outgoing_mail.c.state.in_(SENT_STATES), outgoing_mail.c.created_at > stamp - CONFIRM_PER_DAY_WINDOW)
    times = conn.execute(recent).scalars().all()
    if len(times) >= CONFIRM_PER_DAY or any(t > stamp - CONFIRM_EVERY for t in times):
        return "throttled"
    return "queued"


def mail_purposes(engine: Engine, ids: Sequence[int]) -> dict[int, str]:
    """The purpose (``confirm`` or ``preferences``) of each queued mail id."""
    if not ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(outgoing_mail.c.id, outgoing_mail.c.purpose).where(outgoing_mail.c.id.in_(list(ids))))
        return {int(r.id): str(r.purpose) for r in rows}
