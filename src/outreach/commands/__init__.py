"""Subcommands of the ``outreach`` CLI, one module per area; importing registers them."""

from . import campaign_commands, email_commands, post_commands, subscriber_commands  # noqa: F401
