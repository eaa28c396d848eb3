"""``validate``, ``preview`` and ``cover``: the campaign-file commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..approval import approval_line, approve
from ..config import Config
from ..cover import make_cover
from ..preview import write_preview
from ..store.db import open_db
from ..text import visible
from ..validate import check_file
from .base import command, err, load_checked, out


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="campaign files (campaigns/<slug>.toml)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")


@command("validate", _validate_args)
def validate(args: argparse.Namespace, config: Config) -> int:
    """Validate every file given, reporting all problems."""
    failed = False
    problems = []
    for path in args.files:
        checked, shape_errors = check_file(path, config)  # shape and cross-field problems together (issue 10 §4)
        if checked is None:
            problems.extend(shape_errors)
            failed = True
            continue
        campaign = checked.plan.campaign
        for e in checked.errors:
            problems.append(e)
        for w in checked.warnings:
            err(f"warning: {visible(campaign.path)}: {visible(w)}")
        if checked.ok:
            out(f"ok: {visible(campaign.path)} ({len(checked.plan.steps)} steps, {len(checked.warnings)} warnings)")
        if checked.audience:
            out(f"  email audience: {visible(checked.audience)}")
        failed |= not checked.ok or (args.strict and bool(checked.warnings))
    for problem in problems:
        err(f"error: {visible(problem)}")
    return 1 if failed else 0


def _preview_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="campaign file or slug")
    p.add_argument("--out", metavar="DIR", type=Path, help="output folder (default: preview/<slug>)")


@command("preview", _preview_args)
def preview(args: argparse.Namespace, config: Config) -> int:
    """Write the preview and print where to open it."""
    checked = load_checked(config, args.file)
    campaign = checked.plan.campaign
    result = write_preview(checked, config, args.out or Path("preview") / campaign.slug, approval=approval_line(config, checked.plan))
    for w in checked.warnings:
        err(f"warning: {campaign.path}: {w}")
    out(f"Preview of {campaign.slug}: {len(checked.plan.steps)} steps, {len(checked.warnings)} warnings")
    if result.audience:
        out(f"Email audience: {visible(result.audience)}")
    out(f"Open {result.index.resolve().as_uri()}")
    return 0


def _cover_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", metavar="OUT.png", type=Path, help="where to write the PNG")
    p.add_argument("--title", required=True)
    p.add_argument("--subtitle", default="")
    p.add_argument("--kicker", default="", help="small label above the title, e.g. the series")


@command("cover", _cover_args)
def cover(args: argparse.Namespace, config: Config) -> int:
    """Write a generated cover PNG."""
    path = make_cover(args.out, args.title, args.subtitle, args.kicker)
    out(f"Cover written: {path}")
    return 0


def _approve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--by", required=True, metavar="NAME", help="who approves")


@command("approve", _approve_args)
def approve_command(args: argparse.Namespace, config: Config) -> int:
    """Record a CLI approval (with the OS user) against the content as it renders now, keeping its pieces for later diffs."""
    from ..approval import approval_state
    from ..review.snapshot import snapshot

    checked = load_checked(config, args.campaign)
    campaign = checked.plan.campaign
    engine = open_db(config)
    stored = snapshot(engine, checked, config)
    approval = approve(engine, checked.plan, args.by, version_id=stored.id)
    out(f"{campaign.slug} approved by {approval.by} (content {approval.content_hash[:12]})")
    state = approval_state(config, engine, checked.plan)
    if not state.ready:
        out(f"  still missing before dispatch: {state.missing()}")
    return 0
