"""``review`` and ``diff``: ask people to review a campaign through their own links, and see what changed since."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import Config
from ..errors import ApprovalError, CampaignErrors
from ..store.db import open_db
from ..text import visible
from .base import command, err, load_checked, out, resolve_campaign



def _review_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--reviewer", action="append", metavar='"NAME <ADDR>"',
                      help="who reviews (repeat for several); each gets a link of their own, mailed to them. "
                           "Asking someone again gives them a new link; their older links keep working until they expire "
                           "or are revoked")
    what.add_argument("--revoke", metavar="NAME_OR_ADDR", help="revoke every usable link of this reviewer (by name or address)")
    p.add_argument("--owner", metavar='"NAME <ADDR>"', help="who is told when a reviewer requests changes (default: [review] owner)")
    p.add_argument("--days", type=int, metavar="N", help="days the links stay valid (default and maximum: [review] link_days)")


@command("review", _review_args)
def review(args: argparse.Namespace, config: Config) -> int:
    """Mail each reviewer a signed link to the campaign's review page, or revoke a reviewer's links."""
    from ..review.links import parse_reviewers, request_review, revoke_links

    if args.revoke is not None:
        if args.owner is not None or args.days is not None:
            raise ApprovalError("--revoke takes no --owner or --days")
        slug = _slug(args.campaign)
        for link in revoke_links(open_db(config), slug, args.revoke):
            out(visible(f"revoked: {link.name} <{link.address}> (round link {link.id}) for {slug}"))
        return 0
    reviewers = parse_reviewers(args.reviewer)  # every one checked before anything is stored
    checked = load_checked(config, args.campaign)
    engine = open_db(config)
    _warn_dead_links(config)
    done = request_review(config, engine, checked, reviewers, owner=args.owner, days=args.days)
    slug = checked.plan.campaign.slug
    out(visible(f"{slug}: review round {done.round.number} of content {done.version.content_hash[:12]}"))
    failed = 0
    for sent in done.sent:
        link = sent.link
        line = f"  {link.name} <{link.address}>: {sent.where}"
        if sent.delivered:
            out(visible(line))
        else:
            err(visible(f"error: {line.strip()}; run 'outreach review {slug} --reviewer ...' again for them"))
            failed += 1
        if config.smtp is None:  # the outbox is this machine's folder: the link is shown to the person who ran it
            out(f"    {visible(sent.url)}")
    out(f"  the links work until {done.sent[0].link.expires_at:%Y-%m-%d %H:%M} UTC; take one back with "
        f"'outreach review {slug} --revoke NAME'")
    if done.round.owner:
        out(visible(f"  requests for changes are mailed to {done.round.owner}"))
    else:
        out("  nobody is told of requests for changes: set [review] owner in outreach.toml or pass --owner")
    return 1 if failed else 0


def _slug(ref: str) -> str:
    """The campaign's slug from its file, or ``ref`` itself when the file is gone (links outlive files)."""
    try:
        return resolve_campaign(ref).slug
    except CampaignErrors:
        if "/" in ref or "\\" in ref or Path(ref).suffix:
            raise
        return ref


def _warn_dead_links(config: Config) -> None:
    from ..mail.compose import dead_link_reason

    if config.smtp is None:  # the outbox: the person who ran it opens the links on this machine
        return
    # a review page may be plain http on an intranet; only a host reviewers cannot reach is worth a word
    reason = dead_link_reason("https://" + config.web.base_url.split("://", 1)[1])
    if reason is not None:
        err(visible(f"warning: web.base_url {config.web.base_url}: {reason}; reviewers may not be able to open their links"))


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--since", type=int, metavar="REVIEW", help="compare with what review round REVIEW (1, 2, …) showed, "
                                                               "instead of the last approval")
    p.add_argument("--html", type=Path, metavar="FILE", help="also write the diff as a standalone HTML page (with both images)")


@command("diff", _diff_args)
def diff(args: argparse.Namespace, config: Config) -> int:
    """Print what changed between the last approval (or a review round) and what the campaign renders now."""
    from ..approval import changes_from
    from ..review.diff import as_text, diff_page

    checked = load_checked(config, args.campaign)
    found = changes_from(config, open_db(config), checked.plan, args.since)
    out(_terminal(f"{checked.plan.campaign.slug}: what renders now against {found.against}"))
    if found.note:
        out(_terminal(f"  {found.note}"))
    out(_terminal(as_text(found.changes)).rstrip("\n"))
    if args.html is not None:
        page = diff_page(checked.plan.campaign.slug, found.against, found.note, found.changes)
        try:
            args.html.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise ApprovalError(f"--html {args.html}: cannot write ({exc.strerror or exc.__class__.__name__})") from None
        out(visible(f"written: {args.html}"))
    return 0


def _terminal(text: str) -> str:
    """Untrusted multi-line text for a terminal: our line breaks kept, every other control character escaped."""
    return "\n".join(visible(line) for line in text.split("\n"))
