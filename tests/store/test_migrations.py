"""Alembic migrations go up and down on SQLite and PostgreSQL and match the table definitions."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from monitor.store import migrate
from monitor.store.tables import metadata


def test_upgrade_creates_the_schema_the_code_expects(db_url: str) -> None:
    assert migrate.is_up_to_date(db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert set(metadata.tables) <= tables
    assert diff == [], f"migrations and monitor/store/tables.py disagree: {diff}"


def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    migrate.downgrade(db_url, "base")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        left = set(inspect(conn).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert left == set()
    assert migrate.current_revision(db_url) is None
    migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()
