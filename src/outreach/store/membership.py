"""Subscription changes a subscriber makes themselves: sign up, confirm, unsubscribe, resubscribe.

Each change is one transaction with its audit row. Unsubscribing writes the
suppression row (what every send checks) and marks the membership.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Row, insert, select, update

from .db import now
from .schema import audit, memberships, subscribers, suppressions
from .subscribers import ALL_LISTS, normalise_email, suppress, unsuppress


def _by_key(conn: Connection, subscriber_key: str) -> Row | None:
    """The subscriber row a signed link names (by its random key, never its reusable id)."""
    return conn.execute(select(subscribers.c.id, subscribers.c.email, subscribers.c.display_email, subscribers.c.name)
                        .where(subscribers.c.token_key == subscriber_key)).first()


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


def unsubscribe(engine: Engine, subscriber_key: str, list_name: str, source: str) -> bool:
    """Stop every send of ``list_name`` to this subscriber at once; False if they no longer exist."""
    with engine.begin() as conn:
        row = _by_key(conn, subscriber_key)
        if row is None:
            return False
        subscriber_id = row.id
        suppress(conn, row.email, list_name, "unsubscribed", source)
        conn.execute(update(memberships).where(memberships.c.subscriber_id == subscriber_id, memberships.c.list == list_name)
                     .values(status="unsubscribed", source=source, updated_at=now()))
    return True


def resubscribe(engine: Engine, subscriber_key: str, list_name: str, source: str) -> bool:
    """Undo an unsubscribe (never a bounce or complaint)."""
    with engine.begin() as conn:
        row = _by_key(conn, subscriber_key)
        if row is None:
            return False
        subscriber_id = row.id
        unsuppress(conn, row.email, list_name, source)
        updated = conn.execute(update(memberships).where(memberships.c.subscriber_id == subscriber_id, memberships.c.list == list_name)
                               .values(status="active", source=source, updated_at=now())).rowcount
        if not updated:
            conn.execute(insert(memberships), [{"subscriber_id": subscriber_id, "list": list_name, "status": "active", "source": source, "updated_at": now()}])
    return True


def sign_up(engine: Engine, email: str, name: str | None, list_name: str) -> tuple[str, str]:
    """Record a web sign-up as pending (or leave an existing membership alone); return (token key, status before)."""
    key, display = normalise_email(email)
    stamp = now()
    with engine.begin() as conn:
        found = conn.execute(select(subscribers.c.id, subscribers.c.token_key).where(subscribers.c.email == key)).first()
        if found is None:
            found = conn.execute(insert(subscribers).returning(subscribers.c.id, subscribers.c.token_key),
                                 [{"email": key, "display_email": display, "name": (name or None), "attrs": {}, "created_at": stamp, "updated_at": stamp}]).first()
        sid = found.id
        status = conn.execute(select(memberships.c.status).where(memberships.c.subscriber_id == sid, memberships.c.list == list_name)).scalar_one_or_none()
        if status is None:
            conn.execute(insert(memberships), [{"subscriber_id": sid, "list": list_name, "status": "pending", "source": "web", "updated_at": stamp}])
        conn.execute(insert(audit), [{"at": stamp, "action": "subscribed", "email": key, "list": list_name, "source": "web", "detail": f"was {status or 'new'}"}])
    return str(found.token_key), status or "new"


def confirm(engine: Engine, subscriber_key: str, list_name: str) -> str:
    """Activate a confirmed sign-up; return the resulting status (bounced or complained addresses stay suppressed)."""
    with engine.begin() as conn:
        row = _by_key(conn, subscriber_key)
        if row is None:
            return "gone"
        subscriber_id = row.id
        blocked = conn.execute(select(suppressions.c.reason).where(suppressions.c.email == row.email, suppressions.c.list == ALL_LISTS)).scalar_one_or_none()
        if blocked:
            return "suppressed"
        unsuppress(conn, row.email, list_name, "web")  # confirming is an explicit new opt-in
        updated = conn.execute(update(memberships).where(memberships.c.subscriber_id == subscriber_id, memberships.c.list == list_name)
                               .values(status="active", source="web", updated_at=now())).rowcount
        if not updated:
            conn.execute(insert(memberships), [{"subscriber_id": subscriber_id, "list": list_name, "status": "active", "source": "web", "updated_at": now()}])
        conn.execute(insert(audit), [{"at": now(), "action": "confirmed", "email": row.email, "list": list_name, "source": "web"}])
    return "active"
