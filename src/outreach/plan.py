"""The plan: everything a campaign will send, as dispatch steps with UTC due times.

:func:`build_plan` renders the campaign once (email and every post) and lists
the steps. Step numbers are stable: step 1 is the email when there is one,
then one step per ``[[posts]]`` entry in file order, so editing a time never
renumbers anything. :attr:`Plan.hashes` fingerprints each reviewable piece
(email subject, HTML, text, audience; each post; each image), which is what an approval
is recorded against and what "changed since approval" compares.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .campaign import Campaign
from .config import Config
from .errors import CampaignError, RenderError
from .render.email import RenderedEmail, render_email
from .render.posts import RenderedPost, render_posts


@dataclass(frozen=True)
class Step:
    """One dispatch: the email, or one post or thread."""

    number: int
    kind: str  # "email" | "post"
    channel: str  # "email", or a platform in channels.registry.PLATFORMS ("x", "mastodon", "bluesky", "linkedin")
    field: str  # "email" or "posts[3]"
    due_local: datetime
    due_utc: datetime
    summary: str
    post_index: int | None = None  # a post step: its index into ``campaign.posts``


@dataclass
class Plan:
    """A rendered campaign and its dispatch steps."""

    campaign: Campaign
    email: RenderedEmail | None
    posts: list[RenderedPost]
    steps: list[Step]
    errors: list[CampaignError]

    @property
    def hashes(self) -> dict[str, str]:
        """A fingerprint per reviewable piece, for approvals."""
        out: dict[str, str] = {}
        if self.email is not None and self.campaign.email is not None:
            out["email subject"] = _digest(self.email.subject + "\n" + self.email.preheader)
            out["email html"] = _digest(self.email.html)
            out["email text"] = _digest(self.email.text)
            # who it goes to: a changed list or filter needs a new approval
            out["email audience"] = _digest(json.dumps(self.campaign.email.audience.model_dump(mode="json"), sort_keys=True))
            if self.email.cover_path is not None:
                out["cover image"] = _file_digest(self.email.cover_path)
        for post in self.posts:
            images = [(img.alt, _file_digest(img.path)) for img in post.images]
            out[f"posts[{post.index}]"] = _digest(json.dumps([post.channel, [p.text for p in post.parts], images]))
        for step in self.steps:
            out[f"time of {step.field}"] = _digest(step.due_utc.isoformat())
        return dict(sorted(out.items()))

    @property
    def content_hash(self) -> str:
        """One hash over every piece: equal hashes mean identical output."""
        return _digest(json.dumps(self.hashes, sort_keys=True))

    def step(self, number: int) -> Step:
        """The step numbered ``number``; raise ``KeyError`` if there is none."""
        for step in self.steps:
            if step.number == number:
                return step
        raise KeyError(number)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _excerpt(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def build_plan(campaign: Campaign, config: Config) -> Plan:
    """Render everything and list the steps; template problems are collected in ``errors``."""
    errors: list[CampaignError] = []
    email: RenderedEmail | None = None
    steps: list[Step] = []
    number = 1
    if campaign.email is not None:
        try:
            email = render_email(campaign, config)
        except RenderError as exc:
            errors.append(campaign.error("email.template", str(exc).split(": ", 1)[-1]))
        except CampaignError as exc:  # the cover: reported with the other image problems below
            errors.append(exc)
        try:
            due = campaign.to_utc(campaign.email.send_at, "email.send_at")
            steps.append(Step(number, "email", "email", "email", campaign.email.send_at, due, _excerpt(campaign.email.subject)))
        except CampaignError as exc:
            errors.append(exc)
        number += 1
    for relative, field in campaign.image_fields():
        try:
            campaign.asset(relative, field)
        except CampaignError as exc:
            errors.append(exc)
    posts, post_errors = render_posts(campaign)
    errors.extend(post_errors)
    rendered = {p.index: p for p in posts}
    for i, post in enumerate(campaign.posts):
        field = f"posts[{i}]"
        try:
            due = campaign.to_utc(post.at, f"{field}.at")
        except CampaignError as exc:
            errors.append(exc)
            number += 1
            continue
        text = rendered[i].parts[0].text if i in rendered else post.parts[0]
        kind = f"thread of {len(post.parts)}: " if len(post.parts) > 1 else ""
        steps.append(Step(number, "post", post.channel, field, post.at, due, kind + _excerpt(text), post_index=i))
        number += 1
    return Plan(campaign, email, posts, steps, _unique(errors))


def _unique(errors: list[CampaignError]) -> list[CampaignError]:
    """``errors`` without repeats (a bad cover is found by the email and by every post that shows it)."""
    seen: set[str] = set()
    return [e for e in errors if not (str(e) in seen or seen.add(str(e)))]
