"""``draft``: a campaign file drafted from a report page (or one per new item of a feed)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import DraftError
from ..text import visible
from .base import command, err, out

if TYPE_CHECKING:
    from ..draft.run import DraftResult


def _draft_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", metavar="SOURCE", help="the report page: an https URL, a saved .html page, or a plain-text copy")
    p.add_argument("--feed", metavar="URL_OR_FILE", help="an RSS or Atom feed: draft a campaign for each item without one")
    p.add_argument("--slug", help="the campaign id (default: from the report's title)")
    p.add_argument("--out", metavar="DIR", type=Path, default=Path("campaigns"), help="where to write <slug>.toml (default: campaigns/)")
    p.add_argument("--force", action="store_true", help="replace an existing campaign file")


def _print_result(result: "DraftResult") -> None:
    out(f"Drafted {visible(result.path)}")
    if result.checks:
        out(f"  {len(result.checks)} fields marked # CHECK: (confirm each before approval):")
        for field in result.checks:
            out(f"    {visible(field)}")


@command("draft", _draft_args)
def draft(args: argparse.Namespace, config: Config) -> int:
    """Draft a campaign from SOURCE, or one per new feed item, and say what to check next."""
    from ..draft.feed import draft_feed
    from ..draft.run import draft_campaign

    if (args.source is None) == (args.feed is None):
        raise DraftError("give a SOURCE (URL, .html or text file) or --feed URL_OR_FILE, not both or neither")
    if args.feed is not None:
        if args.slug:
            raise DraftError("--slug names one campaign; with --feed each item's slug comes from its title")
        found = draft_feed(args.feed, config, args.out)
        for result in found.drafted:
            _print_result(result)
        for skipped in found.skipped:
            err(f"skipped: {visible(skipped.item)}: {visible(skipped.reason)}")
        out(f"{len(found.drafted)} drafted, {len(found.skipped)} skipped")
        if found.drafted:
            out(f"next: outreach validate {' '.join(visible(r.path) for r in found.drafted)}")
        return 0
    result = draft_campaign(args.source, config, slug=args.slug, out=args.out, force=args.force)
    _print_result(result)
    out(f"next: outreach validate {visible(result.path)} && outreach preview {visible(result.path)}")
    return 0
