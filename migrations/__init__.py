"""Alembic migrations, shipped inside the package as ``monitor._migrations`` (see
monitor/resources.py and monitor/store/migrate.py)."""
