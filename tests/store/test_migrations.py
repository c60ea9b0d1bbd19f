"""Alembic migrations go up and down on SQLite and PostgreSQL and match the table definitions."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from monitor.store import migrate
from monitor.store.tables import metadata


def _not_the_search_index(name: str | None, kind: str, parents: Any) -> bool:
    """The full-text index (``story_search`` and FTS5's own tables) is not a Core table:
    its SQL lives in monitor/store/search_index.py."""
    return not (kind == "table" and (name or "").startswith("story_search"))


def test_upgrade_creates_the_schema_the_code_expects(db_url: str) -> None:
    assert migrate.is_up_to_date(db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        context = MigrationContext.configure(conn, opts={"include_name": _not_the_search_index})
        diff = compare_metadata(context, metadata)
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


def test_0003_copies_each_story_fingerprint_onto_its_band_rows(db_url: str, engines: Any) -> None:
    """Band rows written before 0003 get their story's SimHash (negative values included)."""
    migrate.downgrade(db_url, "0002")
    engine = engines(db_url)
    with engine.begin() as conn:
        for story_id, simhash in ((1, -8_000_000_000_000_000_000), (2, 12345)):
            _insert_story(conn, story_id, simhash)
            for band in range(2):
                conn.execute(
                    text("INSERT INTO story_bands (band_key, story_id) VALUES (:k, :id)"),
                    {"k": band << 32 | story_id, "id": story_id},
                )
    migrate.upgrade(db_url, "0003")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT story_id, simhash FROM story_bands ORDER BY story_id, band_key")
        ).all()
    assert [tuple(r) for r in rows] == [
        (1, -8_000_000_000_000_000_000),
        (1, -8_000_000_000_000_000_000),
        (2, 12345),
        (2, 12345),
    ]


def test_band_indexes_cover_the_fingerprint_on_postgresql(pg_url: str, engines: Any) -> None:
    """The band look-up is index-only on PostgreSQL: each band index INCLUDEs simhash."""
    with engines(pg_url).connect() as conn:
        definitions = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'ix_stories_band%'"
                 " ORDER BY indexname")
        ).scalars().all()
    assert len(definitions) == 4
    for index, definition in enumerate(definitions):
        assert f"(band{index}, id) INCLUDE (simhash)" in definition


def test_0008_moves_band_rows_into_story_columns_and_back(db_url: str, engines: Any) -> None:
    """Stories written at 0007 get band columns equal to their band rows (negative
    fingerprints and stories without one included), and a downgrade restores the rows."""
    from monitor.feeds.fingerprint import from_signed64
    from monitor.store.stories import band_keys

    migrate.downgrade(db_url, "0007")
    engine = engines(db_url)
    fingerprints = {1: -8_000_000_000_000_000_000, 2: 12345, 3: 0, 4: -1}
    with engine.begin() as conn:
        for story_id, simhash in fingerprints.items():
            _insert_story(conn, story_id, simhash)
            for key in band_keys(from_signed64(simhash)) if simhash else ():
                conn.execute(
                    text("INSERT INTO story_bands (band_key, story_id, simhash)"
                         " VALUES (:k, :id, :h)"),
                    {"k": key, "id": story_id, "h": simhash},
                )
        before = conn.execute(
            text("SELECT band_key, story_id, simhash FROM story_bands ORDER BY 1, 2")
        ).all()
    migrate.upgrade(db_url, "0008")
    with engine.connect() as conn:
        columns = {
            row[0]: tuple(row[1:])
            for row in conn.execute(text("SELECT id, band0, band1, band2, band3 FROM stories"))
        }
        assert "story_bands" not in inspect(conn).get_table_names()
    for story_id, simhash in fingerprints.items():
        expected = band_keys(from_signed64(simhash)) if simhash else (None,) * 4
        assert columns[story_id] == expected, story_id
    migrate.downgrade(db_url, "0007")
    with engine.connect() as conn:
        after = conn.execute(
            text("SELECT band_key, story_id, simhash FROM story_bands ORDER BY 1, 2")
        ).all()
    assert [tuple(r) for r in after] == [tuple(r) for r in before] and len(before) == 12
    migrate.upgrade(db_url)


def test_0014_back_fills_existing_subscriptions_with_the_founding_topic(
    db_url: str, engines: Any
) -> None:
    """Subscriptions stored before 0014 keep today's behaviour: the Ukraine topic."""
    from monitor.store.subscribers import get_subscription

    migrate.downgrade(db_url, "0011")
    engine = engines(db_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO subscribers (id, email, display_name, time_zone, confirmed,"
                 " status, created_at) VALUES (1, 'a@example.org', '', 'UTC', true,"
                 " 'active', '2026-01-01 00:00:00')")
        )
        for sid in (1, 2):
            conn.execute(
                text("INSERT INTO subscriptions (id, subscriber_id, name, query, filters, mode,"
                     " digest_time, digest_weekday, paused, created_at, updated_at)"
                     " VALUES (:id, 1, '', NULL, '{}', 'immediate', '08:00', 0, false,"
                     " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"),
                {"id": sid},
            )
    migrate.upgrade(db_url, "0014")
    with engine.connect() as conn:
        topics = conn.execute(text("SELECT topic FROM subscriptions ORDER BY id")).scalars().all()
    assert topics == ["ukraine-latam", "ukraine-latam"]
    migrate.upgrade(db_url)  # the store reads the whole row as the head schema has it
    with engine.connect() as conn:
        row = get_subscription(conn, 2)
    assert row is not None and row.topic == "ukraine-latam"
    assert row.volume_alerts is False  # 0018: nobody follows volume alerts unasked
    migrate.downgrade(db_url, "0011")
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("subscriptions")}
    assert "topic" not in columns
    migrate.upgrade(db_url)


def _insert_story(conn: Any, story_id: int, simhash: int) -> None:
    """A story row as the schemas before 0008 had it (no band columns)."""
    conn.execute(
        text(
            "INSERT INTO stories (id, title, text, html, credited_outlet, title_key,"
            " simhash, published_at, first_seen_at, updated_at, source_count)"
            " VALUES (:id, 't', 'x', '', 'o', :key, :h, :now, :now, :now, 1)"
        ),
        {"id": story_id, "key": f"k{story_id}", "h": simhash, "now": "2026-11-28"},
    )


def test_0013_indexes_the_stories_stored_before_it(db_url: str, engines: Any) -> None:
    """The search index is back-filled, so a search finds stories older than the index."""
    from monitor.matching.query import parse
    from monitor.search.archive import search_archive
    from monitor.store import search_index

    migrate.downgrade(db_url, "0011")
    with engines(db_url).begin() as conn:
        for story_id in (1, 2):
            _insert_story(conn, story_id, 0)
        conn.execute(text("UPDATE stories SET title = 'Zelensky in Brasília' WHERE id = 2"))
    migrate.upgrade(db_url)
    with engines(db_url).begin() as conn:
        assert search_index.indexed_count(conn) == 2
        found = search_archive(conn, parse("brasilia NEAR/1 zelensky"))
    assert [f.story.id for f in found.found] == [2]
    assert found.candidates == 1  # from the index, not a scan


def test_0016_gives_existing_subscribers_english(db_url: str, engines: Any) -> None:
    """Subscribers stored before 0016 keep today's messages: English."""
    from monitor.store.subscribers import get_subscriber

    migrate.downgrade(db_url, "0015")
    engine = engines(db_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO subscribers (id, email, display_name, time_zone, confirmed,"
                 " status, created_at) VALUES (1, 'a@example.org', '', 'UTC', true,"
                 " 'active', '2026-01-01 00:00:00')")
        )
    migrate.upgrade(db_url, "0016")
    with engine.connect() as conn:
        row = get_subscriber(conn, 1)
    assert row is not None and row.language == "en"
    migrate.downgrade(db_url, "0015")
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("subscribers")}
    assert "language" not in columns
    migrate.upgrade(db_url)
