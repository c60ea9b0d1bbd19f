"""The database's per-day counts (``counts_per_day``) equal the rule (``tally`` over
``alert_rows``) on both databases: readers in zones with daylight saving, alerts on a
day's first second and the one before, a story alerted under two topics (once before the
period), repeated and missing countries, empty categories and outlets, and an alert whose
story row is gone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitor.store.db import bulk_insert, transaction
from monitor.store.stories import band_columns, insert_stories
from monitor.store.tables import alerts
from monitor.trends.local_days import day_start
from monitor.trends.volumes import (
    CATEGORY,
    COUNTRY,
    OUTLET,
    alert_rows,
    counts_per_day,
    daily_counts,
    period_bounds,
    tally,
)

KINDS = (COUNTRY, CATEGORY, OUTLET)
# (zone, first day, last day): São Paulo's 2018 spring change was at midnight
PERIODS = [
    ("America/Sao_Paulo", date(2018, 10, 30), date(2018, 11, 8)),
    ("Australia/Lord_Howe", date(2026, 4, 1), date(2026, 4, 10)),
    ("UTC", date(2018, 10, 30), date(2018, 11, 8)),
    ("Asia/Kathmandu", date(2018, 11, 1), date(2018, 11, 30)),
]
OUTLETS = ["Télam", "", "Agência Brasil", "O'Globo", "Ñandú"]
COUNTRY_SETS: list[list[str]] = [["BR"], ["AR", "BR"], [], ["BR", "BR"], ["MX"], ["UA", "AR"]]
CATEGORIES = ["peace-plan", "trade-economy", None, ""]


def moments(rng: random.Random) -> list[datetime]:
    """Random instants around every period, and each period day's first second, the second
    before it and a microsecond before it."""
    found: list[datetime] = []
    for name, first, last in PERIODS:
        zone = ZoneInfo(name)
        start, end = period_bounds(first - timedelta(days=1), last + timedelta(days=1), zone)
        span = (end - start).total_seconds()
        found += [start + timedelta(seconds=rng.uniform(0, span)) for _ in range(60)]
        for n in range((last - first).days + 2):
            begins = datetime.fromtimestamp(day_start(first + timedelta(days=n), zone), UTC)
            found += [begins, begins - timedelta(seconds=1), begins - timedelta(microseconds=1)]
    return found


def archive(engine: Any) -> None:
    rng = random.Random(17)
    at = moments(rng)
    story_rows = [
        {
            "title": f"Story {n}",
            "text": "",
            "html": "",
            "url": f"https://example.org/{n}",
            "lang": "en",
            "credited_outlet": OUTLETS[n % len(OUTLETS)],
            "title_key": f"story {n}",
            "simhash": 0,
            "published_at": when,
            "first_seen_at": when,
            "updated_at": when,
            "source_count": 1,
            **band_columns(0),
        }
        for n, when in enumerate(at)
    ]
    with transaction(engine) as conn:
        ids = insert_stories(conn, story_rows)
        rows = []
        for n, (story_id, when) in enumerate(zip(ids, at, strict=True)):
            if n % 11 == 5:
                story_id = 10_000_000 + n  # its story row is gone
            rows.append(
                {
                    "story_id": story_id,
                    "topic": "ukraine-latam",
                    "score": 0.8,
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "countries": COUNTRY_SETS[n % len(COUNTRY_SETS)],
                    "matched": [],
                    "revision": 1,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            if n % 3 == 0:  # the same story alerted again under another topic, later or earlier
                rows.append(
                    {
                        **rows[-1],
                        "topic": "russia-latam",
                        "category": CATEGORIES[(n + 1) % len(CATEGORIES)],
                        "countries": COUNTRY_SETS[(n + 1) % len(COUNTRY_SETS)],
                        "created_at": when + timedelta(hours=rng.uniform(-40, 40)),
                    }
                )
        bulk_insert(conn, alerts, rows)


def test_the_database_counts_what_tally_counts(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    archive(engine)
    checked = 0
    with transaction(engine) as conn:
        for name, first, last in PERIODS:
            zone = ZoneInfo(name)
            for topic in (None, "russia-latam"):
                for kinds in (KINDS, (COUNTRY, CATEGORY), (OUTLET,)):
                    rows = alert_rows(conn, *period_bounds(first, last, zone), topic=topic)
                    want = tally(rows, first, last, zone=zone, kinds=kinds)
                    got = counts_per_day(conn, first, last, zone=zone, kinds=kinds, topic=topic)
                    assert got.counts == want, (name, topic, kinds)
                    assert got.stories == len({row.story_id for row in rows}), (name, topic)
                    checked += sum(sum(series) for series in want.values())
            assert daily_counts(conn, first, last) == tally(
                alert_rows(conn, *period_bounds(first, last)), first, last
            )
        # the awkward rows are there to be counted
        assert any(
            k.startswith("outlet:")
            for k in counts_per_day(conn, *PERIODS[0][1:], kinds=KINDS).counts
        )
        nothing = counts_per_day(conn, date(2000, 1, 1), date(2000, 1, 31), kinds=KINDS)
        assert nothing.counts == {} and nothing.stories == 0
    assert checked > 1_000
