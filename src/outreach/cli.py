"""The ``outreach`` command line: parses arguments, calls the modules, prints.

Any :class:`~outreach.errors.OutreachError` is printed as one clear message
per problem and exits 1; no traceback reaches the user. Only the module of
the command being run is imported (the catalogue in :mod:`outreach.commands`
names them), so ``--help`` and ``--version`` answer without loading the rest.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from . import __version__
from .commands import COMMANDS
from .commands.base import REGISTERED, err
from .text import visible


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, if any (``--config PATH`` may come first)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--config":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; every subcommand's arguments, or with ``only`` just that one's (the rest listed)."""
    parser = argparse.ArgumentParser(
        prog="outreach",
        description="Turn a research report into a reviewed, scheduled email and social campaign.",
        epilog="Example: outreach preview campaigns/soldier-defections-myanmar.toml",
    )
    parser.add_argument("--version", action="version", version=f"outreach {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: $OUTREACH_CONFIG, else ./outreach.toml, else built-in defaults)")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, info in COMMANDS.items():
        sub = subs.add_parser(name, help=info.summary, description=info.summary, epilog=f"Example:\n  {info.example}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
        if only is not None and name != only:
            continue
        importlib.import_module(f"{__package__}.commands.{info.module}")
        sub.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (overrides $OUTREACH_CONFIG and ./outreach.toml)")
        REGISTERED[name].add_args(sub)
        sub.set_defaults(run=REGISTERED[name].run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``outreach`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    name = _command_in(argv)
    parser = build_parser(only=name if name in COMMANDS else "")
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .errors import CampaignErrors, OutreachError

    try:
        config = load_config(args.config)
        return args.run(args, config)
    except CampaignErrors as exc:
        for problem in exc.errors:
            err(f"error: {visible(problem)}")
        return 1
    except OutreachError as exc:  # messages can quote remote text (an SMTP reply, an API body): shown, never obeyed
        for line in str(exc).splitlines():
            err(f"error: {visible(line)}")
        return 1
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except BrokenPipeError:  # `outreach … | head`: the reader left; nothing is wrong with outreach
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        return 141
    except Exception as exc:  # a bug, not bad input: say so briefly, full detail on request
        if os.environ.get("OUTREACH_DEBUG"):
            raise
        err(f"internal error: {type(exc).__name__}: {visible(exc)}")
        err("this is a bug in outreach; run again with OUTREACH_DEBUG=1 for the full traceback and report it")
        return 70
