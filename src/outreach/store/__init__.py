"""Storage: SQLAlchemy tables and queries (subscribers, suppression, ledger, audit)."""
