"""``outreach report``: placeholder until issue 12 lands."""

from __future__ import annotations

import argparse

from .base import command
from ..config import Config
from ..errors import OutreachError


@command("report")
def run(args: argparse.Namespace, config: Config) -> int:
    """Not built yet."""
    raise OutreachError("outreach report is not built yet")
