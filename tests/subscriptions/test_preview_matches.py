"""``preview_matches``, the core of `monitor query test` and the workspace's live preview:
the exact evaluator decides the query, fan-out's filters the rest, days are the reader's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.matching.query import matches, parse
from monitor.store.stories import AlertedStory
from monitor.subscriptions.preview import (
    StoryDocs,
    preview_matches,
    preview_window,
    stored_story_doc,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
UA, RU = "ukraine-latam", "russia-latam"


def alert(n: int, title: str, seen: datetime, **values: Any) -> SimpleNamespace:
    """One alert's row of an ``AlertedStory``."""
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
        "topic": UA,
        **values,
    }
    return SimpleNamespace(**fields)


def story(n: int, title: str, seen: datetime, **values: Any) -> AlertedStory:
    """A story with one alert, as ``alerted_stories`` returns it."""
    return alerted(alert(n, title, seen, **values))


def alerted(*rows: SimpleNamespace) -> AlertedStory:
    first = rows[0]
    return AlertedStory(
        first.id,
        first.title,
        first.text,
        first.url,
        first.lang,
        first.credited_outlet,
        first.published_at,
        first.first_seen_at,
        rows,
    )


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
        by_query = {s.id for s in ROWS if matches(node, stored_story_doc(s.alerts[0]))}
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
    one, two = ROWS[0].alerts[0], ROWS[1].alerts[0]
    first = docs(one)
    assert docs(one) is first and first.sequences == stored_story_doc(one).sequences
    retitled = SimpleNamespace(**{**vars(one), "title": "Lula meets Boric"})
    assert docs(retitled) is not first and "boric" in docs(retitled).sequences["title"]
    docs(two)
    assert docs(one) is not first  # the oldest of three went: at most two are kept
    remembered = preview_matches(ROWS, "Zelensky", zone=SAO_PAULO, doc_of=StoryDocs())
    assert remembered == preview_matches(ROWS, "Zelensky", zone=SAO_PAULO)


# One story alerted under both topics: Ukraine's view names Brazil, Russia's Argentina too.
BOTH = alerted(
    alert(7, "Lula and Milei on Rosneft", LATE, alert_id=70, topic=UA, category="peace-plan"),
    alert(
        7,
        "Lula and Milei on Rosneft",
        LATE,
        alert_id=71,
        topic=RU,
        category="sanctions",
        countries=["BR", "AR"],
    ),
)


@pytest.mark.parametrize(
    ("topic", "query", "filters", "view"),
    [
        (None, None, {}, UA),  # all: the first alert its query and filters pass
        ("all", "Rosneft", {"countries": ["AR"]}, RU),  # only Russia's view names Argentina
        (UA, "Rosneft", {}, UA),
        (RU, None, {"categories": ["sanctions"]}, RU),
        (UA, None, {"countries": ["AR"]}, None),  # Ukraine's view does not name Argentina
        ("unloaded", None, {}, None),
    ],
)
def test_a_story_alerted_under_two_topics_is_one_story_under_the_view_sent(
    topic: str | None, query: str | None, filters: dict[str, Any], view: str | None
) -> None:
    result = preview_matches([BOTH], query, filters, topic=topic, first_day=date(2026, 3, 1))
    assert [(row.id, row.topic) for row in result.matched] == ([(7, view)] if view else [])
    assert sum(d.count for d in result.per_day) == (1 if view else 0)
    assert result.considered == (0 if topic == "unloaded" else 1)
