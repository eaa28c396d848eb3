"""Render social posts per channel and measure them by each platform's own rules.

The limits and counting rules are the platforms' facts
(:mod:`outreach.channels.registry`); the names below are views of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

from ..campaign import Campaign, Post
from ..channels.bluesky_facts import bluesky_length
from ..channels.facts import LinkSpan
from ..channels.mastodon_facts import mastodon_length
from ..channels.registry import PLATFORMS, facts
from ..channels.x_facts import x_length
from ..errors import CampaignError
from .environment import with_utm
from .sandbox import TemplateLimit, render_post_text

__all__ = ["LIMITS", "MEASURES", "UTM", "bluesky_length", "mastodon_length", "x_length"]

LIMITS = {name: f.limit for name, f in PLATFORMS.items()}
MEASURES = {name: f.length for name, f in PLATFORMS.items()}
EMAIL_UTM = ("newsletter", "email")
UTM = {**{name: f.utm for name, f in PLATFORMS.items()}, "email": EMAIL_UTM}


@dataclass(frozen=True)
class PostImage:
    """An image to attach, with its alt text."""

    path: Path
    alt: str
    field: str


@dataclass(frozen=True)
class RenderedPart:
    """One post, or one part of a thread, as it will be sent."""

    text: str
    length: int
    limit: int
    field: str
    links: tuple[LinkSpan, ...] = ()  # where the text's links are, and the full address each opens

    @property
    def over_by(self) -> int:
        """How far over the platform limit the text is (0 when it fits)."""
        return max(0, self.length - self.limit)


@dataclass(frozen=True)
class RenderedPost:
    """A post or thread on one channel, rendered and measured."""

    index: int
    channel: str
    at_local: datetime
    parts: list[RenderedPart]
    images: list[PostImage] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        """True for a thread of more than one part."""
        return len(self.parts) > 1


def report_url(campaign: Campaign, channel: str) -> str:
    """The report link for ``channel``, carrying its UTM parameters."""
    source, medium = EMAIL_UTM if channel == "email" else facts(channel).utm
    return with_utm(campaign.report.url, source, medium, campaign.slug)


def campaign_context(campaign: Campaign, channel: str) -> dict[str, Any]:
    """The data a template may read; ``report.url`` carries this channel's UTM tags."""
    data = campaign.model_dump(mode="json")
    data["report"]["url"] = report_url(campaign, channel)
    data["report"]["canonical_url"] = campaign.report.url
    data["report"]["paragraphs"] = campaign.report.paragraphs
    data["slug"] = campaign.slug
    return data


def post_images(campaign: Campaign, post: Post, index: int) -> list[PostImage]:
    """A post's images (``image = "cover"`` and ``images``) as checked files with alt text; raise a located error for a bad one."""
    images: list[PostImage] = []
    if post.image == "cover" and campaign.report.cover is not None:
        cover = campaign.report.cover
        images.append(PostImage(campaign.asset(cover.image, "report.cover.image"), cover.alt, "report.cover"))
    for i, img in enumerate(post.images):
        field_path = f"posts[{index}].images[{i}]"
        images.append(PostImage(campaign.asset(img.path, f"{field_path}.path"), img.alt, field_path))
    return images


def _render_text(source: str, context: dict[str, Any], campaign: Campaign, field_path: str) -> str:
    try:
        return render_post_text(source, context).strip()
    except TemplateLimit as exc:
        raise campaign.error(field_path, f"template over a limit: {exc}") from None
    except SecurityError as exc:
        raise campaign.error(field_path, f"template not allowed by the sandbox: {exc}") from None
    except TemplateError as exc:
        raise campaign.error(field_path, f"template error: {exc.message or exc}") from None
    except Exception as exc:  # 1/0, a negative truncate, an include, a huge number: the author's mistake, not ours
        raise campaign.error(field_path, f"template error: {_describe(exc)}") from None


def _describe(exc: Exception) -> str:
    if isinstance(exc, TypeError) and "no loader" in str(exc):
        return "{% include %}, {% import %} and {% extends %} are not available in post texts"
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def thread_number(index: int, total: int) -> str:
    """The "n/N" a numbered thread's part ``index`` (from 0) ends with, counted in its length; "" for one part."""
    return f"\n\n{index + 1}/{total}" if total > 1 else ""


def render_post(campaign: Campaign, post: Post, index: int, limit: int | None = None, context: dict[str, Any] | None = None) -> RenderedPost:
    """Render one ``[[posts]]`` entry; raise :class:`CampaignError` on a template problem.

    ``context`` is :func:`campaign_context` for the post's channel, when the caller already has it.
    """
    context = context if context is not None else campaign_context(campaign, post.channel)
    platform = facts(post.channel)
    measure = platform.length
    cap = limit or platform.limit
    sources = post.parts
    parts: list[RenderedPart] = []
    for i, source in enumerate(sources):
        field_path = f"posts[{index}].text" if post.text is not None else f"posts[{index}].thread[{i}]"
        text = _render_text(source, context, campaign, field_path)
        if post.numbered:
            text += thread_number(i, len(sources))
        if not text:
            raise campaign.error(field_path, "renders to an empty post")
        composed = platform.compose(text)  # the text as the platform receives it: Bluesky shows links shortened
        parts.append(RenderedPart(composed.text, measure(composed.text), cap, field_path, composed.links))
    return RenderedPost(index, post.channel, post.at, parts, post_images(campaign, post, index))


def render_posts(campaign: Campaign) -> tuple[list[RenderedPost], list[CampaignError]]:
    """Render every post; collect template errors instead of stopping at the first."""
    rendered: list[RenderedPost] = []
    errors: list[CampaignError] = []
    contexts: dict[str, dict[str, Any]] = {}  # one per channel: building it dumps the whole campaign
    for i, post in enumerate(campaign.posts):
        if post.channel not in contexts:
            contexts[post.channel] = campaign_context(campaign, post.channel)
        try:
            rendered.append(render_post(campaign, post, i, context=contexts[post.channel]))
        except CampaignError as exc:
            errors.append(exc)
    return rendered, errors
