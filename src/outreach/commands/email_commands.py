"""``outreach send`` and ``outreach send-test``."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from ..text import visible
from .base import command, load_checked, out
from ..config import Config
from ..mail.compose import INSECURE_LINKS_FLAG, dead_link_reason
from ..mail.fleet import check_workers, start_workers, wait_workers
from ..mail.send import send_email, send_test, totals_after_workers
from .progress import progress_for


def _send_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--now", action="store_true", help="send now even if send_at is later")
    p.add_argument("--retry-unknown", action="store_true", help="resend the messages whose outcome is unknown (after you checked)")
    p.add_argument(INSECURE_LINKS_FLAG, action="store_true",
                   help="send over SMTP even though web.base_url is not https on a public host (a local test relay only: "
                        "every unsubscribe and archive link in the mail would be dead for real subscribers)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="send from N processes at once, sharing the step through PostgreSQL (default 1); "
                        "workers on other machines join by running 'outreach send' on the same database")


@command("send", _send_args)
def send(args: argparse.Namespace, config: Config) -> int:
    """Send, with progress and a summary table."""
    plan = load_checked(config, args.campaign).plan
    from ..approval import guard_dispatch

    guard_dispatch(config, plan, now_requested=args.now, step_field="email")
    check_workers(config, args.workers)
    flags = [f for f, on in (("--now", args.now), (INSECURE_LINKS_FLAG, args.allow_insecure_links)) if on]
    others = start_workers(args.workers - 1, args.config, args.campaign, flags) if args.workers > 1 else []
    progress = progress_for(f"email {plan.campaign.slug}")
    try:
        result = send_email(config, plan, retry_unknown=args.retry_unknown, progress=progress, allow_insecure_links=args.allow_insecure_links)
    finally:
        progress.stop()
        ended = wait_workers(others)
    if ended:  # the other workers have ended too: the ledger as they all left it, not as it was when this one finished
        result = totals_after_workers(config, result)
    table = Table("state", "this worker" if ended else "this run", "in the ledger", title=f"{result.campaign}: email")
    for state in ("sent", "bounced", "failed", "unknown", "suppressed", "queued"):
        table.add_row(state, str(result.this_run.get(state, 0)), str(result.ledger.get(state, 0)))
    Console(stderr=False).print(table)
    out(f"via {result.transport}; audience {result.audience}; {result.this_run.get('sent', 0)} sent in {result.elapsed:.1f}s ({result.rate:.0f}/s)"
        + (f" by this worker of {len(ended) + 1}" if ended else ""))
    for e in result.errors:
        out(f"error: {visible(e)}")
    for worker in ended:
        if worker.status:
            out(f"worker {worker.number} ended with status {worker.status}: {visible(worker.last_error)}")
    if result.held_elsewhere:
        out(f"{result.held_elsewhere} messages are held by other workers still sending")
    if result.ledger.get("unknown"):
        out(f"{result.ledger['unknown']} messages have an unknown outcome: see 'outreach status {result.campaign}'; resend them with --retry-unknown")
    return 1 if result.errors or result.left or any(w.status for w in ended) else 0


def _test_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--to", nargs="+", required=True, metavar="ADDR", help="where to send the test copy")


@command("send-test", _test_args)
def send_test_command(args: argparse.Namespace, config: Config) -> int:
    """Send test copies."""
    plan = load_checked(config, args.campaign).plan
    if config.smtp is not None and (reason := dead_link_reason(config.web.base_url)):
        out(f"note: web.base_url {config.web.base_url}: {reason}; this copy's links work only where you are, "
            f"and 'outreach send' will refuse it without {INSECURE_LINKS_FLAG}")
    for addr, reply in send_test(config, plan, args.to):
        out(f"test sent to {addr}: {visible(reply)}")
    return 0
