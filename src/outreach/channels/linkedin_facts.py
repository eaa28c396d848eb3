"""LinkedIn: one post of up to 3,000 characters of ``commentary`` in LinkedIn's "little" text format.

In little text the characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` are markup; unescaped, LinkedIn
may cut the post at the first one and still answer 201. So the commentary sent is the text with
each of them backslash-escaped, except inside links (which must stay whole to be linked) and
the ``#`` that starts a hashtag (which stays clickable). Links are found by the one link finder
(:func:`~.facts.link_spans`: a real host, balanced parentheses kept, no markup character inside),
so no backslash lands inside an address and no markup passes unescaped. The limit is counted on that
commentary, in UTF-16 code units (what LinkedIn's Java servers count), so a text that passes
``validate`` cannot be refused for its length.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .facts import HASHTAG, Credential, PlatformFacts, link_spans

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_AUTHOR = re.compile(r"urn:li:(organization|person):[A-Za-z0-9_-]{1,64}")
_VERSION = re.compile(r"20\d\d(0[1-9]|1[0-2])")
FEED_FOLD = 210  # characters LinkedIn's feed shows before "…see more" (about three lines on a desktop) …
FEED_FOLD_LINES = 3  # … or fewer: three lines, so short lines and blank lines bring the fold earlier


def _escape(plain: str) -> str:
    return "".join("\\" + ch if ch in RESERVED else ch for ch in plain)


def commentary(text: str) -> str:
    """The post's text as LinkedIn's ``commentary``: reserved characters escaped, links and hashtags kept."""
    kept = sorted(link_spans(text) + [m.span() for m in HASHTAG.finditer(text)])
    out: list[str] = []
    last = 0
    for start, end in kept:
        if start < last:
            continue  # a '#' inside a link is the link's
        out.append(_escape(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(_escape(text[last:]))
    return "".join(out)


def linkedin_length(text: str) -> int:
    """LinkedIn's count: UTF-16 code units of the commentary as sent (escapes included)."""
    return len(commentary(text).encode("utf-16-le")) // 2


def check_author(value: str) -> str:
    """The post's author: ``urn:li:organization:<id>`` (a page) or ``urn:li:person:<id>`` (a member); empty until set."""
    if value and not _AUTHOR.fullmatch(value):
        raise ValueError("must be urn:li:organization:<id> (a page) or urn:li:person:<id> (a member)")
    return value


def check_version(value: str) -> str:
    """The ``LinkedIn-Version`` header: a month, YYYYMM (LinkedIn retires each version after a year)."""
    if not _VERSION.fullmatch(value):
        raise ValueError("must be a month as YYYYMM, e.g. 202610 (LinkedIn-Version)")
    return value


# Images: a multiImage post takes 2 to 20 (one image is ``content.media``); PNG, JPEG and GIF. LinkedIn's
# Images API publishes no byte limit; guides give 5 to 10 MB, so the smallest is kept. Alt text: 4,086 characters.
def check_api_base(value: str) -> str:
    """The API's address: https (http only on this machine, for tests), a host, no user, path, query or fragment."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError("must be an address like https://api.linkedin.com") from None
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if (parts.scheme != "https" and not (parts.scheme == "http" and local)) or not parts.hostname or port == 0 \
            or "@" in parts.netloc or parts.path.strip("/") or parts.query or parts.fragment or any(c.isspace() for c in value):
        raise ValueError("must be https://<host> (the token is sent there), e.g. https://api.linkedin.com")
    return value


LINKEDIN = PlatformFacts(
    name="linkedin", display="LinkedIn", limit=3000, length=linkedin_length, url_weight=None,
    max_images=20, max_image_bytes=5_000_000, image_formats=("PNG", "JPEG", "GIF"), max_alt=4086,
    credentials=(Credential("access_token_env", "LINKEDIN_ACCESS_TOKEN", "LinkedIn access token"),),
    client="outreach.channels.linkedin:LinkedInChannel", link_card=True,
    options=(("author", ""), ("version", "202610"), ("api_base", "https://api.linkedin.com")),
    threads=False, handle_prefix="", feed_fold=FEED_FOLD, feed_fold_lines=FEED_FOLD_LINES,
    checks=(("author", check_author), ("version", check_version), ("api_base", check_api_base)),
)
