"""Review records: rendered versions and their files, review rounds, reviewers' links, and decisions.

A *version* is what a campaign rendered to, stored once per content hash with
the preview's files (so a review page serves exactly the bytes ``outreach
preview`` wrote) and the pieces a diff compares. A *round* is one ``outreach
review``; each reviewer in it gets a link row whose random key the signed token
names. A *decision* (table ``approvals``) is an approval or a request for
changes, against the content hash the reviewer was shown.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..review.pieces import RenderedPieces
from .db import now
from .schema import approvals, review_files, review_rounds, review_versions, reviewers

MAX_COMMENT = 4000  # characters of a reviewer's comment that are kept
MAX_NAME = 200


class DecisionKind(str, enum.Enum):
    """What a reviewer decided."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes-requested"


class DecisionMethod(str, enum.Enum):
    """Where the decision was made."""

    CLI = "cli"  # outreach approve --by
    LINK = "link"  # a review link, in a browser


@dataclass(frozen=True)
class StoredVersion:
    """One rendered version of a campaign."""

    id: int
    campaign: str
    content_hash: str
    hashes: dict[str, str]
    pieces: RenderedPieces
    source_path: str | None
    created_at: datetime


@dataclass(frozen=True)
class ReviewRound:
    """One ``outreach review`` of a campaign."""

    id: int
    campaign: str
    number: int
    version_id: int
    owner: str | None
    requested_by: str
    created_at: datetime


@dataclass(frozen=True)
class ReviewerLink:
    """One reviewer's link in one round."""

    id: int
    round_id: int
    campaign: str
    name: str
    address: str
    link_key: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def usable(self, at: datetime) -> bool:
        """Whether the link opens the review page at ``at``: not revoked, not expired."""
        return self.revoked_at is None and at < self.expires_at


@dataclass(frozen=True)
class Decision:
    """One approval or request for changes."""

    id: int
    campaign: str
    kind: DecisionKind
    method: DecisionMethod
    by: str  # the reviewer's name (from the link) or the --by of a CLI approval
    reviewer_address: str | None
    os_user: str | None
    client_ip: str | None
    comment: str | None
    content_hash: str
    hashes: dict[str, str]
    version_id: int | None
    reviewer_id: int | None
    at: datetime
    notified_at: datetime | None

    @property
    def reviewer(self) -> str:
        """Who decided, as one identity: a link's address; for a CLI approval the OS user who ran it (whatever
        name ``--by`` gave, one login is one reviewer), or ``--by`` when no OS user was recorded (before 0008)."""
        if self.reviewer_address:
            return self.reviewer_address
        return f"cli-user:{self.os_user}" if self.os_user else f"cli-name:{self.by.strip().lower()}"


# -- versions -----------------------------------------------------------------------------------------

def store_version(engine: Engine, campaign: str, content_hash: str, hashes: dict[str, str], pieces: RenderedPieces,
                  source_path: str | None, files: dict[str, bytes]) -> int:
    """Keep a rendered version with its files, once per content hash; the id of the stored (or existing) one."""
    found = _version_id(engine, campaign, content_hash)
    if found is not None:
        return found
    try:
        with engine.begin() as conn:
            stamp = now()
            vid = conn.execute(insert(review_versions).values(
                campaign=campaign, content_hash=content_hash, hashes=hashes, pieces=pieces.to_json(),
                source_path=source_path, created_at=stamp, rendered_at=stamp).returning(review_versions.c.id)).scalar_one()
            if files:
                conn.execute(insert(review_files), [{"version_id": vid, "name": n, "body": b} for n, b in sorted(files.items())])
        return int(vid)
    except IntegrityError:  # another process stored the same version first
        found = _version_id(engine, campaign, content_hash)
        if found is None:
            raise
        return found


def _version_id(engine: Engine, campaign: str, content_hash: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(review_versions.c.id).where(
            review_versions.c.campaign == campaign, review_versions.c.content_hash == content_hash)).scalar()


def version(engine: Engine, version_id: int) -> StoredVersion | None:
    """The stored version ``version_id``, if any."""
    with engine.connect() as conn:
        row = conn.execute(select(review_versions).where(review_versions.c.id == version_id)).first()
    return _version(row) if row else None


def version_by_hash(engine: Engine, campaign: str, content_hash: str) -> StoredVersion | None:
    """The stored version of ``campaign`` with ``content_hash``, if any."""
    vid = _version_id(engine, campaign, content_hash)
    return version(engine, vid) if vid is not None else None


def touch_version(engine: Engine, version_id: int, source_path: str | None) -> None:
    """Record that the campaign, read from ``source_path``, rendered to version ``version_id`` again just now.

    A version rendered again (an edit undone) becomes the current one, and a campaign file that moved is
    followed. (One small update per render; the review pages render only when the files change, or every few seconds.)
    """
    with engine.begin() as conn:
        conn.execute(update(review_versions).where(review_versions.c.id == version_id)
                     .values(rendered_at=now(), source_path=source_path))


def latest_version(engine: Engine, campaign: str) -> StoredVersion | None:
    """The version ``campaign`` most recently rendered to (where its file is read from, and the last good one)."""
    with engine.connect() as conn:
        row = conn.execute(select(review_versions).where(review_versions.c.campaign == campaign)
                           .order_by(review_versions.c.rendered_at.desc(), review_versions.c.id.desc()).limit(1)).first()
    return _version(row) if row else None


def _version(row: Any) -> StoredVersion:
    return StoredVersion(row.id, row.campaign, row.content_hash, dict(row.hashes or {}), RenderedPieces.from_json(row.pieces),
                         row.source_path, row.created_at)


def version_file(engine: Engine, version_id: int, name: str) -> bytes | None:
    """One preview file of a version, by its exact name; None when there is no such file."""
    with engine.connect() as conn:
        body = conn.execute(select(review_files.c.body).where(review_files.c.version_id == version_id,
                                                                review_files.c.name == name)).scalar()
    return bytes(body) if body is not None else None


def version_file_names(engine: Engine, version_id: int) -> list[str]:
    """The names of a version's preview files, sorted."""
    with engine.connect() as conn:
        return list(conn.execute(select(review_files.c.name).where(review_files.c.version_id == version_id)
                                 .order_by(review_files.c.name)).scalars())


# -- rounds and links ---------------------------------------------------------------------------------

def new_round(engine: Engine, campaign: str, version_id: int, owner: str | None, requested_by: str) -> ReviewRound:
    """Open the next review round of ``campaign`` (numbered 1, 2, 3 …) on ``version_id``."""
    for _ in range(5):  # two reviews started at the same moment: the loser takes the next number
        stamp = now()
        try:
            with engine.begin() as conn:
                number = (conn.execute(select(func.max(review_rounds.c.number)).where(review_rounds.c.campaign == campaign)).scalar() or 0) + 1
                rid = conn.execute(insert(review_rounds).values(
                    campaign=campaign, number=number, version_id=version_id, owner=owner,
                    requested_by=requested_by[:MAX_NAME], created_at=stamp).returning(review_rounds.c.id)).scalar_one()
            return ReviewRound(int(rid), campaign, number, version_id, owner, requested_by[:MAX_NAME], stamp)
        except IntegrityError:
            continue
    raise RuntimeError("could not number the review round")  # five collisions in a row: a bug, not a race


def rounds_of(engine: Engine, campaign: str) -> list[ReviewRound]:
    """Every review round of ``campaign``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(review_rounds).where(review_rounds.c.campaign == campaign).order_by(review_rounds.c.number)).all()
    return [ReviewRound(r.id, r.campaign, r.number, r.version_id, r.owner, r.requested_by, r.created_at) for r in rows]


def add_reviewer(engine: Engine, round_: ReviewRound, name: str, address: str, days: int) -> ReviewerLink:
    """A new link for reviewer ``name <address>`` in ``round_``, valid for ``days``."""
    stamp = now()
    link = ReviewerLink(0, round_.id, round_.campaign, name.strip()[:MAX_NAME], address.strip().lower(),
                        secrets.token_urlsafe(24), stamp, stamp + timedelta(days=days), None)
    with engine.begin() as conn:
        lid = conn.execute(insert(reviewers).values(
            round_id=link.round_id, campaign=link.campaign, name=link.name, address=link.address, link_key=link.link_key,
            created_at=link.created_at, expires_at=link.expires_at).returning(reviewers.c.id)).scalar_one()
    return ReviewerLink(int(lid), *_fields(link)[1:])


def _fields(link: ReviewerLink) -> tuple:
    return (link.id, link.round_id, link.campaign, link.name, link.address, link.link_key, link.created_at, link.expires_at, link.revoked_at)


def reviewer_by_key(engine: Engine, link_key: str) -> ReviewerLink | None:
    """The link a token's key names, if it exists (usable or not)."""
    with engine.connect() as conn:
        row = conn.execute(select(reviewers).where(reviewers.c.link_key == link_key)).first()
    return _link(row) if row else None


def reviewers_of(engine: Engine, campaign: str) -> list[ReviewerLink]:
    """Every link ever made for ``campaign``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(reviewers).where(reviewers.c.campaign == campaign).order_by(reviewers.c.id)).all()
    return [_link(r) for r in rows]


def _link(row: Any) -> ReviewerLink:
    return ReviewerLink(row.id, row.round_id, row.campaign, row.name, row.address, row.link_key, row.created_at, row.expires_at, row.revoked_at)


def round_owner(engine: Engine, reviewer_id: int) -> str | None:
    """The owner of the review round link ``reviewer_id`` belongs to (None when the round named none)."""
    with engine.connect() as conn:
        return conn.execute(select(review_rounds.c.owner).join(reviewers, reviewers.c.round_id == review_rounds.c.id)
                            .where(reviewers.c.id == reviewer_id)).scalar()


def revoked_ids(links: Iterable[ReviewerLink]) -> frozenset[int]:
    """The ids of the revoked ones among ``links``: decisions made with them count for nothing (the link may have leaked)."""
    return frozenset(link.id for link in links if link.revoked_at is not None)


def revoke(engine: Engine, campaign: str, who: str) -> list[ReviewerLink]:
    """Revoke every usable link of ``campaign`` whose reviewer's name or address is ``who`` (any case); the links revoked."""
    wanted = who.strip().lower()
    stamp = now()
    hits = [link for link in reviewers_of(engine, campaign)
            if link.usable(stamp) and wanted in (link.name.lower(), link.address)]
    if hits:
        with engine.begin() as conn:
            conn.execute(update(reviewers).where(reviewers.c.id.in_([h.id for h in hits]), reviewers.c.revoked_at.is_(None))
                         .values(revoked_at=stamp))
    return hits


# -- decisions ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewDecision:
    """A decision about to be recorded."""

    campaign: str
    kind: DecisionKind
    method: DecisionMethod
    by: str
    content_hash: str
    hashes: dict[str, str]
    version_id: int | None
    reviewer: ReviewerLink | None = None
    os_user: str | None = None
    client_ip: str | None = None
    comment: str | None = None


def record_decision(engine: Engine, new: NewDecision) -> Decision:
    """Store an approval or a request for changes; return it as stored."""
    stamp = now()
    comment = new.comment[:MAX_COMMENT] if new.comment else None
    values = {
        "campaign": new.campaign, "content_hash": new.content_hash, "hashes": new.hashes, "approved_by": new.by.strip()[:MAX_NAME],
        "approved_at": stamp, "decision": new.kind.value, "method": new.method.value,
        "reviewer_id": new.reviewer.id if new.reviewer else None, "reviewer_address": new.reviewer.address if new.reviewer else None,
        "os_user": new.os_user, "client_ip": new.client_ip, "comment": comment, "version_id": new.version_id,
    }
    with engine.begin() as conn:
        did = conn.execute(insert(approvals).values(**values).returning(approvals.c.id)).scalar_one()
    return Decision(int(did), new.campaign, new.kind, new.method, values["approved_by"], values["reviewer_address"], new.os_user,
                    new.client_ip, comment, new.content_hash, new.hashes, new.version_id, values["reviewer_id"], stamp, None)


def decisions_of(engine: Engine, campaign: str) -> list[Decision]:
    """Every decision about ``campaign``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(approvals).where(approvals.c.campaign == campaign).order_by(approvals.c.id)).all()
    return [_decision(r) for r in rows]


def _decision(row: Any) -> Decision:
    return Decision(row.id, row.campaign, DecisionKind(row.decision), DecisionMethod(row.method), row.approved_by, row.reviewer_address,
                    row.os_user, row.client_ip, row.comment, row.content_hash, dict(row.hashes or {}), row.version_id,
                    row.reviewer_id, row.approved_at, row.notified_at)


def unnotified_requests(engine: Engine, campaign: str | None = None) -> list[Decision]:
    """Requests for changes whose owner has not been told yet, oldest first."""
    query = select(approvals).where(approvals.c.decision == DecisionKind.CHANGES_REQUESTED.value, approvals.c.notified_at.is_(None))
    if campaign is not None:
        query = query.where(approvals.c.campaign == campaign)
    with engine.connect() as conn:
        return [_decision(r) for r in conn.execute(query.order_by(approvals.c.id)).all()]


NOTICE_LEASE = timedelta(minutes=5)  # a claimed notice whose server died is taken over after this long


def claim_notice(engine: Engine, decision_id: int) -> bool:
    """Claim the owner's notice of one request for changes for this process; False when it was told or another has it.

    One conditional update: of two servers sending notices from one database, one wins. A claim older than
    :data:`NOTICE_LEASE` (its server died before it finished) can be claimed again, so no notice is lost.
    """
    stamp = now()
    with engine.begin() as conn:
        claimed = conn.execute(update(approvals).where(
            approvals.c.id == decision_id, approvals.c.notified_at.is_(None),
            (approvals.c.notice_claimed_at.is_(None)) | (approvals.c.notice_claimed_at < stamp - NOTICE_LEASE),
        ).values(notice_claimed_at=stamp)).rowcount
    return claimed == 1


def release_notice(engine: Engine, decision_id: int) -> None:
    """Give a claimed notice back (its send failed), so the next round tries again at once."""
    with engine.begin() as conn:
        conn.execute(update(approvals).where(approvals.c.id == decision_id, approvals.c.notified_at.is_(None))
                     .values(notice_claimed_at=None))


def mark_notified(engine: Engine, decision_ids: Iterable[int]) -> None:
    """Record that the owner was told of these requests for changes."""
    ids = list(decision_ids)
    if ids:
        with engine.begin() as conn:
            conn.execute(update(approvals).where(approvals.c.id.in_(ids)).values(notified_at=now()))
