"""Kept for imports not yet moved: the helpers live in :mod:`outreach.display`."""

from ..display import FORMULA_STARTS, cell, csv_safe, lines, visible  # noqa: F401
