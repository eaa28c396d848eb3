"""Subscription changes a subscriber makes themselves: sign up, confirm, unsubscribe, resubscribe.

Each change is one transaction with its audit row. Unsubscribing writes the
suppression row (what every send checks) and marks the membership. Inserts
that two simultaneous requests could both make are ``ON CONFLICT`` statements,
so a double click is never a unique violation.

A sign-up never sends mail itself: it queues a row in ``outgoing_mail`` (or
records why none is needed) and the web server's worker sends it. Every
sign-up does the same statements whatever the address's state, so neither the
answer nor its timing tells whether an address is subscribed.

Consent (:mod:`outreach.store.consent`): a sign-up keeps a pending double opt-in
record (the form's version, and the topics asked for); the
confirmation completes it with its time, client address and user agent, and only
then are the topics followed, so nobody can change another person's topics by
typing their address into the form. Every unsubscribe withdraws the list's
consent with its source; records are never deleted here. A resubscribe is a new
record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection, Sequence

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update

from ..text import clean_line
from . import consent
from .db import now
from .profile import add_topics
from .schema import audit, consents, memberships, outgoing_mail, subscribers, suppressions
from .subscribers import ALL_LISTS, MAX_NAME, normalise_email, suppress, unsuppress
from .upsert import insert_ignore, upsert_row

# Confirmation mails per address: at most one per 10 minutes and five per day.
CONFIRM_EVERY = timedelta(minutes=10)
CONFIRM_PER_DAY = 5
CONFIRM_PER_DAY_WINDOW = timedelta(days=1)
# Queue rows in a final state are kept this long (the per-day limit counts them), then deleted.
KEEP_SENT = timedelta(days=2)
SENT_STATES = ("queued", "sending", "sent", "unknown", "failed")
# A pending double opt-in's basis; the topics asked for are kept beside it (consents.topics) for the confirmation.
SIGN_UP_BASIS = "sign-up form"
# How long after a sign-up its confirmation link may be signed and still be that sign-up's (token times are whole seconds).
LINK_AFTER_REQUEST = timedelta(seconds=2)


def _by_key(conn: Connection, subscriber_key: str, lock: bool = False) -> Row | None:
    """The subscriber row a signed link names (by its random key, never its reusable id); ``lock``: FOR UPDATE."""
    q = select(subscribers.c.id, subscribers.c.email, subscribers.c.display_email, subscribers.c.name).where(subscribers.c.token_key == subscriber_key)
    return conn.execute(q.with_for_update() if lock else q).first()


def subscriber(engine: Engine, subscriber_key: str) -> dict | None:
    """The subscriber's id, address and name, if they still exist."""
    with engine.connect() as conn:
        row = _by_key(conn, subscriber_key)
    return dict(row._mapping) if row else None


def membership_status(engine: Engine, subscriber_key: str, list_name: str) -> str | None:
    """active | pending | unsubscribed | None."""
    with engine.connect() as conn:
        return conn.execute(select(memberships.c.status).select_from(memberships.join(subscribers))
                            .where(subscribers.c.token_key == subscriber_key, memberships.c.list == list_name)).scalar_one_or_none()


def _set_membership(conn: Connection, subscriber_id: int, list_name: str, status: str, source: str) -> None:
    upsert_row(conn, memberships, {"subscriber_id": subscriber_id, "list": list_name, "status": status, "source": source, "updated_at": now()},
           ["subscriber_id", "list"], ["status", "source", "updated_at"])


def unsubscribe(engine: Engine, subscriber_key: str, list_name: str, source: str) -> bool:
    """Stop every send of ``list_name`` to this subscriber at once; False if they no longer exist."""
    with engine.begin() as conn:
        return unsubscribe_in(conn, subscriber_key, list_name, source) is not None


def unsubscribe_in(conn: Connection, subscriber_key: str, list_name: str, source: str) -> str | None:
    """:func:`unsubscribe` inside the caller's transaction; the subscriber's address, or None if they no longer exist."""
    row = _by_key(conn, subscriber_key)
    if row is None:
        return None
    _leave(conn, row.id, row.email, list_name, source)
    return str(row.email)


def _leave(conn: Connection, subscriber_id: int, email: str, list_name: str, source: str) -> None:
    """Suppress the list for the address, mark the membership unsubscribed and withdraw its consent (kept as the record)."""
    suppress(conn, email, list_name, "unsubscribed", source)
    conn.execute(update(memberships).where(memberships.c.subscriber_id == subscriber_id, memberships.c.list == list_name)
                 .values(status="unsubscribed", source=source, updated_at=now()))
    consent.withdraw(conn, subscriber_id, list_name, source)


def unsubscribe_everywhere_in(conn: Connection, email: str, source: str, only: str | None = None) -> list[str]:
    """Unsubscribe ``email`` from every list it is active or pending on (or just ``only``); the lists it left, sorted.

    The memberships keep ``source`` as who changed them, so an undo can tell them from the subscriber's own choices;
    each list's consent is withdrawn with ``source`` as well.
    """
    key = email.strip().lower()
    sid = conn.execute(select(subscribers.c.id).where(subscribers.c.email == key)).scalar_one_or_none()
    if sid is None:
        return []
    q = select(memberships.c.list).where(memberships.c.subscriber_id == sid, memberships.c.status.in_(("active", "pending")))
    if only is not None:
        q = q.where(memberships.c.list == only)
    lists = sorted(conn.execute(q).scalars())
    for list_name in lists:
        _leave(conn, sid, key, list_name, source)
    return lists


def resubscribe_after_undo_in(conn: Connection, email: str, lists: list[str], changed_by: str, source: str) -> list[str]:
    """Put ``email`` back on the ``lists`` that ``changed_by`` took it off, where nobody changed them since; the lists restored."""
    key = email.strip().lower()
    sid = conn.execute(select(subscribers.c.id).where(subscribers.c.email == key)).scalar_one_or_none()
    if sid is None:
        return []
    restored = []
    for list_name in lists:
        n = conn.execute(update(memberships).where(memberships.c.subscriber_id == sid, memberships.c.list == list_name,
                                                   memberships.c.status == "unsubscribed", memberships.c.source == changed_by)
                         .values(status="active", source=source, updated_at=now())).rowcount
        if n:
            unsuppress(conn, key, list_name, source)
            _restore_consent(conn, sid, list_name, changed_by)
            restored.append(list_name)
    return restored


def _restore_consent(conn: Connection, subscriber_id: int, list_name: str, withdrawn_by: str) -> int:
    """Lift the withdrawal ``withdrawn_by`` made of the list's consent (it was wrongly taken as the person's wish); how many.

    One :func:`consent.withdraw` stamps all the records it withdraws with one time: the newest such time is that undone withdrawal.
    """
    mine = (consents.c.subscriber_id == subscriber_id, consents.c.list == list_name, consents.c.withdrawn_by == withdrawn_by[:20])
    last = conn.execute(select(func.max(consents.c.withdrawn_at)).where(*mine)).scalar_one_or_none()
    if last is None:
        return 0
    return conn.execute(update(consents).where(*mine, consents.c.withdrawn_at == last).values(withdrawn_at=None, withdrawn_by=None)).rowcount


def resubscribe(engine: Engine, subscriber_key: str, list_name: str, source: str, evidence: consent.Evidence | None = None) -> bool:
    """Undo an unsubscribe (never a bounce or complaint); a new consent record (method preferences: a signed link's page).

    A repeated resubscribe (a double click) on a list already active writes no second record.
    """
    with engine.begin() as conn:
        row = _by_key(conn, subscriber_key, lock=True)
        if row is None:
            return False
        status = conn.execute(select(memberships.c.status).where(memberships.c.subscriber_id == row.id, memberships.c.list == list_name)).scalar_one_or_none()
        unsuppress(conn, row.email, list_name, source)
        _set_membership(conn, row.id, list_name, "active", source)
        if status != "active":
            consent.record(conn, row.id, list_name, consent.ConsentMethod.PREFERENCES, evidence or consent.Evidence())
    return True


@dataclass(frozen=True)
class SignUp:
    """What a sign-up did (for the caller's logic; the web answer is the same for all of them)."""

    subscriber_key: str
    before: str  # new | pending | active | unsubscribed
    mail: str  # queued | throttled | not needed


def request_sign_up(engine: Engine, email: str, name: str | None, list_name: str, topics: Sequence[str] = (),
                    form_version: str | None = None) -> SignUp:
    """Record a sign-up and queue its confirmation mail, rate limited per address; raise ``ValueError`` for a bad address.

    The same statements run on every path (new, pending, active, unsubscribed,
    suppressed, throttled): only the values written differ, except that a request
    that mails no link (active, suppressed on every list, or throttled) writes no
    pending consent record, one small write (the timing tests in
    tests/hardening/test_signup.py measure the whole answer). ``topics`` (ids the
    caller checked against the config) are kept in the mailed link's own pending
    record and followed when that link is confirmed; ``form_version`` names the
    form's wording.
    """
    key, display = normalise_email(email)
    stamp = now()
    with engine.begin() as conn:
        insert_ignore(conn, subscribers, [{"email": key, "display_email": display, "name": clean_line(name or "", MAX_NAME) or None,
                                           "attrs": {}, "created_at": stamp, "updated_at": stamp}], ["email"])
        # the row lock makes simultaneous sign-ups of one address take turns, so the rate limit sees them all
        found = conn.execute(select(subscribers.c.id, subscribers.c.token_key).where(subscribers.c.email == key).with_for_update()).one()
        status = conn.execute(select(memberships.c.status).where(memberships.c.subscriber_id == found.id, memberships.c.list == list_name)).scalar_one_or_none()
        before = status or "new"
        insert_ignore(conn, memberships, [{"subscriber_id": found.id, "list": list_name, "status": "pending", "source": "web", "updated_at": stamp}],
                      ["subscriber_id", "list"])
        blocked = conn.execute(select(func.count()).select_from(suppressions).where(suppressions.c.email == key, suppressions.c.list == ALL_LISTS)).scalar_one()
        mail = "not needed" if status == "active" or blocked else _throttle(conn, found.token_key, stamp)
        if mail == "queued":  # a record per mailed link: a throttled request mails nothing, so it records nothing
            consent.record_pending(conn, found.id, list_name, consent.Evidence(form_version=form_version, basis=SIGN_UP_BASIS, topics=tuple(topics)))
        conn.execute(insert(outgoing_mail), [{"purpose": "confirm", "token_key": found.token_key, "list": list_name, "state": mail,
                                              "attempts": 0, "not_before": None, "created_at": stamp, "updated_at": stamp}])
        conn.execute(insert(audit), [{"at": stamp, "action": "subscribed", "email": key, "list": list_name, "source": "web",
                                      "detail": f"was {before}; confirmation {mail}"}])
    return SignUp(str(found.token_key), before, mail)


def _open_pending(conn: Connection, subscriber_id: int, list_name: str, issued_at: datetime | None = None) -> Row | None:
    """The double opt-in record of the list still waiting for the link issued at ``issued_at``.

    That is the newest one requested before the link was signed (token times are whole
    seconds, rounded down; the mail is signed after its request), so a later sign-up of the
    same address by someone else never changes what an earlier link confirms.
    """
    q = (select(consents.c.id, consents.c.topics)
         .where(consents.c.subscriber_id == subscriber_id, consents.c.list == list_name,
                consents.c.method == consent.ConsentMethod.DOUBLE_OPT_IN.value, consents.c.given_at.is_(None)))
    if issued_at is not None:
        q = q.where(consents.c.requested_at < issued_at + LINK_AFTER_REQUEST)
    return conn.execute(q.order_by(consents.c.id.desc()).limit(1)).first()


def _close_pending(conn: Connection, subscriber_id: int, list_name: str) -> None:
    """Once a link is confirmed, the list's other waiting requests are settled: their links confirm nothing new."""
    conn.execute(delete(consents).where(consents.c.subscriber_id == subscriber_id, consents.c.list == list_name,
                                        consents.c.method == consent.ConsentMethod.DOUBLE_OPT_IN.value, consents.c.given_at.is_(None)))


def _throttle(conn: Connection, token_key: str, stamp: datetime) -> str:
    """``queued``, or ``throttled`` when this address had a confirmation too recently or too often today."""
    recent = select(outgoing_mail.c.created_at).where(outgoing_mail.c.token_key == token_key, outgoing_mail.c.purpose == "confirm",
                                                      outgoing_mail.c.state.in_(SENT_STATES), outgoing_mail.c.created_at > stamp - CONFIRM_PER_DAY_WINDOW)
    times = conn.execute(recent).scalars().all()
    if len(times) >= CONFIRM_PER_DAY or any(t > stamp - CONFIRM_EVERY for t in times):
        return "throttled"
    return "queued"


def _left_since(conn: Connection, row: Row, list_name: str, issued_at: datetime) -> bool:
    """True when the subscriber left ``list_name`` after ``issued_at``, or was taken off it (so a link issued before cannot undo it)."""
    left = conn.execute(select(suppressions.c.created_at).where(suppressions.c.email == row.email, suppressions.c.list == list_name)).scalar_one_or_none()
    member = conn.execute(select(memberships.c.status, memberships.c.updated_at)
                          .where(memberships.c.subscriber_id == row.id, memberships.c.list == list_name)).first()
    if member is None:  # every sign-up leaves a membership: none means an administrator removed it since
        return True
    # token times are whole seconds, rounded down: an unsubscribe in the same second wins
    return (left is not None and left >= issued_at) or (member.status == "unsubscribed" and member.updated_at >= issued_at)


def confirm(engine: Engine, subscriber_key: str, list_name: str, issued_at: datetime | None = None, ip: str | None = None,
            user_agent: str | None = None, known_topics: Collection[str] = ()) -> str:
    """Activate a confirmed sign-up; return the resulting status.

    ``gone``: no such subscriber; ``suppressed``: bounced or complained (stays so);
    ``unsubscribed``: they unsubscribed after the link was issued, or were removed
    from the list (the later choice wins). Activating completes the pending consent
    record with ``ip`` (already truncated as configured) and ``user_agent``, and
    follows the topics it asked for that are still among ``known_topics``.
    """
    with engine.begin() as conn:
        row = _by_key(conn, subscriber_key, lock=True)  # a double click confirms once
        if row is None:
            return "gone"
        blocked = conn.execute(select(suppressions.c.reason).where(suppressions.c.email == row.email, suppressions.c.list == ALL_LISTS)).scalar_one_or_none()
        if blocked:
            return "suppressed"
        if issued_at is not None and _left_since(conn, row, list_name, issued_at):
            return "unsubscribed"
        status = conn.execute(select(memberships.c.status).where(memberships.c.subscriber_id == row.id, memberships.c.list == list_name)).scalar_one_or_none()
        waiting = _open_pending(conn, row.id, list_name, issued_at)
        unsuppress(conn, row.email, list_name, "web")  # confirming is an explicit new opt-in
        _set_membership(conn, row.id, list_name, "active", "web")
        added: list[str] = []
        if waiting is not None or status != "active":  # already active with nothing waiting: a repeat, no second record
            if waiting is not None:
                consent.complete(conn, waiting.id, ip, user_agent)
            else:  # a link from before records were kept
                consent.record(conn, row.id, list_name, consent.ConsentMethod.DOUBLE_OPT_IN, consent.Evidence(ip=ip, user_agent=user_agent))
            _close_pending(conn, row.id, list_name)
            added = add_topics(conn, row.id, [t for t in ((waiting.topics or []) if waiting else []) if t in known_topics])
        conn.execute(insert(audit), [{"at": now(), "action": "confirmed", "email": row.email, "list": list_name, "source": "web",
                                      "detail": f"topics added: {', '.join(added)}" if added else None}])
    return "active"


@dataclass(frozen=True)
class QueuedMail:
    """A claimed confirmation mail, with the address looked up at send time."""

    id: int
    subscriber_key: str
    email: str
    list_name: str
    attempts: int


def claim_due_mail(engine: Engine, limit: int = 20) -> list[QueuedMail]:
    """Claim up to ``limit`` due queued mails (queued -> sending, one conditional update each)."""
    stamp = now()
    claimed: list[QueuedMail] = []
    with engine.begin() as conn:
        rows = conn.execute(select(outgoing_mail.c.id, outgoing_mail.c.token_key, outgoing_mail.c.list, outgoing_mail.c.attempts, subscribers.c.display_email)
                            .select_from(outgoing_mail.join(subscribers, subscribers.c.token_key == outgoing_mail.c.token_key))
                            .where(outgoing_mail.c.state == "queued", (outgoing_mail.c.not_before.is_(None)) | (outgoing_mail.c.not_before <= stamp))
                            .order_by(outgoing_mail.c.id).limit(limit)).all()
        for r in rows:
            taken = conn.execute(update(outgoing_mail).where(outgoing_mail.c.id == r.id, outgoing_mail.c.state == "queued")
                                 .values(state="sending", attempts=r.attempts + 1, updated_at=stamp)).rowcount
            if taken:
                claimed.append(QueuedMail(r.id, r.token_key, r.display_email, r.list, r.attempts + 1))
    return claimed


def finish_mail(engine: Engine, mail_id: int, state: str, retry_at: datetime | None = None) -> None:
    """Record a send's outcome: ``sent``, ``unknown``, ``failed``, or ``queued`` again with ``retry_at``."""
    with engine.begin() as conn:
        conn.execute(update(outgoing_mail).where(outgoing_mail.c.id == mail_id).values(state=state, not_before=retry_at, updated_at=now()))


def recover_mail(engine: Engine, stale: timedelta = timedelta(minutes=10)) -> None:
    """Requeue mails left ``sending`` by a server that died; delete final rows older than :data:`KEEP_SENT`."""
    stamp = now()
    with engine.begin() as conn:
        conn.execute(update(outgoing_mail).where(outgoing_mail.c.state == "sending", outgoing_mail.c.updated_at < stamp - stale)
                     .values(state="queued", updated_at=stamp))
        conn.execute(delete(outgoing_mail).where(outgoing_mail.c.state != "queued", outgoing_mail.c.state != "sending",
                                                 outgoing_mail.c.created_at < stamp - KEEP_SENT))
