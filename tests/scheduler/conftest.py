from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.mail.conftest import smtp_server  # noqa: F401  (fixture)
from tests.social.conftest import bluesky_api, linkedin_api, mastodon_api, x_api  # noqa: F401  (fixtures)
from tests.social.conftest import X_ENV

TZ = ZoneInfo("Europe/Copenhagen")


def local_in(seconds: float) -> str:
    """A TOML local date-time ``seconds`` from now in the sample's timezone (whole seconds, rounded up)."""
    when = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).astimezone(TZ)
    when = when.replace(microsecond=0) + timedelta(seconds=1)
    return when.replace(tzinfo=None).isoformat()


def retime(text: str, offsets: list[float]) -> str:
    """Set the email and every post to the given offsets (seconds from now), in file order.

    Given fewer offsets than the file has steps, the posts beyond them are left out: these tests were written for the
    email and three posts, and the timings they check stay those of that campaign.
    """
    tables = text.split("\n[[posts]]\n")
    text = "\n[[posts]]\n".join(tables[:len(offsets)])
    stamps = iter(local_in(o) for o in offsets)
    return re.sub(r"^(send_at|at) = \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", lambda m: f"{m.group(1)} = {next(stamps)}", text, flags=re.M)


class World:
    """A config file, an environment and a way to run outreach as a real process."""

    def __init__(self, root: Path, database: str, smtp_port: int, x: str, mastodon: str, bluesky: str, grace: int = 3600) -> None:
        self.root = root
        self.config = root / "outreach.toml"
        self.config.write_text(
            f'database = "{database}"\noutbox = "{root / "outbox"}"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nconnections = 2\ntimeout = 10\n'
            f'[web]\nbase_url = "https://news.example.org"\n'  # a real send refuses links subscribers cannot reach
            f'[x]\napi_base = "{x}"\n[mastodon]\ninstance = "{mastodon}"\n[bluesky]\nservice = "{bluesky}"\n'
            f'[scheduler]\nmisfire_grace_seconds = {grace}\npoll_seconds = 0.5\n', encoding="utf-8")
        self.env = {**os.environ, "OUTREACH_SECRET": "sched-key", **X_ENV, "MASTODON_ACCESS_TOKEN": "mastodon-test-token",
                    "BLUESKY_HANDLE": "diis.test", "BLUESKY_APP_PASSWORD": "app-pass-1234", "CI": ""}

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "outreach", "--config", str(self.config), *args]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(self.cmd(*args), env=self.env, cwd=self.root, capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.cmd(*args), env=self.env, cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def world(db_config, smtp_server, x_api, mastodon_api, bluesky_api, tmp_path, campaign_copy):  # noqa: F811
    w = World(tmp_path, db_config.database, smtp_server.port, x_api.url, mastodon_api.url, bluesky_api.url)
    csv_file = tmp_path / "subs.csv"
    csv_file.write_text("email,name\n" + "".join(f"s{i:03d}@example.org,S {i}\n" for i in range(20)), encoding="utf-8")
    assert w.run("subscribers", "import", str(csv_file), "--list", "research", "--consent", "test subscribers").returncode == 0
    return w
