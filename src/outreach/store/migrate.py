"""Schema revisions: create, check and upgrade a database with Alembic.

Policy: a command never upgrades a database by itself. Opening an older one
stops with the exact command to run (``outreach db upgrade``), because an
upgrade is a moment to take a backup and to stop the dispatchers, not a side
effect of ``outreach status``. A database newer than this code is refused.
A new, empty database is created from the tables in ``schema.py`` and stamped
with the newest revision (Alembic's recipe for a fresh database).

A failed upgrade leaves nothing half done: on PostgreSQL every revision runs
in one transaction (DDL is transactional there); on SQLite the file is copied
aside first (with SQLite's backup API, WAL included) and put back on failure.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from ..errors import ConfigError
from .schema import metadata

# The newest revision in migrations/versions; a test checks they agree.
HEAD = "0009"
RELEASE1 = "0001"  # databases of the first release carry no revision: they are this one
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against this code."""

    current: str | None  # None: an empty database
    head: str
    legacy: bool  # a first-release database, not yet stamped

    @property
    def up_to_date(self) -> bool:
        """True when the database is at this code's revision."""
        return self.current == self.head

    @property
    def newer(self) -> bool:
        """True when the database was written by a newer outreach."""
        return self.current is not None and self.current not in known_revisions()


def known_revisions() -> frozenset[str]:
    """Every revision this code knows."""
    from alembic.script import ScriptDirectory

    return frozenset(rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions())


def _alembic(connection: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def state_of(engine: Engine) -> SchemaState:
    """Read the database's revision (a first-release database counts as revision 0001)."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" in tables:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
            return SchemaState(found, HEAD, legacy=False)
    if "meta" in tables:
        return SchemaState(RELEASE1, HEAD, legacy=True)
    return SchemaState(None, HEAD, legacy=False)


def ensure_schema(engine: Engine) -> None:
    """Create a new database, accept a current one, refuse an older or newer one with what to do."""
    state = state_of(engine)
    if state.up_to_date:
        return
    where = engine.url.render_as_string(hide_password=True)
    if state.current is None:
        _create_once(engine)
    elif state.newer:
        raise ConfigError(f"database {where} is at schema revision {state.current}, newer than this outreach knows ({state.head}): upgrade outreach")
    else:
        raise ConfigError(f"database {where} is at schema revision {state.current}; this outreach needs {state.head}: "
                          "run 'outreach db upgrade' (stop dispatchers first; an SQLite file is copied aside before it changes)")


def _create_once(engine: Engine) -> None:
    """Create a new database; when another process created it at the same moment, accept theirs."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        _create(engine)
    except SQLAlchemyError:
        if not state_of(engine).up_to_date:
            raise


def _create(engine: Engine) -> None:
    from alembic import command

    with engine.begin() as conn:
        metadata.create_all(conn)
        command.stamp(_alembic(conn), HEAD)


def upgrade(engine: Engine) -> tuple[str | None, str, Path | None]:
    """Upgrade to the newest revision; return (from, to, the SQLite copy kept aside or None)."""
    state = state_of(engine)
    if state.newer:
        raise ConfigError(f"database is at schema revision {state.current}, newer than this outreach knows ({state.head}): upgrade outreach")
    if state.current is None:
        _create(engine)
        return None, HEAD, None
    if state.up_to_date:
        return state.current, HEAD, None
    backup = _copy_aside(engine, state.current)
    try:
        _run_upgrade(engine, state)
    except Exception as exc:
        if backup is not None:
            _restore(engine, backup)
        raise ConfigError(f"the upgrade from revision {state.current} failed and nothing was changed: {type(exc).__name__}: {exc}") from None
    return state.current, HEAD, backup


def _run_upgrade(engine: Engine, state: SchemaState) -> None:
    from alembic import command

    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # batch mode copies tables; with foreign keys on, dropping the old one would cascade-delete rows
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            cfg = _alembic(conn)
            if state.legacy:
                command.stamp(cfg, RELEASE1)
            command.upgrade(cfg, HEAD)
            if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise ConfigError("the upgraded database fails its foreign-key check")
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database)


def _copy_aside(engine: Engine, revision: str | None) -> Path | None:
    path = _sqlite_file(engine)
    if path is None:
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.rev{revision}-{stamp}.bak")
    with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    return backup


def _restore(engine: Engine, backup: Path) -> None:
    path = _sqlite_file(engine)
    assert path is not None
    engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, path)
