"""Bluesky with atproto: facets for links, mentions and hashtags, link cards, alt text, threads.

Facets are what make links clickable; their offsets are UTF-8 *byte*
offsets into the text, computed here from character positions. A post with
images carries them (with alt text); a post without images gets an
``app.bsky.embed.external`` card for its link, with the cover as thumbnail.
The login session is exported and reused, not created for every post.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from atproto import Client, models
from atproto_client.exceptions import AtProtocolError, BadRequestError, NetworkError, RequestException, UnauthorizedError

from ..config import BlueskyConfig, secret
from ..errors import AuthFailed, OutcomeUnknown, RateLimited, Rejected, Unavailable
from .base import Media, OutgoingPart, Posted, retry_time

_URL = re.compile(r"https?://[^\s<>\"'）)]+[^\s<>\"'）).,;:!?]")
_TAG = re.compile(r"(?<![\w#])#([^\s#.,;:!?()\[\]{}'\"]*[^\d\s#.,;:!?()\[\]{}'\"][^\s#.,;:!?()\[\]{}'\"]*)")
_MENTION = re.compile(r"(?<![\w@])@(([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,})")


def _byte_span(text: str, start: int, end: int) -> tuple[int, int]:
    return len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))


def facets(text: str, resolve_handle=None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Rich-text facets (links, hashtags, mentions) with UTF-8 byte offsets, as JSON-ready dicts."""
    found: list[dict[str, Any]] = []
    for m in _URL.finditer(text):
        start, end = _byte_span(text, m.start(), m.end())
        found.append({"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}]})
    for m in _TAG.finditer(text):
        if any(f["index"]["byteStart"] <= len(text[:m.start()].encode()) < f["index"]["byteEnd"] for f in found):
            continue  # a '#' inside a URL
        start, end = _byte_span(text, m.start(), m.end())
        found.append({"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}]})
    for m in _MENTION.finditer(text):
        did = resolve_handle(m.group(1)) if resolve_handle else None
        if did:
            start, end = _byte_span(text, m.start(), m.end())
            found.append({"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]})
    return sorted(found, key=lambda f: f["index"]["byteStart"])


def _facet_models(items: list[dict[str, Any]]) -> list[models.AppBskyRichtextFacet.Main]:
    out = []
    for f in items:
        feature = f["features"][0]
        kind = feature["$type"].rsplit("#", 1)[1]
        model = {"link": lambda: models.AppBskyRichtextFacet.Link(uri=feature["uri"]),
                 "tag": lambda: models.AppBskyRichtextFacet.Tag(tag=feature["tag"]),
                 "mention": lambda: models.AppBskyRichtextFacet.Mention(did=feature["did"])}[kind]()
        out.append(models.AppBskyRichtextFacet.Main(index=models.AppBskyRichtextFacet.ByteSlice(byte_start=f["index"]["byteStart"], byte_end=f["index"]["byteEnd"]), features=[model]))
    return out


class BlueskyChannel:
    """Posts to one Bluesky account through its PDS."""

    name = "bluesky"

    def __init__(self, cfg: BlueskyConfig, handle: str, password: str) -> None:
        self.client = Client(base_url=cfg.service.rstrip("/") + "/xrpc")
        self.handle, self._password = handle, password
        self._session: str | None = None
        self.did: str | None = None

    @staticmethod
    def from_config(cfg: BlueskyConfig) -> "BlueskyChannel | None":
        """The channel, or None when no credential is set (the outbox stands in)."""
        handle = secret(cfg.handle_env, "Bluesky handle", required=False)
        password = secret(cfg.app_password_env, "Bluesky app password", required=False)
        if not handle and not password:
            return None
        if not (handle and password):
            raise AuthFailed(f"Bluesky: set both {cfg.handle_env} and {cfg.app_password_env}")
        return BlueskyChannel(cfg, handle, password)

    def _login(self) -> None:
        if self._session is not None:
            return
        try:
            session = self.client.login(self.handle, self._password, fetch_bsky_profile=False)
        except UnauthorizedError:
            raise AuthFailed(f"Bluesky refused the login for {self.handle}") from None
        except BadRequestError as exc:
            raise AuthFailed(f"Bluesky login: {_describe(exc)}") from None
        except NetworkError as exc:
            raise Unavailable(f"Bluesky login: {type(exc.__cause__ or exc).__name__}") from None
        del session
        self._session = self.client.export_session_string()
        self.did = self.client._session.did if self.client._session else None  # noqa: SLF001  (atproto keeps it there)

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The app.bsky.feed.post record this part becomes (blobs by file name)."""
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": part.text, "facets": facets(part.text)}
        if reply_to is not None:
            top = root or reply_to
            record["reply"] = {"root": {"uri": top.remote_id, "cid": top.extra.get("cid")}, "parent": {"uri": reply_to.remote_id, "cid": reply_to.extra.get("cid")}}
        if part.images:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [{"image": m.path.name, "alt": m.alt} for m in part.images]}
        elif part.card is not None:
            record["embed"] = {"$type": "app.bsky.embed.external", "external": {"uri": part.card.uri, "title": part.card.title, "description": part.card.description,
                                                                               **({"thumb": part.card.thumb.path.name} if part.card.thumb else {})}}
        return record

    def _strong_ref(self, posted: Posted) -> models.ComAtprotoRepoStrongRef.Main:
        """uri + cid of a post; a part a person marked posted (by its bsky.app URL) is looked up."""
        if posted.extra.get("cid") and posted.remote_id.startswith("at://"):
            return models.ComAtprotoRepoStrongRef.Main(uri=posted.remote_id, cid=posted.extra["cid"])
        rkey = posted.remote_id.rstrip("/").rsplit("/", 1)[-1]
        record = self.client.com.atproto.repo.get_record({"repo": self.did, "collection": "app.bsky.feed.post", "rkey": rkey})
        return models.ComAtprotoRepoStrongRef.Main(uri=record.uri, cid=record.cid)

    def _blob(self, media: Media):  # type: ignore[no-untyped-def]
        return self.client.upload_blob(media.read()).blob

    def publish(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Posted:
        """Upload blobs, then create the post record."""
        self._login()
        try:
            embed = None
            if part.images:
                embed = models.AppBskyEmbedImages.Main(images=[models.AppBskyEmbedImages.Image(alt=m.alt, image=self._blob(m)) for m in part.images])
            elif part.card is not None:
                card = part.card
                embed = models.AppBskyEmbedExternal.Main(external=models.AppBskyEmbedExternal.External(
                    uri=card.uri, title=card.title, description=card.description, thumb=self._blob(card.thumb) if card.thumb else None))
            reply = None
            if reply_to is not None:
                reply = models.AppBskyFeedPost.ReplyRef(root=self._strong_ref(root or reply_to), parent=self._strong_ref(reply_to))
            created = self.client.send_post(part.text, profile_identify=self.did, reply_to=reply, embed=embed,
                                            facets=_facet_models(facets(part.text)) or None)
        except UnauthorizedError as exc:
            self._session = None
            raise AuthFailed(f"Bluesky: {_describe(exc)}") from None
        except BadRequestError as exc:
            raise Rejected(f"Bluesky: {_describe(exc)}") from None
        except NetworkError as exc:
            raise _network(exc) from None
        except RequestException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", 0) or 0
            if status == 429:
                headers = getattr(exc.response, "headers", {}) or {}
                raise RateLimited(f"Bluesky: {_describe(exc)}", retry_time(headers)) from None
            if status >= 500:
                raise Unavailable(f"Bluesky: {_describe(exc)}") from None
            raise Rejected(f"Bluesky: {_describe(exc)}") from None
        except AtProtocolError as exc:
            raise Rejected(f"Bluesky: {_describe(exc)}") from None
        rkey = created.uri.rsplit("/", 1)[-1]
        return Posted(created.uri, f"https://bsky.app/profile/{self.handle}/post/{rkey}", {"cid": created.cid})


def _network(exc: NetworkError) -> Exception:
    """atproto's NetworkError covers lost connections and 409/413/502 answers alike; tell them apart."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status == 502:
        return Unavailable(f"Bluesky: {_describe(exc)}")
    if status in (409, 413):
        return Rejected(f"Bluesky: {_describe(exc)}")
    if isinstance(exc.__cause__, (httpx.ConnectError, httpx.ConnectTimeout)):
        return Unavailable(f"Bluesky: cannot connect: {exc.__cause__}")
    return OutcomeUnknown(f"Bluesky: no answer after the request was sent ({type(exc.__cause__ or exc).__name__}); check the account before resending")


def _describe(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    message = getattr(content, "message", None) or getattr(content, "error", None)
    status = getattr(response, "status_code", None)
    return f"HTTP {status}: {message}" if status else str(exc) or exc.__class__.__name__
