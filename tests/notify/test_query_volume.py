"""A stored query's own volume (issue 19): when the stories a subscription's query matches
spike, that subscription (and only it) is told, though its country's volume is ordinary;
through the real mailer's watch to the SMTP sink, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from monitor.matching.query import parse
from monitor.notify.volume import QueryInputs, VolumeWatch, count_queries
from monitor.store import search_index
from monitor.store.db import transaction
from monitor.store.tables import alerts, stories, subscriptions, volume_alerts
from tests.notify.test_mailer import run_pass, subscribe
from tests.notify.test_volume import NOW, TODAY, text_of, world  # noqa: F401 (a fixture)


def add_stories(engine: Any, day: date, titles: list[str], *, topic: str = "ukraine-latam") -> None:
    """Alerted stories about Brazil on ``day`` (noon UTC onward), indexed for search in the
    same transaction, as the worker stores them."""
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    with transaction(engine) as conn:
        for i, title in enumerate(titles):
            text = f"{title}. Brasília and Kyiv spoke again."
            story = conn.execute(
                stories.insert()
                .values(
                    title=title,
                    text=text,
                    url=f"https://news.example.org/{day.isoformat()}/{i}",
                    credited_outlet="Example News",
                    published_at=noon,
                )
                .returning(stories.c.id)
            ).scalar_one()
            search_index.index_stories(conn, [(int(story), title, text)], fresh=True)
            conn.execute(
                alerts.insert().values(
                    story_id=story,
                    topic=topic,
                    score=0.5 + i / 100,
                    category="trade-economy",
                    countries=["BR"],
                    matched=[],
                    created_at=noon + timedelta(minutes=i),
                    updated_at=noon,
                )
            )


def subscription_of(engine: Any, subscriber: int) -> int:
    with transaction(engine) as conn:
        return int(
            conn.execute(
                select(subscriptions.c.id).where(subscriptions.c.subscriber_id == subscriber)
            ).scalar_one()
        )


def test_a_query_whose_matches_spike_tells_its_own_subscription(world: Any) -> None:  # noqa: F811
    settings, engine, sink, _ = world
    # Brazil's coverage is steady (8 stories a day); the lithium stories among them jump
    # from 1 a day to 6 today.
    for back in range(1, 16):
        day = TODAY - timedelta(days=back)
        add_stories(engine, day, ["Lithium deal talks"] + [f"Grain corridor {i}" for i in range(7)])
    add_stories(
        engine,
        TODAY,
        [f"Lithium exports to Kyiv, part {i}" for i in range(6)] + ["Grain 1", "Grain 2"],
    )
    desk = subscribe(
        engine,
        "lithium@example.org",
        name="Lithium desk",
        query="lithium",
        filters={"countries": ["BR"]},
        volume_alerts=True,
    )
    subscribe(engine, "quiet@example.org", query="lithium")  # does not follow volumes
    subscribe(  # follows Brazil's volume, which is ordinary
        engine, "brazil@example.org", filters={"countries": ["BR"]}, volume_alerts=True
    )
    subscribe(  # the same query under another topic: none of its alerts match
        engine, "russia@example.org", query="lithium", topic="russia-latam", volume_alerts=True
    )

    assert run_pass(settings, engine, NOW) == 1
    (got,) = sink.received
    assert got.rcpt_tos == ["lithium@example.org"]
    subject = str(got.message["Subject"])
    assert "“lithium”: 6 stories today against a usual 1.0" in subject, subject
    body = text_of(got.message)
    assert "Lithium exports to Kyiv, part 5" in body  # the query's best-scored match first
    assert "Grain" not in body  # the day's other Brazil stories are not the query's
    assert "Lithium desk" in body
    with transaction(engine) as conn:
        raised = conn.execute(select(volume_alerts.c.key, volume_alerts.c.observed)).all()
    assert [tuple(r) for r in raised] == [
        (f"ukraine-latam/query:{subscription_of(engine, desk)}", 6)
    ]

    # The same cooldown as every key: nothing again the same day unless it grows by half.
    assert VolumeWatch(settings, engine).run_once(NOW + timedelta(hours=1)) == 0
    add_stories(engine, TODAY, [f"Lithium output, part {i}" for i in range(3)])
    assert VolumeWatch(settings, engine).run_once(NOW + timedelta(hours=2)) == 1


def test_counting_queries_builds_each_document_once_and_keeps_only_the_windows() -> None:
    def alert(story_id: int, title: str, topic: str = "ukraine-latam") -> SimpleNamespace:
        return SimpleNamespace(
            story_id=story_id,
            topic=topic,
            created_at=datetime.combine(TODAY, time(9), tzinfo=UTC),
            title=title,
            text="",
            url=None,
            lang="en",
            credited_outlet="X",
            countries=["BR"],
            category="trade-economy",
        )

    rows = [alert(1, "Lithium deal"), alert(2, "Lithium mine", "russia-latam"), alert(3, "Grain")]
    watchers = [
        (SimpleNamespace(id=10, topic="ukraine-latam", query="lithium"), None),
        (SimpleNamespace(id=11, topic="all", query=" lithium "), None),
        (SimpleNamespace(id=12, topic="all", query="lithium OR grain"), None),
    ]
    inputs = QueryInputs(
        {
            ("ukraine-latam", "lithium"): parse("lithium"),
            ("all", "lithium"): parse("lithium"),
            ("all", "lithium OR grain"): parse("lithium OR grain"),
        },
        rows,
        {
            ("ukraine-latam", "lithium"): None,
            ("all", "lithium"): None,
            ("all", "lithium OR grain"): {1, 3},
        },
    )
    docs: dict[tuple[Any, ...], Any] = {}
    first = count_queries(inputs, watchers, TODAY - timedelta(days=1), TODAY, docs=docs)
    assert first.counts == {
        "ukraine-latam/query:10": [0, 1],  # its topic's alerts only
        "all/query:11": [0, 2],  # every topic's
        "all/query:12": [0, 2],  # story 2 is not among its candidates
    }
    assert first.today["all/query:12"] == {1, 3}
    assert len(docs) == 3
    kept = dict(docs)
    # The next check: story 3 left the window; the others' documents are reused as they are.
    again = QueryInputs(inputs.wanted, rows[:2], inputs.among)
    count_queries(again, watchers, TODAY - timedelta(days=1), TODAY, docs=docs)
    assert len(docs) == 2 and all(docs[k] is kept[k] for k in docs)
