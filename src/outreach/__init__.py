"""outreach: turn a research report into a reviewed, scheduled email and social campaign."""

__version__ = "0.1.0"
