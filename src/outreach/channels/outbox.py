"""The outbox channel: writes each post as JSON, exactly as it would be sent.

Stands in for any social channel with no credentials configured, so every
command works on a fresh machine and a reviewer can read what would go out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

from ..errors import Unavailable
from .base import OutgoingPart, Posted

PayloadBuilder = Callable[[OutgoingPart, "Posted | None", "Posted | None"], dict[str, Any]]


OUTBOX_ID_PREFIX = "outbox:"  # the remote id of a post written to the outbox


def is_outbox_id(remote_id: str | None) -> bool:
    """Whether a post's remote id says it went to the outbox, not to a platform."""
    return (remote_id or "").startswith(OUTBOX_ID_PREFIX)


class OutboxChannel:
    """Writes ``outbox/posts/<campaign>/step-NN-<channel>-part-K.json``."""

    def __init__(self, name: str, folder: Path, payload: PayloadBuilder) -> None:
        self.name = name
        self.folder = folder
        self._payload = payload

    def payload(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> dict[str, Any]:
        """The request the real channel would send."""
        return self._payload(part, reply_to, root)

    def publish(self, part: OutgoingPart, reply_to: Posted | None, root: Posted | None) -> Posted:
        """Write the post file atomically; its path is the remote id."""
        folder = self.folder / part.campaign
        path = folder / f"step-{part.step:02d}-{self.name}-part-{part.index}.json"
        document = {"channel": self.name, "campaign": part.campaign, "step": part.step, "part": part.index, "of": part.count,
                    "request": self.payload(part, reply_to, root)}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(tmp, path)
            self._write_prepared(part, folder)
        except OSError as exc:
            raise Unavailable(f"outbox {folder}: {exc.strerror}") from None
        remote = f"{OUTBOX_ID_PREFIX}{part.campaign}/{part.step}/{part.index}"
        return Posted(remote, path.resolve().as_uri(), {"cid": "outbox"})

    @staticmethod
    def _write_prepared(part: OutgoingPart, folder: Path) -> None:
        """Beside the request, the bytes it names that exist nowhere else (a cover fitted as a card's thumbnail)."""
        thumb = part.card.thumb if part.card is not None else None
        for media in (*part.images, *((thumb,) if thumb is not None else ())):
            if media.content is not None:
                (folder / media.path.name).write_bytes(media.content)
