"""The web archive of sent campaign emails, stored when a send begins."""

from __future__ import annotations

from sqlalchemy import Engine, select

from ..render.email import RenderedEmail, personalise
from .db import now
from .upsert import upsert
from .schema import archive


def store_archive(engine: Engine, campaign: str, rendered: RenderedEmail, archive_index_url: str) -> None:
    """Keep the email as sent, minus personal data: no name, and the unsubscribe link points at the archive."""
    html = personalise(rendered.html, {"name": "", "unsubscribe_url": archive_index_url}, is_html=True)
    cover = rendered.cover_path.read_bytes() if rendered.cover_path and rendered.cover_path.is_file() else None
    cover_name = rendered.cover_url.rsplit("/", 1)[-1] if rendered.cover_url else None
    values = {"subject": rendered.subject, "preheader": rendered.preheader, "list": rendered.list_name, "html": html, "cover_name": cover_name, "cover": cover}
    with engine.begin() as conn:  # one upsert: two sends starting at once must not collide
        conn.execute(upsert(conn, archive, ["campaign"], list(values)), [{"campaign": campaign, "sent_at": now(), **values}])


def archived(engine: Engine) -> list[dict]:
    """Every archived campaign, newest first (without the HTML)."""
    with engine.connect() as conn:
        rows = conn.execute(select(archive.c.campaign, archive.c.subject, archive.c.preheader, archive.c.list, archive.c.sent_at).order_by(archive.c.sent_at.desc()))
        return [dict(r._mapping) for r in rows]


def archive_entry(engine: Engine, campaign: str) -> dict | None:
    """One archived campaign with its HTML and cover."""
    with engine.connect() as conn:
        row = conn.execute(select(archive).where(archive.c.campaign == campaign)).first()
    return dict(row._mapping) if row else None
