"""At send time: store a campaign's trackable links, then wrap its email for the message factory.

The approved, rendered email is never changed: the send builds its messages from
a wrapped copy, and the archive and the preview keep the original links.
"""

from __future__ import annotations

from sqlalchemy import Engine

from ..config import Config
from ..render.email import RenderedEmail
from ..store.links_store import LinkRow, store_links
from ..tokens import ClickMode, Keyring
from .wrap import ClickLinks, click_mode, find_links, wrap


def tracked_email(config: Config, engine: Engine, keys: Keyring, campaign: str, rendered: RenderedEmail,
                  *, test_copy: bool = False) -> tuple[RenderedEmail, ClickLinks | None]:
    """The email the messages are built from, and their click values (``rendered`` and None when tracking is off).

    The links are stored first (idempotent: every run of the campaign gets the same ids).
    """
    mode = click_mode(config.tracking.clicks, test_copy)
    if mode is None:
        return rendered, None
    base_url = config.web.base_url
    trackable = [f for f in find_links(rendered, base_url) if f.skip is None]
    ids = store_links(engine, campaign, [LinkRow(f.url, f.label, i) for i, f in enumerate(trackable, 1)], test_copy=test_copy,
                      individual=mode is ClickMode.INDIVIDUAL)
    wrapped = wrap(rendered, ids, base_url)
    return wrapped.email, ClickLinks(keys, base_url, mode, wrapped.link_of_key)
