"""``outreach bounces list|show ID|undo ID``: what came back, the original message, and lifting a wrong suppression.

Everything shown came from outside (a bounce's text, a webhook's JSON): each value
goes through :mod:`.display` / :func:`outreach.text.visible`, so no markup is read
and no control character reaches the terminal.
"""

from __future__ import annotations

import argparse
import json
import re

from rich.console import Console
from rich.table import Table

from .base import command, out
from ..config import Config
from ..errors import OutreachError
from ..inbound.events import InboundKind
from ..store.db import current_user, open_db
from ..store.inbound_store import InboundRow, get, recent
from ..store.ledger_queries import campaigns_of
from ..display import cell, visible


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return value


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="the newest inbound messages: bounces, complaints, auto-replies, unsubscribes by mail",
                        epilog="Example:\n  outreach bounces list --kind hard_bounce --limit 20", formatter_class=argparse.RawDescriptionHelpFormatter)
    ls.add_argument("--kind", choices=[k.value for k in InboundKind])
    ls.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N rows (default 50)")
    show = sub.add_parser("show", help="one inbound message: what it was read as, what was done, and the original",
                          epilog="Example:\n  outreach bounces show 12", formatter_class=argparse.RawDescriptionHelpFormatter)
    show.add_argument("id", type=_positive, metavar="ID")
    undo = sub.add_parser("undo", help="lift what one inbound message applied (the suppression, a complaint's unsubscribes)",
                          epilog="Example:\n  outreach bounces undo 12 --by ada", formatter_class=argparse.RawDescriptionHelpFormatter)
    undo.add_argument("id", type=_positive, metavar="ID")
    undo.add_argument("--by", default=None, metavar="NAME", help="who undoes it, for the audit (default: your login name)")


@command("bounces", _args)
def bounces(args: argparse.Namespace, config: Config) -> int:
    """List, show or undo inbound messages."""
    engine = open_db(config)
    if args.action == "list":
        return _list(engine, args.kind, args.limit)
    if args.action == "show":
        return _show(engine, args.id)
    from ..inbound.record import undo

    done = undo(engine, args.id, args.by or current_user())
    out(visible(f"inbound message {done.id}: {done.action}"))
    return 0


def _list(engine, kind: str | None, limit: int) -> int:  # type: ignore[no-untyped-def]
    rows = recent(engine, kind, limit)
    if not rows:
        out("nothing came back yet" if kind is None else f"no {kind} messages")
        return 0
    campaigns = campaigns_of(engine, [r.delivery_id for r in rows if r.delivery_id is not None])
    table = Table("id", "received", "source", "kind", "address", "campaign", "reason", "action", "undone", title="inbound messages")
    for r in rows:
        table.add_row(cell(r.id), cell(f"{r.received_at:%Y-%m-%d %H:%M}"), cell(r.source), cell(r.kind), cell(r.address or "-"),
                      cell(campaigns.get(r.delivery_id or 0, "-")), cell(r.reason), cell(r.action), cell(_undone(r) or "-"))
    Console(width=200).print(table)
    return 0


def _undone(r: InboundRow) -> str | None:
    return f"{r.undone_at:%Y-%m-%d %H:%M} by {r.undone_by}" if r.undone_at is not None else None


def _show(engine, inbound_id: int) -> int:  # type: ignore[no-untyped-def]
    r = get(engine, inbound_id)
    if r is None:
        raise OutreachError(f"no inbound message {inbound_id} (see 'outreach bounces list')")
    campaign = campaigns_of(engine, [r.delivery_id]).get(r.delivery_id) if r.delivery_id is not None else None
    fields = [("id", r.id), ("received", f"{r.received_at:%Y-%m-%d %H:%M:%S} UTC"), ("source", r.source), ("kind", r.kind),
              ("reason", r.reason), ("status", r.status or "-"), ("address", r.address or "-"), ("delivery", r.delivery_id or "-"),
              ("campaign", campaign or "-"), ("receipt", r.receipt or "-"), ("action", r.action), ("effects", json.dumps(r.effects, sort_keys=True, ensure_ascii=False) if r.effects else "-"),
              ("undone", _undone(r) or "no")]
    for name, value in fields:
        out(f"{name + ':':10} {visible(value)}")
    cut = f", cut to the first {len(r.raw)} bytes" if len(r.raw) < r.raw_size else ""
    out(f"--- original ({r.raw_size} bytes{cut}) ---")
    # our own line breaks; every other control character (a lone CR, ESC, bidi overrides) is shown escaped
    for line in re.split(r"\r?\n", r.raw.decode("utf-8", errors="replace")):
        out(visible(line))
    out("--- end ---")
    return 0
