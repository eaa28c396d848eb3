"""The web archive of campaign emails: published when a send begins, or unlisted by a test send.

A ``send-test`` copy's "view in browser" link and cover point here, so the test
publishes the entry at once but keeps it out of the archive index
(``listed`` false); the real send lists it. A test never changes an entry the
real send has listed.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from ..render.email import RenderedEmail, personalise
from .db import now
from .upsert import insert_ignoring, upsert
from .schema import archive


def store_archive(engine: Engine, campaign: str, rendered: RenderedEmail, unsubscribe_help_url: str, listed: bool = True,
                  preferences_url: str | None = None) -> None:
    """Keep the email as sent, minus personal data: no name, and the unsubscribe link leads to ``unsubscribe_help_url``.

    "Manage your subscription" leads to ``preferences_url`` (the page that mails a fresh link),
    or without it to the help page too, which links there.

    ``listed`` False (a test send) publishes the page and cover without listing them,
    and leaves an entry that is already listed as it is.
    """
    html = personalise(rendered.html, {"name": "", "unsubscribe_url": unsubscribe_help_url,
                                       "preferences_url": preferences_url or unsubscribe_help_url}, is_html=True)
    cover = rendered.cover_path.read_bytes() if rendered.cover_path and rendered.cover_path.is_file() else None
    cover_name = rendered.cover_url.split("?", 1)[0].rsplit("/", 1)[-1] if rendered.cover_url else None  # a test copy's has ?k=
    values = {"subject": rendered.subject, "preheader": rendered.preheader, "list": rendered.list_name, "html": html,
              "cover_name": cover_name, "cover": cover, "sent_at": now(), "listed": listed}
    with engine.begin() as conn:  # single statements: two sends starting at once must not collide
        if listed:
            conn.execute(upsert(conn, archive, ["campaign"], list(values)), [{"campaign": campaign, **values}])
            return
        # one row, not a list (executemany): its rowcount is real on every driver
        if conn.execute(insert_ignoring(conn, archive, ["campaign"]), {"campaign": campaign, **values}).rowcount == 1:
            return
        # refresh an unlisted entry (the campaign was edited since the last test); the WHERE is
        # evaluated on the row as it is when the update runs, so a real send's listing always stands
        conn.execute(update(archive).where(archive.c.campaign == campaign, archive.c.listed.is_(False)).values(**values))


def archived(engine: Engine) -> list[dict]:
    """Every listed campaign, newest first (without the HTML); test-only entries stay out."""
    query = select(archive.c.campaign, archive.c.subject, archive.c.preheader, archive.c.list, archive.c.sent_at).order_by(archive.c.sent_at.desc())
    with engine.connect() as conn:
        rows = conn.execute(query.where(archive.c.listed.is_(True)))
        return [dict(r._mapping) for r in rows]


def archive_entry(engine: Engine, campaign: str) -> dict | None:
    """One archived campaign with its HTML and cover, listed or not (its URL is in the mail that links to it)."""
    with engine.connect() as conn:
        row = conn.execute(select(archive).where(archive.c.campaign == campaign)).first()
    return dict(row._mapping) if row else None
