"""``outreach bounces``: placeholder until its owner lands it."""

from __future__ import annotations

import argparse

from .base import command
from ..config import Config
from ..errors import OutreachError


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("rest", nargs="*")


@command("bounces", _args)
def run(args: argparse.Namespace, config: Config) -> int:
    """Not built yet."""
    raise OutreachError("bounces: not built yet")
