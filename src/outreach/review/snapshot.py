"""A version of a campaign as a reviewer sees it: the preview's files, byte for byte, and the pieces a diff compares.

:func:`snapshot` renders the preview exactly as ``outreach preview`` would at
this moment (into a private temporary folder), reads every file back, and stores
the lot once per content hash (:func:`outreach.store.reviews.store_version`). A
review page then serves those stored bytes, so what a reviewer approves is what
was rendered when the version was first seen, not whatever the files on disk
say later.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import Engine

from ..approval import approval_line
from ..config import Config
from ..preview import write_preview
from ..store.reviews import StoredVersion, store_version, touch_version, version, version_by_hash
from ..validate import Checked
from .pieces import pieces_of

MAX_FILES = 200  # a preview holds the index, the email's four files, posts.json and one copy per image


def preview_files(checked: Checked, config: Config) -> dict[str, bytes]:
    """Every file ``outreach preview`` writes for ``checked`` now, by its name inside the preview folder."""
    with tempfile.TemporaryDirectory(prefix="outreach-review-") as folder:
        root = Path(folder)
        result = write_preview(checked, config, root, approval=approval_line(config, checked.plan))
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in result.files[:MAX_FILES]}


def snapshot(engine: Engine, checked: Checked, config: Config) -> StoredVersion:
    """The stored version of ``checked`` as it renders now: stored with its preview files the first time it is seen."""
    plan = checked.plan
    source = str(plan.campaign.path.resolve())
    existing = version_by_hash(engine, plan.campaign.slug, plan.content_hash)
    if existing is not None:
        touch_version(engine, existing.id, source)  # rendered again (an edit undone), perhaps from a file that moved
        return existing
    vid = store_version(engine, plan.campaign.slug, plan.content_hash, plan.hashes, pieces_of(plan, config),
                        source, preview_files(checked, config))
    stored = version(engine, vid)
    assert stored is not None  # just stored, and versions are never deleted
    return stored
