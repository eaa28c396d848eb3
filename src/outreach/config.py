"""The one config loader: ``outreach.toml`` into frozen models.

Where the file comes from, first match wins: ``--config PATH``, the
``OUTREACH_CONFIG`` environment variable, ``outreach.toml`` in the working
directory, else the embedded defaults (SQLite ``outreach.db`` and an
``outbox/`` folder), so every command works on a fresh machine.

Secrets are never stored in the file: it names environment variables
(``password_env = "SMTP_PASSWORD"``) and :func:`secret` reads them.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from datetime import date
from enum import Enum
from email.headerregistry import Address
from email.utils import parseaddr
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from .channels.registry import PLATFORMS
from .errors import CampaignError, ConfigError
from .text import clean_line, describe_unsafe, is_single_line
from .tomlsource import located_errors, read_toml

CONFIG_ENV = "OUTREACH_CONFIG"
DEFAULT_FILE = "outreach.toml"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_LIST_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ATTRIBUTE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# CSV columns with a meaning of their own: never attributes.
RESERVED_COLUMNS = frozenset({"email", "name", "language", "country", "topics", "lists"})
DEFAULT_TOPICS = {
    "asia": "Asia",
    "africa": "Africa",
    "europe": "Europe",
    "peace": "Peace and conflict",
    "defence": "Defence and security",
    "migration": "Migration",
    "climate": "Climate and development",
}


def _one_line(value: str) -> str:
    if not is_single_line(value):
        raise ValueError(describe_unsafe(value))
    return value


def _ascii_domain(domain: str) -> str:
    """The domain in ASCII (an internationalised one as punycode); ValueError when it is not a domain."""
    import idna  # a dependency of email-validator

    try:
        ascii_domain = domain if domain.isascii() else idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"the domain '{domain}' is not valid: {exc}") from None
    if not all(_LABEL_RE.match(label) for label in ascii_domain.split(".")):
        raise ValueError(f"the domain '{domain}' is not valid")
    return ascii_domain.lower()


def checked_mailbox(value: str, *, bare: bool = False) -> str:
    """``value`` as a mailbox SMTP can carry as is: one line, an ASCII local part, the domain in ASCII.

    Returns it normalised (an internationalised domain becomes punycode); raises ``ValueError``
    with the reason. A non-ASCII local part would need SMTPUTF8, which outreach does not use.
    """
    _one_line(value)
    name, addr = parseaddr(value)
    if bare and (name or "<" in value):
        raise ValueError("must be a bare address like user@example.org, without a name or <>")
    if not addr or "@" not in addr or "<" in addr or ">" in addr:
        example = "user@example.org" if bare else "Name <user@example.org>"
        raise ValueError(f"is not an email address (expected {example})")
    local, _, domain = addr.rpartition("@")
    if not local.isascii():
        raise ValueError("the part before @ must be ASCII: a non-ASCII local part needs SMTPUTF8, which outreach does not send")
    if not _LOCAL_PART_RE.match(local):
        raise ValueError(f"the part before @ ('{local}') is not a valid address")
    addr = f"{local}@{_ascii_domain(domain)}"
    return str(Address(display_name=name, addr_spec=addr)) if name else addr


class ListConfig(_Frozen):
    """A subscriber list campaigns can address."""

    title: str
    description: str = ""

    @field_validator("title")
    @classmethod
    def _title_one_line(cls, v: str) -> str:  # it goes into the List-Id header
        return _one_line(v)


class DkimConfig(_Frozen):
    """DKIM signing: the key signs each message for ``domain``, published at ``<selector>._domainkey.<domain>``."""

    selector: str
    domain: str
    private_key_file: Path | None = None
    private_key_env: str | None = None

    @field_validator("selector")
    @classmethod
    def _selector_labels(cls, v: str) -> str:
        if not all(_LABEL_RE.match(label) for label in v.split(".")):
            raise ValueError("must be DNS labels (letters, digits, '-', separated by '.')")
        return v

    @field_validator("domain")
    @classmethod
    def _domain_ascii(cls, v: str) -> str:
        return _ascii_domain(_one_line(v))

    def model_post_init(self, _context: Any) -> None:
        if (self.private_key_file is None) == (self.private_key_env is None):
            raise ValueError("give exactly one of private_key_file and private_key_env")


class EmailConfig(_Frozen):
    """Sender identity and unsubscribe settings."""

    from_: str = Field("DIIS Research <news@outreach.invalid>", alias="from")
    reply_to: str | None = None
    unsubscribe_mailto: str = "unsubscribe@outreach.invalid"
    secret_env: str = "OUTREACH_SECRET"
    # Older signing keys, oldest first: links signed with them keep working after a rotation.
    previous_secret_envs: list[str] = []
    token_max_age_days: int = Field(365, ge=1)
    # The return path: each message's envelope sender is ``local+<signed token>@domain`` of this
    # address (VERP), so a bounce maps to its delivery row. None: the From address, without VERP.
    bounce_address: str | None = None
    dkim: DkimConfig | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("bounce_address")
    @classmethod
    def _bounce_bare(cls, v: str | None) -> str | None:
        if v is None:
            return None
        checked = checked_mailbox(v, bare=True)
        if "+" in checked.split("@", 1)[0]:
            raise ValueError("must not contain '+': outreach adds '+<token>' to it for each message")
        return checked

    @field_validator("from_", "reply_to")
    @classmethod
    def _mailbox(cls, v: str | None) -> str | None:
        return None if v is None else checked_mailbox(v)

    @field_validator("unsubscribe_mailto")
    @classmethod
    def _bare_address(cls, v: str) -> str:
        return checked_mailbox(v.removeprefix("mailto:"), bare=True)

    @cached_property  # read per message by the send loop; parseaddr is pure Python
    def sender_address(self) -> str:
        """The bare address of ``from`` (the SMTP envelope sender)."""
        return parseaddr(self.from_)[1] or self.from_.strip()

    @cached_property
    def sender_domain(self) -> str:
        """The domain of the From address, used for Message-ID and List-Id."""
        addr = self.sender_address
        return addr.rsplit("@", 1)[-1] if "@" in addr else "outreach.invalid"


class SmtpConfig(_Frozen):
    """An SMTP relay; when absent, email goes to the outbox folder."""

    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    connections: int = Field(4, ge=1, le=100)
    rate: float | None = Field(None, gt=0)
    timeout: float = Field(30.0, gt=0)


class WebConfig(_Frozen):
    """The public web endpoints (unsubscribe, sign-up, archive)."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    base_url: str = "http://127.0.0.1:8080"

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, v: str) -> str:
        # every unsubscribe link starts with it, in a header and in each message
        _one_line(v)
        if not re.match(r"^https?://[!-~]+$", v):
            raise ValueError("must be an http:// or https:// URL of printable ASCII characters (an international domain in punycode)")
        return v.rstrip("/")


class InboundSmtpConfig(_Frozen):
    """``outreach inbound``: the SMTP or LMTP receiver the bounce domain's MX (or a relay) forwards to."""

    host: str = "127.0.0.1"
    port: int = Field(2525, ge=0, le=65535)
    lmtp: bool = False
    max_message_bytes: int = Field(10 * 1024 * 1024, ge=1024)


class InboundImapConfig(_Frozen):
    """An IMAP mailbox polled for bounces, complaints and unsubscribe mail."""

    host: str
    port: int = Field(993, ge=1, le=65535)
    security: Literal["tls", "starttls", "none"] = "tls"
    username: str
    password_env: str
    folder: str = "INBOX"
    processed_folder: str = "outreach-processed"
    poll_seconds: float = Field(60.0, gt=0)
    timeout: float = Field(30.0, gt=0)

    @field_validator("host", "username", "folder", "processed_folder")
    @classmethod
    def _imap_one_line(cls, v: str) -> str:  # each goes into an IMAP command line
        return _one_line(v)


class WebhooksConfig(_Frozen):
    """ESP event webhooks on ``outreach serve``; a provider is on when its secret is configured."""

    # Amazon SES via SNS: only these topics are accepted (the signature is checked against Amazon's certificate).
    sns_topic_arns: list[str] = []
    mailgun_signing_key_env: str | None = None
    sendgrid_public_key_env: str | None = None  # the base64 ECDSA public key from SendGrid's settings
    postmark_username: str | None = None
    postmark_password_env: str | None = None
    max_age_seconds: int = Field(5 * 60, ge=30)  # older signed timestamps are refused as replays


class InboundConfig(_Frozen):
    """What to do with what comes back, and the ways it comes in."""

    soft_bounce_limit: int = Field(3, ge=1)   # suppress after this many soft bounces ...
    soft_bounce_window: int = Field(5, ge=1)  # ... among the address's last this many sends
    max_raw_bytes: int = Field(256 * 1024, ge=4096)  # each inbound message is kept raw, cut at this size
    smtp: InboundSmtpConfig = Field(default_factory=InboundSmtpConfig)
    imap: InboundImapConfig | None = None
    webhooks: WebhooksConfig = Field(default_factory=WebhooksConfig)

    def model_post_init(self, _context: Any) -> None:
        if self.soft_bounce_limit > self.soft_bounce_window:
            raise ValueError("soft_bounce_limit must not be larger than soft_bounce_window")


class TrackingConfig(_Frozen):
    """What outreach learns from the links in its email. Opens are never tracked (see the README)."""

    # aggregate: counts per link and hour, no subscriber identity; individual: who clicked (only with
    # the subscribers' consent); off: links are left exactly as written.
    clicks: Literal["aggregate", "individual", "off"] = "aggregate"
    # A click this soon after its message was sent is a security gateway following every link, not a person.
    machine_seconds: int = Field(10, ge=0, le=3600)


class MetricsConfig(_Frozen):
    """When the dispatcher reads each post's reactions, in hours after the post; failed reads are tried again."""

    checkpoint_hours: list[float] = Field(default_factory=lambda: [1.0, 24.0, 168.0])
    retry_minutes: float = Field(30.0, gt=0)

    @field_validator("checkpoint_hours")
    @classmethod
    def _sorted_positive(cls, v: list[float]) -> list[float]:
        if not v or any(h <= 0 for h in v) or sorted(set(v)) != v:
            raise ValueError("must be one or more positive numbers of hours, in increasing order, e.g. [1, 24, 168]")
        return v


class AttributeKind(str, Enum):
    """How a subscriber attribute's values are stored and compared: typed, never as raw CSV text."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"


class PrivacyConfig(_Frozen):
    """What consent records keep about the person who consented, and the pauses a reader may choose."""

    # False: a consent record keeps the client IP as it arrived; True: only its network part
    # (the last octet of IPv4, the last 80 bits of IPv6 are zeroed).
    truncate_ip: bool = False
    # The pauses the preference centre offers, in days.
    pause_days: list[int] = Field(default_factory=lambda: [30, 90])
    # The environment variable holding the key of forgotten addresses' marks (a keyed hash that stops a
    # re-import). Never rotate it: marks made under another key match nobody. Unset: a random key kept
    # in the database.
    forget_key_env: str | None = None

    @field_validator("pause_days")
    @classmethod
    def _pauses(cls, v: list[int]) -> list[int]:
        if not v or any(not 1 <= d <= 366 for d in v) or sorted(set(v)) != v:
            raise ValueError("must be one or more numbers of days between 1 and 366, in increasing order, e.g. [30, 90]")
        return v


class ReviewConfig(_Frozen):
    """Review links (``outreach review``) and what dispatch needs before it runs."""

    # Distinct reviewers who must approve the content as it renders now before anything is sent.
    approvals_required: int = Field(1, ge=1, le=20)
    # Whether ``outreach approve --by`` (recorded as a CLI approval with the OS user) counts towards
    # approvals_required above 1. With 1 it always counts: a one-person team approves at the terminal.
    count_cli_approvals: bool = False
    # Days a review link stays valid (it can be revoked sooner: ``outreach review CAMPAIGN --revoke NAME``).
    link_days: int = Field(14, ge=1, le=365)
    # Who is told when a reviewer asks for changes, "Name <addr>"; ``outreach review --owner`` overrides it.
    owner: str | None = None

    @field_validator("owner")
    @classmethod
    def _owner_mailbox(cls, v: str | None) -> str | None:
        return checked_mailbox(v) if v is not None else None


class DraftConfig(_Frozen):
    """What ``outreach draft`` assumes about a campaign it writes from a report page."""

    # The zone of every time in the drafted campaign; the email goes out the next working day at send_time.
    timezone: str = "Europe/Copenhagen"
    # Local time of the email, "HH:MM"; posts follow it, stagger_minutes apart.
    send_time: str = Field("09:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    stagger_minutes: int = Field(30, ge=0, le=720)
    # Days that are not working days (besides Saturday and Sunday), "YYYY-MM-DD".
    holidays: list[date] = []
    # The channels to draft posts for, in order (default: every platform outreach knows).
    channels: list[str] | None = None
    # The list the email goes to (default: the first list in [lists]).
    email_list: str | None = None
    # Hashtags every drafted post (X, Mastodon, Bluesky, LinkedIn) may carry besides the topics', without '#'.
    hashtags: list[str] = []
    # Limits on fetching a report page or its cover over HTTP.
    fetch_timeout_seconds: float = Field(20.0, gt=0, le=600)
    fetch_max_bytes: int = Field(5 * 2**20, ge=10_000, le=100 * 2**20)  # 5 MiB
    fetch_max_redirects: int = Field(5, ge=0, le=20)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{clean_line(v, 60)}'; use an IANA name like 'Europe/Copenhagen'") from None
        return v

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, v: list[str] | None) -> list[str] | None:
        for name in v or []:
            if name not in PLATFORMS:
                raise ValueError(f"unknown channel '{clean_line(name, 40)}'; use some of {', '.join(PLATFORMS)}")
        return v

    @field_validator("hashtags")
    @classmethod
    def _plain_tags(cls, v: list[str]) -> list[str]:
        for tag in v:
            if not re.fullmatch(r"\w{1,60}", tag):
                raise ValueError(f"hashtag '{clean_line(tag, 40)}' must be letters, digits and '_' without '#'")
        return v


class SchedulerConfig(_Frozen):
    """Dispatcher behaviour."""

    misfire_grace_seconds: int = Field(3600, ge=0)
    poll_seconds: float = Field(1.0, gt=0)


class PreviewConfig(_Frozen):
    """The sample subscriber shown in previews."""

    sample_name: str = "Sample Subscriber"
    sample_email: str = "subscriber@example.org"

    @field_validator("sample_name")
    @classmethod
    def _name_one_line(cls, v: str) -> str:
        return _one_line(v)

    @field_validator("sample_email")
    @classmethod
    def _sample_address(cls, v: str) -> str:
        return checked_mailbox(v, bare=True)


class _Settings(_Frozen):
    """Everything in ``outreach.toml`` but the platforms' tables (those come from the platform registry)."""

    database: str = "sqlite:///outreach.db"
    outbox: Path = Path("outbox")
    require_approval: bool = True
    lists: dict[str, ListConfig] = Field(
        default_factory=lambda: {"research": ListConfig(title="DIIS research newsletter", description="New reports and analysis")}
    )
    # Topics a subscriber may follow and a campaign's audience may select on: id -> label.
    topics: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_TOPICS))
    # Subscriber attributes (CSV columns) with a declared type; other columns are kept as text.
    attributes: dict[str, AttributeKind] = {}
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    smtp: SmtpConfig | None = None
    web: WebConfig = Field(default_factory=WebConfig)
    scheduler: SchedulerConfig = Field(default_factory=SchedulerConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    draft: DraftConfig = Field(default_factory=DraftConfig)
    preview: PreviewConfig = Field(default_factory=PreviewConfig)
    inbound: InboundConfig = Field(default_factory=InboundConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    source: Path | None = None  # the file this came from; None for embedded defaults

    @field_validator("lists")
    @classmethod
    def _list_names(cls, v: dict[str, ListConfig]) -> dict[str, ListConfig]:
        # a list's name goes into List-Id, Feedback-ID and signed links: plain identifiers only
        for name in v:
            if not _LIST_NAME_RE.match(name):
                raise ValueError(f"list name '{clean_line(name, 40)}' must be lower-case letters, digits and '-' (at most 63), starting with a letter or digit")
        return v

    @field_validator("topics")
    @classmethod
    def _topic_ids(cls, v: dict[str, str]) -> dict[str, str]:
        # a topic's id goes into forms, campaign filters and CSV cells: plain identifiers only
        for name, label in v.items():
            if not _LIST_NAME_RE.match(name):
                raise ValueError(f"topic id '{clean_line(name, 40)}' must be lower-case letters, digits and '-' (at most 63), starting with a letter or digit")
            if not label.strip() or not is_single_line(label) or len(label) > 100:
                raise ValueError(f"topic '{name}': the label must be one line of 1 to 100 characters")
        return v

    @field_validator("attributes")
    @classmethod
    def _attribute_names(cls, v: dict[str, AttributeKind]) -> dict[str, AttributeKind]:
        for name in v:
            if not _ATTRIBUTE_RE.match(name) or name in RESERVED_COLUMNS:
                raise ValueError(f"attribute '{clean_line(name, 40)}' must be lower-case letters, digits and '_' (at most 64), "
                                 f"starting with a letter, and not one of {', '.join(sorted(RESERVED_COLUMNS))}")
        return v


# One table per platform ([x], [mastodon], …), each declared by the platform itself: adding a platform adds its table.
Config = create_model(
    "Config", __base__=_Settings, __doc__="Everything outreach reads from ``outreach.toml``.",
    **{name: (platform.settings, Field(default_factory=platform.settings)) for name, platform in PLATFORMS.items()},
)


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: Any = Config
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field_info = model.model_fields.get(part)
        if field_info is None:
            return []
        ann = field_info.annotation
        model = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def find_config_file(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """Return the config file to use, or None for the embedded defaults."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get(CONFIG_ENV):
        return Path(env)
    local = Path(DEFAULT_FILE)
    return local if local.is_file() else None


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate the configuration; raise :class:`ConfigError` with file:line on any problem."""
    path = find_config_file(explicit)
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data, index = read_toml(path)
    except CampaignError as exc:
        raise ConfigError(str(exc)) from None
    try:
        cfg = Config.model_validate({**data, "source": path})
    except ValidationError as exc:
        errors = located_errors(exc, path, index, _allowed_keys)
        raise ConfigError("\n".join(str(e) for e in errors)) from None
    return cfg


def secret(name: str | None, purpose: str, required: bool = True) -> str | None:
    """Read the secret in environment variable ``name``; the message names the variable, never a value."""
    if not name:
        if required:
            raise ConfigError(f"no environment variable is configured for {purpose}")
        return None
    value = os.environ.get(name)
    if not value and required:
        raise ConfigError(f"environment variable {name} ({purpose}) is not set")
    return value or None
