"""``report``: what happened after a campaign went out (terminal summary, HTML, JSON, CSV)."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, TextIO

from rich.console import Console

from .base import command, load_campaigns, out
from ..config import Config
from ..errors import CampaignErrors, OutreachError, RenderError
from ..store.db import open_db
from ..text import visible

if TYPE_CHECKING:
    from ..report.data import Report

CSV_HELP = "write every number as CSV, one row per measure: section,item,url,time,measure,value ('-': standard output)"


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="the campaign's slug, or its file")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report (opens offline; '-': standard output)")
    p.add_argument("--json", metavar="FILE", help="write the report as JSON ('-': standard output)")
    p.add_argument("--csv", metavar="FILE", help=CSV_HELP)


@command("report", _report_args)
def run(args: argparse.Namespace, config: Config) -> int:
    """Print the report, and write the files asked for."""
    from ..report.data import gather
    from ..report.export import write_csv, write_json
    from ..report.terminal import print_report

    targets = {"html": args.html, "json": args.json, "csv": args.csv}
    if sum(1 for t in targets.values() if t == "-") > 1:
        raise OutreachError("only one of --html, --json and --csv can write to standard output ('-')")
    slug, channels = _campaign(args.campaign, config)
    report = gather(open_db(config), slug, config.tracking.clicks, channels)
    writers = {"html": lambda f: f.write(_html(report)), "json": lambda f: write_json(report, f), "csv": lambda f: write_csv(report, f)}
    for name, target in targets.items():
        if target:
            with _opened(target, newline="" if name == "csv" else None) as f:
                writers[name](f)
    if "-" not in targets.values():
        print_report(report, Console(width=160))
        for name, target in targets.items():
            if target:
                out(visible(f"{name}: {target}"))
    return 0


def _html(report: "Report") -> str:
    from ..report.html import render_html  # here: matplotlib loads only when a page is asked for

    return render_html(report)


def _campaign(ref: str, config: Config) -> tuple[str, dict[int, str]]:
    """The campaign's slug (its file name), and its post steps' channels when the file reads (for steps posted by hand).

    The report reads the database, not the file: a campaign file that is gone or no longer valid still has its report.
    """
    path = Path(ref)
    if not path.is_file():
        path = Path("campaigns") / f"{ref}.toml"
    if not path.is_file():
        return (Path(ref).stem if ref.endswith(".toml") else ref), {}
    from ..plan import build_plan

    try:
        plan = build_plan(load_campaigns([str(path)])[0], config)
    except (CampaignErrors, RenderError):
        return path.stem, {}
    return path.stem, {s.number: s.channel for s in plan.steps if s.kind == "post"}


@contextmanager
def _opened(target: str, newline: str | None) -> Iterator[TextIO]:
    if target == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        with open(target, "w", encoding="utf-8", newline=newline) as f:
            yield f
    except OSError as exc:
        raise OutreachError(f"{target}: cannot write: {exc.strerror}") from None
