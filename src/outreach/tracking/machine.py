"""Which clicks were made by machines, not people: pure rules, no I/O.

A click on ``/c/<token>`` is counted as a machine, with the first reason that applies:

1. ``head``: a HEAD request (a person's browser asks with GET; link checkers ask with HEAD).
2. ``scanner``: the User-Agent names a known link scanner or an HTTP library, or is empty
   (:data:`SCANNER_MARKERS`, matched case-insensitively).
3. ``too-soon``: it arrived less than ``[tracking] machine_seconds`` (default 10) after its
   message was built: nobody reads an email that fast, a security gateway does.
4. ``burst``: two different links of the same message were clicked within
   :data:`BURST_SECONDS` (2) of each other: gateways follow every link at once, people
   do not. That click, and the message's clicks in the 2 seconds before it, count as
   machines (an earlier one counted as a person is moved). The window that finds
   bursts lives in memory only, for a minute, and is never stored.
Every other click is a person's, counted once: the same link of the same message clicked
again within :data:`REPEAT_SECONDS` (60) of its last person's click (a double click, a
reload, a script) redirects but is not counted again. Many gateways (Microsoft Safe Links among them) fetch
with an ordinary browser User-Agent, which is why rules 3 and 4 look at timing too.
"""

from __future__ import annotations

import enum
import re
from collections import OrderedDict, deque
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Generic, Hashable, TypeVar

BURST_SECONDS = 2.0
REPEAT_SECONDS = 60.0
# How many messages the window follows at once: those clicked in the last minute, and at
# most this many (beyond it the least recently clicked is forgotten).
MAX_MESSAGES = 20_000

# Substrings of User-Agents that are not people, compared in lower case. Taken from the
# maintained list of matomo-org/device-detector (regexes/bots.yml: its "Security Checker",
# "Crawler", "Social Media Agent" and link-preview entries) and from the vendors' own
# documentation of the agents that fetch links in mail; HTTP libraries and command-line
# tools are in device-detector's regexes/client/libraries.yml.
SCANNER_MARKERS: tuple[str, ...] = (
    # mail security gateways and link rewriters
    "safelinks", "safe links", "bingpreview", "existence discovery", "microsoftpreview",
    "barracuda", "proofpoint", "mimecast", "symantec", "broadcom", "messagelabs", "trend micro", "trendmicro",
    "ironport", "fireeye", "trellix", "sophos", "forcepoint", "fortiguard", "fortinet", "zscaler",
    "paloalto", "palo alto", "cloudmark", "vadesecure", "vade secure", "abnormal security",
    "google-safety", "google safe browsing", "googlesafebrowsing", "google-inspectiontool",
    # link expanders and previewers
    "slackbot", "slack-imgproxy", "discordbot", "telegrambot", "whatsapp", "skypeuripreview",
    "facebookexternalhit", "twitterbot", "linkedinbot", "embedly", "iframely", "redditbot", "applebot",
    # crawlers and headless browsers
    "bot/", "bot;", "crawler", "spider", "headlesschrome", "phantomjs",
    # HTTP libraries and command-line tools
    "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client",
    "java/", "okhttp", "libwww-perl", "apache-httpclient", "node-fetch", "axios/", "httpie",
)


_SCANNER_RE = re.compile("|".join(re.escape(marker) for marker in SCANNER_MARKERS))


class MachineReason(str, enum.Enum):
    """Why a click was counted as a machine (the ``clicks.machine_reason`` values)."""

    HEAD = "head"
    SCANNER = "scanner"
    TOO_SOON = "too-soon"
    BURST = "burst"


@lru_cache(maxsize=4096)  # a mailing's readers share a few thousand User-Agents at most
def is_scanner(user_agent: str | None) -> bool:
    """Whether ``user_agent`` is empty or names a known link scanner, crawler or HTTP library."""
    agent = (user_agent or "").strip().lower()
    return not agent or _SCANNER_RE.search(agent) is not None


def classify(method: str, user_agent: str | None, sent_at: float, now: float, machine_seconds: float) -> MachineReason | None:
    """The reason a single click is a machine's (rules 1-3), or None when it may be a person's."""
    if method.upper() == "HEAD":
        return MachineReason.HEAD
    if is_scanner(user_agent):
        return MachineReason.SCANNER
    if now - sent_at < machine_seconds:  # also a click "before" the send: a clock that disagrees is not a person
        return MachineReason.TOO_SOON
    return None


T = TypeVar("T")


class _Seen(Generic[T]):
    __slots__ = ("at", "item")

    def __init__(self, at: float, item: T) -> None:
        self.at, self.item = at, item


@dataclass(frozen=True)
class Observed(Generic[T]):
    """What the window says of one click."""

    burst: bool  # rule 4: a machine's, and ``moved`` are the earlier person clicks that become machines' too
    repeat: bool  # a person clicked this link of this message within REPEAT_SECONDS: not counted again
    moved: list[T]


class _Message(Generic[T]):
    """One message's recent clicks: when each link was last clicked, by anyone and by a person, and the person clicks a burst would move."""

    __slots__ = ("last", "clicked", "by_person", "people")

    def __init__(self) -> None:
        self.last = 0.0
        self.clicked: dict[int, float] = {}  # link -> its last click (for bursts)
        self.by_person: dict[int, float] = {}  # link -> its last click counted as a person's (for repeats)
        self.people: deque[_Seen[T]] = deque()  # person clicks of the last BURST_SECONDS, oldest first


@dataclass
class BurstWindow(Generic[T]):
    """Each message's recent clicks, to find bursts (rule 4) and repeats (rule 5).

    ``observe`` is called for every click in arrival order; ``item`` is whatever the
    caller needs back to move an earlier click (the window never looks inside it).
    The work per click is bounded by the message's number of links, never by how
    often it was clicked.
    """

    seconds: float = BURST_SECONDS
    repeat_seconds: float = REPEAT_SECONDS
    max_messages: int = MAX_MESSAGES
    _messages: "OrderedDict[Hashable, _Message[T]]" = field(default_factory=OrderedDict)  # least recently clicked first

    def observe(self, message: Hashable, link_id: int, at: float, human: bool, item: T) -> "Observed[T]":
        """Note one click; say whether it is part of a burst or repeats a person's click, and which earlier person clicks to move."""
        seen = self._recent(message, at)
        burst = any(other != link_id and last >= at - self.seconds for other, last in seen.clicked.items())
        moved: list[T] = []
        if burst:
            moved = [p.item for p in seen.people]
            seen.people.clear()
        repeat = not burst and seen.by_person.get(link_id, float("-inf")) >= at - self.repeat_seconds
        seen.clicked[link_id] = seen.last = at
        if human and not burst and not repeat:
            seen.by_person[link_id] = at
            seen.people.append(_Seen(at, item))
        return Observed(burst, repeat and human, moved)

    def _recent(self, message: Hashable, at: float) -> _Message[T]:
        keep = max(self.seconds, self.repeat_seconds)
        while self._messages:  # forget messages not clicked for a while (least recently clicked first)
            oldest = next(iter(self._messages.values()))
            if oldest.last >= at - keep:
                break
            self._messages.popitem(last=False)
        seen = self._messages.get(message)
        if seen is None:
            while len(self._messages) >= self.max_messages:
                self._messages.popitem(last=False)
            seen = self._messages[message] = _Message()
        else:
            self._messages.move_to_end(message)  # the oldest is evicted first
        while seen.people and seen.people[0].at < at - self.seconds:
            seen.people.popleft()
        return seen

    def __len__(self) -> int:
        return len(self._messages)
