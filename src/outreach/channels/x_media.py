"""X v2 media upload and alt text, over tweepy's own OAuth 1.0a user session.

tweepy 4.17 only has the v1.1 upload, which X is retiring, so this module
speaks the v2 endpoints directly: ``POST /2/media/upload`` (multipart,
``media_category=tweet_image``) returns ``{"data": {"id": …}}``, and
``POST /2/media/metadata`` attaches the alt text.
"""

from __future__ import annotations

import requests
from tweepy import OAuth1UserHandler

from .base import Media, error_for_status, network_error
from .http import connect_failed

MAX_ALT = 1000


def _raise_for(response: requests.Response, what: str) -> None:
    if response.status_code >= 300:
        try:
            body = response.json()
            message = body.get("detail") or body.get("title") or str(body.get("errors", ""))
        except ValueError:
            message = response.text[:200]
        raise error_for_status(f"X {what}", response.status_code, message, response.headers)


def upload_image(session: requests.Session, base: str, auth: OAuth1UserHandler, media: Media) -> str:
    """Upload one image and set its alt text; return the media id."""
    oauth = auth.apply_auth()
    data = media.read()
    try:
        response = session.post(f"{base}/2/media/upload", auth=oauth,
                                files={"media": (media.path.name, data, media.mime)},
                                data={"media_category": "tweet_image", "media_type": media.mime})
    except requests.RequestException as exc:
        # an orphaned upload is harmless (never attached to a post), so retrying is safe
        raise network_error("X media upload", exc, connect_failed=connect_failed(exc), idempotent=True) from None
    _raise_for(response, "media upload")
    media_id = str(response.json()["data"]["id"])
    if media.alt:
        try:
            response = session.post(f"{base}/2/media/metadata", auth=oauth,
                                    json={"id": media_id, "metadata": {"alt_text": {"text": media.alt[:MAX_ALT]}}})
        except requests.RequestException as exc:
            raise network_error("X media metadata", exc, connect_failed=connect_failed(exc), idempotent=True) from None
        _raise_for(response, "media metadata")
    return media_id
