"""Shared fixtures: the sample campaign, editable copies of it, config, CLI runner.

Real dependencies (SMTP server, API emulators, PostgreSQL, Chromium) each get
one fixture, in the conftest of the test folder that needs them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
import uuid
from typing import Callable, Iterator

import pytest

from outreach.cli import main
from outreach.config import Config

from tests.loopback_only import install as _loopback_only

_loopback_only()  # no test reaches the internet: a connection to any non-loopback address fails
# … and neither does a Python process a test starts (the outreach CLI, dispatchers): tests/subprocess_guard/sitecustomize.py
os.environ["OUTREACH_TEST_LOOPBACK_ONLY"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(Path(__file__).resolve().parent / "subprocess_guard"),
                                                       os.environ.get("PYTHONPATH")) if p)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "campaigns" / "soldier-defections-myanmar.toml"
SAMPLE_COVER = ROOT / "campaigns" / "soldier-defections-myanmar-cover.png"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", help="rewrite tests/golden from the current output")


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture
def config() -> Config:
    """The embedded defaults (what a fresh machine gets)."""
    return Config()


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own folder so defaults (outreach.db, outbox/) never touch the repo."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("OUTREACH_CONFIG", raising=False)


@pytest.fixture
def campaign_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy the sample campaign into tmp, optionally editing its text; returns the new path."""

    def make(edit: Callable[[str], str] | None = None, name: str = "soldier-defections-myanmar.toml") -> Path:
        folder = tmp_path / "campaigns"
        folder.mkdir(exist_ok=True)
        shutil.copy(SAMPLE_COVER, folder / SAMPLE_COVER.name)
        text = SAMPLE.read_text(encoding="utf-8")
        if edit is not None:
            edited = edit(text)
            assert edited != text, "the edit did not change the campaign"
            text = edited
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the outreach CLI in-process and capture what it prints."""

    def run(*args: str) -> CliResult:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def require(what: str, reason: str) -> None:
    """Skip with a visible reason, except under CI=true where a missing dependency fails the run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI: {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


def playwright_sync():  # type: ignore[no-untyped-def]
    """``playwright.sync_api``; when Playwright is not installed, skip with the reason (fail under CI=true, like Chromium)."""
    try:
        import playwright.sync_api as sync_api
    except ImportError as exc:
        require("playwright", f"pip install -e '.[test]' ({exc})")
    return sync_api


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic", "--hide-scrollbars"]


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run Debian's headless chromium with the flags this machine needs; returns a runner."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        require("chromium", "install Debian's chromium package (apt-get install chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)

    return run


PG_URL = os.environ.get("OUTREACH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def private_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh database of ``kind`` ("sqlite": a file in ``folder``; "postgres": a schema of its own in
    PostgreSQL's ``test`` database, dropped afterwards); skipped with the reason when PostgreSQL does not answer."""
    from outreach.store.db import forget_engines

    if kind == "sqlite":
        try:
            yield f"sqlite:///{folder / 'outreach.db'}"
        finally:
            forget_engines()
        return
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sqlalchemy.exc.OperationalError as exc:
        admin.dispose()
        require("PostgreSQL on 127.0.0.1:5432", str(exc.orig).splitlines()[0])
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        forget_engines()
        _drop_schema(admin, schema)
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Config]:
    """A config on a fresh database: an SQLite file, or its own schema in PostgreSQL's ``test`` database."""
    with private_database(request.param, tmp_path) as url:
        yield Config(database=url, outbox=tmp_path / "outbox")


def _drop_schema(admin, schema: str) -> None:  # type: ignore[no-untyped-def]
    """Drop a test's schema; a session some process left idle in a transaction on its tables is ended first.

    (A killed or cut-off client can leave one behind; DROP SCHEMA would wait for its lock forever.)
    """
    import sqlalchemy

    with admin.connect() as conn:
        conn.exec_driver_sql("SET lock_timeout = '20s'")
        try:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            return
        except sqlalchemy.exc.OperationalError:
            pass
        conn.exec_driver_sql("SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                             "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND l.pid <> pg_backend_pid()", (schema,))
        conn.exec_driver_sql("SET lock_timeout = 0")
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
