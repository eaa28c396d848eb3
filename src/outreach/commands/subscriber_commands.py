"""``outreach subscribers …``: import, list, count, export, show, forget, remove, suppressed."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .base import command, err, out
from ..config import Config
from ..errors import SubscriberError
from ..store.db import open_db
from ..store.subscribers import ENCODINGS, count, import_csv, iter_members, remove, suppression_list
from ..display import cell, csv_safe, visible
from ..text import control_chars

_KINDS = {bool: "boolean", int: "number", float: "number"}
CONSENT_COLUMNS = ["email", "list", "method", "requested", "given", "ip", "user agent", "form version", "file", "row", "by", "basis",
                   "topics", "withdrawn", "withdrawn by"]


def _known_list(config: Config, name: str) -> str:
    if name not in config.lists:
        raise SubscriberError(f"--list {name}: no such list in the config (known: {', '.join(sorted(config.lists))})")
    return name


def _example(text: str) -> dict[str, Any]:
    return {"epilog": f"Example:\n  {text}", "formatter_class": argparse.RawDescriptionHelpFormatter}


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="add or update subscribers from a CSV (email, name, language, country, topics, other columns as attributes)",
                         **_example('outreach subscribers import people.csv --list research --consent "Asia seminar 2026 attendees who asked for updates"'))
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--list", required=True, dest="list_name")
    imp.add_argument("--consent", metavar="TEXT", help="on what basis the people in the file agreed to be mailed (kept in each consent record)")
    imp.add_argument("--encoding", choices=ENCODINGS, default="utf-8",
                     help="the file's character set: utf-8 (the default; a file that is not UTF-8 is refused, naming the first bad byte) "
                          "or cp1252 (Windows-1252, what Excel on Windows saves as 'CSV'; check the names after importing)")
    for name, helptext in (("list", "print a list's members"), ("count", "count a list's members by status")):
        sp = sub.add_parser(name, help=helptext, **_example(f"outreach subscribers {name} --list research"))
        sp.add_argument("--list", required=True, dest="list_name")
        if name != "count":
            sp.add_argument("--status", choices=["active", "pending", "unsubscribed"])
    ex = sub.add_parser("export", help="write a list as CSV to standard output, or (--consent) every consent record",
                        **_example("outreach subscribers export --list research\n  outreach subscribers export --consent > consent.csv"))
    ex.add_argument("--list", dest="list_name")
    ex.add_argument("--status", choices=["active", "pending", "unsubscribed"])
    ex.add_argument("--consent", action="store_true", help="every consent record (of --list only, when given)")
    show = sub.add_parser("show", help="everything stored about one person (the right of access)",
                          **_example("outreach subscribers show ann@example.org --json"))
    show.add_argument("email")
    show.add_argument("--json", action="store_true", help="as JSON on standard output")
    forget = sub.add_parser("forget", help="erase a person; only a keyed hash of the address stays, so no import adds them again",
                            **_example("outreach subscribers forget ann@example.org"))
    forget.add_argument("email")
    rm = sub.add_parser("remove", help="take an address off a list (or every list with --all); consent records are kept, withdrawn",
                        **_example("outreach subscribers remove ann@example.org --list research"))
    rm.add_argument("email")
    group = rm.add_mutually_exclusive_group(required=True)
    group.add_argument("--list", dest="list_name")
    group.add_argument("--all", action="store_true", help="every list (to erase the person, use: subscribers forget)")
    sub.add_parser("suppressed", help="print the suppression list (unsubscribed, bounced, complained, forgotten)",
                   **_example("outreach subscribers suppressed"))


@command("subscribers", _args)
def subscribers(args: argparse.Namespace, config: Config) -> int:
    """Dispatch to the subscriber action."""
    action = {"import": _import, "count": _count, "export": _export, "list": _list, "show": _show, "forget": _forget,
              "remove": _remove, "suppressed": _suppressed}[args.action]
    return action(args, config)


def _import(args: argparse.Namespace, config: Config) -> int:
    basis = (args.consent or "").strip()
    if not basis:
        raise SubscriberError('--consent is required: say on what basis the people in the file agreed to be mailed, '
                              'e.g. --consent "attendees of the 2026 Asia seminar who ticked \'send me updates\'"')
    if control_chars(basis):
        raise SubscriberError(f"--consent must be one line of plain text (found {', '.join(control_chars(basis))})")
    list_name = _known_list(config, args.list_name)
    report = import_csv(open_db(config), args.file, list_name, config=config, basis=basis, encoding=args.encoding)
    if args.encoding == "cp1252":
        out(f"{args.file}: read as Windows-1252 (--encoding cp1252): check that names with accents look right")
    out(f"{args.file}: columns:")
    for column in report.columns:
        out(f"  {visible(column.describe())}")
    for row, value, reason in report.rejected:
        err(f"rejected: {args.file}:{row}: {visible(repr(value))}: {visible(reason)}")
    for row, first, address, values in report.merged:
        same = f"{args.file}:{row}: {visible(repr(address))} is the same address as row {first}"
        err(f"not imported: {same}: this row's values were not imported ({visible(', '.join(values))})" if values
            else f"merged: {same} (the row has nothing else)")
    for row, column, reason in report.problems:  # values not taken; the rest of the row was
        err(f"not imported: {args.file}:{row}: {visible(column)}: {visible(reason)}")
    out(f"{args.file}: {report.total_rows} rows: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.rejected)} rejected, {len(report.merged)} merged duplicates; {report.consents} consent records, "
        f"{report.values_not_imported} values not imported")
    for row, column, note in report.notes:  # rows taken, but not exactly as written in the file
        err(f"changed: {args.file}:{row}: {visible(column)}: {note}")
    if report.suppressed:
        out(f"note: {report.suppressed} members of '{list_name}' are on the suppression list and will not be sent to")
    return 0 if report.complete else 1


def _count(args: argparse.Namespace, config: Config) -> int:
    counts = count(open_db(config), _known_list(config, args.list_name))
    out(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def _export(args: argparse.Namespace, config: Config) -> int:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if args.consent:
        from ..store.consent import iter_records

        list_name = _known_list(config, args.list_name) if args.list_name else None
        writer.writerow(CONSENT_COLUMNS)
        for email, r in iter_records(open_db(config)):
            if list_name is None or r.list_name == list_name:
                e = r.evidence
                writer.writerow([csv_safe(v) for v in (email, r.list_name, r.method.value, _time(r.requested_at), _time(r.given_at), e.ip,
                                                       e.user_agent, e.form_version, e.source_file, e.source_row, e.collected_by, e.basis,
                                                       " ".join(e.topics or ()), _time(r.withdrawn_at), r.withdrawn_by)])
        return 0
    if not args.list_name:
        raise SubscriberError("export: give --list NAME (the list's members) or --consent (every consent record)")
    writer.writerow(["email", "name", "status"])
    for m in iter_members(open_db(config), _known_list(config, args.list_name), args.status):
        writer.writerow([csv_safe(m["email"]), csv_safe(m["name"]), csv_safe(m["status"])])
    return 0


def _time(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _list(args: argparse.Namespace, config: Config) -> int:
    table = Table("id", "email", "name", "status", title=cell(f"list {args.list_name}"))
    for m in iter_members(open_db(config), _known_list(config, args.list_name), args.status):
        table.add_row(cell(m["id"]), cell(m["email"]), cell(m["name"]), cell(m["status"]))
    Console().print(table)
    return 0


def _show(args: argparse.Namespace, config: Config) -> int:
    from ..store.privacy import person_data

    data = _about(person_data, args, config)
    if data is None:
        err(f"{visible(args.email)}: nothing is stored about this address")
        return 1
    if args.json:
        out(json.dumps(data.as_json(), indent=2, ensure_ascii=False, sort_keys=True))
    else:
        _print_person(data)
    return 0


def _print_person(data: Any) -> None:
    """The person's data as plain lines (every stored value through ``visible``: no escape sequence reaches the terminal)."""
    out(f"address: {visible(data.address)}")
    profile = data.profile
    if profile is None:
        out("no subscriber row (the address is known only from the rows below)")
    else:
        for name in ("email", "name", "language", "country", "paused_until", "created_at", "updated_at"):
            out(f"{name.replace('_', ' ')}: {visible(_value(profile[name]))}")
        out("topics: " + (", ".join(visible(f"{t['id']} ({t['label']})") for t in profile["topics"]) or "none"))
        out("attributes:" + ("" if profile["attributes"] else " none"))
        for key, value in sorted(profile["attributes"].items()):
            out(f"  {visible(key)} = {visible(json.dumps(value, ensure_ascii=False))} ({_KINDS.get(type(value), 'text')})")
    for section, rows in data.sections.items():
        out(f"{section}: {len(rows)}")
        for row in rows:
            out("  " + "; ".join(f"{key}={visible(_value(value))}" for key, value in row.items() if key != "events" and value is not None))
            for event in row.get("events", []):
                out("    event: " + "; ".join(f"{key}={visible(_value(value))}" for key, value in event.items() if value is not None))


def _about(action: Any, args: argparse.Namespace, config: Config) -> Any:
    """``action(engine, config, address)``; a malformed address is a one-line error naming it."""
    try:
        return action(open_db(config), config, args.email)
    except ValueError as exc:
        raise SubscriberError(f"{visible(args.email)}: {exc}") from None


def _value(value: Any) -> str:
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


def _forget(args: argparse.Namespace, config: Config) -> int:
    from ..store.privacy import forget

    done = _about(forget, args, config)
    if done is None:
        err(f"{visible(args.email)}: nothing is stored about this address; nothing was done")
        return 1
    out(f"forgotten: {'the subscriber, ' if done.subscriber else ''}{done.deliveries} deliveries made anonymous, "
        f"{done.inbound} inbound messages cleared, {done.audit} audit rows without the address, {done.suppressions} suppressions lifted; "
        "a keyed hash of the address stays on the suppression list so no import adds it again")
    return 0


def _remove(args: argparse.Namespace, config: Config) -> int:
    try:
        n = remove(open_db(config), args.email, None if args.all else args.list_name)
    except ValueError as exc:
        raise SubscriberError(f"{args.email}: {exc}") from None
    out(f"removed {visible(args.email)}" if n else f"{visible(args.email)} was not there")
    return 0 if n else 1


def _suppressed(args: argparse.Namespace, config: Config) -> int:
    table = Table("email", "list", "reason", "since", "detail", title="suppression list")
    for s in suppression_list(open_db(config)):
        table.add_row(cell(s["email"]), cell(s["list"]), cell(s["reason"]), cell(f"{s['created_at']:%Y-%m-%d %H:%M}"), cell(s["detail"]))
    Console().print(table)
    return 0
