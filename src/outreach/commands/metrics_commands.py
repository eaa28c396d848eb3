"""``outreach metrics [CAMPAIGN]``: read every published post's reactions now, store them, print them."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .base import command, err, out, resolve_campaign
from ..channels.reactions import REACTION_NAMES
from ..config import Config
from ..metrics import Reading, SkipReason, platform_of, read_now
from ..display import cell, visible

COUNTS = REACTION_NAMES


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", nargs="?", metavar="CAMPAIGN", help="one campaign (file or slug); default: every campaign")


def _slug(ref: str) -> str:
    """A campaign file's slug, or the slug as given (the ledger knows campaigns whose file is elsewhere)."""
    path = Path(ref)
    if path.suffix or path.exists() or (Path("campaigns") / f"{ref}.toml").exists():
        return resolve_campaign(ref).slug
    return ref


def _row(reading: Reading, config: Config) -> list:
    post = reading.post
    counts = [cell("-" if reading.reactions is None or getattr(reading.reactions, n) is None else getattr(reading.reactions, n)) for n in COUNTS]
    note = reading.error or (str(reading.skipped) if reading.skipped else "")
    return [cell(post.campaign), cell(post.step), cell(post.part), cell(platform_of(post, config) or "?"), cell(post.url or post.remote_id),
            *counts, cell(note)]


@command("metrics", _args)
def run(args: argparse.Namespace, config: Config) -> int:
    """Read, store (checkpoint 'manual') and print each post's reactions; 1 when any could not be read."""
    slug = _slug(args.campaign) if args.campaign else None
    readings = read_now(config, slug)
    if not readings:
        out(f"no published posts{' in ' + visible(slug) if slug else ''}: nothing to read")
        return 0
    table = Table("campaign", "step", "part", "platform", title="reactions now ('-': not shown by the platform)")
    table.add_column("URL", overflow="fold", min_width=20)  # folded, never cut: it is what a person opens
    for name in COUNTS:
        table.add_column(name, justify="right")
    table.add_column("note", overflow="fold")
    for reading in readings:
        table.add_row(*_row(reading, config))
    Console(width=200).print(table)
    failed = [r for r in readings if not r.ok and r.skipped != SkipReason.OUTBOX]
    if failed:
        err(f"{len(failed)} of {len(readings)} posts could not be read (see the note column); run it again later")
        return 1
    return 0
