"""The ``outreach`` command line: parses arguments, calls the modules, prints.

Any :class:`~outreach.errors.OutreachError` is printed as one clear message
per problem and exits 1; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from . import __version__
from .campaign import Campaign, load_campaign
from .config import Config, load_config
from .errors import CampaignErrors, OutreachError

if TYPE_CHECKING:
    from .validate import Checked

Handler = Callable[[argparse.Namespace, Config], int]
ArgAdder = Callable[[argparse.ArgumentParser], None]
_COMMANDS: list[tuple[str, str, str, ArgAdder, Handler]] = []


def command(name: str, summary: str, example: str, add_args: ArgAdder = lambda p: None) -> Callable[[Handler], Handler]:
    """Register the decorated function as subcommand ``name``; ``add_args`` declares its arguments."""

    def register(fn: Handler) -> Handler:
        _COMMANDS.append((name, summary, example, add_args, fn))
        return fn

    return register


def out(message: str = "") -> None:
    """Print to standard output."""
    print(message, flush=True)


def err(message: str) -> None:
    """Print to standard error."""
    print(message, file=sys.stderr, flush=True)


def load_campaigns(paths: Sequence[str]) -> list[Campaign]:
    """Load campaign files; raise one :class:`CampaignErrors` with every problem."""
    campaigns, problems = [], []
    for p in paths:
        try:
            campaigns.append(load_campaign(p))
        except CampaignErrors as exc:
            problems.extend(exc.errors)
    if problems:
        raise CampaignErrors(problems)
    return campaigns


def resolve_campaign(ref: str) -> Campaign:
    """Load a campaign by file path or by slug (``campaigns/<slug>.toml``)."""
    path = Path(ref)
    if not path.suffix and not path.exists():
        path = Path("campaigns") / f"{ref}.toml"
    return load_campaigns([str(path)])[0]


def load_checked(config: Config, ref: str) -> "Checked":
    """Load a campaign (file or slug), render and check it; refuse one with errors."""
    from .validate import check

    checked = check(resolve_campaign(ref), config)
    if checked.errors:
        raise CampaignErrors(checked.errors)
    return checked


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    from . import commands  # noqa: F401  (registers the subcommands)

    parser = argparse.ArgumentParser(
        prog="outreach",
        description="Turn a research report into a reviewed, scheduled email and social campaign.",
        epilog="Example: outreach preview campaigns/soldier-defections-myanmar.toml",
    )
    parser.add_argument("--version", action="version", version=f"outreach {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: $OUTREACH_CONFIG, else ./outreach.toml, else built-in defaults)")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary, example, add_args, fn in _COMMANDS:
        sub = subs.add_parser(name, help=summary, description=summary, epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (overrides $OUTREACH_CONFIG and ./outreach.toml)")
        add_args(sub)
        sub.set_defaults(run=fn)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``outreach`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        config = load_config(args.config)
        return args.run(args, config)
    except CampaignErrors as exc:
        for problem in exc.errors:
            err(f"error: {problem}")
        return 1
    except OutreachError as exc:
        for line in str(exc).splitlines():
            err(f"error: {line}")
        return 1
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except Exception as exc:  # a bug, not bad input: say so briefly, full detail on request
        if os.environ.get("OUTREACH_DEBUG"):
            raise
        err(f"internal error: {type(exc).__name__}: {exc}")
        err("this is a bug in outreach; run again with OUTREACH_DEBUG=1 for the full traceback and report it")
        return 70

