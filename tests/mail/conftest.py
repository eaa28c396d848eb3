from __future__ import annotations

from pathlib import Path

import pytest

from outreach.config import Config, SmtpConfig, WebConfig
from tests.mail.smtp_server import SmtpServer


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd, in-process)."""
    with SmtpServer() as server:
        yield server


# Over SMTP, send refuses links that cannot work for subscribers (a non-https or loopback
# web.base_url): the sends in these tests carry the public address a real set-up has.
PUBLIC_BASE_URL = "https://news.example.org"


@pytest.fixture
def smtp_config(db_config: Config, smtp_server: SmtpServer, monkeypatch) -> Config:
    """The test database plus an [smtp] table pointing at the loopback server, and a public https web.base_url."""
    monkeypatch.setenv("OUTREACH_SECRET", "test-signing-key")
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_server.port, security="none", connections=3, timeout=10)
    return db_config.model_copy(update={"smtp": smtp, "require_approval": False, "web": WebConfig(base_url=PUBLIC_BASE_URL)})


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("email,name\n" + "".join(f"{e},{n}\n" for e, n in rows), encoding="utf-8")
    return path
