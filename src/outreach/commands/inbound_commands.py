"""``outreach inbound``: receive returned mail by SMTP/LMTP, poll IMAP, or take one file."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .base import command, out
from ..config import Config
from ..errors import ConfigError, DatabaseUnavailable, OutreachError


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="listen address (default: inbound.smtp.host)")
    p.add_argument("--port", type=int, help="port, 0 for any free one (default: inbound.smtp.port)")
    p.add_argument("--lmtp", action="store_true", default=None, help="speak LMTP instead of SMTP (default: inbound.smtp.lmtp)")
    p.add_argument("--imap-once", action="store_true", help="poll the [inbound.imap] mailbox once and exit (for cron)")
    p.add_argument("--file", metavar="MESSAGE.eml", help="classify and record one mail from a file and exit")
    p.epilog = ("Example:\n  outreach inbound --port 2525\n  outreach inbound --lmtp --port 24\n"
                "  outreach inbound --imap-once\n  outreach inbound --file bounce.eml")
    p.formatter_class = argparse.RawDescriptionHelpFormatter


@command("inbound", _args)
def run(args: argparse.Namespace, config: Config) -> int:
    """Run the receiver (and the IMAP poller when configured) until SIGTERM/SIGINT, or do one job and exit."""
    from ..mail.compose import signing_keys
    from ..store.db import open_db

    if args.file and args.imap_once:
        raise ConfigError("give --file or --imap-once, not both")
    _log_to_stderr()
    engine = open_db(config)
    keys = signing_keys(config, engine)
    if args.file:
        return _one_file(Path(args.file), engine, config, keys)
    if args.imap_once:
        return _imap_once(engine, config, keys)
    return _serve(args, engine, config, keys)


def _log_to_stderr() -> None:
    logger = logging.getLogger("outreach.inbound")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _one_file(path: Path, engine, config: Config, keys) -> int:  # type: ignore[no-untyped-def]
    from ..inbound.events import InboundSource
    from ..inbound.receiver import ingest, is_database_failure, mail_receipt

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise OutreachError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        done = ingest(engine, config, keys, raw, InboundSource.CLI, receipt=mail_receipt(raw))
    except Exception as exc:
        if is_database_failure(exc) and not isinstance(exc, OutreachError):
            raise DatabaseUnavailable(f"{path}: not recorded, the database failed ({type(exc).__name__})") from None
        raise
    c = done.classification
    out(f"{path}: {c.kind.value}: {c.reason}")
    if done.already:
        out("already recorded before: nothing done again")
    else:
        action = getattr(done.recorded, "action", None)
        out(f"recorded{': ' + str(action) if action else ''}")
    return 0


def _imap_once(engine, config: Config, keys) -> int:  # type: ignore[no-untyped-def]
    from ..inbound.imap import poll_once

    if config.inbound.imap is None:
        raise ConfigError("--imap-once needs an [inbound.imap] table in the configuration")
    result = poll_once(engine, config, keys)
    out(f"imap {config.inbound.imap.host}: {result}")
    return 1 if result.failed else 0


def _serve(args: argparse.Namespace, engine, config: Config, keys) -> int:  # type: ignore[no-untyped-def]
    from ..inbound.imap import check_settings, poll_forever
    from ..inbound.receiver import run_until_signalled, serve

    smtp = config.inbound.smtp
    host = args.host or smtp.host
    port = smtp.port if args.port is None else args.port
    lmtp = smtp.lmtp if args.lmtp is None else args.lmtp
    imap = config.inbound.imap
    if imap is not None:
        check_settings(imap)

    def ready(bound_host: str, bound_port: int) -> None:
        polling = f"; polling IMAP {imap.host} every {imap.poll_seconds:g} s" if imap is not None else ""
        out(f"listening on {bound_host}:{bound_port} ({'LMTP' if lmtp else 'SMTP'}){polling}")

    also = (lambda stop: poll_forever(stop, engine, config, keys)) if imap is not None else None
    try:
        run_until_signalled(lambda stop: serve(config, engine, keys, host=host, port=port, lmtp=lmtp, stop=stop, ready=ready, also=also))
    except OSError as exc:
        raise OutreachError(f"inbound: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    out("stopped")
    return 0
