"""X v2 media upload and alt text, over tweepy's own OAuth 1.0a user session.

tweepy 4.17 only has the v1.1 upload, which X is retiring, so this module
speaks the v2 endpoints directly: ``POST /2/media/upload`` (multipart,
``media_category=tweet_image``) returns ``{"data": {"id": …}}``, and
``POST /2/media/metadata`` attaches the alt text. A failure is raised as it
came (requests' ``HTTPError`` with its response, or the transport
exception) for the channel's one error mapping; an orphaned upload is harmless, so the base
class treats this step as safe to retry.
"""

from __future__ import annotations

import requests
from tweepy import OAuth1UserHandler

from .base import Media
from .x_facts import X


def upload_image(session: requests.Session, base: str, auth: OAuth1UserHandler, media: Media) -> str:
    """Upload one image and set its alt text; return the media id."""
    oauth = auth.apply_auth()
    response = session.post(f"{base}/2/media/upload", auth=oauth,
                            files={"media": (media.path.name, media.read(), media.mime)},
                            data={"media_category": "tweet_image", "media_type": media.mime})
    response.raise_for_status()
    media_id = str(response.json()["data"]["id"])
    if media.alt:
        response = session.post(f"{base}/2/media/metadata", auth=oauth,
                                json={"id": media_id, "metadata": {"alt_text": {"text": media.alt[:X.max_alt]}}})
        response.raise_for_status()
    return media_id
