"""The dry-run preview: every email and post, when it goes out, and every warning.

Writes files only; sends nothing and stores nothing. The output is a pure
function of the campaign, its images, the templates and the config (plus
"now" for the scheduled-in-the-past warning, and, where a database exists,
the audience's current size), so two previews of the same campaign are
byte-identical and reviewers can diff them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from sqlalchemy.exc import SQLAlchemyError

from .audience import describe_size
from .campaign import Campaign
from .config import Config
from .mail.compose import campaign_factory, sample_recipient
from .render.email import personalise
from .render.environment import template_env
from .render.feed import ImageSources, feed_posts
from .channels.registry import facts
from .render.posts import RenderedPost
from .store.db import now
from .store.segments import audience_size, existing_database
from .tracking.describe import tracking_summary
from .validate import Checked

PREVIEW_FILES = ("index.html", "email.html", "email.txt", "email.eml", "links.json", "posts.json")


@dataclass(frozen=True)
class PreviewResult:
    """Where the preview went."""

    folder: Path
    index: Path
    files: list[Path]
    audience: str | None = None  # the email's audience in words, with its current size where a database exists


def audience_line(checked: Checked, config: Config) -> str | None:
    """The email's audience in words, and, where a database exists (never created here), how many it reaches now:
    "research subscribers interested in Asia or Peace and conflict, in English: 1,204 of 8,311"."""
    campaign = checked.plan.campaign
    if campaign.email is None or checked.audience is None:
        return None
    engine = existing_database(config)
    if engine is None:
        return checked.audience
    try:
        matching, total = audience_size(engine, campaign.email.audience, config, now())
    except SQLAlchemyError:
        return f"{checked.audience} (its size is unknown: the database could not be read)"
    return describe_size(checked.audience, matching, total)


def copy_name(number: int, source: Path) -> str:
    """The preview's own name for a copied image: ``images/NN-stem.ext`` from safe characters only.

    File names come from the campaign author; they are data, so the page never
    shows or links them as written (a quote or ``<`` in a name would be markup).
    """
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", source.stem).strip("-_")[:40] or "image"
    suffix = re.sub(r"[^a-z0-9]+", "", source.suffix.lower())[:5] or "img"
    return f"images/{number:02d}-{stem}.{suffix}"


def _data_uri(path: Path) -> str:
    """``path`` as a ``data:`` URI (base64 only: nothing from the file name or its bytes can end the attribute)."""
    with Image.open(path) as img:
        mime = Image.MIME.get(img.format or "", "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def posts_document(campaign: Campaign, posts: list[RenderedPost], image_names: dict[Path, str]) -> list[dict]:
    """The posts as JSON-ready data, exactly as they would be published."""
    out = []
    for post in posts:
        source = campaign.posts[post.index]
        out.append(
            {
                "field": f"posts[{post.index}]",
                "channel": post.channel,
                "at_local": post.at_local.isoformat(),
                "at_utc": campaign.to_utc(source.at, f"posts[{post.index}].at").isoformat().replace("+00:00", "Z"),
                "parts": [{"text": p.text, "length": p.length, "limit": p.limit,
                           "links": [{"shown": p.text[k.start:k.end], "opens": k.uri} for k in p.links]} for p in post.parts],
                "images": [{"file": image_names[img.path], "alt": img.alt} for img in post.images if img.path in image_names],
            }
        )
    return out


def post_cards(campaign: Campaign, rendered: list[RenderedPost], posts: list[dict], config: Config, sources: ImageSources) -> None:
    """Add to each of ``posts`` (:func:`posts_document`'s entries) what its card on the page shows: the post as its feed shows it."""
    for number, (card, post, feed) in enumerate(zip(posts, rendered, feed_posts(campaign, rendered, config, sources)), 1):
        card["channel_name"] = facts(card["channel"]).display
        card["limit"] = facts(card["channel"]).limit
        card["feed"] = feed
        card["number"] = number
        card["when"] = f"{post.at_local.day} {post.at_local:%b %H:%M}"  # as a feed dates a post
        due = campaign.to_utc(campaign.posts[post.index].at, f"{card['field']}.at")
        card["due"] = f"{post.at_local:%a %d %b %Y %H:%M} {campaign.timezone}, {due:%d %b %H:%M} UTC"


def write_preview(checked: Checked, config: Config, out: Path, approval: str | None = None) -> PreviewResult:
    """Write the preview folder for a checked campaign; return where ``index.html`` is."""
    plan = checked.plan
    campaign = plan.campaign
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(name: str, data: str | bytes) -> None:
        path = out / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        written.append(path)

    image_names: dict[Path, str] = {}
    for post in plan.posts:
        for img in post.images:
            if img.path not in image_names and img.path.is_file():
                image_names[img.path] = copy_name(len(image_names) + 1, img.path)
    copies: dict[str, str] = {}  # sha256 of a copied image -> its name: a card's thumbnail with those bytes shows that copy
    if image_names:
        (out / "images").mkdir(exist_ok=True)
        for src, name in image_names.items():
            data = src.read_bytes()  # read once: copied, and known by its hash
            (out / name).write_bytes(data)
            copies[hashlib.sha256(data).hexdigest()] = name
            written.append(out / name)
    sources = ImageSources(copies)  # any other image is a data: URI in the page

    audience = audience_line(checked, config)
    email_ctx = None
    if plan.email is not None and campaign.email is not None:
        rendered = plan.email
        recipient = sample_recipient(config, campaign)
        values = {"name": config.preview.sample_name, "unsubscribe_url": recipient.unsubscribe_url, "preferences_url": recipient.preferences_url}
        email_html = personalise(rendered.html, values, is_html=True)
        email_text = personalise(rendered.text, values, is_html=False)
        due = campaign.to_utc(campaign.email.send_at, "email.send_at")
        eml = campaign_factory(config, campaign, rendered).build(recipient, due)
        write("email.html", email_html)
        write("email.txt", email_text)
        write("email.eml", eml)
        display_html = email_html
        if rendered.cover_path is not None and rendered.cover_url:
            # Inline, because the sandboxed frames have an opaque origin that may not load files.
            display_html = display_html.replace(html.escape(rendered.cover_url), _data_uri(rendered.cover_path))
        email_ctx = {
            "from": config.email.from_,
            "reply_to": config.email.reply_to,
            "to": f"{config.preview.sample_name} <{config.preview.sample_email}>",
            "subject": rendered.subject,
            "preheader": rendered.preheader,
            "list": rendered.list_name,
            "list_title": rendered.list_title,
            "audience": audience,
            "display_html": display_html,
            "text": email_text,
            "cover_url": rendered.cover_url,
            "tracking": tracking_summary(config, rendered),  # the links as written, and how the send wraps them
        }
        write("links.json", json.dumps(email_ctx["tracking"], indent=2, ensure_ascii=False, sort_keys=True) + "\n")

    posts = posts_document(campaign, plan.posts, image_names)
    write("posts.json", json.dumps(posts, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    post_cards(campaign, plan.posts, posts, config, sources)

    steps = [
        {
            "number": s.number,
            "channel": "Email" if s.channel == "email" else facts(s.channel).display,
            "field": s.field,
            "summary": s.summary,
            "local": f"{s.due_local:%a %d %b %Y %H:%M}",
            "utc": f"{s.due_utc:%a %d %b %Y %H:%M}",
        }
        for s in sorted(plan.steps, key=lambda s: (s.due_utc, s.number))
    ]
    page = template_env(None).get_template("preview/index.html.j2").render(  # never a campaign's own copy
        campaign={"slug": campaign.slug, "file": campaign.path.name, "timezone": campaign.timezone},
        report=campaign.report.model_dump(),
        experts=[e.model_dump() for e in campaign.experts],
        content_hash=plan.content_hash,
        approval=approval,
        steps=steps,
        email=email_ctx,
        posts=posts,
        warnings=[str(w) for w in checked.warnings],
    )
    write("index.html", page)
    return PreviewResult(out, out / "index.html", written, audience)
