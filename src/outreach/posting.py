"""Publish a campaign's posts through the ledger: each post and each thread part is one row.

A thread resumes where it stopped: parts already posted are never posted
again, and the next part replies to the last posted part's remote id. A
part whose outcome is unknown halts its thread until a person resolves it
(``outreach post --resolve``). A channel error becomes a ledger state here
and nowhere else:

=================  =====================================================
``RateLimited``    queued again, not before the reset time; thread waits
``Unavailable``    retried with backoff within the run, then queued
``Rejected``       failed, with the reason; the thread stops there
``AuthFailed``     queued again (not the post's fault); channel stops
``OutcomeUnknown`` unknown; never re-posted without a person
=================  =====================================================
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

from .campaign import Campaign
from .channels import channel_for
from .channels.base import Channel, Media, OutgoingPart, Posted
from .config import Config
from .errors import AuthFailed, ChannelError, OutcomeUnknown, RateLimited, Rejected, ScheduleError, Unavailable
from .plan import Plan, Step
from .render.cards import report_card
from .render.posts import RenderedPost
from .store.db import now, open_db
from .store.delivery import Delivery, DeliveryState
from .store.holds import recover
from .store.ledger import Ledger, Outcome, QueuedPart, enqueue_parts, resolve_part
from .store.ledger_queries import post_parts

RETRY_WAITS = (2.0, 10.0)
AUTH_WAIT = timedelta(minutes=15)


@dataclass
class PartResult:
    """What happened to one part in this run (or before)."""

    index: int
    state: str
    url: str | None = None
    detail: str | None = None


@dataclass
class StepResult:
    """One post step's outcome."""

    step: int
    channel: str
    parts: list[PartResult] = field(default_factory=list)
    halted: str | None = None  # why the thread stopped before its end

    @property
    def done(self) -> bool:
        """Every part posted."""
        return all(p.state == "sent" for p in self.parts)


def outgoing_parts(campaign: Campaign, post: RenderedPost, step: Step) -> list[OutgoingPart]:
    """The parts to publish for one rendered post; images go on the first part only."""
    images = tuple(Media(img.path, img.alt) for img in post.images)
    card = None if images else report_card(campaign, post.channel)
    count = len(post.parts)
    return [OutgoingPart(campaign.slug, step.number, i + 1, count, part.text, images if i == 0 else (), card if i == 0 else None, part.links)
            for i, part in enumerate(post.parts)]


def _posted(row: Delivery) -> Posted:
    return Posted(row.remote_id, row.remote_url or "", row.remote_extra)


def post_step(config: Config, plan: Plan, step: Step, channel: Channel | None = None, retry_waits: tuple[float, ...] = RETRY_WAITS) -> StepResult:
    """Publish one post step (a post or a whole thread) as far as it can go now."""
    campaign = plan.campaign
    post = next(p for p in plan.posts if p.index == step.post_index)
    parts = outgoing_parts(campaign, post, step)
    engine = open_db(config)
    recover(engine, campaign.slug, step.number)
    enqueue_parts(engine, campaign.slug, step.number, [QueuedPart(p.index, p.text, p.count) for p in parts])
    channel = channel or channel_for(config, step.channel)
    result = StepResult(step.number, step.channel)
    rows = post_parts(engine, campaign.slug, step.number)
    previous: Posted | None = None
    root: Posted | None = None
    ledger: Ledger | None = None
    try:
        for part in parts:
            row = rows[part.index]
            state = row.state
            if state == DeliveryState.SENT:
                previous = _posted(row)
                root = root or previous
                result.parts.append(PartResult(part.index, state, row.remote_url, row.detail))
                continue
            if state in (DeliveryState.UNKNOWN, DeliveryState.FAILED, DeliveryState.SENDING):
                result.parts.append(PartResult(part.index, state, None, row.detail))
                result.halted = f"part {part.index} is {state}: {row.detail}" + (" (resolve with outreach post --resolve)" if state == DeliveryState.UNKNOWN else "")
                break
            due = row.not_before
            if due is not None and due > now():
                result.parts.append(PartResult(part.index, DeliveryState.QUEUED, None, row.detail))
                result.halted = f"part {part.index} waits until {due:%Y-%m-%d %H:%M:%S} UTC: {row.detail}"
                break
            ledger = ledger or Ledger(engine, campaign.slug, step.number)
            posted, outcome = _publish_part(ledger, channel, part, row.id, previous, root, retry_waits)
            result.parts.append(PartResult(part.index, outcome.state, posted.url if posted else None, outcome.detail))
            if posted is None:
                result.halted = f"part {part.index}: {outcome.detail}"
                break
            previous = posted
            root = root or posted
    finally:
        if ledger is not None:
            ledger.close()
    for part in parts[len(result.parts):]:
        result.parts.append(PartResult(part.index, rows[part.index].state))
    return result


def _publish_part(ledger: Ledger, channel: Channel, part: OutgoingPart, delivery_id: int, previous: Posted | None, root: Posted | None,
                  retry_waits: tuple[float, ...]) -> tuple[Posted | None, Outcome]:
    attempt = 0
    while True:
        claimed = ledger.claim(delivery_id)
        if claimed is None:
            outcome = Outcome(delivery_id, DeliveryState.QUEUED, "another dispatcher is posting this part")
            return None, outcome
        try:
            posted = channel.publish(part, previous, root)
        except RateLimited as exc:
            outcome = Outcome(delivery_id, DeliveryState.QUEUED, str(exc), not_before=exc.retry_at)
        except Unavailable as exc:
            if attempt < len(retry_waits):
                ledger.finish(Outcome(delivery_id, DeliveryState.QUEUED, f"attempt {claimed.attempts}: {exc}"))
                time.sleep(retry_waits[attempt])
                attempt += 1
                continue
            outcome = Outcome(delivery_id, DeliveryState.QUEUED, f"attempt {claimed.attempts}: {exc}", not_before=now() + timedelta(minutes=5))
        except AuthFailed as exc:
            # not the post's fault, but no use asking again every second: wait for a person to fix the credentials
            outcome = Outcome(delivery_id, DeliveryState.QUEUED, f"credentials refused: {exc}", not_before=now() + AUTH_WAIT)
        except OutcomeUnknown as exc:
            outcome = Outcome(delivery_id, DeliveryState.UNKNOWN, str(exc))
        except Rejected as exc:
            outcome = Outcome(delivery_id, DeliveryState.FAILED, str(exc))
        except ChannelError as exc:
            outcome = Outcome(delivery_id, DeliveryState.FAILED, str(exc))
        except Exception as exc:  # noqa: BLE001  (a bug must not leave the part in 'sending')
            outcome = Outcome(delivery_id, DeliveryState.UNKNOWN, f"internal error while posting: {type(exc).__name__}: {exc}")
        else:
            remote = dict(posted.extra)
            outcome = Outcome(delivery_id, DeliveryState.SENT, f"posted {posted.url}", remote_id=posted.remote_id, remote_url=posted.url,
                              payload={"text": part.text, "of": part.count, "remote": remote})
            ledger.finish(outcome)
            return posted, outcome
        ledger.finish(outcome)
        return None, outcome


def post_steps(config: Config, plan: Plan, numbers: list[int] | None = None) -> list[StepResult]:
    """Publish the plan's post steps (all, or the numbered ones) in order."""
    steps = [s for s in plan.steps if s.kind == "post" and (numbers is None or s.number in numbers)]
    if numbers:
        missing = sorted(set(numbers) - {s.number for s in steps})
        if missing:
            raise ScheduleError(f"{plan.campaign.slug}: no post step {', '.join(map(str, missing))} (post steps: {', '.join(str(s.number) for s in plan.steps if s.kind == 'post')})")
    channels: dict[str, Channel] = {}
    results = []
    for step in steps:
        if step.channel not in channels:
            channels[step.channel] = channel_for(config, step.channel)
        results.append(post_step(config, plan, step, channels[step.channel]))
    return results


def resolve(config: Config, campaign: str, step: int, part: int, *, posted_url: str | None, resend: bool, by: str = "cli") -> str:
    """A person settles an unknown part: it was posted (with its URL), or it should be sent again."""
    return resolve_part(open_db(config), campaign, step, part, posted_url=posted_url, resend=resend, by=by).value
