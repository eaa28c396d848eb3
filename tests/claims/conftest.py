"""Fixtures for the README-claim tests: the real SMTP server, the API emulators, the live web app, the dispatcher world."""

from __future__ import annotations

from tests.mail.conftest import smtp_config, smtp_server  # noqa: F401  (fixtures)
from tests.scheduler.conftest import world  # noqa: F401  (fixture)
from tests.social.conftest import bluesky_api, linkedin_api, mastodon_api, social_config, x_api  # noqa: F401  (fixtures)
from tests.web.conftest import live  # noqa: F401  (fixture)


import pytest  # noqa: E402


@pytest.fixture
def config_file(db_config, tmp_path):
    """Write ``outreach.toml`` (the test database, the outbox, approval off, optional extra TOML) and return its path."""

    def write(extra: str = "", smtp_port: int | None = None, approval: bool = False):
        text = f'database = "{db_config.database}"\noutbox = "{tmp_path / "outbox"}"\nrequire_approval = {str(approval).lower()}\n'
        text += '[lists.research]\ntitle = "DIIS research newsletter"\n[lists.briefing]\ntitle = "DIIS policy briefing"\n'
        if smtp_port is not None:
            text += '[web]\nbase_url = "https://news.example.org"\n'  # a real send refuses links subscribers cannot reach
            text += f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nconnections = 2\ntimeout = 10\n'  # last: tests append to it
        path = tmp_path / "outreach.toml"
        path.write_text(text + extra, encoding="utf-8")
        return path

    return write


def write_people(path, addresses) -> str:
    """A subscriber CSV of ``addresses``; returns its path as a string."""
    path.write_text("email,name\n" + "".join(f"{a},Name {i}\n" for i, a in enumerate(addresses)), encoding="utf-8")
    return str(path)
