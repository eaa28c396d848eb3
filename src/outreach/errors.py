"""The whole outreach error tree, in one place.

::

    OutreachError                      anything outreach reports to a person
    ├── ConfigError                    outreach.toml is missing a key, has a bad value, names an unset env var
    ├── CampaignError                  one problem in a campaign file: file, field path, line, message
    │   └── CampaignErrors             several CampaignErrors found in one validation pass
    ├── RenderError                    a template failed to render (undefined variable, sandbox, MJML)
    ├── SubscriberError                bad subscriber input (CSV file, address)
    ├── ApprovalError                  a campaign is not approved, or changed since approval
    ├── ScheduleError                  a step cannot be scheduled (in the past, unknown step)
    ├── DatabaseUnavailable            the database failed mid-run (gone, disk full, read-only): the run ends
    ├── DraftError                     a report page (URL, file, feed) cannot be read or drafted from
    └── ChannelError                   a channel could not deliver; never a bare ``False``
        ├── RateLimited(retry_at)      try again, not before ``retry_at`` (UTC)
        ├── Rejected(reason)           permanent: duplicate content, too long, bad media, 5xx mailbox
        │   └── PostDeleted            a post whose reactions were asked for is gone
        ├── AuthFailed                 credentials refused (unset ones are a ConfigError)
        ├── Unavailable                5xx, timeout, dropped connection before the request was complete: retry
        └── OutcomeUnknown             the request went out but no answer came: never retried automatically

The command line prints ``str(error)`` for any ``OutreachError`` and exits 1;
nothing in this tree carries a secret in its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class OutreachError(Exception):
    """Base of every error outreach reports to a person."""


class ConfigError(OutreachError):
    """The configuration file or environment is wrong."""


@dataclass
class CampaignError(OutreachError):
    """One problem in a campaign file, located as precisely as we can."""

    file: Path | str
    field: str
    message: str
    line: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class CampaignErrors(OutreachError):
    """Every problem found in one campaign file (validation keeps going after the first)."""

    def __init__(self, errors: list[CampaignError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class RenderError(OutreachError):
    """A template could not be rendered."""


class SubscriberError(OutreachError):
    """Subscriber input (a CSV file, an address) is unusable as a whole."""


class ApprovalError(OutreachError):
    """Dispatch refused: the campaign is not approved or changed since approval."""


class ScheduleError(OutreachError):
    """A step cannot be scheduled, cancelled or rescheduled as asked."""


class DatabaseUnavailable(OutreachError):
    """The database failed mid-run (gone, disk full, read-only): the run ends; no row is in a wrong state."""


class DraftError(OutreachError):
    """``outreach draft`` cannot read its source (a URL, a saved page, a feed) or write the campaign.

    The message names the source (URL or file) and what is wrong, in one line.
    """


class ChannelError(OutreachError):
    """A channel failed to deliver one message or post.

    A social channel's error says which ``platform``, the HTTP ``status`` (None when
    no answer came) and the response ``body``, truncated and with every configured
    secret and authorization value taken out before it gets here.
    """

    retryable: bool = False

    def __init__(self, message: str = "", *, platform: str | None = None, status: int | None = None, body: str | None = None) -> None:
        self.platform, self.status, self.body = platform, status, body
        super().__init__(message)


class RateLimited(ChannelError):
    """The remote side asked us to slow down; retry not before ``retry_at``."""

    retryable = True

    def __init__(self, message: str, retry_at: datetime, **response: object) -> None:
        self.retry_at = retry_at
        super().__init__(f"{message} (retry after {retry_at.isoformat()})", **response)  # type: ignore[arg-type]


class Rejected(ChannelError):
    """Permanent refusal: never retried automatically."""

    def __init__(self, reason: str, **response: object) -> None:
        self.reason = reason
        super().__init__(reason, **response)  # type: ignore[arg-type]


class PostDeleted(Rejected):
    """The post is no longer on the platform: reading its reactions again is pointless."""


class AuthFailed(ChannelError):
    """The platform refused the credentials (missing ones are a :class:`ConfigError` naming the variable)."""


class Unavailable(ChannelError):
    """A transient failure: 5xx, timeout, dropped connection."""

    retryable = True


class OutcomeUnknown(ChannelError):
    """The request was sent but no answer came back: it may have taken effect.

    Resending could duplicate, so the ledger records ``unknown`` and waits for a person.
    """
