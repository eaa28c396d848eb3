"""Bluesky with atproto: facets for links, mentions and hashtags, link cards, alt text, threads.

Facets are what make links clickable; their offsets are UTF-8 *byte*
offsets into the text, computed here from character positions. A link's
text is the app's short form (see :mod:`.bluesky_facts`) and its facet
carries the full address, from the part's link spans. A post with
images carries them (with alt text); a post without images gets an
``app.bsky.embed.external`` card for its link, with the cover as thumbnail.
The login session is exported and reused, not created for every post.
atproto's errors carry the answer (status, headers, body) as ``response``;
the base class maps it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Sequence

import grapheme
from atproto import Client, models

from ..errors import ChannelError
from .base import Answer, ApiChannel, Media, OutgoingPart, Posted
from .reactions import Reactions
from .bluesky_facts import BLUESKY, TAG_MAX_BYTES, TAG_MAX_GRAPHEMES
from .facts import LinkSpan, plain_links

_TAG = re.compile(r"(?<![\w#])#([^\s#.,;:!?()\[\]{}'\"]*[^\d\s#.,;:!?()\[\]{}'\"][^\s#.,;:!?()\[\]{}'\"]*)")
# app.bsky.feed.defs#postView counts, by our names (bookmarkCount is newer: None where the AppView leaves it out).
POST_COUNTS = {"likes": "likeCount", "reposts": "repostCount", "replies": "replyCount", "quotes": "quoteCount", "bookmarks": "bookmarkCount"}
_MENTION = re.compile(r"(?<![\w@])@(([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,})")


def _byte_span(text: str, start: int, end: int) -> tuple[int, int]:
    return len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))


def facets(text: str, links: Sequence[LinkSpan] = (), resolve_handle=None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Rich-text facets with UTF-8 byte offsets, as JSON-ready dicts.

    Links come from ``links`` (the part's spans: the app's short text, opening the full address); a text
    without spans has its http(s) links found as written. Hashtags and mentions are found in the text,
    never inside a link; a tag longer than the lexicon allows gets no facet, as in the official app.
    """
    spans = [s for s in (links or plain_links(text).links) if 0 <= s.start < s.end <= len(text)]
    found: list[dict[str, Any]] = []
    for span in spans:
        start, end = _byte_span(text, span.start, span.end)
        found.append({"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": span.uri}]})

    def in_link(at: int) -> bool:
        return any(s.start <= at < s.end for s in spans)

    for m in _TAG.finditer(text):
        tag = m.group(1)
        if in_link(m.start()) or grapheme.length(tag) > TAG_MAX_GRAPHEMES or len(tag.encode("utf-8")) > TAG_MAX_BYTES:
            continue
        start, end = _byte_span(text, m.start(), m.end())
        found.append({"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]})
    for m in _MENTION.finditer(text):
        did = resolve_handle(m.group(1)) if resolve_handle and not in_link(m.start()) else None
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


class BlueskyChannel(ApiChannel):
    """Posts to one Bluesky account through its PDS."""

    facts = BLUESKY

    def connect(self, settings: Any, credentials: Mapping[str, str]) -> None:
        """The atproto client for the configured PDS (no login yet)."""
        self.client = Client(base_url=settings.service.rstrip("/") + "/xrpc")
        self.handle, self._password = credentials["handle_env"], credentials["app_password_env"]
        self._session: str | None = None
        self.did: str | None = None

    def authenticate(self) -> None:
        """Log in once; the session is reused for every later post."""
        if self._session is not None:
            return
        self.client.login(self.handle, self._password, fetch_bsky_profile=False)
        self._session = self.client.export_session_string()
        self.did = self.client._session.did if self.client._session else None  # noqa: SLF001  (atproto keeps it there)

    @staticmethod
    def payload(part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The app.bsky.feed.post record this part becomes (blobs by file name)."""
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": part.text, "facets": facets(part.text, part.links)}
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

    def prepare(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Any:
        """The reply references (looked up when a person settled the parent by URL)."""
        if reply_to is None:
            return None
        return models.AppBskyFeedPost.ReplyRef(root=self._strong_ref(root or reply_to), parent=self._strong_ref(reply_to))

    def upload(self, media: Media) -> Any:
        """One blob (content-addressed, so uploading again is harmless)."""
        return self.client.upload_blob(media.read()).blob

    def post(self, part: OutgoingPart, request: Any, media: list[Any]) -> Posted:
        """Create the post record: images with alt text, or the link card with the uploaded thumbnail."""
        embed = None
        if part.images:
            embed = models.AppBskyEmbedImages.Main(images=[models.AppBskyEmbedImages.Image(alt=m.alt, image=blob) for m, blob in zip(part.images, media)])
        elif part.card is not None:
            card = part.card
            embed = models.AppBskyEmbedExternal.Main(external=models.AppBskyEmbedExternal.External(
                uri=card.uri, title=card.title, description=card.description, thumb=media[0] if media else None))
        created = self.client.send_post(part.text, profile_identify=self.did, reply_to=request, embed=embed,
                                        facets=_facet_models(facets(part.text, part.links)) or None)
        rkey = created.uri.rsplit("/", 1)[-1]
        return Posted(created.uri, f"https://bsky.app/profile/{self.handle}/post/{rkey}", {"cid": created.cid})

    def at_uri(self, posted: Posted) -> str:
        """The post's at:// URI; a part a person marked posted by its bsky.app URL is known by its record key."""
        if posted.remote_id.startswith("at://"):
            return posted.remote_id
        return f"at://{self.did}/app.bsky.feed.post/{posted.remote_id.rstrip('/').rsplit('/', 1)[-1]}"

    def fetch_reactions(self, posted: Posted) -> Reactions:
        """app.bsky.feed.getPosts?uris=…, read as raw JSON (a hostile answer must not fail a model); a deleted post is left out."""
        uri = self.at_uri(posted)
        response = self.client.invoke_query("app.bsky.feed.getPosts", params=models.AppBskyFeedGetPosts.Params(uris=[uri]))
        if not isinstance(response.content, dict):
            raise ValueError("getPosts: the answer is not a JSON object")
        found = response.content.get("posts")
        post = next((p for p in found if isinstance(p, dict) and p.get("uri") == uri), None) if isinstance(found, list) else None
        if post is None:
            raise self.deleted(posted)
        return Reactions.read(post, POST_COUNTS)

    def error_for(self, exc: BaseException, step: str) -> ChannelError | None:
        """The base mapping; a refused session is dropped so the next post logs in again."""
        error = super().error_for(exc, step)
        if error is not None and error.status == 401:
            self._session = None
        return error

    def answer_of(self, exc: BaseException) -> Answer | None:
        """atproto's request errors carry the answer as ``response`` (status, headers, raw content)."""
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        if not isinstance(status, int):
            return None
        content = getattr(response, "content", b"")
        if not isinstance(content, (bytes, str)):  # atproto replaced the bytes with the parsed XrpcError
            content = json.dumps({"error": getattr(content, "error", None), "message": getattr(content, "message", None)})
        body = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        return Answer(status, dict(getattr(response, "headers", None) or {}), body)
