"""Alembic migrations of the outreach schema (driven from :mod:`outreach.store.migrate`, no alembic.ini)."""
