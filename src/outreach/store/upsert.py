"""Conflict-safe inserts with the database's own ``INSERT … ON CONFLICT`` (SQLite and PostgreSQL).

Update-then-insert races: two processes both find no row and both insert.
These statements let the database settle it, atomically, on a unique key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def dialect_insert(bind: Engine | Connection, table: Table) -> Insert:
    """The database's own INSERT (with ``on_conflict_do_*``): SQLite's or PostgreSQL's."""
    dialect = bind.dialect.name
    if dialect == "postgresql":
        return postgresql_insert(table)
    if dialect == "sqlite":
        return sqlite_insert(table)
    raise NotImplementedError(f"conflict-safe insert on {dialect}")


def insert_ignoring(bind: Engine | Connection, table: Table, keys: list[str]) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO NOTHING``: safe when two runs insert the same rows at once."""
    return dialect_insert(bind, table).on_conflict_do_nothing(index_elements=keys)  # type: ignore[attr-defined]


def upsert(bind: Engine | Connection, table: Table, keys: list[str], update_columns: list[str]) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO UPDATE`` of ``update_columns`` to the inserted values."""
    stmt = dialect_insert(bind, table)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_columns})  # type: ignore[attr-defined]


def insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> int:
    """Insert ``rows``, skipping any whose ``keys`` already exist; return how many were inserted."""
    if not rows:
        return 0
    return conn.execute(insert_ignoring(conn, table, keys), rows).rowcount


def upsert_row(conn: Connection, table: Table, row: dict[str, Any], keys: list[str], update_columns: list[str]) -> None:
    """Insert ``row``, or update ``update_columns`` of the row with the same ``keys``: one statement, no race."""
    conn.execute(upsert(conn, table, keys, update_columns), [row])
