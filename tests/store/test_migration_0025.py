"""Migration 0025 keeps what the rows placed before it meant: every threaded story was
grouped with its thread then, so it stays grouped (its alerts folded as they were), and
what it matched is unknown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text

from monitor.store import migrate
from monitor.store import threads as thread_store
from monitor.store.db import transaction
from monitor.store.tables import story_threads


def test_rows_placed_before_0025_stay_grouped(db_url: str, engines: Any) -> None:
    migrate.downgrade(db_url, "0024")
    engine = engines(db_url)
    with transaction(engine) as conn:
        for story_id, rule in ((1, "new"), (2, "same-type"), (3, "same-leaders")):
            conn.execute(
                text(
                    "INSERT INTO story_threads (story_id, thread_id, day, rule, facts, created_at)"
                    " VALUES (:s, 7, :d, :r, '{}', :c)"
                ),
                {"s": story_id, "d": date(2024, 5, 1), "r": rule, "c": datetime.now(UTC)},
            )
    migrate.upgrade(db_url)
    with transaction(engine) as conn:
        rows = conn.execute(
            select(
                story_threads.c.story_id, story_threads.c.grouped, story_threads.c.matched_days
            ).order_by(story_threads.c.story_id)
        ).all()
        assert [tuple(r) for r in rows] == [(1, True, None), (2, True, None), (3, True, None)]
        assert thread_store.thread_of_stories(conn, [1, 2, 3], grouped_only=True) == {
            1: 7,
            2: 7,
            3: 7,
        }
    # … and the downgrade drops the two columns again.
    migrate.downgrade(db_url, "0024")
    with transaction(engine) as conn:
        columns = conn.execute(text("SELECT * FROM story_threads")).keys()
    assert "grouped" not in columns and "matched_days" not in columns
    migrate.upgrade(db_url)
