"""``outreach db status|upgrade``: the database's schema revision, and upgrading it."""

from __future__ import annotations

import argparse

from .base import command, out
from ..config import Config
from ..errors import ConfigError


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("status", help="show the database's schema revision and the one this outreach needs",
                   epilog="Example:\n  outreach db status", formatter_class=argparse.RawDescriptionHelpFormatter)
    sub.add_parser("upgrade", help="upgrade the database to this outreach's schema (SQLite: the file is copied aside first)",
                   epilog="Example:\n  outreach db upgrade", formatter_class=argparse.RawDescriptionHelpFormatter)


@command("db", _args)
def db(args: argparse.Namespace, config: Config) -> int:
    """Print the schema state, or upgrade it."""
    from ..store.db import open_unchecked
    from ..store.migrate import state_of, upgrade

    engine = open_unchecked(config)
    try:
        if args.action == "status":
            state = state_of(engine)
            current = "empty (created on first use)" if state.current is None else state.current + (" (first release, not yet stamped)" if state.legacy else "")
            out(f"database: {engine.url.render_as_string(hide_password=True)}")
            out(f"current revision: {current}")
            out(f"expected revision: {state.head}")
            if state.newer:
                raise ConfigError("the database is newer than this outreach: upgrade outreach")
            out("up to date" if state.up_to_date or state.current is None else "run 'outreach db upgrade'")
            return 0 if state.up_to_date or state.current is None else 1
        before, after, backup = upgrade(engine)
        if before == after:
            out(f"already at revision {after}")
        else:
            out(f"upgraded from revision {before or 'empty'} to {after}")
        if backup is not None:
            out(f"the database as it was is kept at {backup}")
        return 0
    finally:
        engine.dispose()
