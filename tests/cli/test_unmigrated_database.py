"""A database that was never migrated gets a sentence saying what to run, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.exits import ExitCode
from monitor.services import postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def bare_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: created, never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'never-migrated.db'}"
        return
    url, drop = postgres.scratch_database(request.getfixturevalue("pg_cluster"))
    yield url
    drop()


@pytest.mark.parametrize(
    "args",
    [("feed", "list"), ("feed", "add", "https://x.example/rss"), ("subscriber", "list"),
     ("subscriber", "add", "desk@example.org"), ("operator", "list"),
     ("query", "test", "Ukraine AND Brazil"), ("timeline", "BR"), ("spikes",),
     ("subscriber", "api-key", "list"), ("subscriber", "destination", "list")],
)
def test_commands_on_a_database_never_migrated_say_to_run_db_upgrade(
    bare_db_url: str, make_settings: Any, args: tuple[str, ...]
) -> None:
    settings = make_settings(database_url=bare_db_url)
    env = {**os.environ, **settings.as_env(), "MONITOR_LOG_FORMAT": "console"}
    result = subprocess.run([sys.executable, "-m", "monitor", *args], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == ExitCode.CONFIG, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "run `monitor db upgrade`" in result.stderr
    upgraded = subprocess.run([sys.executable, "-m", "monitor", "db", "upgrade"], env=env,
                              capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    again = subprocess.run([sys.executable, "-m", "monitor", *args], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr


def test_an_older_schema_names_both_revisions(
    bare_db_url: str, make_settings: Any
) -> None:
    from monitor.store import migrate

    settings = make_settings(database_url=bare_db_url)
    migrate.upgrade(bare_db_url, "0001")
    env = {**os.environ, **settings.as_env(), "MONITOR_LOG_FORMAT": "console"}
    result = subprocess.run([sys.executable, "-m", "monitor", "feed", "list"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == ExitCode.CONFIG and "at revision 0001" in result.stderr, result.stderr
    assert "monitor db upgrade" in result.stderr
