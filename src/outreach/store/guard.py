"""Database failures during a run: which exceptions they are, one safe line about them, one error for the run."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import DatabaseUnavailable


def database_errors(engine: Engine) -> tuple[type[BaseException], ...]:
    """What a failing database raises: SQLAlchemy's errors and, from raw DB-API cursors, the driver's."""
    dbapi = getattr(engine.dialect, "loaded_dbapi", None) or engine.dialect.dbapi
    return (SQLAlchemyError, dbapi.Error) if dbapi is not None else (SQLAlchemyError,)


def describe_db_error(exc: BaseException) -> str:
    """One line about a database error, without SQL or parameters (they can hold addresses)."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0][:200]
    return f"{type(orig).__name__}: {first}" if first else type(orig).__name__


@contextmanager
def database_guard(engine: Engine, doing: str) -> Iterator[None]:
    """Turn a database error raised inside into one :class:`DatabaseUnavailable` line."""
    try:
        yield
    except database_errors(engine) as exc:
        raise DatabaseUnavailable(f"the database failed while {doing} ({describe_db_error(exc)}); the run stopped: "
                                  "messages in flight will show as unknown, the rest stay queued; run it again when the database is back") from None
