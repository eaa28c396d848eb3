"""Checks every dispatch path shares (``send``, ``post``, the scheduler): approval and timing."""

from __future__ import annotations

from .approval import require_approval
from .config import Config
from .errors import ScheduleError
from .plan import Plan
from .store.db import now, open_db


def guard_dispatch(config: Config, plan: Plan, *, now_requested: bool, step_field: str) -> None:
    """Refuse an unapproved or changed campaign, and a step that is not yet due unless ``--now``."""
    if config.require_approval:
        require_approval(open_db(config), plan)
    step = next((s for s in plan.steps if s.field == step_field), None)
    if step is not None and step.due_utc > now() and not now_requested:
        raise ScheduleError(
            f"{plan.campaign.slug}: {step.field} is due {step.due_local:%Y-%m-%d %H:%M} {plan.campaign.timezone}; "
            f"use --now to send it now, or 'outreach schedule {plan.campaign.slug}' to send it on time"
        )
