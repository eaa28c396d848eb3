"""``outreach post``: publish posts and threads; ``--resolve`` settles an unknown part."""

from __future__ import annotations

import argparse

from .base import command, err, load_checked, out
from ..config import Config
from ..approval import guard_dispatch
from ..errors import OutreachError
from ..posting import post_steps, resolve
from ..display import visible


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("campaign", metavar="CAMPAIGN", help="campaign file or slug")
    p.add_argument("--step", type=int, action="append", metavar="N", help="only this step (repeatable; see the preview's timeline)")
    p.add_argument("--now", action="store_true", help="post now even if the step is due later")
    p.add_argument("--resolve", action="store_true", help="settle a part whose outcome is unknown (with --step, --part and --posted or --resend)")
    p.add_argument("--part", type=int, metavar="K", help="with --resolve: the thread part (1 for a single post)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--posted", metavar="URL", help="with --resolve: it was posted, here")
    group.add_argument("--resend", action="store_true", help="with --resolve: it was not posted; send it again")


@command("post", _args)
def post(args: argparse.Namespace, config: Config) -> int:
    """Publish, or resolve an unknown part."""
    plan = load_checked(config, args.campaign).plan
    if args.resolve:
        if not (args.step and len(args.step) == 1 and args.part and (args.posted or args.resend)):
            raise OutreachError("--resolve needs --step N, --part K and either --posted URL or --resend")
        state = resolve(config, plan.campaign.slug, args.step[0], args.part, posted_url=args.posted, resend=args.resend)
        out(f"step {args.step[0]} part {args.part}: now {state}")
        return 0
    for step in plan.steps:
        if step.kind == "post" and (not args.step or step.number in args.step):
            guard_dispatch(config, plan, now_requested=args.now, step_field=step.field)
    if not any(step.kind == "post" for step in plan.steps):
        raise OutreachError(f"{plan.campaign.path}: the campaign has no [[posts]] to publish")
    failed = False
    for result in post_steps(config, plan, args.step):
        for part in result.parts:
            label = f"step {result.step} {result.channel} part {part.index}/{len(result.parts)}"
            if part.state == "sent":
                out(f"{label}: {visible(part.url)}")
            else:
                err(f"{label}: {part.state}{': ' + visible(part.detail) if part.detail else ''}")
        if result.halted:
            err(f"step {result.step} {result.channel}: stopped: {visible(result.halted)}")
        failed |= not result.done
    return 1 if failed else 0
