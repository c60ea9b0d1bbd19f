"""``one_of`` finds exactly the rows whose values it is given, whatever the values hold.

On PostgreSQL the values travel as one array literal built by ``pg_array`` (quotes,
backslashes, commas and braces must survive the escaping); on SQLite as ``IN (…)``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from monitor.store import stories
from monitor.store.db import bulk_insert, one_of, pg_array, transaction
from monitor.store.tables import story_sources

NOW = datetime(2026, 12, 5, tzinfo=UTC)
AWKWARD = ['a"b', "c\\d", "e,f", "{g}", " h ", "NULL", "", "ação", "квітень", "x\ny", "'q'"]


def test_pg_array_round_trips_awkward_strings_and_big_integers(pg_url: str, engines: Any) -> None:
    engine = engines(pg_url)
    big = [-(2**63), 2**63 - 1, 0, 4_294_967_296]
    with transaction(engine) as conn:
        as_text = text("SELECT CAST(:a AS text[])")
        assert conn.execute(as_text, {"a": pg_array(AWKWARD)}).scalar_one() == AWKWARD
        as_bigint = text("SELECT CAST(:a AS bigint[])")
        assert conn.execute(as_bigint, {"a": pg_array(big)}).scalar_one() == big
        empty = text("SELECT cardinality(CAST(:a AS text[]))")
        assert conn.execute(empty, {"a": pg_array([])}).scalar_one() == 0


def test_pg_array_refuses_nul() -> None:
    with pytest.raises(ValueError, match="NUL"):
        pg_array(["fine", "bad\x00value"])


def _sources(story_id: int, ids: list[str]) -> list[dict[str, Any]]:
    return [{"story_id": story_id, "item_id": item_id, "feed_url": "f", "outlet": "o", "title": "t",
             "published_at": NOW, "first_seen_at": NOW} for item_id in ids]


def test_one_of_matches_exactly_the_given_values(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    stored = [v for v in AWKWARD if v] + ["plain"]
    with transaction(engine) as conn:
        [story_id] = stories.insert_stories(conn, [{
            "title": "T", "text": "x", "title_key": "t", "simhash": 1, "published_at": NOW,
            "first_seen_at": NOW, "updated_at": NOW, "credited_outlet": "O", "source_count": 1,
            **stories.band_columns(1),
        }])
        bulk_insert(conn, story_sources, _sources(story_id, stored))
        wanted = ['a"b', "c\\d", "{g}", "ação", "missing", "x\ny"]
        found = conn.execute(select(story_sources.c.item_id)
                             .where(one_of(conn, story_sources.c.item_id, wanted))).scalars()
        assert sorted(found) == sorted(set(wanted) & set(stored))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the database is read only
@given(st.lists(st.text(alphabet=st.characters(exclude_characters="\x00",
                                                exclude_categories=["Cs"]), max_size=12),
                max_size=20))
def test_pg_array_literal_parses_back_to_the_same_list(
    pg_url: str, engines: Any, values: list[str]
) -> None:
    engine = engines(pg_url)
    with engine.connect() as conn:
        got = conn.execute(text("SELECT CAST(:a AS text[])"), {"a": pg_array(values)}).scalar_one()
    assert got == values


def test_statements_are_planned_with_their_values_not_prepared(pg_url: str, engines: Any) -> None:
    """A prepared statement's generic plan, chosen while a table is small, sticks until the
    next ANALYZE (a sequential scan with a linear ``= ANY`` over a batch's ids); the engine
    therefore never prepares, however often a statement repeats."""
    engine = engines(pg_url)
    with transaction(engine) as conn:
        for _ in range(10):
            stories.processed_item_ids(conn, ["a", "b", "c"])
        prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
    assert prepared == 0


def test_one_of_an_empty_list_matches_nothing_on_any_column_type(
    db_url: str, engines: Any
) -> None:
    from monitor.store.tables import alerts

    engine = engines(db_url)
    with transaction(engine) as conn:
        by_id = select(alerts.c.id).where(one_of(conn, alerts.c.story_id, []))
        by_text = select(story_sources.c.id).where(one_of(conn, story_sources.c.item_id, []))
        assert conn.execute(by_id).all() == []
        assert conn.execute(by_text).all() == []
