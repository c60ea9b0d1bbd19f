"""Runs the Alembic migrations against a database URL.

The migrations ship inside the package (``monitor._migrations``, from the repository's
``migrations/``); Alembic is configured here, in code, so no alembic.ini is needed where
monitor is installed. (The repository's alembic.ini serves the ``alembic`` command in a
checkout, e.g. ``alembic revision``.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.resources import migrations_dir
from monitor.store.db import connection, make_engine, private_sqlite


def _config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    private_sqlite(url)
    command.upgrade(_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(_config(url), revision)


def stamp(url: str, revision: str) -> None:
    """Record ``revision`` as the database's without running anything (repairing a stamp
    that names the wrong migrations; see ``bench/archive_schema.py``)."""
    private_sqlite(url)
    command.stamp(_config(url), revision)


def revision_chain() -> list[str]:
    """Every revision, oldest first."""
    scripts = ScriptDirectory.from_config(_config("sqlite://"))
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def current_revision(url: str) -> str | None:
    private_sqlite(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config("sqlite://")).get_current_head()


def is_up_to_date(url: str) -> bool:
    return current_revision(url) == head_revision()


def schema_problem(engine: Engine) -> str | None:
    """Why this code cannot use the database's schema (with what to run), or None.

    The CLI asks before touching the database, so a database that was never migrated
    gets this sentence instead of a driver's "no such table".
    """
    with connection(engine) as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    head = head_revision()
    if current == head:
        return None
    if current is None:
        return "the database has no monitor tables yet: run `monitor db upgrade` first"
    scripts = ScriptDirectory.from_config(_config("sqlite://"))
    known = {script.revision for script in scripts.walk_revisions()}
    if current in known:
        return (
            f"the database is at revision {current} and this monitor needs {head}: "
            "stop the daemon, run `monitor db upgrade`, then start it again"
        )
    return (
        f"the database is at revision {current}, which this monitor does not know (it was "
        "migrated by a newer monitor): run that version, or `monitor db downgrade` with it"
    )


def require_schema(engine: Engine) -> None:
    """Raise ``ConfigError`` with ``schema_problem``'s sentence unless the schema is current."""
    problem = schema_problem(engine)
    if problem is not None:
        raise ConfigError(problem)


@contextmanager
def checked_database(settings: Settings) -> Iterator[Engine]:
    """The configured database, checked to be at this code's schema, disposed after.

    Every command that reads or writes the store opens it this way, so a database that was
    never migrated (or is behind) gets ``require_schema``'s sentence before any work starts.
    """
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    try:
        require_schema(engine)
        yield engine
    finally:
        engine.dispose()
