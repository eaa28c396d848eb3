"""Open the database named in the config: create on first use, check the schema version.

SQLite (the default) runs in WAL mode with ``synchronous=NORMAL``: a commit
survives the process being killed (it is in the OS's file cache), which is
the failure the ledger is built to survive; PostgreSQL gives full durability.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from datetime import datetime, timezone

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from ..config import Config
from ..errors import ConfigError
from .migrate import ensure_schema
from .schema import meta
from .upsert import insert_ignore


def now() -> datetime:
    """The current time, UTC, timezone-aware."""
    return datetime.now(timezone.utc)


def current_user() -> str:
    """The OS user running the command, for the records that say who did something (an import, an approval).

    The login of the process's user id, never ``$USER`` or ``$LOGNAME`` (``getpass.getuser`` reads those first,
    and anyone can set them: CLI approvals are counted once per OS user). At most 200 characters.
    """
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name[:200]
    except (ImportError, KeyError, OSError):  # no password database (Windows, a container without the uid)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"database: not a database URL: {url!r} (try 'sqlite:///outreach.db')") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict = {"hide_parameters": True}  # SQL errors and logs must never carry subscribers' addresses
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, ModuleNotFoundError) as exc:
        raise ConfigError(f"database: the driver for {parsed.drivername} is not installed ({exc.name}); pip install 'outreach[postgres]'") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


_ENGINES: dict[str, Engine] = {}


def absolute_url(url: str) -> str:
    """The URL with a relative SQLite path made absolute (relative to the working directory now)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" and not Path(parsed.database).is_absolute():
        return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(hide_password=False)
    return url


def open_db(config: Config) -> Engine:
    """The database for ``config``, created when new, refused when at another schema revision (one engine per URL per process)."""
    url = absolute_url(config.database)
    if url not in _ENGINES:
        _ENGINES[url] = _open(url)
    return _ENGINES[url]


def open_unchecked(config: Config) -> Engine:
    """An engine for ``config`` that does not look at the schema (``outreach db`` uses it); the caller disposes it."""
    return _open(absolute_url(config.database), check=False)


def _open(url: str, check: bool = True) -> Engine:
    engine = make_engine(url)
    try:
        if check:
            ensure_schema(engine)
    except OperationalError as exc:
        raise ConfigError(f"database {engine.url.render_as_string(hide_password=True)}: cannot open: {exc.orig}") from None
    except SQLAlchemyError as exc:
        raise ConfigError(f"database {engine.url.render_as_string(hide_password=True)}: {exc.__class__.__name__}: {exc}") from None
    return engine


def forget_engines() -> None:
    """Dispose cached engines (tests, and after a fork)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def local_secret(engine: Engine, name: str) -> bytes:
    """A random key kept in the database, for outbox-only set-ups with no secret configured."""
    key = f"secret:{name}"
    with engine.begin() as conn:  # two first runs at once: the first insert wins and both read it
        insert_ignore(conn, meta, [{"key": key, "value": secrets.token_urlsafe(32)}], ["key"])
        found = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one()
    return str(found).encode()

