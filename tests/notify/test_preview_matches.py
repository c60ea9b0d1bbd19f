"""``preview_matches``, the core of `monitor query test` and the workspace's live preview:
the exact evaluator decides the query, fan-out's filters the rest, days are the reader's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.matching.query import matches, parse
from monitor.notify.preview import (
    StoryDocs,
    preview_matches,
    preview_window,
    stored_story_doc,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def story(n: int, title: str, seen: datetime, **values: Any) -> SimpleNamespace:
    """A row as ``alerted_stories_since`` returns it."""
    fields: dict[str, Any] = {
        "id": n,
        "title": title,
        "text": "",
        "url": f"https://news.example/{n}",
        "lang": "en",
        "credited_outlet": "Wire",
        "published_at": seen,
        "first_seen_at": seen,
        "alert_id": n,
        "category": "other",
        "countries": ["BR"],
        "score": 0.8,
        **values,
    }
    return SimpleNamespace(**fields)


# 02:30 UTC on 10 March is still 9 March in São Paulo (UTC-3).
LATE = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
ROWS = [
    story(1, "Lula meets Zelensky", LATE),
    story(2, "Zelensky in Buenos Aires", LATE - timedelta(hours=2), countries=["AR"]),
    story(3, "Lula on trade", LATE + timedelta(days=1), lang="pt", score=0.4),
    story(4, "Nothing of note", LATE + timedelta(days=1)),
]


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        ("Zelensky", {}, [1, 2]),
        ("Zelensky", {"countries": ["AR"]}, [2]),
        ("Lula OR Zelensky", {"min_score": 0.5}, [1, 2]),
        ("Lula", {"languages": ["pt"]}, [3]),
        (None, {}, [1, 2, 3, 4]),
        ("NOT Lula", {"countries": ["BR"]}, [4]),
        ("Bolsonaro", {}, []),
    ],
)
def test_matches_are_the_evaluators_then_the_filters(
    query: str | None, filters: dict[str, Any], expected: list[int]
) -> None:
    result = preview_matches(ROWS, query, filters, zone=SAO_PAULO, first_day=date(2026, 3, 1))
    assert [row.id for row in result.matched] == expected
    assert result.considered == len(ROWS)
    assert len(result.per_day) == 30 and sum(d.count for d in result.per_day) == len(expected)
    if query:  # the query alone agrees with the naive evaluator on the same document
        node = parse(query)
        by_query = {row.id for row in ROWS if matches(node, stored_story_doc(row))}
        assert set(expected) <= by_query


def test_days_are_the_readers_days() -> None:
    result = preview_matches(ROWS, None, zone=SAO_PAULO, first_day=date(2026, 3, 8))
    counts = {d.day: d.count for d in result.per_day}
    assert counts[date(2026, 3, 9)] == 2  # rows 1 and 2: late evening of the 9th there
    assert counts[date(2026, 3, 10)] == 2
    assert counts[date(2026, 3, 8)] == 0 and result.busiest == 2
    in_utc = preview_matches(ROWS, None, first_day=date(2026, 3, 8))
    assert {d.day: d.count for d in in_utc.per_day}[date(2026, 3, 10)] == 2
    assert {d.day: d.count for d in in_utc.per_day}[date(2026, 3, 11)] == 2


def test_the_window_is_thirty_of_the_readers_days_ending_today() -> None:
    since, first = preview_window(datetime(2026, 3, 31, 1, 0, tzinfo=UTC), SAO_PAULO)
    assert first == date(2026, 3, 1)  # still 30 March in São Paulo
    assert since == datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def test_remembered_documents_are_the_same_and_follow_changes() -> None:
    docs = StoryDocs(size=2)
    first = docs(ROWS[0])
    assert docs(ROWS[0]) is first and first.sequences == stored_story_doc(ROWS[0]).sequences
    retitled = SimpleNamespace(**{**vars(ROWS[0]), "title": "Lula meets Boric"})
    assert docs(retitled) is not first and "boric" in docs(retitled).sequences["title"]
    docs(ROWS[1])
    assert docs(ROWS[0]) is not first  # the oldest of three went: at most two are kept
    remembered = preview_matches(ROWS, "Zelensky", zone=SAO_PAULO, doc_of=StoryDocs())
    assert remembered == preview_matches(ROWS, "Zelensky", zone=SAO_PAULO)
