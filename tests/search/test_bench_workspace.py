"""The workspace benchmark's archive is built by the store's own writes, completely, once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from bench import workspace_data
from monitor.store import search_index
from monitor.store.db import transaction
from monitor.store.tables import alerts, stories, story_sources


def test_a_small_archive_is_whole_indexed_and_reused(pg_url: str, engines: Any) -> None:
    engine = engines(pg_url)
    assert workspace_data.fill(engine, 400) > 0
    with transaction(engine) as conn:
        assert conn.execute(select(func.count()).select_from(stories)).scalar_one() == 400
        assert search_index.indexed_count(conn) == 400
        assert conn.execute(select(func.count()).select_from(alerts)).scalar_one() == 100
        copies = conn.execute(select(func.count()).select_from(story_sources)).scalar_one()
        assert copies == 400 + 80  # one in five has a second copy
        counted = conn.execute(select(func.sum(stories.c.source_count))).scalar_one()
        assert counted == copies
        indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
        assert set(workspace_data.SET_ASIDE) <= indexes, "the indexes set aside are back"
        assert conn.execute(text("SELECT to_regclass('bench_set_aside')")).scalar() is None
        countries = {c for row in conn.execute(select(alerts.c.countries)) for c in row[0]}
    assert countries and all(len(code) == 2 for code in countries)
    assert workspace_data.fill(engine, 400) == 0, "a second run reuses the archive"
    assert len(workspace_data.sample_ids(engine, 5)) == 5
