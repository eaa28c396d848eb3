"""Saved report pages for the draft tests; see expected.py."""
