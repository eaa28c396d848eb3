"""Shared fixtures of tests/review: a campaign copy under review, its config, reviewers' links and signed tokens.

``review_setup(...)`` makes, on the ``db_config`` database (SQLite and PostgreSQL):
an editable copy of the sample campaign, a config whose ``web.base_url`` is where a
server will listen (a free loopback port), a stored version (snapshot), one review
round and one link per reviewer. ``ReviewSetup.serve()`` starts uvicorn on that port
with that config (stopped after the test), so tokens and the page agree on keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy import Engine, update

from outreach.config import Config, ReviewConfig, WebConfig
from outreach.mail.compose import signing_keys
from outreach.review.snapshot import snapshot
from outreach.store.db import open_db
from outreach.store.reviews import ReviewerLink, ReviewRound, StoredVersion, add_reviewer, new_round
from outreach.store.schema import reviewers
from outreach.tokens import Keyring, make_review_token
from outreach.validate import check

from tests.web.conftest import LiveServer, free_port

SECRET = "review-test-key"  # OUTREACH_SECRET while a review test runs: the server and the tests sign with it
ADA = "Ada Reviewer <ada@example.org>"
BOB = "Bob Reviewer <bob@example.org>"
OWNER = "Olive Owner <olive@example.org>"


@dataclass
class ReviewSetup:
    """A campaign under review: its file, config, database, stored version, round and reviewers' links."""

    config: Config
    engine: Engine
    path: Path
    slug: str
    version: StoredVersion
    round: ReviewRound
    links: dict[str, ReviewerLink]  # by the reviewer's lower-case address
    keyring: Keyring
    servers: list[LiveServer] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        """Where :meth:`serve` listens (``web.base_url`` of :attr:`config`)."""
        return self.config.web.base_url

    def link(self, who: str = ADA) -> ReviewerLink:
        """The link of reviewer ``who`` ("Name <addr>" or an address)."""
        return self.links[(parseaddr(who)[1] or who).lower()]

    def token(self, who: str = ADA, campaign: str | None = None, issued: float | None = None) -> str:
        """A signed review token for ``who``'s link (optionally naming another campaign, or issued at ``issued``)."""
        return make_review_token(self.keyring, self.link(who).link_key, campaign or self.slug, issued)

    def url(self, who: str = ADA) -> str:
        """``{base_url}/review/<token>`` for ``who``."""
        return f"{self.base_url}/review/{self.token(who)}"

    def add(self, who: str, days: int | None = None) -> ReviewerLink:
        """Another reviewer in the same round (the link replaces any earlier one of that address in :attr:`links`)."""
        name, address = parseaddr(who)
        made = add_reviewer(self.engine, self.round, name or address, address, days or self.config.review.link_days)
        self.links[made.address] = made
        return made

    def expire(self, who: str = ADA) -> None:
        """Set ``who``'s link to have expired (expires_at in the past)."""
        from datetime import timedelta

        from outreach.store.db import now

        with self.engine.begin() as conn:
            conn.execute(update(reviewers).where(reviewers.c.id == self.link(who).id).values(expires_at=now() - timedelta(seconds=5)))

    def edit(self, old: str, new: str) -> None:
        """Change the campaign file (once; the text must be there)."""
        text = self.path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not in the campaign exactly once"
        self.path.write_text(text.replace(old, new), encoding="utf-8")

    def serve(self, **updates: object) -> LiveServer:
        """Start uvicorn on :attr:`base_url`'s port serving the app with :attr:`config` (plus ``updates``); stopped after the test."""
        server = ReviewServer(self.config.model_copy(update=updates)).__enter__()
        self.servers.append(server)
        return server


class ReviewServer(LiveServer):
    """:class:`LiveServer` on the port and with the config given (not a port of its own and approval switched off)."""

    def __init__(self, config: Config) -> None:
        super().__init__(config, as_given=True)


@pytest.fixture
def review_setup(db_config: Config, campaign_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path) -> Iterator[Callable[..., ReviewSetup]]:
    """A factory: ``review_setup(reviewers=(ADA,), owner=OWNER, edit=None, **review_config)`` -> :class:`ReviewSetup`."""
    monkeypatch.setenv("OUTREACH_SECRET", SECRET)
    made: list[ReviewSetup] = []

    def make(reviewers: tuple[str, ...] = (ADA,), owner: str | None = OWNER, edit: Callable[[str], str] | None = None,
             requested_by: str = "tester", **review: object) -> ReviewSetup:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        config = db_config.model_copy(update={
            "web": WebConfig(host="127.0.0.1", port=port, base_url=base), "require_approval": True,
            "review": ReviewConfig(**{"owner": owner, **review}), "outbox": tmp_path / "outbox"})
        path = campaign_copy(edit)
        engine = open_db(config)
        checked = check(path_campaign(path), config)
        assert not checked.errors, checked.errors
        stored = snapshot(engine, checked, config)
        round_ = new_round(engine, stored.campaign, stored.id, owner, requested_by)
        setup = ReviewSetup(config, engine, path, stored.campaign, stored, round_, {}, signing_keys(config, engine))
        for who in reviewers:
            setup.add(who)
        made.append(setup)
        return setup

    yield make
    for setup in made:
        for server in setup.servers:
            server.__exit__(None, None, None)


def path_campaign(path: Path):  # type: ignore[no-untyped-def]
    """The campaign in ``path`` (shape-checked)."""
    from outreach.campaign import load_campaign

    return load_campaign(path)


def field_of(page: str, name: str) -> str:
    """The value of the first hidden field ``name`` in a served page."""
    import html
    import re

    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"no field {name} on the page"
    return html.unescape(found.group(1))


class ReviewerClient:
    """A browser-like client on one reviewer's page: it reads the form key and hash from the page and sends its Origin."""

    def __init__(self, setup: ReviewSetup, who: str = ADA) -> None:
        self.setup = setup
        self.url = setup.url(who)
        self.last: str | None = None

    def page(self):  # type: ignore[no-untyped-def]
        """GET the review page (kept for the next post's form key and hash)."""
        import httpx

        answer = httpx.get(self.url, timeout=30)
        if answer.status_code == 200:
            self.last = answer.text
        return answer

    def post(self, action: str, headers: dict[str, str] | None = None, **fields: str):  # type: ignore[no-untyped-def]
        """POST ``action`` (approve | changes) with the last page's form key and hash, unless ``fields`` say otherwise."""
        from urllib.parse import urlencode

        import httpx

        if self.last is None:
            self.page()
        assert self.last is not None
        data = {"form_key": field_of(self.last, "form_key"), "hash": field_of(self.last, "hash"), **fields}
        sent = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.setup.base_url, "Sec-Fetch-Site": "same-origin",
                **(headers or {})}
        return httpx.post(f"{self.url}/{action}", content=urlencode(data), headers=sent, timeout=30)
