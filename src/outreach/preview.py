"""The dry-run preview: every email and post, when it goes out, and every warning.

Writes files only; sends nothing and stores nothing. The output is a pure
function of the campaign, its images, the templates and the config (plus
"now" for the scheduled-in-the-past warning), so two previews of the same
campaign are byte-identical and reviewers can diff them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from .campaign import Campaign
from .config import Config
from .mail.compose import campaign_factory, sample_recipient
from .render.email import personalise
from .render.environment import template_env
from .render.posts import LIMITS, RenderedPost
from .validate import CHANNEL_NAMES, Checked

PREVIEW_FILES = ("index.html", "email.html", "email.txt", "email.eml", "posts.json")


@dataclass(frozen=True)
class PreviewResult:
    """Where the preview went."""

    folder: Path
    index: Path
    files: list[Path]


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
                "parts": [{"text": p.text, "length": p.length, "limit": p.limit} for p in post.parts],
                "images": [{"file": image_names.get(img.path, img.path.name), "alt": img.alt} for img in post.images],
            }
        )
    return out


def _utm(url: str) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(url).query) if k.startswith("utm_")}


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
                image_names[img.path] = f"images/{len(image_names) + 1:02d}-{img.path.name}"
    if image_names:
        (out / "images").mkdir(exist_ok=True)
        for src, name in image_names.items():
            shutil.copyfile(src, out / name)
            written.append(out / name)

    email_ctx = None
    if plan.email is not None and campaign.email is not None:
        rendered = plan.email
        recipient = sample_recipient(config, campaign)
        values = {"name": config.preview.sample_name, "unsubscribe_url": recipient.unsubscribe_url}
        email_html = personalise(rendered.html, values, is_html=True)
        email_text = personalise(rendered.text, values, is_html=False)
        due = campaign.to_utc(campaign.email.send_at, "email.send_at")
        eml = campaign_factory(config, campaign, rendered).build(recipient, due)
        write("email.html", email_html)
        write("email.txt", email_text)
        write("email.eml", eml)
        display_html = email_html
        if rendered.cover_path is not None and rendered.cover_url and rendered.cover_path.is_file():
            cover_name = image_names.get(rendered.cover_path)
            if cover_name is None:
                (out / "images").mkdir(exist_ok=True)
                cover_name = f"images/00-{rendered.cover_path.name}"
                shutil.copyfile(rendered.cover_path, out / cover_name)
                written.append(out / cover_name)
            display_html = display_html.replace(rendered.cover_url, cover_name)
        email_ctx = {
            "from": config.email.from_,
            "reply_to": config.email.reply_to,
            "to": f"{config.preview.sample_name} <{config.preview.sample_email}>",
            "subject": rendered.subject,
            "preheader": rendered.preheader,
            "list": rendered.list_name,
            "list_title": rendered.list_title,
            "display_html": display_html,
            "text": email_text,
            "cover_url": rendered.cover_url,
            "links": [{"url": l.url, "text": l.text, "utm": _utm(l.url)} for l in rendered.links()],
        }

    posts = posts_document(campaign, plan.posts, image_names)
    write("posts.json", json.dumps(posts, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    for card in posts:
        card["channel_name"] = CHANNEL_NAMES[card["channel"]]
        card["limit"] = LIMITS[card["channel"]]

    steps = [
        {
            "number": s.number,
            "channel": "Email" if s.channel == "email" else CHANNEL_NAMES[s.channel],
            "field": s.field,
            "summary": s.summary,
            "local": f"{s.due_local:%a %d %b %Y %H:%M}",
            "utc": f"{s.due_utc:%a %d %b %Y %H:%M}",
        }
        for s in sorted(plan.steps, key=lambda s: (s.due_utc, s.number))
    ]
    page = template_env(campaign.folder).get_template("preview/index.html.j2").render(
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
    return PreviewResult(out, out / "index.html", written)
