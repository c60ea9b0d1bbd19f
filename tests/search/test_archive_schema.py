"""A kept benchmark archive whose Alembic stamp names other migrations than it ran is
repaired by what its schema holds, never trusted blindly (bench/archive_schema.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from bench import archive_schema
from bench.archive_schema import Mark, Schema, Step, schema_plan
from bench.bench_workspace import ensure_database
from monitor.store import migrate

CHAIN = [f"{n:04d}" for n in range(1, 22)]


def marks_found(*missing: str) -> dict[str, bool]:
    """Every mark of the chain found except those of ``missing``."""
    return {r: r not in missing for r in CHAIN if r in archive_schema.MARKS}


def test_a_true_stamp_at_head_needs_nothing() -> None:
    plan = schema_plan("0021", CHAIN, marks_found(), has_tables=True)
    assert plan.steps == () and plan.mismatch is None and not plan.rebuild


def test_a_true_stamp_behind_head_is_upgraded_as_usual() -> None:
    plan = schema_plan("0018", CHAIN, marks_found("0019", "0020", "0021"), has_tables=True)
    assert plan.steps == (Step("upgrade", "0021"),)
    assert plan.mismatch is None


def test_an_empty_database_is_upgraded_from_nothing() -> None:
    plan = schema_plan(None, CHAIN, marks_found(*CHAIN), has_tables=False)
    assert plan.steps == (Step("upgrade", "0021"),) and plan.mismatch is None


def test_the_renumbered_archives_stamp_is_repaired_by_their_schema() -> None:
    # The shared archives: stamped 0019, without 0016's column, 0018's and 0019's tables,
    # and with 0017's indexes (0020 then changed one of them).
    missing = ("0016", "0018", "0019", "0020", "0021")
    plan = schema_plan("0019", CHAIN, marks_found(*missing), has_tables=True)
    assert plan.steps == (
        Step("stamp", "0015"),
        Step("upgrade", "0016"),
        Step("stamp", "0017"),
        Step("upgrade", "0021"),
    )
    assert plan.mismatch is not None
    assert "0016 did not run" in plan.mismatch and "0018 did not run" in plan.mismatch
    assert not plan.rebuild


def test_a_schema_ahead_of_its_stamp_is_stamped_forward() -> None:
    plan = schema_plan("0017", CHAIN, marks_found(), has_tables=True)
    assert plan.steps == (Step("stamp", "0021"),)
    assert plan.mismatch is not None and "0018 ran" in plan.mismatch


def test_an_unknown_stamp_is_rebuilt() -> None:
    plan = schema_plan("0042", CHAIN, marks_found(), has_tables=True)
    assert plan.rebuild and plan.steps == ()
    assert plan.mismatch is not None and "0042" in plan.mismatch


def test_tables_without_a_stamp_are_placed_by_their_marks() -> None:
    plan = schema_plan(None, CHAIN, marks_found("0020", "0021"), has_tables=True)
    assert plan.steps == (Step("stamp", "0019"), Step("upgrade", "0021"))
    assert plan.mismatch is not None


def test_a_mark_on_an_index_checks_its_columns() -> None:
    mark = Mark("stories", index="ix_stories_first_seen_at", columns=("first_seen_at", "id"))
    assert mark.index is not None and mark.columns is not None
    old = Schema({"stories": frozenset({"id"})}, {"stories": {mark.index: ("first_seen_at",)}})
    new = Schema({"stories": frozenset({"id"})}, {"stories": {mark.index: mark.columns}})
    assert not old.has(mark) and new.has(mark)
    assert not Schema({}, {}).has(Mark("threads"))
    stats = Mark("alerts", statistics="st_alerts_countries_text")
    alerts_only = {"alerts": frozenset({"countries"})}
    assert Schema(alerts_only, {}, frozenset({"st_alerts_countries_text"})).has(stats)
    assert not Schema(alerts_only, {}, frozenset()).has(stats)
    assert Schema(alerts_only, {}, None).has(stats), "SQLite has no statistics objects"


def test_every_migration_after_the_eighth_has_a_mark() -> None:
    chain = migrate.revision_chain()
    assert chain[:3] == ["0001", "0002", "0003"]
    assert [r for r in chain if r >= "0009" and r not in archive_schema.MARKS] == []


@pytest.mark.parametrize("stamped", ["0019", None])
def test_a_misstamped_archive_is_repaired_to_head(pg_url: str, stamped: str | None) -> None:
    # Rebuild the shared archives' state: 0017 ran, 0016, 0018-0020 did not, stamp 0019.
    migrate.downgrade(pg_url, "0015")
    migrate.stamp(pg_url, "0016")
    migrate.upgrade(pg_url, "0017")
    migrate.stamp(pg_url, stamped or "0019")
    engine: Any = create_engine(pg_url)
    try:
        if stamped is None:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE alembic_version")
        assert "language" not in {c["name"] for c in inspect(engine).get_columns("subscribers")}
        ensure_database(pg_url)
        found = inspect(engine)
        assert "language" in {c["name"] for c in found.get_columns("subscribers")}
        assert {"threads", "volume_alerts"} <= set(found.get_table_names())
        with engine.connect() as conn:
            stats = set(conn.exec_driver_sql("SELECT stxname FROM pg_statistic_ext").scalars())
        assert "st_alerts_countries_text" in stats
    finally:
        engine.dispose()
    assert migrate.current_revision(pg_url) == migrate.head_revision()
