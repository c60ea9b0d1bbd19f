"""Stored queries too costly to evaluate are refused at every door, with where and why."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.store.db import make_engine, transaction
from monitor.store.subscribers import add_subscriber, add_subscription

NINE_OPERANDS = " NEAR/1 ".join(["Lula", "Milei", "Boric", "Petro", "Arce", "Noboa",
                                 "Orsi", "Peña", "Zelensky"])
HOSTILE_BUT_BOUNDED = " NEAR/20 ".join(["peace"] * 6)


@pytest.fixture
def run(db_url: str, make_settings: Any) -> Any:
    settings = make_settings(database_url=db_url)

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **settings.as_env(), "MONITOR_LOG_FORMAT": "console"}
        return subprocess.run([sys.executable, "-m", "monitor", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    return call


def test_query_test_and_subscriber_add_edit_import_refuse_a_group_of_nine(
    run: Any, tmp_path: Path
) -> None:
    where = f"position {NINE_OPERANDS.rindex('NEAR')}"
    preview = run("query", "test", NINE_OPERANDS)
    assert preview.returncode == 2, preview.stdout
    assert where in preview.stderr and "too many operands" in preview.stderr
    add = run("subscriber", "add", "desk@example.org", "--query", NINE_OPERANDS)
    assert add.returncode == 2 and where in add.stderr and "limit 8" in add.stderr
    assert run("subscriber", "add", "desk@example.org", "--query", "Lula").returncode == 0
    edit = run("subscriber", "edit", "1", "--query", NINE_OPERANDS)
    assert edit.returncode == 2 and where in edit.stderr
    people = tmp_path / "people.csv"
    people.write_text(f"email,query\nother@example.org,{NINE_OPERANDS}\n", encoding="utf-8")
    imported = run("subscriber", "import", str(people))
    # An import takes the good rows and refuses the bad ones, each with its line (exit 1).
    assert imported.returncode == 1, imported.stdout + imported.stderr
    (refusal,) = [line for line in imported.stdout.splitlines() if "refused other@" in line]
    assert refusal.startswith("line 2:") and f"at {where}" in refusal
    listed = run("subscriber", "list").stdout
    assert "query: Lula" in listed and "other@" not in listed  # nothing changed
    assert "Traceback" not in preview.stderr + add.stderr + edit.stderr + imported.stderr


def test_the_issues_hostile_query_is_accepted_now_that_it_is_cheap(run: Any) -> None:
    preview = run("query", "test", HOSTILE_BUT_BOUNDED)
    assert preview.returncode == 0, preview.stderr
    added = run("subscriber", "add", "desk@example.org", "--query", HOSTILE_BUT_BOUNDED)
    assert added.returncode == 0, added.stderr


def test_subscriber_list_names_a_stored_query_that_breaks_a_newer_limit(
    run: Any, db_url: str
) -> None:
    """Saved before the limit (here: written to the database directly): listed as disabled."""
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        pid, _ = add_subscriber(conn, "legacy@example.org", confirmed=True, now=now)
        add_subscription(conn, pid, now=now, name="old", query=NINE_OPERANDS, filters={})
        add_subscription(conn, pid, now=now, name="ok", query="Lula", filters={})
    engine.dispose()
    listed = run("subscriber", "list")
    assert listed.returncode == 0, listed.stderr
    disabled = [line for line in listed.stdout.splitlines() if "! not delivered" in line]
    assert len(disabled) == 1, listed.stdout
    assert "too many operands" in disabled[0]
