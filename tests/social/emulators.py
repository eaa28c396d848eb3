"""Small emulators of the X v2, Mastodon and Bluesky APIs, over real HTTP on 127.0.0.1.

They check what the real services check: credentials (on X a real OAuth 1.0a
HMAC-SHA1 signature over the request as it arrived, RFC 5849), lengths by the
platform's own rules counted with this module's own code (never outreach's, never
twitter-text), reply ids and media ids that exist,
alt text length, facet byte ranges inside the text; on Bluesky the lexicons' limits
(text bytes and graphemes, facet link URIs and tag lengths, the link card's
required fields and URI format, each blob's type and size as uploaded, images and
card thumbnails at most 1,000,000 bytes, as the PDS refuses at record creation). They can be told to fail
the next request(s) to a path ("ok" lets one through): "429" (with reset headers; "429 Name=value" with only that one), "503", "401",
"drop" (the request takes effect, then the connection closes with no answer)
and, on X, "duplicate" (403 duplicate content); "garbage" answers 200 with a body that is not JSON.

Each also serves its read of a post's reactions (X ``GET /2/tweets``, Mastodon
``GET /api/v1/statuses/:id``, Bluesky ``app.bsky.feed.getPosts``), checking
credentials as its posting routes do. The counts grow with the seconds since
the post was made, by the emulator's own clock (:meth:`Emulator.advance` moves
it); :meth:`Emulator.set_reactions` pins counts (any JSON value, or
:data:`MISSING` to leave a field out: hostile answers) and
:meth:`Emulator.delete` makes a post gone.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlsplit

import grapheme

Reply = tuple[int, Any, dict[str, str]]  # a bytes payload is sent as it is (a garbled answer)
MISSING = object()  # set_reactions(..., likes=MISSING): the answer leaves that count out
# Counts grow by one every this many seconds of the post's age (by the emulator's clock): deterministic, different per count.
GROWTH = {"likes": 60, "reposts": 300, "replies": 600, "quotes": 1800, "bookmarks": 900, "impressions": 6}

# The emulators count lengths with this module's own code (never outreach's functions or twitter-text), so a
# counting bug in outreach cannot be mirrored by the server that is meant to catch it.

# --- URLs, as twitter-text and Mastodon's StatusLengthValidator find them -------------------------------------------
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_URL = re.compile(
    r"(?<![A-Za-z0-9@\uff20$#\uff03])"  # twitter-text's valid_url_preceding_chars
    r"(?P<scheme>https?://)?"
    r"(?P<host>(?:" + _LABEL + r"\.)+(?P<tld>[^\W\d_]{2,}))"
    r"(?P<port>:\d{1,5})?"
    r"(?P<rest>[/?#][^\s\u200e\u200f\u202a-\u202e\u2066-\u2069]*)?",  # directional marks end a URL
    re.IGNORECASE,
)
# Bare domains (no scheme) count as URLs on X only with a known TLD; a short list covers the texts tests send.
_BARE_TLDS = frozenset("com org net edu gov info io co uk de fr eu dk se no nl be ch at es it us ca au app dev social".split())
_TRAILING = ".,;:!?'\"*…»”’]}>"
_ASCII_HOST = re.compile(r"[a-z0-9.-]+", re.IGNORECASE)


def _label_ok(label: str) -> bool:
    """A DNS label is at most 63 octets, punycode-encoded if it is not ASCII (twitter-text checks the same)."""
    if label.isascii():
        return 0 < len(label) <= 63
    return len("xn--" + label.encode("punycode").decode("ascii")) <= 63


def _trim(rest: str) -> str:
    """Drop trailing punctuation from a URL's path, keeping a ')' that closes a '(' inside the URL."""
    while rest and (rest[-1] in _TRAILING or (rest[-1] == ")" and rest.count("(") < rest.count(")"))):
        rest = rest[:-1]
    return rest


def find_urls(text: str, *, bare: bool) -> list[tuple[int, int]]:
    """Spans of the URLs in ``text``: with http(s):// always, bare domains too when ``bare``."""
    spans = []
    for m in _URL.finditer(text):
        if not all(_label_ok(label) for label in m.group("host").split(".")):
            continue
        if not m.group("scheme") and not (bare and m.group("tld").lower() in _BARE_TLDS and _ASCII_HOST.fullmatch(m.group("host"))):
            continue
        end = m.start("rest") + len(_trim(m.group("rest"))) if m.group("rest") else m.end()
        spans.append((m.start(), end))
    return spans


# --- Mastodon: app/validators/status_length_validator.rb ------------------------------------------------------------
# Account::MENTION_RE: @user, optionally @domain, not preceded by '=', '/' or a word character.
_MENTION = re.compile(r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[\w.-]+\w)?", re.IGNORECASE)
MASTODON_URL_LENGTH = 23


def mastodon_length(text: str) -> int:
    """Grapheme clusters after each http(s) URL becomes 23 characters and each @user@domain becomes @user."""
    entities = [(a, b, "x" * MASTODON_URL_LENGTH) for a, b in find_urls(text, bare=False)]
    for m in _MENTION.finditer(text):
        if not any(a < m.end() and m.start() < b for a, b, _ in entities):  # remove_overlapping_entities: URLs win
            entities.append((m.start(), m.end(), "@" + m.group("user")))
    out, pos = [], 0
    for a, b, replacement in sorted(entities):
        out += [text[pos:a], replacement]
        pos = b
    out.append(text[pos:])
    return grapheme.length("".join(out))


# --- X: twitter-text's weighted length with the v3 configuration ----------------------------------------------------
X_CONFIG = {  # tests/conformance/twitter-text/config-v3.json (tests/social/test_emulators.py checks they agree)
    "maxWeightedTweetLength": 280, "scale": 100, "defaultWeight": 200, "emojiParsingEnabled": True, "transformedURLLength": 23,
    "ranges": [{"start": 0, "end": 4351, "weight": 100}, {"start": 8192, "end": 8205, "weight": 100},
               {"start": 8208, "end": 8223, "weight": 100}, {"start": 8242, "end": 8247, "weight": 100}],
}
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2300, 0x23FF), (0x2B00, 0x2BFF), (0x1F1E6, 0x1F1FF),
                 (0x2190, 0x21FF), (0x25A0, 0x25FF), (0x2934, 0x2935), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3299))
_EMOJI_SINGLES = frozenset((0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2))
_EMOJI_JOINERS = frozenset((0xFE0F, 0x200D, 0x20E3))  # presentation selector, zero-width joiner, keycap
_INVALID = frozenset("\ufffe\ufeff\uffff")


def is_emoji(cluster: str) -> bool:
    """A grapheme cluster twitter-text reads as one emoji: a pictograph, a flag, a keycap, a sequence with FE0F/ZWJ."""
    first = ord(cluster[0])
    if any(a <= first <= b for a, b in _EMOJI_RANGES) or first in _EMOJI_SINGLES:
        return True
    return len(cluster) > 1 and any(ord(c) in _EMOJI_JOINERS for c in cluster[1:]) and (cluster[0] in "0123456789#*" or first > 0x7F)


def _weight(char: str) -> int:
    code = ord(char)
    return next((r["weight"] for r in X_CONFIG["ranges"] if r["start"] <= code <= r["end"]), X_CONFIG["defaultWeight"])


def x_weighted_length(text: str, *, emoji: bool = True) -> int:
    """twitter-text's weightedLength: NFC, each URL 23, each emoji cluster 2 (when ``emoji``), other code points by range."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for a, b in [*find_urls(text, bare=True), (len(text), len(text))]:
        for cluster in grapheme.graphemes(text[pos:a]):
            total += X_CONFIG["defaultWeight"] if emoji and is_emoji(cluster) else sum(_weight(c) for c in cluster)
        total += X_CONFIG["transformedURLLength"] * X_CONFIG["scale"] if b > a else 0
        pos = b
    return total // X_CONFIG["scale"]


def x_valid(text: str) -> bool:
    """twitter-text's isValid: not empty, within the weighted limit, no invalid characters."""
    return bool(text) and not (_INVALID & set(text)) and x_weighted_length(text) <= X_CONFIG["maxWeightedTweetLength"]


# --- OAuth 1.0a (RFC 5849 sections 3.4.1, 3.4.2, 3.6) ---------------------------------------------------------------
OAUTH_REQUIRED = ("oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature")
OAUTH_SKEW = 300  # seconds either way


def _pct(value: str) -> str:
    """RFC 5849 3.6: percent-encode UTF-8 octets except ALPHA / DIGIT / - . _ ~."""
    return quote(value, safe="~")


def _authorization_params(header: str) -> dict[str, str]:
    if not header.startswith("OAuth "):
        raise PermissionError("not an OAuth Authorization header")
    params = {k: unquote(v) for k, v in re.findall(r'([A-Za-z0-9_]+)="([^"]*)"', header[6:])}
    params.pop("realm", None)
    return params


def signature_base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    """RFC 5849 3.4.1: METHOD & base string URI & normalised parameters, each percent-encoded."""
    parts = urlsplit(url)
    scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    normalised = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params))
    return "&".join((method.upper(), _pct(f"{scheme}://{netloc}{parts.path or '/'}"), _pct(normalised)))


def oauth1_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    """HMAC-SHA1 of the base string with the key percent(consumer_secret)&percent(token_secret), base64."""
    key = f"{_pct(consumer_secret)}&{_pct(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base_string.encode(), hashlib.sha1).digest()).decode()


class ApiError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}


class Emulator:
    """A threaded HTTP server with routes, recorded requests and injectable failures."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Callable[[dict], Reply]] = {}
        self.failures: dict[str, list[str]] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1000)
        self.prefix_routes: list[tuple[str, str, Callable[[dict], Reply]]] = []  # (method, path prefix, handler)
        self.offset = 0.0  # seconds the reactions clock is ahead of the wall clock
        self.born: dict[str, float] = {}  # post key -> when it was made, by the reactions clock
        self.pinned: dict[str, dict[str, Any]] = {}  # post key -> counts a test set (our names)
        self.gone: set[str] = set()  # deleted posts
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                request = {"method": method, "path": path, "target": self.path, "query": parse_qs(urlsplit(self.path).query), "headers": dict(self.headers), "body": body}
                with emulator.lock:
                    emulator.requests.append(request)
                    failure = emulator.failures.get(path, []).pop(0) if emulator.failures.get(path) else None
                    failure = None if failure == "ok" else failure
                route = emulator.routes.get((method, path)) or next(
                    (h for m, prefix, h in emulator.prefix_routes if m == method and path.startswith(prefix) and len(path) > len(prefix)), None)
                try:
                    if failure and failure != "drop":
                        raise emulator.failure(failure)
                    if route is None:
                        raise ApiError(404, {"error": f"no route {method} {path}"})
                    status, payload, headers = route(request)
                except ApiError as exc:
                    status, payload, headers = exc.status, exc.body, exc.headers
                if failure == "drop":
                    self.close_connection = True
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "Emulator":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- reactions over time -------------------------------------------------------------------
    def clock(self) -> float:
        """The reactions clock: the wall clock plus what :meth:`advance` added."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Age every post by ``seconds`` (its counts grow accordingly)."""
        with self.lock:
            self.offset += seconds

    def made(self, key: str) -> None:
        """Start a new post's counts at zero, now."""
        with self.lock:
            self.born[key] = self.clock()

    def set_reactions(self, key: str, **counts: Any) -> None:
        """Pin counts of a post (our names: likes, reposts, replies, quotes, bookmarks, impressions); any value, or MISSING."""
        with self.lock:
            self.pinned.setdefault(key, {}).update(counts)

    def delete(self, key: str) -> None:
        """The post is gone: its read answers as the platform does for a deleted post."""
        with self.lock:
            self.gone.add(key)

    def reactions(self, key: str) -> dict[str, Any]:
        """The post's counts now (our names; a MISSING one left out)."""
        with self.lock:
            age = max(0.0, self.clock() - self.born.get(key, self.clock()))
            counts: dict[str, Any] = {name: int(age // every) for name, every in GROWTH.items()}
            counts.update(self.pinned.get(key, {}))
        return {name: value for name, value in counts.items() if value is not MISSING}

    def fail(self, path: str, *kinds: str) -> None:
        with self.lock:
            self.failures.setdefault(path, []).extend(kinds)

    def failure(self, kind: str) -> ApiError:
        reset = str(int(time.time()) + 900)
        if kind.startswith("429 "):  # "429 Header-Name=value": a rate limit with exactly this reset header
            name, _, value = kind[4:].partition("=")
            return ApiError(429, {"title": "Too Many Requests", "detail": "Too Many Requests"}, {name: value})
        if kind == "429":
            return ApiError(429, {"title": "Too Many Requests", "detail": "Too Many Requests"}, {"x-rate-limit-reset": reset, "RateLimit-Reset": reset, "X-RateLimit-Reset": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(int(reset)))})
        if kind == "garbage":
            return ApiError(200, b"<html><body>Something went wrong</body></html>")
        if kind == "503":
            return ApiError(503, {"title": "Service Unavailable", "error": "Service Unavailable"})
        if kind == "401":
            return ApiError(401, {"title": "Unauthorized", "error": "The access token is invalid", "detail": "Unauthorized"})
        raise ValueError(kind)

    def posted(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path and r["method"] == "POST"]


def _json(request: dict) -> dict:
    try:
        return json.loads(request["body"] or b"{}")
    except ValueError:
        raise ApiError(400, {"error": "body is not JSON"}) from None


def _multipart(request: dict) -> dict[str, tuple[bytes, dict[str, str]]]:
    ctype = request["headers"].get("Content-Type", "")
    if not ctype.startswith("multipart/form-data"):
        raise ApiError(400, {"error": "expected multipart/form-data"})
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + request["body"])
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[name] = (part.get_payload(decode=True), {"filename": part.get_filename() or "", "type": part.get_content_type()})
    return fields


class XEmulator(Emulator):
    """X API v2: POST /2/tweets, GET /2/tweets, POST /2/media/upload, POST /2/media/metadata (OAuth 1.0a user context).

    ``credentials`` are the four X_* variables (X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET) of
    the one app and user it knows: every request's HMAC-SHA1 signature is rebuilt from the request as it arrived.
    """

    def __init__(self, credentials: Mapping[str, str]) -> None:
        super().__init__()
        self.consumer_key, self.consumer_secret = credentials["X_API_KEY"], credentials["X_API_SECRET"]
        self.token, self.token_secret = credentials["X_ACCESS_TOKEN"], credentials["X_ACCESS_TOKEN_SECRET"]
        self.nonces: set[tuple[str, str]] = set()
        self.refusals: list[str] = []  # why each request was refused 401, for the tests
        self.tweets: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.routes[("POST", "/2/tweets")] = self.create_tweet
        self.routes[("POST", "/2/media/upload")] = self.upload
        self.routes[("POST", "/2/media/metadata")] = self.metadata
        self.routes[("GET", "/2/tweets")] = self.get_tweets

    def failure(self, kind: str) -> ApiError:
        if kind == "duplicate":
            return ApiError(403, {"detail": "You are not allowed to create a Tweet with duplicate content.", "title": "Forbidden", "status": 403})
        return super().failure(kind)

    def _auth(self, request: dict) -> None:
        """Refuse 401 unless the OAuth 1.0a signature is the one these credentials give for this very request."""
        try:
            self._verify(request)
        except PermissionError as exc:
            with self.lock:
                self.refusals.append(str(exc))
            raise ApiError(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401}) from None

    def _verify(self, request: dict) -> None:
        oauth = _authorization_params(request["headers"].get("Authorization", ""))
        missing = [k for k in OAUTH_REQUIRED if not oauth.get(k)]
        if missing:
            raise PermissionError(f"missing {', '.join(missing)}")
        if oauth["oauth_signature_method"] != "HMAC-SHA1" or oauth.get("oauth_version", "1.0") != "1.0":
            raise PermissionError("unsupported signature method or version")
        if oauth["oauth_consumer_key"] != self.consumer_key or oauth["oauth_token"] != self.token:
            raise PermissionError("unknown consumer key or token")
        if not oauth["oauth_timestamp"].isdigit() or abs(int(oauth["oauth_timestamp"]) - time.time()) > OAUTH_SKEW:
            raise PermissionError("timestamp out of range")
        url = f"http://{request['headers'].get('Host', '')}{urlsplit(request['target']).path}"
        params = parse_qsl(urlsplit(request["target"]).query, keep_blank_values=True)
        params += [(k, v) for k, v in oauth.items() if k != "oauth_signature"]
        if request["headers"].get("Content-Type", "").split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            params += parse_qsl(request["body"].decode("utf-8"), keep_blank_values=True)
        expected = oauth1_signature(signature_base_string(request["method"], url, params), self.consumer_secret, self.token_secret)
        if not hmac.compare_digest(expected, oauth["oauth_signature"]):
            raise PermissionError("signature does not match")
        with self.lock:
            if (oauth["oauth_nonce"], oauth["oauth_timestamp"]) in self.nonces:
                raise PermissionError("nonce used before")
            self.nonces.add((oauth["oauth_nonce"], oauth["oauth_timestamp"]))

    def upload(self, request: dict) -> Reply:
        self._auth(request)
        fields = _multipart(request)
        if "media" not in fields or not fields["media"][0]:
            raise ApiError(400, {"errors": [{"message": "media is required"}]})
        if fields.get("media_category", (b"",))[0].decode() != "tweet_image":
            raise ApiError(400, {"errors": [{"message": "media_category must be tweet_image"}]})
        media_id = str(next(self.ids))
        self.media[media_id] = {"bytes": len(fields["media"][0]), "alt": None}
        return 200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(fields["media"][0])}}, {}

    def metadata(self, request: dict) -> Reply:
        self._auth(request)
        body = _json(request)
        media_id = str(body.get("id"))
        alt = (((body.get("metadata") or {}).get("alt_text") or {}).get("text"))
        if media_id not in self.media:
            raise ApiError(400, {"errors": [{"message": f"unknown media id {media_id}"}]})
        if not alt or len(alt) > 1000:
            raise ApiError(400, {"errors": [{"message": "alt text must be 1 to 1000 characters"}]})
        self.media[media_id]["alt"] = alt
        return 200, {"data": {"id": media_id, "associated_metadata": True}}, {}

    def create_tweet(self, request: dict) -> Reply:
        self._auth(request)
        body = _json(request)
        text = body.get("text") or ""
        if not x_valid(text):
            raise ApiError(400, {"errors": [{"message": f"text is {x_weighted_length(text)} weighted characters; at most 280"}], "title": "Invalid Request"})
        reply = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply is not None and reply not in self.tweets:
            raise ApiError(400, {"errors": [{"message": f"in_reply_to_tweet_id {reply} does not exist"}], "title": "Invalid Request"})
        media_ids = (body.get("media") or {}).get("media_ids") or []
        for m in media_ids:
            if m not in self.media:
                raise ApiError(400, {"errors": [{"message": f"media id {m} does not exist"}], "title": "Invalid Request"})
        if any(t["text"] == text for t in self.tweets.values()):
            raise self.failure("duplicate")
        tweet_id = str(next(self.ids))
        self.tweets[tweet_id] = {"text": text, "reply_to": reply, "media": [self.media[m] for m in media_ids]}
        self.made(tweet_id)
        return 201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}, {}


    PUBLIC_METRICS = {"likes": "like_count", "reposts": "retweet_count", "replies": "reply_count", "quotes": "quote_count",
                      "bookmarks": "bookmark_count", "impressions": "impression_count"}

    def get_tweets(self, request: dict) -> Reply:
        """GET /2/tweets?ids=…: found tweets in ``data``; a deleted or unknown id in ``errors`` (still 200, as X does)."""
        self._auth(request)
        ids = [i for i in ",".join(request["query"].get("ids", [])).split(",") if i]
        if not ids or len(ids) > 100 or not all(i.isdigit() for i in ids):
            raise ApiError(400, {"errors": [{"message": "ids: 1 to 100 numeric tweet ids"}], "title": "Invalid Request"})
        fields = ",".join(request["query"].get("tweet.fields", [])).split(",")
        data, errors = [], []
        for tweet_id in ids:
            if tweet_id not in self.tweets or tweet_id in self.gone:
                errors.append({"value": tweet_id, "detail": f"Could not find tweet with ids: [{tweet_id}].", "title": "Not Found Error",
                               "resource_type": "tweet", "parameter": "ids", "resource_id": tweet_id,
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
                continue
            tweet = {"id": tweet_id, "text": self.tweets[tweet_id]["text"], "edit_history_tweet_ids": [tweet_id]}
            if "public_metrics" in fields:
                tweet["public_metrics"] = {self.PUBLIC_METRICS[k]: v for k, v in self.reactions(tweet_id).items()}
            data.append(tweet)
        return 200, {**({"data": data} if data else {}), **({"errors": errors} if errors else {})}, {}


class MastodonEmulator(Emulator):
    """Mastodon: POST /api/v1/statuses, GET /api/v1/statuses/:id, POST /api/v{1,2}/media, GET /api/v{1,2}/instance (Bearer token)."""

    def __init__(self, token: str = "mastodon-test-token", limit: int = 500) -> None:
        super().__init__()
        self.token, self.limit = token, limit
        self.statuses: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.idempotency: dict[str, str] = {}
        self.routes[("POST", "/api/v1/statuses")] = self.create_status
        self.routes[("POST", "/api/v2/media")] = self.upload
        self.routes[("POST", "/api/v1/media")] = self.upload  # deprecated, still served by real instances
        self.prefix_routes.append(("GET", "/api/v1/statuses/", self.get_status))
        for path in ("/api/v2/instance", "/api/v2/instance/", "/api/v1/instance", "/api/v1/instance/"):
            self.routes[("GET", path)] = lambda r: (200, {"domain": "emulator", "version": "4.3.0", "configuration": {"statuses": {"max_characters": self.limit}}}, {})

    def _auth(self, request: dict) -> None:
        if request["headers"].get("Authorization") != f"Bearer {self.token}":
            raise ApiError(401, {"error": "The access token is invalid"})

    def upload(self, request: dict) -> Reply:
        self._auth(request)
        fields = _multipart(request)
        description = fields.get("description", (b"",))[0].decode()
        if "file" not in fields:
            raise ApiError(422, {"error": "Validation failed: File can't be blank"})
        if len(description) > 1500:
            raise ApiError(422, {"error": "Validation failed: Description is too long (maximum is 1500 characters)"})
        media_id = str(next(self.ids))
        self.media[media_id] = {"description": description, "bytes": len(fields["file"][0])}
        return 200, {"id": media_id, "type": "image", "url": f"{self.url}/media/{media_id}", "description": description or None}, {}

    def create_status(self, request: dict) -> Reply:
        self._auth(request)
        ctype = request["headers"].get("Content-Type", "")
        if "json" in ctype:
            form = _json(request)
        else:
            raw = parse_qs(request["body"].decode(), keep_blank_values=True)
            form = {k.rstrip("[]"): (v if k.endswith("[]") else v[0]) for k, v in raw.items()}
        key = request["headers"].get("Idempotency-Key")
        if key and key in self.idempotency:
            status_id = self.idempotency[key]
            return 200, self._status(status_id), {}
        text = form.get("status") or ""
        if mastodon_length(text) > self.limit:
            raise ApiError(422, {"error": f"Validation failed: Text character limit of {self.limit} exceeded"})
        reply = form.get("in_reply_to_id")
        if reply and reply not in self.statuses:
            raise ApiError(404, {"error": "Record not found"})
        media_ids = form.get("media_ids") or []
        if isinstance(media_ids, str):
            media_ids = [media_ids]
        for m in media_ids:
            if m not in self.media:
                raise ApiError(422, {"error": f"Validation failed: media {m} not found"})
        status_id = str(next(self.ids))
        self.statuses[status_id] = {"text": text, "reply_to": reply, "media": [self.media[m] for m in media_ids], "idempotency_key": key}
        self.made(status_id)
        if key:
            self.idempotency[key] = status_id
        return 200, self._status(status_id), {}

    STATUS_COUNTS = {"likes": "favourites_count", "reposts": "reblogs_count", "replies": "replies_count", "quotes": "quotes_count"}

    def get_status(self, request: dict) -> Reply:
        """GET /api/v1/statuses/:id with its counts; 404 "Record not found" once deleted (as Mastodon answers)."""
        self._auth(request)
        status_id = request["path"].rsplit("/", 1)[1]
        if status_id not in self.statuses or status_id in self.gone:
            raise ApiError(404, {"error": "Record not found"})
        counts = self.reactions(status_id)
        return 200, {**self._status(status_id), **{theirs: counts[ours] for ours, theirs in self.STATUS_COUNTS.items() if ours in counts}}, {}

    def _status(self, status_id: str) -> dict:
        s = self.statuses[status_id]
        return {"id": status_id, "url": f"{self.url}/@diis/{status_id}", "content": s["text"], "in_reply_to_id": s["reply_to"],
                "created_at": "2027-01-12T09:00:00.000Z", "media_attachments": [], "visibility": "public"}


def _jwt(payload: dict) -> str:
    def seg(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg(payload)}.c2lnbmF0dXJl"


# --- Bluesky: the lexicons of app.bsky.feed.post, app.bsky.richtext.facet, app.bsky.embed.{images,external} ------------
BLUESKY_UPLOAD_LIMIT = 5 * 1024 * 1024  # the PDS's default blobUploadLimit
BLUESKY_IMAGE_MAX_SIZE = 1_000_000  # images' image and external's thumb: maxSize, accept image/*
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
_URI_FORMAT = re.compile(r"[A-Za-z0-9_]+:(?://)?[^\s/]\S*")  # @atproto/syntax isValidUri


def _sniffed_mime(data: bytes) -> str | None:
    """The type the PDS finds in a blob's first bytes (PNG, JPEG, GIF, WebP), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)


def _lexicon_string(value: Any, where: str, max_bytes: int | None = None, max_graphemes: int | None = None) -> str | None:
    if not isinstance(value, str):
        return f"{where} must be a string"
    if max_bytes is not None and len(value.encode("utf-8", "surrogatepass")) > max_bytes:
        return f"{where} must not be longer than {max_bytes} characters"
    if max_graphemes is not None and grapheme.length(value) > max_graphemes:
        return f"{where} must not be longer than {max_graphemes} graphemes"
    return None


def _facet_problem(facet: Any, i: int, size: int) -> str | None:
    where = f"Record/facets/{i}"
    index = facet.get("index") if isinstance(facet, dict) else None
    features = facet.get("features") if isinstance(facet, dict) else None
    if not isinstance(index, dict) or not isinstance(features, list):
        return f"{where} must have the properties index and features"
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
        return f"{where}: facet byte range {start}-{end} outside text of {size} bytes"
    for j, feature in enumerate(features):
        kind = feature.get("$type") if isinstance(feature, dict) else None
        if kind == "app.bsky.richtext.facet#link":
            uri = feature.get("uri")
            if not isinstance(uri, str) or not _URI_FORMAT.fullmatch(uri):
                return f"{where}/features/{j}/uri must be a uri"
        elif kind == "app.bsky.richtext.facet#tag":
            problem = _lexicon_string(feature.get("tag"), f"{where}/features/{j}/tag", 640, 64)
            if problem:
                return problem
        elif kind == "app.bsky.richtext.facet#mention":
            if not str(feature.get("did", "")).startswith("did:"):
                return f"{where}/features/{j}/did must be a valid did"
    return None


def bluesky_record_problem(record: Any) -> str | None:
    """What the lexicon refuses in a post record (text, facets, an external embed's fields), or None; blobs are checked apart."""
    if not isinstance(record, dict):
        return "Record must be an object"
    text = record.get("text", "")
    problem = _lexicon_string(text, "Record/text", 3000, 300)
    if problem:
        return problem
    size = len(text.encode("utf-8"))
    for i, facet in enumerate(record.get("facets") or []):
        problem = _facet_problem(facet, i, size)
        if problem:
            return problem
    embed = record.get("embed") or {}
    images = embed.get("images") or []
    if len(images) > 4:
        return "Record/embed/images must not have more than 4 elements"
    if any("alt" not in image for image in images):
        return "Record/embed/images/image must have the property \"alt\""
    if embed.get("$type") == "app.bsky.embed.external":
        external = embed.get("external")
        if not isinstance(external, dict):
            return "Record/embed/external must be an object"
        for key in ("uri", "title", "description"):
            problem = _lexicon_string(external.get(key), f"Record/embed/external/{key}")
            if problem:
                return problem
        if not _URI_FORMAT.fullmatch(external["uri"]):
            return "Record/embed/external/uri must be a uri"
    return None


class BlueskyEmulator(Emulator):
    """A PDS: createSession, uploadBlob, createRecord, and getPosts as its AppView proxy would answer (Bearer access JWT)."""

    def __init__(self, handle: str = "diis.test", password: str = "app-pass-1234") -> None:
        super().__init__()
        self.handle, self.password, self.did = handle, password, "did:plc:emulatoraccount0000000"
        self.sessions = 0
        self.tokens: set[str] = set()
        self.blobs: dict[str, dict] = {}
        self.records: dict[str, dict] = {}
        self.routes[("POST", "/xrpc/com.atproto.server.createSession")] = self.create_session
        self.routes[("POST", "/xrpc/com.atproto.repo.uploadBlob")] = self.upload_blob
        self.routes[("POST", "/xrpc/com.atproto.repo.createRecord")] = self.create_record
        self.routes[("GET", "/xrpc/com.atproto.repo.getRecord")] = self.get_record
        self.routes[("GET", "/xrpc/app.bsky.feed.getPosts")] = self.get_posts

    def create_session(self, request: dict) -> Reply:
        body = _json(request)
        if body.get("identifier") != self.handle or body.get("password") != self.password:
            raise ApiError(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
        self.sessions += 1
        access = _jwt({"scope": "com.atproto.appPass", "sub": self.did, "iat": int(time.time()), "exp": int(time.time()) + 7200, "jti": str(self.sessions)})
        refresh = _jwt({"scope": "com.atproto.refresh", "sub": self.did, "iat": int(time.time()), "exp": int(time.time()) + 86400 * 60, "jti": f"r{self.sessions}"})
        self.tokens.add(access)
        return 200, {"accessJwt": access, "refreshJwt": refresh, "handle": self.handle, "did": self.did, "active": True}, {}

    def _auth(self, request: dict) -> None:
        auth = request["headers"].get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            raise ApiError(401, {"error": "AuthenticationRequired", "message": "Authentication Required"})

    def upload_blob(self, request: dict) -> Reply:
        """Store a blob: its type sniffed from its bytes (atproto clients send */*), up to the PDS's upload limit."""
        self._auth(request)
        if not request["body"]:
            raise ApiError(400, {"error": "InvalidRequest", "message": "empty blob"})
        if len(request["body"]) > BLUESKY_UPLOAD_LIMIT:
            raise ApiError(413, {"error": "PayloadTooLarge", "message": "request entity too large"})
        cid = "bafkrei" + base64.b32encode(str(next(self.ids)).encode()).decode().lower().rstrip("=").ljust(52, "a")
        header = request["headers"].get("Content-Type", "")
        mime = _sniffed_mime(request["body"]) or (header if header and header != "*/*" else "application/octet-stream")
        self.blobs[cid] = {"size": len(request["body"]), "mime": mime, "data": request["body"]}
        return 200, {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request["body"])}}, {}

    def get_record(self, request: dict) -> Reply:
        q = {k: v[0] for k, v in request["query"].items()}
        uri = f"at://{q.get('repo')}/{q.get('collection')}/{q.get('rkey')}"
        if uri not in self.records:
            raise ApiError(400, {"error": "RecordNotFound", "message": f"Could not locate record: {uri}"})
        return 200, {"uri": uri, "cid": self.records[uri]["cid"], "value": self.records[uri]["record"]}, {}

    def create_record(self, request: dict) -> Reply:
        self._auth(request)
        body = _json(request)
        record = body.get("record") or {}
        if body.get("repo") != self.did or body.get("collection") != "app.bsky.feed.post":
            raise ApiError(400, {"error": "InvalidRequest", "message": "wrong repo or collection"})
        problem = bluesky_record_problem(record)
        if problem:
            raise ApiError(400, {"error": "InvalidRequest", "message": f"Invalid app.bsky.feed.post record: {problem}"})
        reply = record.get("reply")
        if reply:
            for key in ("root", "parent"):
                ref = reply.get(key) or {}
                if ref.get("uri") not in self.records or self.records[ref["uri"]]["cid"] != ref.get("cid"):
                    raise ApiError(400, {"error": "InvalidRequest", "message": f"reply {key} {ref.get('uri')} does not exist"})
        embed = record.get("embed") or {}
        for where, blob in [(f"embed/images/{i}/image", image.get("image")) for i, image in enumerate(embed.get("images") or [])] + \
                [("embed/external/thumb", (embed.get("external") or {}).get("thumb"))]:
            if blob is not None:
                self._check_blob(where, blob)
        rkey = f"3l{next(self.ids)}"
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + rkey.ljust(52, "b")
        self.records[uri] = {"cid": cid, "record": record}
        self.made(uri)
        return 200, {"uri": uri, "cid": cid, "validationStatus": "valid"}, {}

    def _check_blob(self, where: str, blob: Any) -> None:
        """A blob the record references: uploaded, its type and size as stored, an image, within the lexicon's maxSize."""
        ref = blob.get("ref") if isinstance(blob, dict) else None
        link = ref.get("$link") if isinstance(ref, dict) else None
        if not isinstance(blob, dict) or blob.get("$type") != "blob" or link not in self.blobs:
            raise ApiError(400, {"error": "InvalidRequest", "message": f"{where}: blob not found"})
        stored = self.blobs[link]
        if blob.get("mimeType") != stored["mime"]:
            raise ApiError(400, {"error": "InvalidMimeType", "message": f"Referenced Mimetype does not match stored blob. Expected: {stored['mime']}, Got: {blob.get('mimeType')}"})
        if blob.get("size") != stored["size"]:
            raise ApiError(400, {"error": "InvalidSize", "message": f"Referenced Size does not match stored blob. Expected: {stored['size']}, Got: {blob.get('size')}"})
        if not stored["mime"].startswith("image/"):
            raise ApiError(400, {"error": "InvalidMimeType", "message": f"Wrong type of file. It is {stored['mime']} but it must match image/*."})
        if stored["size"] > BLUESKY_IMAGE_MAX_SIZE:
            raise ApiError(400, {"error": "BlobTooLarge", "message": f"This file is too large. It is {stored['size']} bytes but the maximum size is {BLUESKY_IMAGE_MAX_SIZE} bytes."})

    POST_COUNTS = {"likes": "likeCount", "reposts": "repostCount", "replies": "replyCount", "quotes": "quoteCount", "bookmarks": "bookmarkCount"}

    def get_posts(self, request: dict) -> Reply:
        """app.bsky.feed.getPosts?uris=…: a postView per post found; a deleted (or unknown) post is left out, as the AppView does."""
        self._auth(request)
        uris = request["query"].get("uris", [])
        if not uris or len(uris) > 25 or not all(u.startswith("at://") for u in uris):
            raise ApiError(400, {"error": "InvalidRequest", "message": "uris: 1 to 25 at-uris"})
        posts = []
        for uri in uris:
            if uri not in self.records or uri in self.gone:
                continue
            counts = self.reactions(uri)
            posts.append({"uri": uri, "cid": self.records[uri]["cid"], "author": {"did": self.did, "handle": self.handle},
                          "record": self.records[uri]["record"], "indexedAt": "2027-01-12T09:00:00.000Z",
                          **{theirs: counts[ours] for ours, theirs in self.POST_COUNTS.items() if ours in counts}})
        return 200, {"posts": posts}, {}
