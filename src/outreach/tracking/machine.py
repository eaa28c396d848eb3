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
   bursts lives in memory only, for a few seconds, and is never stored.

Every other click is a person's. Many gateways (Microsoft Safe Links among them) fetch
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
# How many messages the burst window follows at once: those clicked in the last 2 seconds,
# and at most this many (beyond it the least recently clicked is forgotten).
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
    __slots__ = ("at", "link_id", "human", "item")

    def __init__(self, at: float, link_id: int, human: bool, item: T) -> None:
        self.at, self.link_id, self.human, self.item = at, link_id, human, item


@dataclass
class BurstWindow(Generic[T]):
    """The last :data:`BURST_SECONDS` of clicks per message, to find bursts (rule 4).

    ``observe`` is called for every click in arrival order; ``item`` is whatever the
    caller needs back to move an earlier click (the window never looks inside it).
    """

    seconds: float = BURST_SECONDS
    max_messages: int = MAX_MESSAGES
    _messages: "OrderedDict[Hashable, deque[_Seen[T]]]" = field(default_factory=OrderedDict)  # least recently clicked first

    def observe(self, message: Hashable, link_id: int, at: float, human: bool, item: T) -> tuple[bool, list[T]]:
        """Note one click; return whether it is part of a burst, and the earlier human clicks to move to machine."""
        recent = self._recent(message, at)
        burst = any(seen.link_id != link_id for seen in recent)
        moved: list[T] = []
        if burst:
            for seen in recent:
                if seen.human:
                    seen.human = False
                    moved.append(seen.item)
        recent.append(_Seen(at, link_id, human and not burst, item))
        return burst, moved

    def _recent(self, message: Hashable, at: float) -> deque[_Seen[T]]:
        while self._messages:  # forget messages not clicked for BURST_SECONDS (least recently clicked first)
            oldest = next(iter(self._messages.values()))
            if oldest and oldest[-1].at >= at - self.seconds:
                break
            self._messages.popitem(last=False)
        recent = self._messages.get(message)
        if recent is None:
            while len(self._messages) >= self.max_messages:
                self._messages.popitem(last=False)
            recent = self._messages[message] = deque()
        else:
            self._messages.move_to_end(message)  # the oldest is evicted first
        while recent and recent[0].at < at - self.seconds:
            recent.popleft()
        return recent

    def __len__(self) -> int:
        return len(self._messages)
