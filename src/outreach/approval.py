"""Approvals: a person signs off on exactly what the campaign renders.

An approval records the plan's per-piece hashes. Dispatch compares them with
the campaign as it renders now and names every piece that changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select

from .config import Config
from .errors import ApprovalError, ScheduleError
from .plan import Plan
from .store.db import now, open_db
from .store.schema import approvals


@dataclass(frozen=True)
class Approval:
    """The latest approval of a campaign."""

    by: str
    at: datetime
    content_hash: str
    hashes: dict[str, str]

    def changed(self, plan: Plan) -> list[str]:
        """The pieces of ``plan`` that differ from what was approved."""
        current = plan.hashes
        return sorted(k for k in set(current) | set(self.hashes) if current.get(k) != self.hashes.get(k))


def approve(engine: Engine, plan: Plan, by: str) -> Approval:
    """Record that ``by`` approved the plan as it renders now."""
    if not by.strip():
        raise ApprovalError("--by: say who approves")
    stamp = now()
    with engine.begin() as conn:
        conn.execute(insert(approvals), [{"campaign": plan.campaign.slug, "content_hash": plan.content_hash, "hashes": plan.hashes, "approved_by": by.strip(), "approved_at": stamp}])
    return Approval(by.strip(), stamp, plan.content_hash, plan.hashes)


def latest(engine: Engine, campaign: str) -> Approval | None:
    """The most recent approval of a campaign, if any."""
    with engine.connect() as conn:
        row = conn.execute(select(approvals).where(approvals.c.campaign == campaign).order_by(approvals.c.id.desc()).limit(1)).first()
    return Approval(row.approved_by, row.approved_at, row.content_hash, row.hashes) if row else None


def describe(approval: Approval | None, plan: Plan) -> str:
    """One line for the preview and status: approved, changed since, or not approved."""
    if approval is None:
        return "not approved"
    when = f"{approval.at:%Y-%m-%d %H:%M} UTC"
    changed = approval.changed(plan)
    if changed:
        return f"changed since approval by {approval.by} at {when}: {', '.join(changed)}"
    return f"approved by {approval.by} at {when}"


def require_approval(engine: Engine, plan: Plan) -> Approval:
    """Refuse a campaign that is not approved or changed since approval."""
    approval = latest(engine, plan.campaign.slug)
    if approval is None:
        raise ApprovalError(f"{plan.campaign.slug} is not approved: review the preview, then run 'outreach approve {plan.campaign.slug} --by NAME'")
    changed = approval.changed(plan)
    if changed:
        raise ApprovalError(f"{plan.campaign.slug}: {describe(approval, plan)}; review the preview and approve again")
    return approval


def guard_dispatch(config: Config, plan: Plan, *, now_requested: bool, step_field: str) -> None:
    """What every dispatch path checks (send, post, the dispatcher): refuse an unapproved or changed campaign,
    and a step that is not yet due unless ``--now``."""
    if config.require_approval:
        require_approval(open_db(config), plan)
    step = next((s for s in plan.steps if s.field == step_field), None)
    if step is not None and step.due_utc > now() and not now_requested:
        raise ScheduleError(
            f"{plan.campaign.slug}: {step.field} is due {step.due_local:%Y-%m-%d %H:%M} {plan.campaign.timezone}; "
            f"use --now to send it now, or 'outreach schedule {plan.campaign.slug}' to send it on time"
        )
