"""The owner's notice of a request for changes, and the task in ``outreach serve`` that sends it.

A reviewer's request for changes is recorded in the request (``approvals`` row,
``notified_at`` empty); :class:`NoticeWorker` sends the notice off the request
path, through ``mail_transport(config, "review")`` (the outbox with no SMTP),
and only then marks the request notified. Each notice is first claimed with one
conditional update (:func:`outreach.store.reviews.claim_notice`), so two servers
on one database never both send it. A failed send is given back, logged and
retried on a later round, so a notice is never lost; a server that dies between
claiming and marking leaves a claim that another takes over after five minutes
(then the owner may get that notice twice: at least once). The owner is the review round's owner
(``outreach review --owner``), else ``[review] owner``; with neither, the
request stays "owner not told" (``outreach status`` shows it) and the log says
so once per request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy import Engine

from ..config import Config
from ..mail.compose import service_message
from ..mail.transport import MailTransport, mail_transport
from ..store.reviews import Decision, claim_notice, mark_notified, release_notice, round_owner, unnotified_requests
from ..text import visible
from ..web.background import BackgroundWorker

log = logging.getLogger("outreach.review.notice")

POLL_SECONDS = 30.0  # how often the worker looks again (a failed send, or a request made by another process)


@dataclass(frozen=True)
class NoticeRound:
    """What one pass over the unnotified requests did."""

    sent: int = 0
    no_owner: int = 0
    failed: int = 0


def owner_of(config: Config, engine: Engine, decision: Decision) -> str | None:
    """Who is told of ``decision``: its review round's owner, else ``[review] owner``; None when nobody is set."""
    owner = round_owner(engine, decision.reviewer_id) if decision.reviewer_id is not None else None
    return owner or config.review.owner


def notice_message(config: Config, decision: Decision, owner: str) -> bytes:
    """The plain-text notice to ``owner`` that ``decision`` asks for changes (campaign, reviewer, comment, what to run)."""
    slug = decision.campaign
    who = visible(decision.by) + (f" <{decision.reviewer_address}>" if decision.reviewer_address else "")
    comment = (decision.comment or "(no comment)").replace("\r\n", "\n").replace("\r", "\n")
    body = (
        f"{who} asked for changes to {slug} "
        f"(content {decision.content_hash[:12]}, {decision.at:%Y-%m-%d %H:%M} UTC).\n\n"
        "Their comment:\n\n"
        + "".join(f"> {line}\n" for line in comment.split("\n"))
        + "\nWhat to run:\n\n"
        f"  outreach status {slug}      who asked for what, and what is missing before dispatch\n"
        f"  outreach diff {slug}        what changed since the last approval\n"
        f"  outreach review {slug} --reviewer \"Name <addr>\"   ask again once the campaign is edited\n\n"
        "Nothing is sent until the current content is approved.\n"
    )
    return service_message(config, owner, f"Changes requested: {slug}", body)


def send_notices(config: Config, engine: Engine, transport: MailTransport | None = None,
                 ownerless_logged: set[int] | None = None) -> NoticeRound:
    """Send the owner's notice of every request for changes not yet notified; mark each one sent."""
    sent = no_owner = failed = 0
    logged = ownerless_logged if ownerless_logged is not None else set()
    for decision in unnotified_requests(engine):
        owner = owner_of(config, engine, decision)
        if not owner or not parseaddr(owner)[1]:
            no_owner += 1
            if decision.id not in logged:
                logged.add(decision.id)
                log.warning("changes requested for %s: no owner to tell (set [review] owner or outreach review --owner)", decision.campaign)
            continue
        if not claim_notice(engine, decision.id):
            continue  # another server is telling the owner
        try:
            _send(config, transport, decision, owner)
        except Exception as exc:  # noqa: BLE001  (kept unnotified: the next round tries again)
            release_notice(engine, decision.id)
            failed += 1
            log.warning("changes requested for %s: the owner's notice failed (%s); retrying later", decision.campaign, exc.__class__.__name__)
            continue
        mark_notified(engine, [decision.id])
        sent += 1
    return NoticeRound(sent, no_owner, failed)


def _send(config: Config, transport: MailTransport | None, decision: Decision, owner: str) -> None:
    connection = (transport or mail_transport(config, "review")).open()
    try:
        connection.send(config.email.sender_address, parseaddr(owner)[1], notice_message(config, decision, owner),
                        name=f"changes-{decision.campaign}-{decision.id:09d}")
    finally:
        connection.close()


class NoticeWorker(BackgroundWorker):
    """Sends owners' notices while ``outreach serve`` runs: at start, when woken by a request, and every POLL_SECONDS."""

    name = "review notices"

    def __init__(self, config: Config, engine: Engine, transport: MailTransport | None = None, poll: float = POLL_SECONDS) -> None:
        super().__init__(poll)
        self.config, self.engine, self.transport = config, engine, transport
        self.ownerless_logged: set[int] = set()

    def round(self) -> None:
        """Tell the owners of every request for changes not yet told."""
        send_notices(self.config, self.engine, self.transport, self.ownerless_logged)
