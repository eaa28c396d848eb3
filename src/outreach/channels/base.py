"""The one small interface every social channel implements, and the base class that fixes how they publish.

A channel publishes one post or one thread part (text, images with alt
text, optionally a reply target) and returns where it went, or raises one
of the channel errors in :mod:`outreach.errors`; it never returns a flag.
Each channel also builds the exact request it would send (:meth:`payload`),
which is what the outbox writes when the channel has no credentials.

:class:`ApiChannel` (like django-anymail's base backend) fixes the sequence
every platform follows: credentials, then the request, then media upload,
then the post, then the error mapping, which is written once, here, from
HTTP status codes and exception types (see :meth:`ApiChannel.error_for`).
A platform's client fills in the steps and tells how its library reports an
HTTP answer (:meth:`ApiChannel.answer_of`); nothing reads exception text.

Reading a post's reactions (:meth:`ApiChannel.reactions`) is a second fixed
sequence on the same mapping: credentials, then the platform's
:meth:`ApiChannel.fetch_reactions`. Its answers are hostile like any other: a
count that is missing, not an integer, negative or absurdly large is None
(:func:`count`), an answer that is not JSON is :class:`Unavailable`, and a post
that is gone is a :class:`Rejected` saying it was deleted.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Mapping, Protocol

import httpx
import requests
import urllib3.exceptions

from ..errors import AuthFailed, ChannelError, ConfigError, OutcomeUnknown, PostDeleted, RateLimited, Rejected, Unavailable
from .facts import PREVIEW_SETTINGS, LinkSpan, PlatformFacts
from .reactions import Reactions
from .retry import retry_time


@dataclass(frozen=True)
class Media:
    """An image with its alt text."""

    path: Path
    alt: str
    content: bytes | None = None  # bytes prepared from ``path`` (a thumbnail made to fit); its name says their type

    @property
    def mime(self) -> str:
        """The image's MIME type, from its file name."""
        return mimetypes.guess_type(self.path.name)[0] or "application/octet-stream"

    def read(self) -> bytes:
        """The image bytes; a missing file is a permanent rejection."""
        if self.content is not None:
            return self.content
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise Rejected(f"image {self.path}: {exc.strerror}") from None


@dataclass(frozen=True)
class LinkCard:
    """A link preview (Bluesky's external embed)."""

    uri: str
    title: str
    description: str
    thumb: Media | None = None


@dataclass(frozen=True)
class OutgoingPart:
    """One post, or one part of a thread, ready to publish."""

    campaign: str
    step: int
    index: int  # 1-based position in the thread
    count: int
    text: str
    images: tuple[Media, ...] = ()
    card: LinkCard | None = None
    links: tuple[LinkSpan, ...] = ()  # where the text's links are and what they open (Bluesky's facets)

    @property
    def idempotency_key(self) -> str:
        """Stable per part, so a retried request cannot create a second post where the API honours it."""
        return hashlib.sha256(f"outreach/{self.campaign}/{self.step}/{self.index}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Posted:
    """Where a part went."""

    remote_id: str
    url: str
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. Bluesky's cid and thread root


class Channel(Protocol):
    """A social network (or the outbox standing in for one)."""

    name: str

    def payload(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The request this channel would send for ``part`` (JSON-ready, images by file name)."""

    def publish(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Posted:
        """Publish ``part``, replying to ``reply_to`` (and ``root``, for Bluesky) in a thread."""


# The error mapping, once for every platform.
BODY_LIMIT = 500  # characters of a response body kept on an error
# The request never left: nothing can have happened on the server, so sending again is safe.
NEVER_SENT: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectTimeout, requests.exceptions.SSLError,  # a failed TLS handshake sent nothing yet
    urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError,
    httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, ConnectionRefusedError,
)
# The request went out and no (complete) answer came: it may have taken effect.
NO_ANSWER: tuple[type[BaseException], ...] = (
    requests.exceptions.RequestException, urllib3.exceptions.HTTPError, httpx.TransportError, ConnectionError, TimeoutError,
)
_SECRET_NAMES = r"authorization|proxy-authorization|cookie|set-cookie|x-api-key"
_JSON_SECRET = re.compile(r'(?i)("(?:' + _SECRET_NAMES + r'|access_?jwt|refresh_?jwt|access_?token|refresh_?token|password|oauth_[a-z_]*)"\s*:\s*")(?:[^"\\]|\\.)*')
_HEADER_SECRET = re.compile(r'(?i)\b(' + _SECRET_NAMES + r')(\s*[:=]\s*)(?:(?!"\s*[,}\]])[^\r\n])*')
_OAUTH_PARAM = re.compile(r'(?i)\b(oauth_[a-z_]*\s*=\s*"?)[^",&\s]*')
_CREDENTIAL_TEXT = re.compile(r"[\x21-\x7e]+")  # what any platform's key, token, handle or app password is made of
_AUTH_SCHEME = re.compile(r"(?i)\b(bearer|basic|dpop)\s+[A-Za-z0-9._~+/=-]+")
AMBIGUOUS_5XX = frozenset({500, 502, 504})  # a 503 says the request was not taken; these may come after it took effect
STEPS = {"credentials": "login", "payload": "request", "media": "media upload", "post": "post", "metrics": "reactions read"}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer that was not a success: what the error mapping reads."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""


def chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception behind it (cause, context, a wrapped ``reason`` or argument)."""
    found: list[BaseException] = []
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        stack += [item.__cause__, item.__context__, getattr(item, "reason", None), *getattr(item, "args", ())]
    return found


def transport_failure(exc: BaseException) -> bool | None:
    """By exception type: False when the request never reached the server, True when it went out and no answer
    came, None when ``exc`` is not a transport failure at all."""
    causes = chain(exc)
    if any(isinstance(c, NEVER_SENT) for c in causes):
        return False
    if any(isinstance(c, NO_ANSWER) for c in causes):
        return True
    return None


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without any of ``secrets`` nor authorization-like values, truncated to :data:`BODY_LIMIT`."""
    for value in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        text = text.replace(value, "[secret]")
    text = _JSON_SECRET.sub(r"\1[redacted]", text)
    text = _HEADER_SECRET.sub(r"\1\2[redacted]", text)
    text = _OAUTH_PARAM.sub(r"\1[redacted]", text)
    text = _AUTH_SCHEME.sub(r"\1 [redacted]", text)
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + "…"


def summary(body: str) -> str:
    """The short human message in an API error body (JSON ``detail``/``message``/``error``/``title``), else its start."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        errors = data.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        for value in (data.get("detail"), data.get("message"), first.get("message"), data.get("error"), data.get("title")):
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())[:200]
    return " ".join(body.split())[:200]


def read_credentials(platform: PlatformFacts, settings: object) -> dict[str, str] | None:
    """The platform's secrets from the env vars ``settings`` names: None when none is set (the outbox stands in);
    a :class:`ConfigError` naming the variable(s) when only some are."""
    names = dict(zip((c.setting for c in platform.credentials), platform.secret_envs(settings)))
    values = {setting: os.environ.get(env) or "" for setting, env in names.items()}
    for setting, value in values.items():
        if value and not _CREDENTIAL_TEXT.fullmatch(value):  # a copied line break or space cannot go in a header, and would fail after sending began
            raise ConfigError(f"{platform.display}: environment variable {names[setting]} holds a space, line break or non-ASCII character; "
                              "set it to the value alone")
    missing = [names[s] for s, v in values.items() if not v]
    written = _written_settings(settings, set(names))
    if not any(values.values()) and not written:
        return None
    if missing:
        given = f"the other {platform.display} credentials are" if any(values.values()) else f"[{platform.name}] {', '.join(written)} is configured"
        raise ConfigError(f"{platform.display}: environment variable{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                          f"not set ({given}); set it, or leave {platform.display} unconfigured to use the outbox")
    return values


def _written_settings(settings: object, credential_settings: set[str]) -> list[str]:
    """Connection settings the config file changed from their defaults (an instance, a service): the platform is meant to be used."""
    fields = getattr(type(settings), "model_fields", {})
    written = getattr(settings, "model_fields_set", set())
    preview_only = {name for name, _ in PREVIEW_SETTINGS}
    return sorted(f for f in written if f in fields and f not in credential_settings and not f.endswith("_env") and f not in preview_only
                  and getattr(settings, f) != fields[f].default)


class ApiChannel:
    """A platform reached over its API: the publish sequence and the error mapping, shared.

    Subclasses set :attr:`facts` and fill in :meth:`connect` (build the client,
    no network), :meth:`authenticate`, :meth:`payload`/:meth:`prepare`,
    :meth:`upload`, :meth:`post`, :meth:`fetch_reactions` and :meth:`answer_of`.
    """

    facts: ClassVar[PlatformFacts]
    post_is_idempotent: ClassVar[bool] = False  # True when a resent post cannot make a second one

    def __init__(self, settings: Any, credentials: Mapping[str, str]) -> None:
        self.settings = settings
        self.secrets = tuple(v for v in credentials.values() if v)
        self.connect(settings, credentials)

    @property
    def name(self) -> str:
        """The channel id (``x``)."""
        return self.facts.name

    @classmethod
    def from_config(cls, settings: Any) -> "ApiChannel | None":
        """The channel, or None when no credential is set (the outbox stands in)."""
        credentials = read_credentials(cls.facts, settings)
        return None if credentials is None else cls(settings, credentials)

    # The steps a platform fills in.
    def connect(self, settings: Any, credentials: Mapping[str, str]) -> None:
        """Build the API client (no network)."""

    def authenticate(self) -> None:
        """Log in, when the platform needs a session (once; later calls do nothing)."""

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The request this channel would send for ``part`` (JSON-ready, images by file name)."""
        raise NotImplementedError

    def prepare(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Any:
        """The request to send: by default :meth:`payload`; a platform may check or resolve more here."""
        return self.payload(part, reply_to, root)

    def upload(self, media: Media) -> Any:
        """Upload one image with its alt text; return what :meth:`post` attaches."""
        raise NotImplementedError

    def post(self, part: OutgoingPart, request: Any, media: list[Any]) -> Posted:
        """Create the post from the prepared ``request`` and the uploaded ``media``."""
        raise NotImplementedError

    def fetch_reactions(self, posted: Posted) -> Reactions:
        """Read the post's counts now; raise :class:`Rejected` via :meth:`deleted` when the post is gone."""
        raise NotImplementedError

    def answer_of(self, exc: BaseException) -> Answer | None:
        """The HTTP answer behind a client library's exception, by its type; None when there was none."""
        return None

    def deleted(self, posted: Posted) -> PostDeleted:
        """The error for a post that is no longer there."""
        return PostDeleted(f"{self.facts.display}: the post was deleted ({posted.url or posted.remote_id})", platform=self.facts.display)

    @staticmethod
    def media_of(part: OutgoingPart) -> tuple[Media, ...]:
        """The files a part uploads: its images, or its link card's thumbnail."""
        if part.images:
            return part.images
        return (part.card.thumb,) if part.card is not None and part.card.thumb is not None else ()

    # The fixed sequence.
    def publish(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Posted:
        """Credentials, request, media upload, post; any failure becomes one channel error."""
        step = "credentials"
        try:
            self.authenticate()
            step = "payload"
            request = self.prepare(part, reply_to, root)
            step = "media"
            media = [self.upload(m) for m in self.media_of(part)]
            step = "post"
            return self.post(part, request, media)
        except ChannelError:
            raise
        except Exception as exc:
            error = self.error_for(exc, step)
            if error is None:
                raise  # not a platform failure: a bug, reported as one
            raise error from None

    def reactions(self, posted: Posted) -> Reactions:
        """Credentials, then the read; a failure becomes one channel error, a deleted post a :class:`Rejected`.

        An answer that is not JSON at all is :class:`Unavailable` (read again later), never an exception.
        """
        step = "credentials"
        try:
            self.authenticate()
            step = "metrics"
            return self.fetch_reactions(posted)
        except ChannelError:
            raise
        except Exception as exc:
            # A JSON parser's error (requests' is also a RequestException, so it is looked for first), or the answer's wrong shape.
            garbled = self.answer_of(exc) is None and any(isinstance(c, ValueError) and not isinstance(c, urllib3.exceptions.HTTPError)
                                                          for c in chain(exc))
            error = (Unavailable(f"{self.facts.display} {STEPS[step]}: the answer is not JSON", platform=self.facts.display)
                     if garbled else self.error_for(exc, step))
            if error is None:
                raise  # not a platform failure: a bug, reported as one
            raise error from None

    def error_for(self, exc: BaseException, step: str) -> ChannelError | None:
        """The one error mapping: an HTTP answer by its status, else a transport failure by its type."""
        answer = self.answer_of(exc)
        if answer is not None:
            return self.error_for_answer(answer, step)
        sent = transport_failure(exc)
        if sent is None:
            return None
        what = f"{self.facts.display} {STEPS[step]}"
        response = {"platform": self.facts.display, "status": None, "body": None}
        if not sent:
            return Unavailable(f"{what}: cannot connect ({type(exc).__name__}); nothing was sent", **response)
        if step == "metrics":
            return Unavailable(f"{what}: no answer ({type(exc).__name__}); it is read again later", **response)
        if step != "post" or self.post_is_idempotent:
            return Unavailable(f"{what}: no answer ({type(exc).__name__}); sending again is safe", **response)
        return OutcomeUnknown(f"{what}: no answer after the request was sent ({type(exc).__name__}); check the account before resending", **response)

    def error_for_answer(self, answer: Answer, step: str) -> ChannelError:
        """429 → RateLimited at the reset time; 401 (or any 4xx to a login) → AuthFailed; 5xx → Unavailable; else Rejected."""
        body = scrub(answer.body, self.secrets)
        response = {"platform": self.facts.display, "status": answer.status, "body": body}
        detail = f"HTTP {answer.status}: {scrub(summary(answer.body), self.secrets)}".rstrip(": ")
        if answer.status == 429:
            return RateLimited(f"{self.facts.display} {STEPS[step]}: {detail}", retry_time(answer.headers), **response)
        if step == "credentials" and 400 <= answer.status < 500:
            return AuthFailed(f"{self.facts.display} refused the login: {detail}", **response)
        if answer.status == 401:
            return AuthFailed(f"{self.facts.display} {STEPS[step]}: {detail}", **response)
        if step == "metrics" and answer.status in (404, 410):
            return PostDeleted(f"{self.facts.display}: the post was deleted ({detail})", **response)
        if answer.status in AMBIGUOUS_5XX and step == "post" and not self.post_is_idempotent:
            # A gateway's 500/502/504 can come after the post was made: sending again could post twice.
            return OutcomeUnknown(f"{self.facts.display} post: {detail} after the request was sent; check the account before resending", **response)
        if answer.status >= 500:
            return Unavailable(f"{self.facts.display} {STEPS[step]}: {detail}", **response)
        return Rejected(f"{self.facts.display} {STEPS[step]}: {detail}", **response)
