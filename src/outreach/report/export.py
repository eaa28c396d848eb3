"""The report as JSON (one document) and CSV (one row per number).

CSV columns: ``section,item,url,time,measure,value``:

- ``email,all,,,audience|sent|bounced_hard|bounced_soft|complaints|unsubscribes,N`` (and ``email,list NAME,,,audience,N``);
- ``clicks,link N,URL,,human|machine|unique_clickers,N`` and ``clicks,all,,,…`` (unique clickers only in individual mode);
- ``clicks_per_hour,all,,HOUR,human|machine,N`` (UTC, ISO 8601);
- ``post,CHANNEL step S part P,URL,TAKEN_AT,likes|reposts|replies|quotes|bookmarks|impressions|error,VALUE``.

Cells are made safe for spreadsheets (a leading ``=``, ``+``, ``-``, ``@`` is quoted) and
control characters are written as their escapes.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Any, Iterator, TextIO

from ..display import csv_safe
from .data import REACTIONS, Post, Report

CSV_HEADER = ("section", "item", "url", "time", "measure", "value")
Row = tuple[str, str, str, str, str, str]


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def as_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict (times in UTC, ISO 8601)."""
    e, c = report.email, report.clicks
    return {
        "campaign": report.campaign,
        "generated_at": _iso(report.generated_at),
        "email": None if e is None else {
            "audience": e.audience_total,
            "audiences": [{"step": a.step, "list": a.list_name, "description": a.description, "total": a.total} for a in e.audiences],
            "sent": e.sent, "bounced_hard": e.bounced_hard, "bounced_soft": e.bounced_soft, "complaints": e.complaints,
            "unsubscribes": e.unsubscribes, "states": dict(e.states),
        },
        "clicks": {
            "mode": c.mode.value, "note": c.note, "human": c.human, "machine": c.machine, "unique_clickers": c.unique_total,
            "links": [{"position": link.position, "url": link.url, "label": link.label, "human": link.human, "machine": link.machine,
                       "unique_clickers": link.unique} for link in c.links],
            "per_hour": [{"hour": _iso(h.hour), "human": h.human, "machine": h.machine} for h in c.hours],
        },
        "posts": [_post_json(p) for p in report.posts],
    }


def _post_json(post: Post) -> dict[str, Any]:
    return {"step": post.step, "part": post.part, "channel": post.channel, "state": post.state, "url": post.url, "outbox": post.outbox,
            "note": post.note,
            "readings": [{"taken_at": _iso(r.taken_at), "checkpoint": r.checkpoint, **{n: r.count(n) for n in REACTIONS}, "error": r.error}
                         for r in post.readings]}


def write_json(report: Report, out: TextIO) -> None:
    """Write the JSON document (control characters in strings are escaped by JSON itself)."""
    json.dump(as_json(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


def csv_rows(report: Report) -> Iterator[Row]:
    """Every number of the report as one raw row (not yet made safe for spreadsheets)."""
    e, c = report.email, report.clicks
    if e is not None:
        for a in e.audiences:
            yield ("email", f"list {a.list_name}", "", "", "audience", str(a.total))
        for measure, value in (("audience", e.audience_total), ("sent", e.sent), ("bounced_hard", e.bounced_hard),
                               ("bounced_soft", e.bounced_soft), ("complaints", e.complaints), ("unsubscribes", e.unsubscribes)):
            yield ("email", "all", "", "", measure, str(value))
    for link in c.links:
        yield ("clicks", f"link {link.position}", link.url, "", "human", str(link.human))
        yield ("clicks", f"link {link.position}", link.url, "", "machine", str(link.machine))
        if link.unique is not None:
            yield ("clicks", f"link {link.position}", link.url, "", "unique_clickers", str(link.unique))
    yield ("clicks", "all", "", "", "human", str(c.human))
    yield ("clicks", "all", "", "", "machine", str(c.machine))
    if c.unique_total is not None:
        yield ("clicks", "all", "", "", "unique_clickers", str(c.unique_total))
    for h in c.hours:
        yield ("clicks_per_hour", "all", "", _iso(h.hour), "human", str(h.human))
        yield ("clicks_per_hour", "all", "", _iso(h.hour), "machine", str(h.machine))
    for p in report.posts:
        item = f"{p.channel} step {p.step} part {p.part}"
        for r in p.readings:
            if r.error is not None:
                yield ("post", item, p.url or "", _iso(r.taken_at), "error", r.error)
            for name in REACTIONS:
                if (value := r.count(name)) is not None:
                    yield ("post", item, p.url or "", _iso(r.taken_at), name, str(value))


def write_csv(report: Report, out: TextIO) -> None:
    """Write the CSV file: a header, then one row per number, every cell spreadsheet-safe."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in csv_rows(report):
        writer.writerow([csv_safe(v) for v in row])
