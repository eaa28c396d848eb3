"""Subcommands of the ``outreach`` CLI, one module per area; importing registers them."""

from . import (  # noqa: F401
    campaign_commands,
    db_commands,
    email_commands,
    post_commands,
    schedule_commands,
    status_commands,
    subscriber_commands,
    web_commands,
)
