"""A small emulator of LinkedIn's REST API over real HTTP on 127.0.0.1: Posts, Images and socialMetadata.

It checks what LinkedIn checks, with this module's own code (never outreach's ``commentary`` or
``linkedin_length``): the bearer token; ``LinkedIn-Version`` present (400 VERSION_MISSING), a month
that exists and is not retired (426 NONEXISTENT_VERSION, "Requested version 20240901 is not active",
as LinkedIn answers; a version is active for 12 months from its month, counted from the emulator's
``today``); ``X-Restli-Protocol-Version: 2.0.0``; the author's URN form (422) and that the token may
post as it (403); the commentary in LinkedIn's "little" text format, where an unescaped reserved
character outside a link or hashtag cuts the post there with a 201, as LinkedIn does (recorded in
``truncated``); its length, at most 3,000 UTF-16 units of the commentary as sent; images that went
through initializeUpload, then a PUT of their bytes, before a post names them; alt text length.

Failures (:meth:`fail`): "401", "403", "422", "429" (LinkedIn's body, no reset header: its daily
limits reset at midnight UTC; "429 Retry-After=30" gives that header), "503", "garbage" and "drop"
(the request takes effect, then the connection closes with no answer). ``omit_post_id`` answers a
post's 201 without ``x-restli-id``; ``upload_address`` replaces the upload address initializeUpload
gives (a hostile answer).
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from typing import Any
from urllib.parse import unquote

from tests.social.emulators import ApiError, Emulator, Reply, _json, find_urls

RESERVED = set("\\|{}@[]()<>#*_~")
MAX_COMMENTARY = 3000  # UTF-16 code units
MAX_ALT = 4086
MAX_IMAGE_BYTES = 5_000_000
MULTI_IMAGE = (2, 20)
VERSION_LIFE_MONTHS = 12
_VERSION = re.compile(r"(20\d\d)(0[1-9]|1[0-2])")
_AUTHOR = re.compile(r"urn:li:(organization|person):[A-Za-z0-9_-]+")
_HASHTAG = re.compile(r"#\w+")
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def error(status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> ApiError:
    """An answer in LinkedIn's error shape."""
    return ApiError(status, {"status": status, **({"code": code} if code else {}), "message": message}, headers or {})


def read_little(commentary: str, links_found: list[str] | None = None) -> tuple[str, bool]:
    """The text a reader sees of ``commentary`` in "little" format, and whether an unescaped reserved character cut it.

    The links it reads are appended to ``links_found``.

    A backslash makes the next reserved character plain; a link (found by this module's own URL finder) and a
    hashtag (``#`` then word characters, not after a word character) are elements of their own.
    """
    # A backslash is no address's character (RFC 3986): a link ends before one, so an escape right after it stays an escape.
    links = {a: b if (cut := commentary.find("\\", a, b)) < 0 else cut for a, b in find_urls(commentary, bare=False)}
    out: list[str] = []
    i = 0
    while i < len(commentary):
        ch = commentary[i]
        if i in links:
            out.append(commentary[i:links[i]])
            if links_found is not None:
                links_found.append(commentary[i:links[i]])
            i = links[i]
        elif ch == "\\" and i + 1 < len(commentary) and commentary[i + 1] in RESERVED:
            out.append(commentary[i + 1])
            i += 2
        elif ch == "#" and (m := _HASHTAG.match(commentary, i)) and not (i and (commentary[i - 1].isalnum() or commentary[i - 1] == "_")):
            out.append(m.group(0))
            i = m.end()
        elif ch in RESERVED:
            return "".join(out), True
        else:
            out.append(ch)
            i += 1
    return "".join(out), False


class LinkedInEmulator(Emulator):
    """LinkedIn REST: POST /rest/posts, POST /rest/images?action=initializeUpload, PUT the upload address, GET /rest/socialMetadata/{urn}."""

    def __init__(self, token: str = "linkedin-test-token", author: str = "urn:li:organization:2414183",
                 today: date = date(2026, 11, 27)) -> None:
        super().__init__()
        self.token, self.author, self.today = token, author, today
        self.images: dict[str, dict[str, Any]] = {}  # image URN -> owner, uploaded bytes
        self.posts: dict[str, dict[str, Any]] = {}  # post URN -> what LinkedIn stored
        self.omit_post_id = False
        self.upload_address: str | None = None
        self.routes[("POST", "/rest/posts")] = self.create_post
        self.routes[("POST", "/rest/images")] = self.initialize_upload
        self.prefix_routes.append(("PUT", "/dms-uploads/", self.upload))
        self.prefix_routes.append(("GET", "/rest/socialMetadata/", self.social_metadata))
        base = self.server.RequestHandlerClass

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_PUT(self) -> None:  # noqa: N802
                self._handle("PUT")

        self.server.RequestHandlerClass = Handler

    # -- failures in LinkedIn's words -----------------------------------------------------------
    def failure(self, kind: str) -> ApiError:
        if kind == "401":
            return ApiError(401, {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"})
        if kind == "403":
            return error(403, "Not enough permissions to access: partnerApiPostsExternal.CREATE.20261101", "ACCESS_DENIED")
        if kind == "422":
            return error(422, "ERROR :: /commentary :: unprocessable entity", "UNPROCESSABLE_ENTITY")
        if kind == "429":
            return error(429, "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.", "TOO_MANY_REQUESTS")
        return super().failure(kind)

    # -- what every call checks -----------------------------------------------------------------
    def check(self, request: dict, *, json_body: bool = True) -> None:
        """Bearer token, LinkedIn-Version (present, a month, active), Rest.li 2.0.0, a JSON body where one is sent."""
        headers = {k.lower(): v for k, v in request["headers"].items()}
        if headers.get("authorization") != f"Bearer {self.token}":
            raise self.failure("401")
        version = headers.get("linkedin-version")
        if not version:
            raise error(400, "A version must be present. Please specify a version by adding the LinkedIn-Version header.", "VERSION_MISSING")
        m = _VERSION.fullmatch(version)
        if m is None:
            raise error(400, f"Invalid LinkedIn-Version {version[:20]!r}; expected YYYYMM", "INVALID_VERSION")
        months = (self.today.year - int(m.group(1))) * 12 + self.today.month - int(m.group(2))
        if not 0 <= months < VERSION_LIFE_MONTHS:
            raise error(426, f"Requested version {version}01 is not active", "NONEXISTENT_VERSION")
        if headers.get("x-restli-protocol-version") != "2.0.0":
            raise error(400, "X-Restli-Protocol-Version 2.0.0 is required", "INVALID_PROTOCOL_VERSION")
        if json_body and not headers.get("content-type", "").startswith("application/json"):
            raise error(415, "Content-Type must be application/json")

    def check_author(self, urn: object, field: str) -> None:
        """A person or organisation URN (422 otherwise) that this token may act as (403 otherwise)."""
        if not isinstance(urn, str) or not _AUTHOR.fullmatch(urn):
            raise error(422, f"ERROR :: /{field} :: {str(urn)[:80]!r} is not a valid person or organization URN")
        if urn != self.author:
            raise error(403, f"Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/{field}]",
                        "ACCESS_DENIED")

    # -- Images API -----------------------------------------------------------------------------
    def initialize_upload(self, request: dict) -> Reply:
        """POST /rest/images?action=initializeUpload {initializeUploadRequest: {owner}} -> uploadUrl and image URN."""
        self.check(request)
        if request["query"].get("action") != ["initializeUpload"]:
            raise error(400, "action must be initializeUpload")
        owner = (_json(request).get("initializeUploadRequest") or {}).get("owner")
        self.check_author(owner, "initializeUploadRequest/owner")
        key = f"D4E10AQ{next(self.ids)}"
        urn = f"urn:li:image:{key}"
        with self.lock:
            self.images[urn] = {"owner": owner, "bytes": None, "key": key}
        address = self.upload_address or f"{self.url}/dms-uploads/{key}"
        expires = int((time.time() + 86400) * 1000)
        return 200, {"value": {"uploadUrlExpiresAt": expires, "uploadUrl": address, "image": urn}}, {}

    def upload(self, request: dict) -> Reply:
        """PUT the image bytes to the address initializeUpload gave (with the bearer token, as LinkedIn asks)."""
        headers = {k.lower(): v for k, v in request["headers"].items()}
        if headers.get("authorization") != f"Bearer {self.token}":
            raise self.failure("401")
        key = request["path"].rsplit("/", 1)[1]
        urn = f"urn:li:image:{key}"
        data = request["body"]
        if urn not in self.images:
            raise error(404, "no such upload")
        if not data.startswith(_MAGIC):
            raise error(400, "the upload is not a PNG, JPEG or GIF image")
        if len(data) > MAX_IMAGE_BYTES:
            raise error(413, f"image of {len(data)} bytes is over {MAX_IMAGE_BYTES}")
        with self.lock:
            self.images[urn]["bytes"] = data
        return 201, b"", {}

    # -- Posts API ------------------------------------------------------------------------------
    def create_post(self, request: dict) -> Reply:
        """POST /rest/posts: 201 with the post's URN in x-restli-id and no body."""
        self.check(request)
        body = _json(request)
        self.check_author(body.get("author"), "author")
        for field, allowed in (("visibility", {"PUBLIC", "CONNECTIONS", "LOGGED_IN"}), ("lifecycleState", {"PUBLISHED", "DRAFT"})):
            if body.get(field) not in allowed:
                raise error(422, f"ERROR :: /{field} :: must be one of {sorted(allowed)}")
        if not isinstance(body.get("distribution"), dict) or "feedDistribution" not in body["distribution"]:
            raise error(422, "ERROR :: /distribution :: field is required but not found and has no default value")
        raw = body.get("commentary")
        if not isinstance(raw, str):
            raise error(422, "ERROR :: /commentary :: must be a string")
        units = len(raw.encode("utf-16-le")) // 2
        if units > MAX_COMMENTARY:
            raise error(422, f"ERROR :: /commentary :: length {units} exceeds maximum length of {MAX_COMMENTARY}")
        images = self.check_content(body.get("content"))
        links: list[str] = []
        text, truncated = read_little(raw, links)
        urn = f"urn:li:share:{7_300_000_000_000_000_000 + next(self.ids)}"
        with self.lock:
            self.posts[urn] = {"author": body["author"], "commentary": raw, "text": text, "truncated": truncated, "links": links,
                               "content": body.get("content"), "images": images}
        self.made(urn)
        return 201, b"", ({} if self.omit_post_id else {"x-restli-id": urn, "x-linkedin-id": urn})

    def check_content(self, content: object) -> list[str]:
        """The image URNs the content names, each one uploaded by this author; alt text within its limit."""
        if content is None:
            return []
        if not isinstance(content, dict) or len(content) != 1:
            raise error(422, "ERROR :: /content :: exactly one of media, multiImage, article")
        kind, value = next(iter(content.items()))
        if kind == "media":
            entries = [value]
        elif kind == "multiImage":
            entries = (value or {}).get("images") if isinstance(value, dict) else None
            if not isinstance(entries, list) or not MULTI_IMAGE[0] <= len(entries) <= MULTI_IMAGE[1]:
                raise error(422, f"ERROR :: /content/multiImage/images :: {MULTI_IMAGE[0]} to {MULTI_IMAGE[1]} images")
        elif kind == "article":
            return self.check_article(value)
        else:
            raise error(422, f"ERROR :: /content :: unknown content {kind[:40]!r}")
        found = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise error(422, f"ERROR :: /content/{kind} :: an image must be an object")
            self.check_alt(entry.get("altText"), f"/content/{kind}/altText")
            found.append(self.check_image(entry.get("id"), f"/content/{kind}/id"))
        return found

    def check_article(self, article: object) -> list[str]:
        """An article: http(s) source and a title (LinkedIn does not scrape them), an uploaded thumbnail if any."""
        if not isinstance(article, dict) or not isinstance(article.get("source"), str) or not re.match(r"https?://", article["source"]):
            raise error(422, "ERROR :: /content/article/source :: an http(s) URL is required")
        if not isinstance(article.get("title"), str) or not article["title"].strip():
            raise error(422, "ERROR :: /content/article/title :: field is required")
        self.check_alt(article.get("thumbnailAltText"), "/content/article/thumbnailAltText")
        return [self.check_image(article["thumbnail"], "/content/article/thumbnail")] if "thumbnail" in article else []

    def check_alt(self, alt: object, field: str) -> None:
        if alt is not None and (not isinstance(alt, str) or len(alt) > MAX_ALT):
            raise error(422, f"ERROR :: {field} :: at most {MAX_ALT} characters")

    def check_image(self, urn: object, field: str) -> str:
        """An image URN that initializeUpload gave this author and whose bytes were then uploaded."""
        image = self.images.get(urn) if isinstance(urn, str) else None
        if image is None:
            raise error(422, f"ERROR :: {field} :: {str(urn)[:80]!r} is not an image URN from initializeUpload")
        if image["bytes"] is None:
            raise error(422, f"ERROR :: {field} :: image {urn} was never uploaded")
        return urn  # type: ignore[return-value]

    # -- reactions ------------------------------------------------------------------------------
    def social_metadata(self, request: dict) -> Reply:
        """GET /rest/socialMetadata/{urn}: reactions by kind and the comment count; 404 once deleted."""
        self.check(request, json_body=False)
        urn = unquote(request["path"][len("/rest/socialMetadata/"):])
        if urn not in self.posts or urn in self.gone:
            raise error(404, f"Not found: {urn[:80]}", "NOT_FOUND")
        counts = self.reactions(urn)
        summaries = {"LIKE": {"reactionType": "LIKE", "count": counts["likes"]}} if "likes" in counts else {}
        comments = {"count": counts["replies"], "topLevelCount": counts["replies"]} if "replies" in counts else {}
        return 200, {"reactionSummaries": summaries, "commentsState": "OPEN", "commentSummary": comments, "entity": urn}, {}

    def posted_json(self) -> list[dict]:
        """The bodies of every POST /rest/posts this emulator received."""
        return [json.loads(r["body"]) for r in self.posted("/rest/posts")]
