"""``outreach review``: ask people to review a campaign through signed links, and take links back.

:func:`request_review` stores the campaign as it renders now (a version with
its preview files), opens the next review round, makes one link per reviewer
and mails each reviewer their link (SMTP when configured, else the outbox).
Every reviewer given is checked before anything is stored, so a bad address
creates nothing. Asking the same person again in a later round gives them a
new link; their earlier links stay usable until they expire or are revoked,
and every link opens the campaign as it renders at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.utils import parseaddr

from sqlalchemy import Engine

from ..config import Config, checked_mailbox
from ..errors import ApprovalError, ChannelError
from ..mail.compose import service_message, signing_keys
from ..mail.transport import MailTransport, mail_transport
from ..store.db import current_user
from ..store.reviews import ReviewerLink, ReviewRound, StoredVersion, add_reviewer, new_round, revoke
from ..text import clean_line
from ..tokens import Keyring, make_review_token
from ..validate import Checked
from .snapshot import snapshot


@dataclass(frozen=True)
class Reviewer:
    """A person asked to review: a display name and a lower-case address."""

    name: str
    address: str

    @property
    def mailbox(self) -> str:
        """``Name <addr>`` as checked, for a To header."""
        return str(Address(display_name=self.name, addr_spec=self.address)) if self.name != self.address else self.address


@dataclass(frozen=True)
class SentLink:
    """One reviewer's new link and what happened to its mail."""

    link: ReviewerLink
    url: str
    delivered: bool
    where: str  # "written to outbox/…" or the SMTP server's reply, or why the mail failed


@dataclass(frozen=True)
class ReviewRequest:
    """What one ``outreach review`` did."""

    round: ReviewRound
    version: StoredVersion
    sent: tuple[SentLink, ...]


def parse_reviewer(value: str, option: str = "--reviewer") -> Reviewer:
    """``Name <addr>`` (or a bare address) as a :class:`Reviewer`; :class:`ApprovalError` naming ``value`` when it is not one."""
    try:
        checked = checked_mailbox(value)
    except ValueError as exc:
        raise ApprovalError(f"{option} {value!r}: {exc}") from None
    name, address = parseaddr(checked)
    address = address.lower()
    return Reviewer(clean_line(name) or address, address)


def parse_reviewers(values: list[str]) -> list[Reviewer]:
    """Every ``--reviewer`` checked, in order; a repeated address is refused."""
    found: list[Reviewer] = []
    for value in values:
        reviewer = parse_reviewer(value)
        if any(r.address == reviewer.address for r in found):
            raise ApprovalError(f"--reviewer {value!r}: {reviewer.address} is given twice")
        found.append(reviewer)
    if not found:
        raise ApprovalError("--reviewer: name at least one reviewer, as \"Name <addr>\"")
    return found


def review_url(config: Config, keys: Keyring, link: ReviewerLink) -> str:
    """The address of ``link``'s review page on ``outreach serve``."""
    return f"{config.web.base_url}/review/{make_review_token(keys, link.link_key, link.campaign)}"


def link_message(config: Config, reviewer: Reviewer, title: str, round_: ReviewRound, link: ReviewerLink, url: str) -> bytes:
    """The mail that brings a reviewer their link."""
    body = (f"Hello {reviewer.name},\n\n"
            f"{round_.requested_by} asks you to review the campaign \"{title}\" ({round_.campaign}) before it goes out.\n\n"
            f"Open your review page:\n{url}\n\n"
            "It shows exactly what will be sent and posted. Approve it there, or request changes with a comment.\n"
            f"The link is yours alone; it works until {link.expires_at:%Y-%m-%d %H:%M} UTC.\n")
    return service_message(config, reviewer.mailbox, f"Please review: {title}", body)


def request_review(config: Config, engine: Engine, checked: Checked, reviewers: list[Reviewer], *, owner: str | None = None,
                   days: int | None = None) -> ReviewRequest:
    """Store the version, open a round and mail each reviewer a link; a failed mail is reported, not raised."""
    days = _days(config, days)
    owner = _owner(config, owner)
    keys = signing_keys(config, engine)  # before anything is stored: with SMTP an unset key is a ConfigError
    transport = mail_transport(config, "review")
    slug = checked.plan.campaign.slug
    stored = snapshot(engine, checked, config)
    round_ = new_round(engine, slug, stored.id, owner, current_user())
    links = [(reviewer, add_reviewer(engine, round_, reviewer.name, reviewer.address, days)) for reviewer in reviewers]
    title = clean_line(checked.plan.campaign.report.title, 200)
    sent = []
    for reviewer, link in links:
        url = review_url(config, keys, link)
        data = link_message(config, reviewer, title, round_, link, url)
        sent.append(_send(config, transport, reviewer, link, url, data))
    return ReviewRequest(round_, stored, tuple(sent))


def _send(config: Config, transport: MailTransport, reviewer: Reviewer, link: ReviewerLink, url: str, data: bytes) -> SentLink:
    try:
        connection = transport.open()
        try:
            reply = connection.send(config.email.sender_address, reviewer.address, data, name=f"review-{link.campaign}-{link.id:06d}")
        finally:
            connection.close()
    except ChannelError as exc:  # the class only: an SMTP reply can quote the address
        return SentLink(link, url, False, f"not mailed ({exc.__class__.__name__})")
    return SentLink(link, url, True, reply)


def _days(config: Config, days: int | None) -> int:
    limit = config.review.link_days
    if days is None:
        return limit
    if not 1 <= days <= limit:
        # the page reads tokens with link_days as their maximum age: a longer link would die early
        raise ApprovalError(f"--days {days}: must be between 1 and [review] link_days ({limit})")
    return days


def _owner(config: Config, owner: str | None) -> str | None:
    if owner is None:
        return config.review.owner
    try:
        return checked_mailbox(owner)
    except ValueError as exc:
        raise ApprovalError(f"--owner {owner!r}: {exc}") from None


def revoke_links(engine: Engine, campaign: str, who: str) -> list[ReviewerLink]:
    """Revoke ``who``'s usable links to ``campaign`` (by name or address); :class:`ApprovalError` when none matched."""
    if not who.strip():
        raise ApprovalError("--revoke: say whose link, by name or address")
    hits = revoke(engine, campaign, who)
    if not hits:
        raise ApprovalError(f"--revoke {who!r}: no usable review link of {campaign} has that name or address")
    return hits


def link_state(link: ReviewerLink, at: datetime) -> str:
    """``usable until …``, ``expired …`` or ``revoked …``, for status."""
    if link.revoked_at is not None:
        return f"revoked {link.revoked_at:%Y-%m-%d %H:%M} UTC"
    if at >= link.expires_at:
        return f"expired {link.expires_at:%Y-%m-%d %H:%M} UTC"
    return f"usable until {link.expires_at:%Y-%m-%d %H:%M} UTC"
