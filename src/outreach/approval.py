"""Approvals: people sign off on exactly what the campaign renders, and dispatch counts them.

A decision (an approval or a request for changes) records the plan's per-piece
hashes and, where it was made from a rendered version, that version's pieces.
Dispatch needs ``[review] approvals_required`` distinct reviewers whose latest
decision approves the content as it renders *now*, and no reviewer's latest
decision asking for changes to it. A reviewer is the address of a review link
(:mod:`outreach.review.links`); ``outreach approve --by`` is a CLI approval that
counts only when one approval is required, or when the config allows it. When
the campaign changed since it was last approved, the refusal names each changed
piece with its words (:mod:`outreach.review.diff`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from .config import Config
from .errors import ApprovalError, OutreachError, ScheduleError
from .plan import Plan
from .review.diff import PieceChange, Version, compare, summary
from .review.pieces import pieces_of
from .store.db import now, open_db
from .store.reviews import (Decision, DecisionKind, DecisionMethod, NewDecision, ReviewerLink, decisions_of, record_decision, reviewers_of,
                            revoked_ids, rounds_of, version)
from .store.db import current_user


@dataclass(frozen=True)
class ApprovalState:
    """Where a campaign stands: who approved the content as it renders now, who asked for changes, who is still asked."""

    campaign: str
    content_hash: str
    required: int
    counted: tuple[Decision, ...]  # approvals of the current content that count, one per reviewer
    not_counted: tuple[Decision, ...]  # CLI approvals of the current content that do not count (approvals_required > 1)
    changes_requested: tuple[Decision, ...]  # reviewers whose latest word on the current content asks for changes
    waiting: tuple[ReviewerLink, ...]  # reviewers with a usable link who have not approved the current content
    last_approval: Decision | None  # the latest approval of any content: what a diff compares with

    @property
    def ready(self) -> bool:
        """Whether dispatch may run."""
        return len(self.counted) >= self.required and not self.changes_requested

    def missing(self) -> str | None:
        """What is still missing before dispatch can run, in words; None when nothing is."""
        parts = []
        if self.changes_requested:
            parts.append("changes requested by " + ", ".join(d.by for d in self.changes_requested))
        if len(self.counted) < self.required:
            parts.append(f"{self.required - len(self.counted)} more approval{'s' if self.required - len(self.counted) > 1 else ''} "
                         f"of the current content (has {len(self.counted)} of {self.required})")
            if self.waiting:
                parts.append("waiting on " + ", ".join(link.name for link in self.waiting))
            if self.not_counted:
                parts.append("CLI approvals do not count towards approvals_required above 1 ([review] count_cli_approvals)")
        return "; ".join(parts) if parts else None


def approve(engine: Engine, plan: Plan, by: str, *, version_id: int | None = None) -> Decision:
    """Record a CLI approval by ``by`` (and the OS user) of the plan as it renders now."""
    if not by.strip():
        raise ApprovalError("--by: say who approves")
    return record_decision(engine, NewDecision(plan.campaign.slug, DecisionKind.APPROVED, DecisionMethod.CLI, by.strip(),
                                               plan.content_hash, plan.hashes, version_id, os_user=current_user()))


def approval_state(config: Config, engine: Engine, plan: Plan) -> ApprovalState:
    """Count the decisions about ``plan``'s campaign against the content it renders to now."""
    slug, current = plan.campaign.slug, plan.content_hash
    links = reviewers_of(engine, slug)
    revoked = revoked_ids(links)
    # a revoked link's decisions count for nothing: it may have leaked, and revoking is how a team says so
    decisions = [d for d in decisions_of(engine, slug) if d.reviewer_id not in revoked]
    newest: dict[str, Decision] = {}
    for decision in decisions:  # oldest first: each reviewer's latest word wins
        newest[decision.reviewer] = decision
    on_current = [d for d in newest.values() if d.content_hash == current]
    approved = [d for d in on_current if d.kind is DecisionKind.APPROVED]
    cli_counts = config.review.approvals_required == 1 or config.review.count_cli_approvals
    counted = tuple(d for d in approved if d.method is DecisionMethod.LINK or cli_counts)
    approved_by = {d.reviewer for d in counted}
    stamp = now()
    waiting = {link.address: link for link in links if link.usable(stamp) and link.address not in approved_by}
    return ApprovalState(
        slug, current, config.review.approvals_required, counted,
        tuple(d for d in approved if d not in counted),
        tuple(d for d in on_current if d.kind is DecisionKind.CHANGES_REQUESTED),
        tuple(waiting.values()),
        next((d for d in reversed(decisions) if d.kind is DecisionKind.APPROVED), None),
    )


def changes_since(config: Config, engine: Engine, decision: Decision, plan: Plan) -> list[PieceChange]:
    """What changed between the content ``decision`` was about and ``plan`` as it renders now."""
    stored = version(engine, decision.version_id) if decision.version_id is not None else None
    old = Version(decision.hashes, stored.pieces) if stored is not None else Version(decision.hashes)
    return compare(old, Version(plan.hashes, pieces_of(plan, config)))


@dataclass(frozen=True)
class Baseline:
    """What a diff compares with, in words, and the changes from it to now."""

    against: str
    changes: list[PieceChange]
    note: str = ""


def changes_from(config: Config, engine: Engine, plan: Plan, round_number: int | None) -> Baseline:
    """The changes from review round ``round_number`` (or, when None, the last approval that counts) to ``plan`` now."""
    slug = plan.campaign.slug
    if round_number is not None:
        rounds = rounds_of(engine, slug)
        chosen = next((r for r in rounds if r.number == round_number), None)
        stored = version(engine, chosen.version_id) if chosen is not None else None
        if chosen is None or stored is None:
            known = ", ".join(str(r.number) for r in rounds) or "none yet"
            raise ApprovalError(f"--since {round_number}: {slug} has no review round {round_number} (rounds: {known})")
        changes = compare(Version(stored.hashes, stored.pieces), Version(plan.hashes, pieces_of(plan, config)))
        return Baseline(f"review round {chosen.number} of {chosen.created_at:%Y-%m-%d %H:%M} UTC "
                        f"(content {stored.content_hash[:12]})", changes)
    last = approval_state(config, engine, plan).last_approval
    if last is None:
        raise ApprovalError(f"{slug} was never approved: nothing to compare with; use --since N to compare with review round N")
    note = "" if last.version_id is not None else "that approval kept no words, so only the changed pieces are named"
    return Baseline(f"the approval by {last.by} at {last.at:%Y-%m-%d %H:%M} UTC (content {last.content_hash[:12]})",
                    changes_since(config, engine, last, plan), note)


def describe(config: Config, engine: Engine, plan: Plan) -> str:
    """One line for the preview and status: approved, changed since, or what is missing."""
    state = approval_state(config, engine, plan)
    if state.ready:
        return "approved by " + ", ".join(f"{d.by} at {d.at:%Y-%m-%d %H:%M} UTC" for d in state.counted)
    last = state.last_approval
    if last is not None and last.content_hash != plan.content_hash:
        # names only: comparing the hashes is enough, and needs no word diff or thumbnails
        changed = ", ".join(c.name for c in compare(Version(last.hashes), Version(plan.hashes)))
        return f"changed since approval by {last.by} at {last.at:%Y-%m-%d %H:%M} UTC: {changed}"
    return f"not approved: {state.missing()}"


def approval_line(config: Config, plan: Plan) -> str | None:
    """The approval state for the preview, read from the database only if one exists (a preview never creates it)."""
    url = make_url(config.database)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return None
    try:
        return describe(config, open_db(config), plan)
    except OutreachError:
        return "unknown (database unavailable)"


def require_approval(config: Config, engine: Engine, plan: Plan) -> ApprovalState:
    """Refuse a campaign that is not approved as it renders now, naming what changed or what is missing."""
    state = approval_state(config, engine, plan)
    if state.ready:
        return state
    slug = plan.campaign.slug
    last = state.last_approval
    if last is not None and last.content_hash != plan.content_hash and not state.counted:
        changes = summary(changes_since(config, engine, last, plan))
        raise ApprovalError(f"{slug} changed since approval by {last.by} at {last.at:%Y-%m-%d %H:%M} UTC: {changes}; "
                            f"see 'outreach diff {slug}', then have it reviewed and approved again")
    if last is None and not state.changes_requested and not state.waiting:
        raise ApprovalError(f"{slug} is not approved: review the preview, then run 'outreach review {slug} --reviewer \"Name <addr>\"' "
                            f"or 'outreach approve {slug} --by NAME'")
    raise ApprovalError(f"{slug} is not approved as it renders now: {state.missing()}")


def guard_dispatch(config: Config, plan: Plan, *, now_requested: bool, step_field: str) -> None:
    """What every dispatch path checks (send, post, the dispatcher): refuse an unapproved or changed campaign,
    and a step that is not yet due unless ``--now``."""
    if config.require_approval:
        require_approval(config, open_db(config), plan)
    step = next((s for s in plan.steps if s.field == step_field), None)
    if step is not None and step.due_utc > now() and not now_requested:
        raise ScheduleError(
            f"{plan.campaign.slug}: {step.field} is due {step.due_local:%Y-%m-%d %H:%M} {plan.campaign.timezone}; "
            f"use --now to send it now, or 'outreach schedule {plan.campaign.slug}' to send it on time"
        )
