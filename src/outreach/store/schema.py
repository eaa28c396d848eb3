"""The database schema, one for SQLite and PostgreSQL (SQLAlchemy Core tables).

Alembic migrations (``store/migrations``) carry every database from one
release's schema to the next; :mod:`outreach.store.migrate` creates a new
database from these tables and stamps it with the newest revision. Every
constraint has a name (the naming convention below gives PostgreSQL's own
default names), so a migration can address it on every database.

The ledger (``deliveries``) has one row per delivery target, shared by email
and social: ``(campaign, step, target)`` is unique. States::

    queued ─claim─▶ sending ─ok─▶ sent ─late bounce / complaint─▶ bounced | complained
      ▲               ├─4xx / drop before the end of DATA / 5xx-retryable─▶ queued (attempts+1, not_before)
      │               ├─5xx / Rejected─▶ bounced (email) | failed
      │               └─process died while sending─▶ unknown  (resent only when a person asks)
      └─ suppressed: skipped at send time because the address is on the suppression list

Only :mod:`outreach.store.ledger` writes ``deliveries`` and ``delivery_events``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    LargeBinary,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false, true  # noqa: E402  (server defaults of archive.listed, links.test_only)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on every database.

    PostgreSQL keeps the offset; SQLite stores the text without one and hands back
    naive values. Converting here, once, keeps every comparison with ``now()`` safe.
    """

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    @staticmethod
    def _utc(value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC (naive values are taken to be UTC already)."""
        return self._utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC, whatever the database kept."""
        return self._utc(value)

def new_token_key() -> str:
    """A fresh random key for a subscriber's signed links (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


NAMING_CONVENTION = {
    "pk": "%(table_name)s_pkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "%(table_name)s_%(constraint_name)s_check",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Integer ids that are 64-bit on PostgreSQL and rowid aliases on SQLite.
Id = BigInteger().with_variant(Integer, "sqlite")

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),  # normalised, lower-case: the identity
    # Random and never reused: signed links name this, not the row id (ids can be reused after a delete).
    Column("token_key", String(32), nullable=False, unique=True, default=new_token_key),
    Column("display_email", String(320), nullable=False),  # as the subscriber wrote it
    Column("name", String(200)),
    Column("attrs", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("language", String(35)),  # BCP 47, lower-case: "en", "da", "pt-br" (revision 0007)
    Column("country", String(2)),  # ISO 3166-1 alpha-2, upper-case: "DK"
    Column("paused_until", UTCDateTime()),  # no campaign mail until then (the preference centre's pause)
)

# The topics a subscriber follows ([topics] ids), whatever list they are on (revision 0007).
subscriber_topics = Table(
    "subscriber_topics",
    metadata,
    Column("subscriber_id", Id, ForeignKey("subscribers.id", ondelete="CASCADE", name="subscriber_topics_subscriber_id_fkey"), primary_key=True),
    Column("topic", String(63), primary_key=True),
    Index("ix_subscriber_topics_topic", "topic", "subscriber_id"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("subscriber_id", Id, ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("list", String(100), primary_key=True),
    Column("status", String(20), nullable=False),  # active | pending | unsubscribed
    Column("source", String(20), nullable=False),  # import | web | one-click | cli
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_memberships_list_status", "list", "status", "subscriber_id"),
)

# Addresses no send ever crosses. list "*" = every list (bounced, complained);
# otherwise the one list the subscriber left.
suppressions = Table(
    "suppressions",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("list", String(100), primary_key=True),
    Column("reason", String(20), nullable=False),  # unsubscribed | bounced | complained | manual
    Column("detail", Text),
    Column("created_at", UTCDateTime(), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign", String(100), nullable=False),
    Column("step", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
)

# Which audience a step was frozen to, and when (enqueued once, never re-read).
audiences = Table(
    "audiences",
    metadata,
    Column("campaign", String(100), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("list", String(100), nullable=False),
    Column("total", Integer, nullable=False),
    Column("enqueued_at", UTCDateTime(), nullable=False),
    Column("description", Text),  # the audience in words, as the preview said it (revision 0007)
    Column("filter", JSON),  # the campaign's audience filter as it was frozen; NULL: the whole list
    Column("paced_until", UTCDateTime()),  # the end of the send slots workers took under [smtp] rate (revision 0009)
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign", String(100), nullable=False),
    Column("step", Integer, nullable=False),
    Column("target", String(320), nullable=False),  # email: the normalised address; post: "part-N" (unique key only: read ``part``)
    Column("subscriber_id", Id, ForeignKey("subscribers.id", ondelete="SET NULL")),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UTCDateTime()),
    Column("run_id", Id),
    Column("remote_id", String(255)),
    Column("remote_url", Text),
    Column("detail", Text),
    Column("payload", JSON),  # posts: the text and media as sent
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("part", Integer),  # posts: the part number (1 = the first post of a thread); email: NULL
    Column("message_id", String(998)),  # email: its Message-ID, kept just before it is claimed
    Column("envelope_sender", String(320)),  # email: the MAIL FROM address bounces come back to
    UniqueConstraint("campaign", "step", "target", name="uq_deliveries_target"),
    Index("ix_deliveries_work", "campaign", "step", "state", "id"),
    Index("ix_deliveries_message_id", "message_id"),
    Index("ix_deliveries_target", "target", "id"),  # an address's last sends (soft bounces), late events by address
)

# What happened to a delivery after it left (a bounce, a complaint) or what a person decided
# about it (resolved): the evidence behind a late state change, kept with its source.
DELIVERY_EVENT_KINDS = ("bounced_hard", "bounced_soft", "complained", "unsubscribed", "resolved", "undone")
delivery_events = Table(
    "delivery_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", Id, ForeignKey("deliveries.id", ondelete="CASCADE", name="delivery_events_delivery_id_fkey"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("detail", Text),
    Column("source", String(20), nullable=False),  # cli | bounce | fbl | web | …: who reported it
    Column("occurred_at", UTCDateTime(), nullable=False),
    CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in DELIVERY_EVENT_KINDS) + ")", name="kind"),
    Index("ix_delivery_events_delivery_id", "delivery_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("action", String(40), nullable=False),  # subscribed | confirmed | unsubscribed | resubscribed | bounced | imported | removed
    Column("email", String(320)),
    Column("list", String(100)),
    Column("source", String(20), nullable=False),  # one-click | web | import | bounce | cli
    Column("detail", Text),
)

# Review: what a campaign rendered to at some moment (a version, with the preview's files and the
# pieces a diff compares), the rounds of ``outreach review``, one signed link per reviewer, and every
# decision (an approval or a request for changes) against the exact content the reviewer saw.
review_versions = Table(
    "review_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign", String(100), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("hashes", JSON, nullable=False),  # piece -> hash (outreach.plan.Plan.hashes)
    Column("pieces", JSON, nullable=False),  # the texts, times and image hashes a diff compares (outreach.review.pieces)
    Column("source_path", Text),  # the campaign file it was last rendered from
    Column("created_at", UTCDateTime(), nullable=False),
    Column("rendered_at", UTCDateTime(), nullable=False),  # when the campaign last rendered to it: the newest is "current"
    UniqueConstraint("campaign", "content_hash", name="uq_review_versions_campaign"),
)

review_files = Table(
    "review_files",
    metadata,
    Column("version_id", Id, ForeignKey("review_versions.id", ondelete="CASCADE", name="review_files_version_id_fkey"), nullable=False),
    Column("name", String(200), nullable=False),  # the preview's own file name: index.html, email.eml, images/01-cover.png …
    Column("body", LargeBinary, nullable=False),
    PrimaryKeyConstraint("version_id", "name", name="review_files_pkey"),
)

review_rounds = Table(
    "review_rounds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign", String(100), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, 3 … per campaign: ``outreach diff --since N``
    Column("version_id", Id, ForeignKey("review_versions.id", name="review_rounds_version_id_fkey"), nullable=False),
    Column("owner", String(400)),  # "Name <addr>", told when a reviewer asks for changes
    Column("requested_by", String(200), nullable=False),  # the OS user who ran outreach review
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("campaign", "number", name="uq_review_rounds_campaign"),
)

reviewers = Table(
    "reviewers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("round_id", Id, ForeignKey("review_rounds.id", ondelete="CASCADE", name="reviewers_round_id_fkey"), nullable=False),
    Column("campaign", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("address", String(320), nullable=False),  # lower-case: one person, however many links
    Column("link_key", String(64), nullable=False),  # random, named by the signed token; never shown
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    UniqueConstraint("link_key", name="uq_reviewers_link_key"),
    Index("ix_reviewers_campaign", "campaign", "address"),
)

DECISIONS = ("approved", "changes-requested")
DECISION_METHODS = ("cli", "link")
approvals = Table(
    "approvals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign", String(100), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("hashes", JSON, nullable=False),  # piece -> hash, to say what changed since
    Column("approved_by", String(200), nullable=False),  # the reviewer's name (from the token) or --by
    Column("approved_at", UTCDateTime(), nullable=False),
    Column("decision", String(20), nullable=False, server_default="approved"),
    Column("method", String(10), nullable=False, server_default="cli"),
    Column("reviewer_id", Id, ForeignKey("reviewers.id", ondelete="SET NULL", name="approvals_reviewer_id_fkey")),
    Column("reviewer_address", String(320)),  # a link decision: who, from the token (distinct reviewers count)
    Column("os_user", String(200)),  # a CLI decision: the OS user who ran it
    Column("client_ip", String(45)),
    Column("comment", Text),
    Column("version_id", Id, ForeignKey("review_versions.id", name="approvals_version_id_fkey")),  # the pieces approved
    Column("notified_at", UTCDateTime()),  # a request for changes: when the owner was told
    Column("notice_claimed_at", UTCDateTime()),  # a server is sending that notice (a lease: another takes over when it is old)
    CheckConstraint("decision IN (" + ", ".join(f"'{d}'" for d in DECISIONS) + ")", name="decision"),
    CheckConstraint("method IN (" + ", ".join(f"'{m}'" for m in DECISION_METHODS) + ")", name="method"),
    Index("ix_approvals_campaign", "campaign", "id"),
)

# One row per dispatch step of a scheduled campaign. A dispatcher claims a step
# with a conditional update (scheduled -> running), so a step runs once even
# when two dispatchers share the database.
steps = Table(
    "steps",
    metadata,
    Column("campaign", String(100), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("campaign_path", Text, nullable=False),
    Column("kind", String(10), nullable=False),  # email | post
    Column("channel", String(20), nullable=False),
    Column("field", String(40), nullable=False),
    Column("due_utc", UTCDateTime(), nullable=False),
    Column("state", String(20), nullable=False),  # scheduled | running | done | partly done | failed | missed | cancelled
    Column("detail", Text),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("owner", String(300)),  # while running: the id of the dispatcher running it (dispatchers.id)
    Column("timezone", String(64)),  # the campaign's, so status shows local times without reading campaign files
)

dispatchers = Table(
    "dispatchers",
    metadata,
    Column("id", String(300), primary_key=True),  # host:pid:random (several dispatchers may share a process)
    Column("started_at", UTCDateTime(), nullable=False),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
    Column("host", String(255)),  # where it runs, so a dispatcher on the same host can tell it died
    Column("pid", Integer),
)

# The web copy of every campaign email that went out ("view in browser"), with no personal data.
archive = Table(
    "archive",
    metadata,
    Column("campaign", String(100), primary_key=True),
    Column("subject", Text, nullable=False),
    Column("preheader", Text, nullable=False),
    Column("list", String(100), nullable=False),
    Column("html", Text, nullable=False),
    Column("cover_name", String(100)),
    Column("cover", LargeBinary),
    Column("sent_at", UTCDateTime(), nullable=False),
    # False: published by a test send so its links work, but not in the archive index until the real send
    Column("listed", Boolean, nullable=False, server_default=true()),
)

# Mail the web server sends on its own (the double opt-in confirmation): queued by the
# request, sent by a background worker, so a request never waits for (or reveals) SMTP.
# One row per sign-up attempt, including those that send nothing ("not needed",
# "throttled"), so every attempt does the same work and rate limits can count them.
# It holds no address: the worker looks the subscriber up by token_key at send time.
outgoing_mail = Table(
    "outgoing_mail",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("purpose", String(20), nullable=False),  # confirm
    Column("token_key", String(32), ForeignKey("subscribers.token_key", ondelete="CASCADE", name="outgoing_mail_token_key_fkey"), nullable=False),
    Column("list", String(100), nullable=False),
    Column("state", String(20), nullable=False),  # queued | sending | sent | unknown | failed | throttled | not needed
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_outgoing_mail_work", "state", "not_before"),
    Index("ix_outgoing_mail_recent", "token_key", "created_at"),
)

# Everything that came back (a bounce, a complaint, an auto-reply, a mailto unsubscribe, an ESP
# event, mail nobody recognised): kept raw (cut at [inbound] max_raw_bytes) with what it was
# read as, why, and what outreach did about it, so a person can see the original and undo it.
INBOUND_KINDS = ("hard_bounce", "soft_bounce", "complaint", "auto_reply", "unsubscribe", "unknown")
inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("source", String(20), nullable=False),  # smtp | lmtp | imap | ses | postmark | mailgun | sendgrid | cli
    Column("kind", String(20), nullable=False),
    Column("reason", Text, nullable=False),  # e.g. "5.1.1 user unknown (DSN Status)"
    Column("status", String(16)),  # the DSN status code, when there is one
    Column("address", String(320)),  # the subscriber address it concerns, when known
    Column("delivery_id", Id, ForeignKey("deliveries.id", ondelete="SET NULL", name="inbound_messages_delivery_id_fkey")),
    Column("receipt", String(255)),  # provider-unique id (ESP event id, the mail's Message-ID): a replay is refused
    Column("raw", LargeBinary, nullable=False),
    Column("raw_size", Integer, nullable=False),  # the size as received; len(raw) is smaller when it was cut
    Column("action", Text, nullable=False),  # what outreach did, one line
    Column("effects", JSON),  # what an undo has to reverse: {"suppressed": [...], "unsubscribed": [...]}
    Column("undone_at", UTCDateTime()),
    Column("undone_by", String(200)),
    CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in INBOUND_KINDS) + ")", name="kind"),
    UniqueConstraint("receipt", name="inbound_messages_receipt_key"),
    Index("ix_inbound_messages_received", "received_at", "id"),
    Index("ix_inbound_messages_delivery_id", "delivery_id"),
)


# -- what happened after sending: clicks and reactions (revision 0006) ---------------------------

# Every trackable link of a campaign's email, stored when the email is sent (or a test copy is):
# ``/c/<token>`` redirects to ``url`` as stored here, never to anything the request says.
links = Table(
    "links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign", String(100), nullable=False),
    Column("url", Text, nullable=False),  # the link as written in the email, with its UTM tags: the redirect target
    Column("url_hash", String(64), nullable=False),  # sha256 of url, hex: the unique key (a Text column is not indexable everywhere)
    Column("label", Text),  # the link's visible text where it first appears
    Column("position", Integer, nullable=False),  # 1 = the first link in the email
    Column("created_at", UTCDateTime(), nullable=False),
    # True while only a [Test] copy carried it (its "view in browser" link has the preview key): not in the report
    Column("test_only", Boolean, nullable=False, server_default=false()),
    # True when every send that carried it tracked clicks individually: only then may the report count unique clickers
    Column("individual", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("campaign", "url_hash", name="links_campaign_url_hash_key"),
)

# Clicks counted per link and per hour: all that is kept in [tracking] clicks = "aggregate"
# (no subscriber, no delivery, no address, no client address).
click_counts = Table(
    "click_counts",
    metadata,
    Column("link_id", Id, ForeignKey("links.id", ondelete="CASCADE", name="click_counts_link_id_fkey"), primary_key=True),
    Column("hour", UTCDateTime(), primary_key=True),  # the UTC hour the clicks arrived in (minutes and seconds zero)
    Column("human", Integer, nullable=False, default=0),
    Column("machine", Integer, nullable=False, default=0),  # HEAD requests, link scanners, clicks too soon after delivery
)

# One row per click, only in [tracking] clicks = "individual" (subscribers consented): who clicked what, when.
CLICK_REASONS = ("head", "scanner", "too-soon", "burst")
clicks = Table(
    "clicks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("link_id", Id, ForeignKey("links.id", ondelete="CASCADE", name="clicks_link_id_fkey"), nullable=False),
    Column("delivery_id", Id, ForeignKey("deliveries.id", ondelete="SET NULL", name="clicks_delivery_id_fkey")),
    Column("at", UTCDateTime(), nullable=False),
    Column("machine_reason", String(20)),  # NULL: a person; else why it was counted as a machine
    CheckConstraint("machine_reason IS NULL OR machine_reason IN (" + ", ".join(f"'{r}'" for r in CLICK_REASONS) + ")", name="machine_reason"),
    Index("ix_clicks_link_id", "link_id", "at"),
    Index("ix_clicks_delivery_id", "delivery_id"),
)

# The reactions of each published post over time (``outreach metrics`` and the dispatcher, about
# 1 h, 24 h and 7 d after the post). A count the platform does not expose is NULL; a failed read
# is a row with ``error`` and no counts, and is tried again later.
post_metrics = Table(
    "post_metrics",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", Id, ForeignKey("deliveries.id", ondelete="CASCADE", name="post_metrics_delivery_id_fkey"), nullable=False),
    Column("taken_at", UTCDateTime(), nullable=False),
    Column("checkpoint", String(10), nullable=False),  # 1h | 24h | 7d | manual
    Column("likes", Integer),
    Column("reposts", Integer),
    Column("replies", Integer),
    Column("quotes", Integer),
    Column("bookmarks", Integer),
    Column("impressions", Integer),
    Column("error", Text),  # what went wrong, one line (never a secret); NULL on success
    Column("gone", Boolean, nullable=False, server_default=false()),  # the read said the post was deleted: not read again
    Index("ix_post_metrics_delivery_id", "delivery_id", "taken_at"),
)


# -- audience: how each membership was consented to (revision 0007) ----------------------------

# One row per consent given to a list, kept after an unsubscribe (``withdrawn_at``) as the proof of
# what was agreed and how; deleted only when the person is forgotten. Methods:
# double-opt-in (sign-up form, then the confirmation link), import (a CSV with --consent),
# preferences (the preference centre), cli, before-records (memberships older than revision 0007).
CONSENT_METHODS = ("double-opt-in", "import", "preferences", "cli", "before-records")
consents = Table(
    "consents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subscriber_id", Id, ForeignKey("subscribers.id", ondelete="CASCADE", name="consents_subscriber_id_fkey"), nullable=False),
    Column("list", String(100), nullable=False),
    Column("method", String(20), nullable=False),
    Column("requested_at", UTCDateTime()),  # double opt-in: when the form was sent
    Column("given_at", UTCDateTime()),  # when consent took effect (the confirmation); NULL while pending
    Column("ip", String(45)),  # the client address of the confirmation (or preference change), maybe truncated
    Column("user_agent", String(400)),
    Column("form_version", String(64)),  # which wording the person agreed to: a hash of the form's template
    Column("source_file", String(255)),  # import: the CSV's file name
    Column("source_row", Integer),  # import: its row
    Column("collected_by", String(200)),  # import / cli: the person (OS user) who ran it
    Column("basis", Text),  # import: the --consent text, on what basis the list was collected
    Column("topics", JSON),  # the topics asked for with this consent (the sign-up form's ticks), sorted ids
    Column("withdrawn_at", UTCDateTime()),
    Column("withdrawn_by", String(20)),  # the source of the unsubscribe: one-click | web | preferences | bounce | …
    CheckConstraint("method IN (" + ", ".join(f"'{m}'" for m in CONSENT_METHODS) + ")", name="method"),
    Index("ix_consents_subscriber_id", "subscriber_id", "list"),
)
