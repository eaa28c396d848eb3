"""Alembic environment: always given a live connection by :mod:`outreach.store.migrate`."""

from __future__ import annotations

from alembic import context

from outreach.store.schema import metadata

APSCHEDULER_TABLE = "apscheduler_jobs"  # APScheduler creates and owns it


def _ours(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) != APSCHEDULER_TABLE


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite can only change a table by copying it
    include_object=_ours,
    compare_type=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
