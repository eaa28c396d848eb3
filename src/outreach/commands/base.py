"""What every command module shares: registration, printing, loading campaigns.

Command modules import this, never :mod:`outreach.cli`, so the CLI can import
them lazily and nothing imports in a circle.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from ..campaign import Campaign
    from ..config import Config
    from ..validate import Checked

Handler = Callable[[argparse.Namespace, "Config"], int]
ArgAdder = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Registered:
    """A subcommand's arguments and the function that runs it."""

    add_args: ArgAdder
    run: Handler


REGISTERED: dict[str, Registered] = {}


def command(name: str, add_args: ArgAdder = lambda p: None) -> Callable[[Handler], Handler]:
    """Register the decorated function as subcommand ``name`` (listed in :data:`outreach.commands.COMMANDS`)."""

    def register(fn: Handler) -> Handler:
        REGISTERED[name] = Registered(add_args, fn)
        return fn

    return register


def out(message: str = "") -> None:
    """Print to standard output."""
    print(message, flush=True)


def err(message: str) -> None:
    """Print to standard error."""
    print(message, file=sys.stderr, flush=True)


def load_campaigns(paths: Sequence[str]) -> "list[Campaign]":
    """Load campaign files; raise one :class:`CampaignErrors` with every problem."""
    from ..campaign import load_campaign
    from ..errors import CampaignErrors

    campaigns, problems = [], []
    for p in paths:
        try:
            campaigns.append(load_campaign(p))
        except CampaignErrors as exc:
            problems.extend(exc.errors)
    if problems:
        raise CampaignErrors(problems)
    return campaigns


def resolve_campaign(ref: str) -> "Campaign":
    """Load a campaign by file path or by slug (``campaigns/<slug>.toml``)."""
    path = Path(ref)
    if not path.suffix and not path.exists():
        path = Path("campaigns") / f"{ref}.toml"
    return load_campaigns([str(path)])[0]


def load_checked(config: "Config", ref: str) -> "Checked":
    """Load a campaign (file or slug), render and check it; refuse one with errors."""
    from ..errors import CampaignErrors
    from ..validate import check

    checked = check(resolve_campaign(ref), config)
    if checked.errors:
        raise CampaignErrors(checked.errors)
    return checked
