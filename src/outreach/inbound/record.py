"""Recording what came back: find the delivery, apply what follows from the kind, keep the message.

Every path (SMTP/LMTP receiver, IMAP poller, ESP webhooks, ``outreach inbound --file``)
hands classified messages to :func:`record_many`. A batch is one transaction: the
rows are inserted first, so a receipt already kept (a replay, or another receiver
with the same message at the same moment) fails on the unique key before any effect,
and :class:`AlreadyRecorded` is raised with nothing written.

Finding the delivery: a VERP token whose signature verifies (a forged one is ignored
and noted, never trusted; a token naming a row sent to another address still wins:
the mail was forwarded); else the quoted Message-ID; else, for ESP events only, the
address's newest send (a bare address in a mail could be anybody's backscatter).

What follows, by kind: a hard bounce suppresses on every list; a soft bounce does
when the address has soft bounces on ``soft_bounce_limit`` of its last
``soft_bounce_window`` sends; a complaint suppresses and unsubscribes from every
list; a mailto unsubscribe with a valid token unsubscribes from the token's list; an
ESP unsubscribe without a token only when its delivery was identified by token or
Message-ID (its step's list), never from a bare address; an auto-reply or unknown
mail is only kept. Each row says in ``action`` what was done and keeps in
``effects`` what :func:`undo` has to reverse.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ..config import Config
from ..errors import OutreachError
from ..store import inbound_store as store
from ..store.db import now
from ..store.delivery import Delivery, EventKind
from ..store.guard import database_guard
from ..store.late_events import FORGOTTEN_TARGET, record_bounce_in, record_complaint_in, record_unsubscribed_in, record_undone_in
from ..store.ledger_queries import delivery_in, find_by_message_id_in, latest_on_list, latest_sent_email, list_of, soft_bounced_sends
from ..store.membership import resubscribe_after_undo_in, unsubscribe_everywhere_in, unsubscribe_in
from ..store.privacy import is_forgotten
from ..store.privacy import keyring as forget_keyring
from ..store.schema import audit
from ..store.subscribers import ALL_LISTS, MAX_ADDRESS, is_suppressed, lift, normalise_email, suppress
from ..text import clean_line
from ..tokens import BadToken, Keyring, read_return_token, read_token
from .events import InboundKind, InboundMessage, InboundSource

ESP_SOURCES = (InboundSource.SES, InboundSource.POSTMARK, InboundSource.MAILGUN, InboundSource.SENDGRID)
MAX_RECEIPT = 255
EVENT_OF = {InboundKind.HARD_BOUNCE: EventKind.BOUNCED_HARD, InboundKind.SOFT_BOUNCE: EventKind.BOUNCED_SOFT,
            InboundKind.COMPLAINT: EventKind.COMPLAINED, InboundKind.UNSUBSCRIBE: EventKind.UNSUBSCRIBED}


class AlreadyRecorded(OutreachError):
    """A message with this receipt is already kept: a replay, or another receiver got it first. Nothing was written."""


@dataclass(frozen=True)
class Recorded:
    """What recording one message did."""

    id: int
    kind: InboundKind
    delivery_id: int | None
    address: str | None
    action: str
    effects: dict[str, Any]


@dataclass(frozen=True)
class _Found:
    """The delivery a message is about, and how it was found (``token``, ``message-id``, ``address``)."""

    delivery: Delivery | None
    how: str
    notes: tuple[str, ...]


def stored_receipt(external_id: str) -> str:
    """The unique key kept for an external id: itself, or a digest when it is longer than the column or not ASCII."""
    if len(external_id) <= MAX_RECEIPT and external_id.isascii():
        return external_id
    return "sha256:" + hashlib.sha256(external_id.encode("utf-8", "surrogatepass")).hexdigest()


def receipt_of(message: InboundMessage) -> str | None:
    """The unique key kept for a message (see :func:`stored_receipt`)."""
    return stored_receipt(message.external_id) if message.external_id else None


def _address(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalise_email(raw)[0]
    except ValueError:
        return clean_line(raw, MAX_ADDRESS).lower() or None


def _pending(config: Config, m: InboundMessage) -> store.NewInbound:
    c = m.classification
    return store.NewInbound(received_at=m.received_at, source=m.source.value, kind=c.kind.value, reason=clean_line(c.reason or "", 2000),
                            status=clean_line(c.status, 16) if c.status else None, address=_address(c.address), receipt=receipt_of(m),
                            raw=bytes(m.raw[: config.inbound.max_raw_bytes]), raw_size=len(m.raw))


def record(engine: Engine, config: Config, keys: Keyring, message: InboundMessage) -> Recorded:
    """Record one message (see :func:`record_many`)."""
    return record_many(engine, config, keys, [message])[0]


def record_many(engine: Engine, config: Config, keys: Keyring, messages: Sequence[InboundMessage]) -> list[Recorded]:
    """Keep ``messages`` and apply what follows from each, in one transaction; raise :class:`AlreadyRecorded` on a known receipt."""
    pending = [_pending(config, m) for m in messages]
    receipts = [p.receipt for p in pending if p.receipt]
    repeated = sorted({r for r in receipts if receipts.count(r) > 1})
    if repeated:
        raise AlreadyRecorded(f"the same receipt twice in one batch: {clean_line(repeated[0], 80)}")
    with database_guard(engine, "recording inbound mail"):
        forgotten = forget_keyring(config, engine)  # before the transaction: it may write its key on first use
        try:
            with engine.begin() as conn:
                ids = store.insert_pending(conn, pending)  # first: the receipt's unique key settles a race before any effect
                return [_apply(conn, config, keys, forgotten, i, m) for i, m in zip(ids, messages)]
        except IntegrityError:
            known = store.existing_receipts(engine, receipts)
            if known:
                raise AlreadyRecorded(f"already recorded: {clean_line(known[0], 80)}") from None
            raise


def _find(conn: Connection, keys: Keyring, m: InboundMessage) -> _Found:
    """The delivery ``m`` is about: a verified VERP token, the quoted Message-ID, or (ESP events) the address's newest send."""
    c, notes = m.classification, []
    for token in c.verp_tokens:
        try:
            delivery_id = read_return_token(keys, token)
        except BadToken:
            notes.append("a VERP token that does not verify was ignored")
            continue
        found = delivery_in(conn, delivery_id)
        if found is None or found.is_post:
            notes.append(f"the VERP token names delivery {delivery_id}, which is not an email in the ledger")
            continue
        address = _address(c.address)
        if address and address != found.target:
            notes.append(f"the VERP token names a send to {found.target}, the message names {address} (forwarded?)")
        return _Found(found, "token", tuple(notes))
    if c.original_message_id and (found := find_by_message_id_in(conn, c.original_message_id)) is not None:
        return _Found(found, "message-id", tuple(notes))
    address = _address(c.address)
    if m.source in ESP_SOURCES and address and (found := latest_sent_email(conn, address)) is not None:
        return _Found(found, "address", tuple(notes))
    return _Found(None, "", tuple(notes))


def _apply(conn: Connection, config: Config, keys: Keyring, forgotten: Keyring, inbound_id: int, m: InboundMessage) -> Recorded:
    found = _find(conn, keys, m)
    d, c = found.delivery, m.classification
    address = d.target if d is not None else _address(c.address)
    if _about_forgotten(conn, forgotten, d, address):
        store.clear_content(conn, inbound_id, FORGOTTEN_REASON)
        line = f"kept ({c.kind.value}) without its content: it is about a person who was forgotten; nothing done"
        store.complete(conn, inbound_id, address=None, delivery_id=d.id if d else None, action=line, effects={})
        return Recorded(inbound_id, c.kind, d.id if d else None, None, line, {})
    effects: dict[str, Any] = {}
    if c.kind is InboundKind.UNSUBSCRIBE:
        action, d, address = _unsubscribe(conn, config, keys, m, found, effects)
    elif d is None:
        action = f"kept ({c.kind.value}): no delivery found, nothing done" if c.kind in EVENT_OF else f"kept ({c.kind.value}): nothing done"
    elif c.kind is InboundKind.HARD_BOUNCE:
        action = _hard(conn, inbound_id, m, d, effects)
    elif c.kind is InboundKind.SOFT_BOUNCE:
        action = _soft(conn, config, inbound_id, m, d, effects)
    elif c.kind is InboundKind.COMPLAINT:
        action = _complaint(conn, inbound_id, m, d, effects)
    else:
        action = f"kept ({c.kind.value}), linked to delivery {d.id}: nothing done"
    line = "; ".join([action, *found.notes])
    store.complete(conn, inbound_id, address=address, delivery_id=d.id if d else None, action=line, effects=effects)
    return Recorded(inbound_id, c.kind, d.id if d else None, address, line, effects)


FORGOTTEN_REASON = "about a person who was forgotten (subscribers forget)"


def _about_forgotten(conn: Connection, forgotten: Keyring, d: Delivery | None, address: str | None) -> bool:
    """A late message for a delivery made anonymous, or naming an address that was forgotten: its content is not kept."""
    if d is not None and d.part is None and d.target.startswith(FORGOTTEN_TARGET):
        return True
    return d is None and address is not None and is_forgotten(conn, forgotten, address)


def _suppression_effects(conn: Connection, inbound_id: int, address: str, effects: dict[str, Any]) -> bool:
    """Note, before suppressing, whether the address was suppressed by something other than a standing inbound message."""
    before = is_suppressed(conn, address, ALL_LISTS)
    effects["suppressed"] = [address]
    effects["prior"] = before and not store.standing_suppressors(conn, address, excluding=inbound_id)
    return before


def _hard(conn: Connection, inbound_id: int, m: InboundMessage, d: Delivery, effects: dict[str, Any]) -> str:
    before = _suppression_effects(conn, inbound_id, d.target, effects)
    record_bounce_in(conn, d.id, hard=True, detail=m.classification.reason, source=m.source.value)  # suppresses on every list
    effects["event"] = EventKind.BOUNCED_HARD.value
    return f"{d.target} was already suppressed on every list; hard bounce kept" if before else f"suppressed {d.target} on every list (hard bounce)"


def _soft(conn: Connection, config: Config, inbound_id: int, m: InboundMessage, d: Delivery, effects: dict[str, Any]) -> str:
    limit, window = config.inbound.soft_bounce_limit, config.inbound.soft_bounce_window
    record_bounce_in(conn, d.id, hard=False, detail=m.classification.reason, source=m.source.value)
    effects["event"] = EventKind.BOUNCED_SOFT.value
    n = soft_bounced_sends(conn, d.target, window)
    if n < limit:
        return f"soft bounce kept: {n} of the last {window} sends to {d.target} soft-bounced ({limit} suppress)"
    detail = f"{n} soft bounces in the last {window} sends"
    before = _suppression_effects(conn, inbound_id, d.target, effects)
    suppress(conn, d.target, ALL_LISTS, "bounced", m.source.value, detail)
    return f"{d.target} was already suppressed; {detail}" if before else f"suppressed {d.target} on every list ({detail})"


def _complaint(conn: Connection, inbound_id: int, m: InboundMessage, d: Delivery, effects: dict[str, Any]) -> str:
    before = _suppression_effects(conn, inbound_id, d.target, effects)
    record_complaint_in(conn, d.id, detail=m.classification.reason, source=m.source.value)  # suppresses on every list
    effects["event"] = EventKind.COMPLAINED.value
    lists = unsubscribe_everywhere_in(conn, d.target, "complaint")
    effects["unsubscribed"] = lists
    left = f"unsubscribed from {', '.join(lists)}" if lists else "on no list"
    return f"{d.target} {'was already suppressed' if before else 'suppressed on every list'} and {left} (complaint)"


def _unsubscribe(conn: Connection, config: Config, keys: Keyring, m: InboundMessage, found: _Found,
                 effects: dict[str, Any]) -> tuple[str, Delivery | None, str | None]:
    """A mailto unsubscribe (token in the subject), or an ESP unsubscribe event; the action, the delivery and the address."""
    c, d = m.classification, found.delivery
    if c.unsubscribe_token:
        try:
            claims = read_token(keys, "unsubscribe", c.unsubscribe_token, config.email.token_max_age_days)
        except BadToken:
            return "token invalid: nothing done", d, d.target if d else _address(c.address)
        email = unsubscribe_in(conn, claims.subscriber_key, claims.list_name, "mailto")
        if email is None:
            return "the token's subscriber no longer exists: nothing done", d, d.target if d else None
        list_name, lists = claims.list_name, [claims.list_name]
        if d is None or d.target != email or list_of(conn, d) != list_name:
            d = latest_on_list(conn, email, list_name)
    else:
        if d is None or found.how == "address" or (list_name := list_of(conn, d)) is None:
            return "unsubscribe without a token or a known send: the list is unknown, nothing done", d, d.target if d else _address(c.address)
        email, lists = d.target, unsubscribe_everywhere_in(conn, d.target, m.source.value, only=list_name)
    effects["unsubscribed"] = lists
    if d is not None:
        record_unsubscribed_in(conn, d.id, detail=f"unsubscribed from {list_name} by {m.source.value}", source=m.source.value)
        effects["event"] = EventKind.UNSUBSCRIBED.value
    return f"unsubscribed {email} from {list_name} ({m.source.value})", d, email


# -- undo -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Undone:
    """What an undo did, in one line."""

    id: int
    action: str


def undo(engine: Engine, inbound_id: int, by: str) -> Undone:
    """Lift what a kept message applied; the original event stays, an ``undone`` event and an audit row are added.

    The all-lists suppression is lifted unless another kept message that is not undone
    also suppressed the address, or the address was suppressed before this message
    came (by a person, or at send time). Lists a complaint unsubscribed from are
    re-subscribed where nobody changed them since. A subscriber's own unsubscribe is
    not undone. Raises :class:`OutreachError` for an unknown id, a second undo, or a
    message that changed nothing.
    """
    by = clean_line(by, 200) or "cli"
    with engine.begin() as conn:
        row = store.get_in(conn, inbound_id)
        _check_undoable(row, inbound_id)
        assert row is not None
        if not store.mark_undone(conn, inbound_id, by):  # first: of two simultaneous undos, one wins
            raise OutreachError(f"inbound message {inbound_id} was already undone")
        done = _lift(conn, row, by)
        if row.delivery_id is not None and row.effects.get("event"):
            record_undone_in(conn, row.delivery_id, EventKind(row.effects["event"]), inbound_id, by)
        conn.execute(audit.insert(), [{"at": now(), "action": "undone", "email": row.address, "list": ALL_LISTS, "source": "cli",
                                       "detail": f"inbound message {inbound_id} ({row.kind}) by {by}: {done}"}])
        store.set_action(conn, inbound_id, f"{row.action}; undone by {by}: {done}")
    return Undone(inbound_id, done)


def _check_undoable(row: store.InboundRow | None, inbound_id: int) -> None:
    if row is None:
        raise OutreachError(f"no inbound message {inbound_id} (see 'outreach bounces list')")
    if row.undone_at is not None:
        raise OutreachError(f"inbound message {inbound_id} was already undone at {row.undone_at:%Y-%m-%d %H:%M} UTC by {clean_line(row.undone_by or '?')}")
    if row.kind == InboundKind.UNSUBSCRIBE:
        raise OutreachError(f"inbound message {inbound_id} is the subscriber's own unsubscribe: an undo does not re-subscribe them")
    if not row.effects.get("event") and not row.effects.get("suppressed"):
        raise OutreachError(f"inbound message {inbound_id} changed nothing ({row.kind}): nothing to undo")


def _lift(conn: Connection, row: store.InboundRow, by: str) -> str:
    """Reverse the row's effects where nothing else still stands behind them; one line saying what happened."""
    said, address = [], row.address or ""
    if row.effects.get("suppressed"):
        others = store.standing_suppressors(conn, address, excluding=row.id)
        if others:
            said.append(f"{address} stays suppressed (inbound message {', '.join(map(str, others))} also suppressed it)")
        elif row.effects.get("prior"):
            said.append(f"{address} stays suppressed (it was suppressed before this message)")
        else:
            n = lift(conn, address, ALL_LISTS, ("bounced", "complained"), "cli", f"undo of inbound message {row.id} by {by}")
            said.append(f"lifted the suppression of {address} on every list" if n else f"{address} was no longer suppressed")
    if row.kind == InboundKind.COMPLAINT and row.effects.get("unsubscribed"):
        back = resubscribe_after_undo_in(conn, address, list(row.effects["unsubscribed"]), "complaint", "undo")
        said.append(f"re-subscribed to {', '.join(back)}" if back else "no list re-subscribed (changed since)")
    if row.effects.get("event") == EventKind.BOUNCED_SOFT.value and not row.effects.get("suppressed"):
        said.append("the soft bounce no longer counts")
    return "; ".join(said) or "nothing left to lift"
