"""``outreach subscribers …``: import, list, count, export, remove, suppressed."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .base import command, err, out
from ..config import Config
from ..errors import SubscriberError
from ..store.db import open_db
from ..store.subscribers import count, import_csv, iter_members, remove, suppression_list
from ..display import cell, csv_safe, visible


def _known_list(config: Config, name: str) -> str:
    if name not in config.lists:
        raise SubscriberError(f"--list {name}: no such list in the config (known: {', '.join(sorted(config.lists))})")
    return name


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="add or update subscribers from a CSV (email, optional name, other columns as attributes)",
                         epilog="Example:\n  outreach subscribers import people.csv --list research", formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--list", required=True, dest="list_name")
    for name, helptext in (("list", "print a list's members"), ("count", "count a list's members by status"), ("export", "write a list as CSV to standard output")):
        sp = sub.add_parser(name, help=helptext, epilog=f"Example:\n  outreach subscribers {name} --list research", formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.add_argument("--list", required=True, dest="list_name")
        if name != "count":
            sp.add_argument("--status", choices=["active", "pending", "unsubscribed"])
    rm = sub.add_parser("remove", help="remove an address from a list (or from everything with --all)",
                        epilog="Example:\n  outreach subscribers remove ann@example.org --list research", formatter_class=argparse.RawDescriptionHelpFormatter)
    rm.add_argument("email")
    group = rm.add_mutually_exclusive_group(required=True)
    group.add_argument("--list", dest="list_name")
    group.add_argument("--all", action="store_true", help="delete the subscriber and every membership")
    sub.add_parser("suppressed", help="print the suppression list (unsubscribed, bounced, complained)",
                   epilog="Example:\n  outreach subscribers suppressed", formatter_class=argparse.RawDescriptionHelpFormatter)


@command("subscribers", _args)
def subscribers(args: argparse.Namespace, config: Config) -> int:
    """Dispatch to the subscriber action."""
    engine = open_db(config)
    if args.action == "import":
        report = import_csv(engine, args.file, _known_list(config, args.list_name))
        for row, value, reason in report.rejected:
            err(f"rejected: {args.file}:{row}: {visible(repr(value))}: {visible(reason)}")
        for row, first, address in report.merged:
            err(f"merged: {args.file}:{row}: {visible(address)} is the same address as row {first}")
        out(f"{args.file}: {report.total_rows} rows: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.rejected)} rejected, {len(report.merged)} merged duplicates")
        for row, column, note in report.notes:  # rows taken, but not exactly as written in the file
            err(f"changed: {args.file}:{row}: {column}: {note}")
        if report.suppressed:
            out(f"note: {report.suppressed} members of '{args.list_name}' are on the suppression list and will not be sent to")
        return 1 if report.rejected else 0
    if args.action == "count":
        counts = count(engine, _known_list(config, args.list_name))
        out(" ".join(f"{k}={v}" for k, v in counts.items()))
        return 0
    if args.action == "export":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["email", "name", "status"])
        for m in iter_members(engine, _known_list(config, args.list_name), args.status):
            writer.writerow([csv_safe(m["email"]), csv_safe(m["name"]), csv_safe(m["status"])])
        return 0
    if args.action == "list":
        table = Table("id", "email", "name", "status", title=cell(f"list {args.list_name}"))
        for m in iter_members(engine, _known_list(config, args.list_name), args.status):
            table.add_row(cell(m["id"]), cell(m["email"]), cell(m["name"]), cell(m["status"]))
        Console().print(table)
        return 0
    if args.action == "remove":
        try:
            n = remove(engine, args.email, None if args.all else args.list_name)
        except ValueError as exc:
            raise SubscriberError(f"{args.email}: {exc}") from None
        out(f"removed {visible(args.email)}" if n else f"{visible(args.email)} was not there")
        return 0 if n else 1
    table = Table("email", "list", "reason", "since", "detail", title="suppression list")
    for s in suppression_list(engine):
        table.add_row(cell(s["email"]), cell(s["list"]), cell(s["reason"]), cell(f"{s['created_at']:%Y-%m-%d %H:%M}"), cell(s["detail"]))
    Console().print(table)
    return 0
