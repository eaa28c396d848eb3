"""Offline checks of a campaign: errors that block it, warnings a reviewer must see.

Errors: an unknown subscriber list, an audience filter that names an unknown
topic or attribute or a value of the wrong type (see :mod:`outreach.audience`), an image path that is not a real image
file inside the campaign's folder (see :meth:`Campaign.asset`), an image over
a channel's size cap, alt text over a platform's limit, a post over its limit
(by how much), a Bluesky post or link card the lexicons refuse (text over 3,000
bytes, a link or card address that is not a URI, a cover that cannot be made a
thumbnail under the blob limit), and every render problem the plan collected. Warnings: missing
alt text, subscribers holding a filtered attribute as another type than its kind
(they never match), a post within 10% of its limit, a non-https link, a step in the
past, a local time that DST makes ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy.exc import SQLAlchemyError

from .audience import check_audience, describe, mistyped
from .campaign import IMAGE_FORMATS, Campaign, read_campaign
from .channels.bluesky_facts import BLUESKY, TEXT_MAX_BYTES, is_lexicon_uri
from .channels.registry import facts
from .config import Config
from .errors import CampaignError
from .plan import Plan, build_plan
from .render.cards import report_card
from .render.posts import RenderedPost
from .render.environment import OVERRIDABLE
from .store.segments import attribute_names, attribute_types, existing_database

_URL_RE = re.compile(r"""https?://[^\s"'<>)]+""")


# A post part longer than this share of its limit gets a warning (drafts stay under it).
NEAR_LIMIT = 0.9

@dataclass(frozen=True)
class Warning_:
    """Something a reviewer should look at; it does not block sending."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.field}: {self.message}" if self.field else self.message


@dataclass
class Checked:
    """The plan with every error and warning found."""

    plan: Plan
    errors: list[CampaignError]
    warnings: list[Warning_]
    audience: str | None = None  # the email's audience in words, when it has one and it is sound

    @property
    def ok(self) -> bool:
        """True when nothing blocks the campaign."""
        return not self.errors


def check(campaign: Campaign, config: Config, now: datetime | None = None) -> Checked:
    """Build the plan and run every offline check on it."""
    now = now or datetime.now(timezone.utc)
    plan = build_plan(campaign, config)
    errors = list(plan.errors)
    warnings: list[Warning_] = []

    def warn(field: str, message: str) -> None:
        warnings.append(Warning_(field, message, campaign.line_of(field)))

    audience = None
    if campaign.email is not None:
        problems, doubts = _audience_problems(campaign, config)
        errors += [campaign.error(field, message) for field, message in problems]
        for field, message in doubts:
            warn(field, message)
        audience = None if problems else describe(campaign.email.audience, config)

    cover = campaign.report.cover
    if cover is not None:  # the file itself is checked by the plan (Campaign.asset)
        if not cover.alt.strip():
            warn("report.cover.alt", "the cover has no alt text: screen-reader users will not know what it shows")

    for ignored in _ignored_templates(campaign):
        warn("email.template", f"{ignored} is ignored: a campaign folder may override email templates (templates/email/) only")

    for post in plan.posts:
        name = facts(post.channel).display
        for part in post.parts:
            if part.over_by:
                errors.append(campaign.error(part.field, f"{part.length} characters by {name}'s count; the limit is {part.limit} (over by {part.over_by})"))
            elif part.length > NEAR_LIMIT * part.limit:
                warn(part.field, f"{part.length} of {part.limit} characters on {name}: within 10% of the limit")
        for image in post.images:
            _check_image(campaign, post.channel, image.path, image.alt, image.field, errors, warn)
        lexicon = _card_problems(campaign, post) + (_record_problems(campaign, post) if post.channel == BLUESKY.name else [])
        errors += [e for e in lexicon if str(e) not in {str(x) for x in errors}]  # one cover, one error, however many posts

    for step in plan.steps:
        if step.due_utc < now:
            warn(f"{step.field}.at" if step.kind == "post" else "email.send_at", f"step {step.number} is scheduled in the past ({step.due_local:%Y-%m-%d %H:%M} {campaign.timezone})")
        if _ambiguous(campaign, step.due_local):
            warn(f"{step.field}.at" if step.kind == "post" else "email.send_at", f"{step.due_local:%Y-%m-%d %H:%M} happens twice in {campaign.timezone} (clocks go back); the first is used")

    for field, url in _links(plan):
        if url.startswith("http://"):
            warn(field, f"non-https link: {url}")
    return Checked(plan, errors, warnings, audience)


def _audience_problems(campaign: Campaign, config: Config) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The email audience checked against the config: (errors, warnings), each ``(field, message)``.

    The database is read (never created) when the filter names attributes: for the names [attributes] does not
    declare, and for subscribers holding a filtered attribute as another type than its kind (they never match)."""
    assert campaign.email is not None
    spec = campaign.email.audience
    engine = existing_database(config) if spec.attributes else None
    found: set[str] = set()
    if engine is not None and set(spec.attributes) - set(config.attributes):
        try:
            found = attribute_names(engine)
        except SQLAlchemyError:
            found = set()  # an unreadable database: only declared attributes are known
    problems = check_audience(spec, config, found, campaign.email.list_field)
    if problems or engine is None:
        return problems, []
    try:
        held = attribute_types(engine, spec.list, spec.attributes)
    except SQLAlchemyError:
        return problems, []  # an unreadable database: nothing to say about its values
    return problems, mistyped(spec, config, held)


def check_file(path: str | Path, config: Config, now: datetime | None = None) -> tuple[Checked | None, list[CampaignError]]:
    """Check one campaign file and report every problem in one run.

    A sound file gives ``(checked, [])``. A file with shape errors gives ``(None, errors)``: the shape errors
    together with what the cross-field checks (unknown list, image files, image limits, post lengths,
    templates) find in the parts that are sound, in line order. Nothing about a broken part is reported twice.
    """
    campaign, shape = read_campaign(path)
    if not shape and campaign is not None:
        return check(campaign, config, now), []
    if campaign is None:
        return None, shape
    broken = [e.field for e in shape if e.field]
    more = [e for e in check(campaign, config, now).errors if not _under_any(e.field, broken)]
    errors = shape + [e for e in more if str(e) not in {str(x) for x in shape}]
    return None, sorted(errors, key=lambda e: e.line if e.line is not None else 1 << 30)


def _under_any(field: str, broken: list[str]) -> bool:
    """True when ``field`` is a broken field, inside one, or inside the post a broken field belongs to."""
    for b in broken:
        post = re.match(r"posts\[\d+\]", b)
        scope = post.group(0) if post else b
        if field == scope or field.startswith((scope + ".", scope + "[")) or field == b:
            return True
    return False


def _check_image(campaign: Campaign, channel: str, path: Path, alt: str, field: str, errors: list[CampaignError], warn: Callable[[str, str], None]) -> None:
    """The channel's own limits (its facts) for an image that already passed :meth:`Campaign.asset`."""
    platform = facts(channel)
    name = platform.display
    kind = next((k for k, suffixes in IMAGE_FORMATS.items() if path.suffix.lower() in suffixes), "")  # asset() matched name to content
    if kind not in platform.image_formats:
        errors.append(campaign.error(field, f"{path.name} is a {kind or 'file'} image; {name} takes {', '.join(platform.image_formats)}"))
    size = path.stat().st_size
    if size > platform.max_image_bytes:
        errors.append(campaign.error(field, f"{path.name} is {size:,} bytes; {name} takes at most {platform.max_image_bytes:,}"))
    if not alt.strip():
        if field != "report.cover":
            warn(field + ".alt", f"image {path.name} has no alt text")
    elif len(alt) > platform.max_alt:
        errors.append(campaign.error(field + ".alt", f"alt text is {len(alt)} characters; {name} takes at most {platform.max_alt}"))


def _card_problems(campaign: Campaign, post: RenderedPost) -> list[CampaignError]:
    """The link card a post without images carries: its thumbnail made, its address a URI (app.bsky.embed.external)."""
    if post.images:
        return []
    try:
        card = report_card(campaign, post.channel)
    except CampaignError as exc:
        return [exc]
    if card is None or post.channel != BLUESKY.name or is_lexicon_uri(card.uri):
        return []
    return [campaign.error("report.url", f"the {BLUESKY.display} link card's address is not a URI (it holds white space): {card.uri!r}")]


def _record_problems(campaign: Campaign, post: RenderedPost) -> list[CampaignError]:
    """What the post record's lexicon refuses besides the grapheme count: text bytes, link addresses (app.bsky.feed.post)."""
    found = []
    for part in post.parts:
        size = len(part.text.encode("utf-8", "surrogatepass"))
        if size > TEXT_MAX_BYTES:
            found.append(campaign.error(part.field, f"{size:,} bytes of UTF-8; {BLUESKY.display} takes at most {TEXT_MAX_BYTES:,} bytes of text "
                                                    "(emoji and combining marks take several bytes each)"))
        found += [campaign.error(part.field, f"the link {link.uri!r} is not a URI {BLUESKY.display} accepts (it holds white space)")
                  for link in part.links if not is_lexicon_uri(link.uri)]
    return found


def _ignored_templates(campaign: Campaign) -> list[str]:
    """What the campaign's ``templates/`` folder holds besides ``email/``: never used, so say so."""
    folder = campaign.folder / "templates"
    if not folder.is_dir():
        return []
    return [f"templates/{p.name}" for p in sorted(folder.iterdir()) if p.name != OVERRIDABLE]


def _ambiguous(campaign: Campaign, local: datetime) -> bool:
    # In a fall-back overlap the first reading (fold=0) has the larger offset;
    # in a spring-forward gap it is the other way round (and the plan refuses it).
    first = local.replace(tzinfo=campaign.tz, fold=0).utcoffset()
    second = local.replace(tzinfo=campaign.tz, fold=1).utcoffset()
    return first is not None and second is not None and first > second


def _links(plan: Plan) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = [("report.url", plan.campaign.report.url)]
    if plan.email is not None:
        found += [("email", link.url) for link in plan.email.links() if link.url.startswith("http")]
    for post in plan.posts:
        for part in post.parts:  # a Bluesky link shows short text: its address is in the part's links
            found += [(part.field, url) for url in [link.uri for link in part.links] + _URL_RE.findall(part.text)]
    seen: set[str] = set()
    unique = []
    for field, url in found:
        if url not in seen:
            seen.add(url)
            unique.append((field, url))
    return unique
