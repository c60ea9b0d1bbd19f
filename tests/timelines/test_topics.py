"""A country's timeline with every loaded topic (MONITOR_TOPIC_DIR), not only the first:
each story is read with the loaded topics that alerted it about the country, in the set's
order; one row per (story, kind), the first topic's, naming it. On both databases through
``monitor timeline``, which shares ``country_timeline`` with the page and the API."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.matching.topic_set import classify_all, load_topic_set
from monitor.store.db import make_engine
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.timelines.commands import export_timeline
from monitor.timelines.cues import TimelineCues
from monitor.timelines.rows import StoredStory, timeline_rows, timeline_topics
from tests import PROJECT_ROOT
from tests.stream.test_handler import RIO

TOPICS = load_topic_set(sorted((PROJECT_ROOT / "seeds" / "topics").glob("*.toml")))
UA, RU = "ukraine-latam", "russia-latam"
DAY = datetime(2026, 12, 1, 12, tzinfo=UTC)
PUTIN = (
    "Lula meets Putin in Moscow",
    "Brazilian President Luiz Inácio Lula da Silva met Russian President Vladimir Putin in "
    "Moscow on Friday. Brazil's government said it remains neutral.",
)
UN_VOTE = (
    "Brazil abstains in UN vote on Ukraine resolution",
    "Brazil abstained in the UN General Assembly vote on a resolution demanding Russia "
    "withdraw from Ukraine.",
)


def stored(n: int, story: tuple[str, str], topics: tuple[str, ...]) -> StoredStory:
    return StoredStory(n, story[0], story[1], None, "en", "Wire", DAY, topics)


def rows_of(cues: TimelineCues, *stories: StoredStory) -> list[tuple[int, str, str]]:
    rows = timeline_rows(TOPICS.topics, cues, stories, "BR", date(2026, 11, 1), date(2026, 12, 6))
    return [(int(row.story_id), row.kind, row.topic) for row in rows]


def test_the_topics_read_are_the_loaded_ones_that_alerted_it_in_the_sets_order() -> None:
    assert [t.topic_id for t in timeline_topics(TOPICS.topics, [UA, RU])] == [RU, UA]
    assert [t.topic_id for t in timeline_topics(TOPICS.topics, [UA, "gone"])] == [UA]
    assert timeline_topics(TOPICS.topics, ["gone"]) == []


def test_a_story_only_russias_topic_reads_has_its_rows(cues: TimelineCues) -> None:
    # Read with the Ukraine topic alone (the founding file) this story gave nothing.
    assert rows_of(cues, stored(1, PUTIN, (UA,))) == []
    assert rows_of(cues, stored(1, PUTIN, (RU,))) == [
        (1, "meeting", RU),
        (1, "visit", RU),
        (1, "stance", RU),
    ]


def test_each_kind_once_per_story_from_the_first_topic_that_gives_it(cues: TimelineCues) -> None:
    both = rows_of(cues, stored(1, PUTIN, (UA, RU)), stored(2, UN_VOTE, (UA, RU)))
    assert both == [(1, "meeting", RU), (1, "visit", RU), (1, "stance", RU), (2, "un-vote", UA)]
    assert rows_of(cues, stored(2, UN_VOTE, ("gone",))) == []  # no loaded topic alerted it


def test_monitor_timeline_reads_with_every_loaded_topic(
    db_url: str, make_settings: Any, tmp_path: Path
) -> None:
    settings = make_settings(database_url=db_url)
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    items = [
        replace(
            RIO[0],
            item_id=f"t-{n}",
            guid=f"t-{n}",
            url=f"https://t.example/{n}",
            title=title,
            text=text,
            published=now - timedelta(hours=n),
            fetched_at=now,
            simhash=0,
            title_key="",
        )
        for n, (title, text) in enumerate((PUTIN, UN_VOTE), start=1)
    ]
    ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TOPICS, lean=True),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    ).handle(items)
    engine.dispose()
    out = tmp_path / "br.csv"
    assert export_timeline(settings, "BR", start=None, end=None, fmt="csv", output=str(out)) == 0
    found = {
        (row["kind"], row["topic"])
        for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    }
    assert found == {("meeting", RU), ("visit", RU), ("stance", RU), ("un-vote", UA)}
