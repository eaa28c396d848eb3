"""Small emulators of the X v2, Mastodon and Bluesky APIs, over real HTTP on 127.0.0.1.

They check what the real services check: an auth header of the right kind,
lengths by the platform's own rules, reply ids and media ids that exist,
alt text length, facet byte ranges inside the text. They can be told to fail
the next request(s) to a path ("ok" lets one through): "429" (with reset headers; "429 Name=value" with only that one), "503", "401",
"drop" (the request takes effect, then the connection closes with no answer)
and, on X, "duplicate" (403 duplicate content).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import grapheme
from twitter_text import parse_tweet

from outreach.render.posts import mastodon_length

Reply = tuple[int, dict[str, Any], dict[str, str]]


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}


class Emulator:
    """A threaded HTTP server with routes, recorded requests and injectable failures."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Callable[[dict], Reply]] = {}
        self.failures: dict[str, list[str]] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1000)
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                request = {"method": method, "path": path, "query": parse_qs(urlsplit(self.path).query), "headers": dict(self.headers), "body": body}
                with emulator.lock:
                    emulator.requests.append(request)
                    failure = emulator.failures.get(path, []).pop(0) if emulator.failures.get(path) else None
                    failure = None if failure == "ok" else failure
                route = emulator.routes.get((method, path))
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
                data = json.dumps(payload).encode()
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
    """X API v2: POST /2/tweets, POST /2/media/upload, POST /2/media/metadata (OAuth 1.0a user context)."""

    def __init__(self) -> None:
        super().__init__()
        self.tweets: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.routes[("POST", "/2/tweets")] = self.create_tweet
        self.routes[("POST", "/2/media/upload")] = self.upload
        self.routes[("POST", "/2/media/metadata")] = self.metadata

    def failure(self, kind: str) -> ApiError:
        if kind == "duplicate":
            return ApiError(403, {"detail": "You are not allowed to create a Tweet with duplicate content.", "title": "Forbidden", "status": 403})
        return super().failure(kind)

    @staticmethod
    def _auth(request: dict) -> None:
        auth = request["headers"].get("Authorization", "")
        if not auth.startswith("OAuth ") or "oauth_consumer_key" not in auth or "oauth_token" not in auth or "oauth_signature" not in auth:
            raise ApiError(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})

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
        if not parse_tweet(text).valid:
            raise ApiError(400, {"errors": [{"message": f"text is {parse_tweet(text).weightedLength} weighted characters; at most 280"}], "title": "Invalid Request"})
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
        return 201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}, {}


class MastodonEmulator(Emulator):
    """Mastodon: POST /api/v1/statuses, POST /api/v{1,2}/media, GET /api/v{1,2}/instance (Bearer token)."""

    def __init__(self, token: str = "mastodon-test-token", limit: int = 500) -> None:
        super().__init__()
        self.token, self.limit = token, limit
        self.statuses: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.idempotency: dict[str, str] = {}
        self.routes[("POST", "/api/v1/statuses")] = self.create_status
        self.routes[("POST", "/api/v2/media")] = self.upload
        self.routes[("POST", "/api/v1/media")] = self.upload  # deprecated, still served by real instances
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
        if key:
            self.idempotency[key] = status_id
        return 200, self._status(status_id), {}

    def _status(self, status_id: str) -> dict:
        s = self.statuses[status_id]
        return {"id": status_id, "url": f"{self.url}/@diis/{status_id}", "content": s["text"], "in_reply_to_id": s["reply_to"],
                "created_at": "2027-01-12T09:00:00.000Z", "media_attachments": [], "visibility": "public"}


def _jwt(payload: dict) -> str:
    def seg(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg(payload)}.c2lnbmF0dXJl"


class BlueskyEmulator(Emulator):
    """A PDS: createSession, uploadBlob, createRecord (Bearer access JWT)."""

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
        self._auth(request)
        if not request["body"]:
            raise ApiError(400, {"error": "InvalidRequest", "message": "empty blob"})
        if len(request["body"]) > 1_000_000:
            raise ApiError(400, {"error": "BlobTooLarge", "message": "blob over 1000000 bytes"})
        cid = "bafkrei" + base64.b32encode(str(next(self.ids)).encode()).decode().lower().rstrip("=").ljust(52, "a")
        mime = request["headers"].get("Content-Type", "application/octet-stream")
        self.blobs[cid] = {"size": len(request["body"]), "mime": mime}
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
        text = record.get("text", "")
        if grapheme.length(text) > 300:
            raise ApiError(400, {"error": "InvalidRequest", "message": f"Invalid app.bsky.feed.post record: text must not be longer than 300 graphemes ({grapheme.length(text)})"})
        size = len(text.encode("utf-8"))
        for facet in record.get("facets") or []:
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            if not 0 <= start < end <= size:
                raise ApiError(400, {"error": "InvalidRequest", "message": f"facet byte range {start}-{end} outside text of {size} bytes"})
        reply = record.get("reply")
        if reply:
            for key in ("root", "parent"):
                ref = reply.get(key) or {}
                if ref.get("uri") not in self.records or self.records[ref["uri"]]["cid"] != ref.get("cid"):
                    raise ApiError(400, {"error": "InvalidRequest", "message": f"reply {key} {ref.get('uri')} does not exist"})
        embed = record.get("embed") or {}
        images = embed.get("images") or []
        if len(images) > 4:
            raise ApiError(400, {"error": "InvalidRequest", "message": "at most 4 images"})
        for image in images:
            if "alt" not in image:
                raise ApiError(400, {"error": "InvalidRequest", "message": "image alt is required"})
            if image["image"]["ref"]["$link"] not in self.blobs:
                raise ApiError(400, {"error": "InvalidRequest", "message": "image blob not found"})
        thumb = (embed.get("external") or {}).get("thumb")
        if thumb and thumb["ref"]["$link"] not in self.blobs:
            raise ApiError(400, {"error": "InvalidRequest", "message": "thumb blob not found"})
        rkey = f"3l{next(self.ids)}"
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + rkey.ljust(52, "b")
        self.records[uri] = {"cid": cid, "record": record}
        return 200, {"uri": uri, "cid": cid, "validationStatus": "valid"}, {}
