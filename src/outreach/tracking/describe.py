"""What the preview says about click tracking: the mode, the fixed transformation, each link's fate.

The preview shows the links as written (that is what is approved); this says how
the send will wrap them, from the same rules the send uses (:mod:`.wrap`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from ..config import Config
from ..render.email import RenderedEmail
from .wrap import REDIRECT_FORM, find_links

_MODES = {
    "aggregate": "Clicks are counted per link and per hour; nothing about the reader is stored, and each link's token is "
                 "sealed, so a click address seen in a log says nothing about the message it came from",
    "individual": "Each click is recorded with the message it came from, so who clicked which link is kept "
                  "(only for subscribers who consented)",
    "off": "Links are sent exactly as written; nothing is counted",
}


def _utm(url: str) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(url).query) if k.startswith("utm_")}


def tracking_summary(config: Config, email: RenderedEmail) -> dict:
    """The preview's account of click tracking, JSON-ready: mode, transformation, and every link with whether it is wrapped."""
    mode = config.tracking.clicks
    tracked = mode != "off"
    base_url = config.web.base_url
    redirect = REDIRECT_FORM.format(base_url=base_url)
    html_text = {link.url: link.text for link in email.links()}
    links = []
    for found in find_links(email, base_url):
        links.append({
            "url": found.url,
            "text": html_text.get(found.url, "(plain-text part only)"),
            "utm": _utm(found.url),
            "wrapped": tracked and found.skip is None,
            "not_wrapped_because": found.skip.value if found.skip is not None else None,
        })
    if tracked:
        transformation = (f"In the HTML part (href only) and the plain-text part of every message, each link marked wrapped becomes "
                          f"{redirect}; outreach serve redirects it to the link exactly as shown here, with its UTM tags. "
                          f"The token (signed) names the stored link, when the message was built and one message.")
    else:
        transformation = "none: every link is sent as written"
    return {"clicks": mode, "tracked": tracked, "how": _MODES[mode], "redirect": redirect if tracked else None,
            "transformation": transformation, "links": links}
