"""``review`` and ``diff``: ask people to review a campaign through their own links, and see what changed since."""

from __future__ import annotations

import argparse
import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import ApprovalError, CampaignErrors
from ..store.db import open_db
from ..text import visible
from .base import command, err, load_checked, out, resolve_campaign

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..plan import Plan
    from ..review.diff import PieceChange

DIFF_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


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
    from ..review.diff import as_html, as_text

    checked = load_checked(config, args.campaign)
    found = changes_to_now(config, open_db(config), checked.plan, args.since)
    out(_terminal(f"{checked.plan.campaign.slug}: what renders now against {found.against}"))
    if found.note:
        out(_terminal(f"  {found.note}"))
    out(_terminal(as_text(found.changes)).rstrip("\n"))
    if args.html is not None:
        page = _html_page(checked.plan.campaign.slug, found.against, found.note, as_html(found.changes))
        try:
            args.html.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise ApprovalError(f"--html {args.html}: cannot write ({exc.strerror or exc.__class__.__name__})") from None
        out(visible(f"written: {args.html}"))
    return 0


@dataclass(frozen=True)
class Since:
    """What a diff compares with, in words, and the changes from it to now."""

    against: str
    changes: "list[PieceChange]"
    note: str = ""


def changes_to_now(config: Config, engine: "Engine", plan: "Plan", round_number: int | None) -> Since:
    """The changes from review round ``round_number`` (or, when None, the last approval) to ``plan`` as it renders now."""
    from ..approval import changes_since, latest
    from ..review.diff import Version, compare
    from ..review.pieces import pieces_of
    from ..store.reviews import rounds_of, version

    slug = plan.campaign.slug
    if round_number is not None:
        rounds = rounds_of(engine, slug)
        chosen = next((r for r in rounds if r.number == round_number), None)
        stored = version(engine, chosen.version_id) if chosen is not None else None
        if chosen is None or stored is None:
            known = ", ".join(str(r.number) for r in rounds) or "none yet"
            raise ApprovalError(f"--since {round_number}: {slug} has no review round {round_number} (rounds: {known})")
        changes = compare(Version(stored.hashes, stored.pieces), Version(plan.hashes, pieces_of(plan, config)))
        return Since(f"review round {chosen.number} of {chosen.created_at:%Y-%m-%d %H:%M} UTC "
                     f"(content {stored.content_hash[:12]})", changes)
    last = latest(engine, slug)
    if last is None:
        raise ApprovalError(f"{slug} was never approved: nothing to compare with; "
                            f"use --since N to compare with review round N")
    note = "" if last.version_id is not None else "that approval kept no words, so only the changed pieces are named"
    return Since(f"the approval by {last.by} at {last.at:%Y-%m-%d %H:%M} UTC (content {last.content_hash[:12]})",
                 changes_since(config, engine, last, plan), note)


def _terminal(text: str) -> str:
    """Untrusted multi-line text for a terminal: our line breaks kept, every other control character escaped."""
    return "\n".join(visible(line) for line in text.split("\n"))


def _html_page(slug: str, against: str, note: str, fragment: str) -> str:
    """A page that works offline and asks for nothing: inline style, thumbnails as data: URIs, no script."""
    title = html.escape(f"What changed in {slug}")
    note_html = f"<p>{html.escape(note)}</p>" if note else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{DIFF_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n<p>What renders now against {html.escape(against)}.</p>\n{note_html}\n{fragment}\n</body>\n</html>\n"
    )


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}"
          "del{background:#fdd;color:#700;text-decoration:line-through}ins{background:#dfd;color:#060;text-decoration:none}"
          ".diff-piece{border-top:1px solid #ccc;padding:.5rem 0}.diff-images{display:flex;gap:1rem;flex-wrap:wrap}"
          "figure{margin:0}figure img{max-width:240px;border:1px solid #ccc}")
