"""Event threads in the worker, on SQLite and PostgreSQL: the stored threads are the pure
grouping's, a replay changes nothing, two workers at once make one thread per event, and
an immediate subscriber gets one alert per thread per update window."""

from __future__ import annotations

import contextlib
import email
import email.policy
import functools
import json
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.matching.topic import load_topic
from monitor.matching.topic_set import TopicSet, classify_all
from monitor.models import FeedItem
from monitor.notify.assemble import Assembler
from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, add_subscription
from monitor.store.tables import (
    deliveries,
    emails,
    story_sources,
    story_threads,
    thread_alerts,
    threads,
)
from monitor.store.threads import thread_view
from monitor.stream.event_threads import Assigned, ThreadAssigner
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.threads.evaluate import load_stories
from monitor.threads.facts import ThreadStory, story_facts
from monitor.threads.group import group_stories
from tests import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "threads"
TOPIC = load_topic(PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml")
# In day order, as a stream would bring them (ties in file order).
STORIES = sorted(load_stories(DATA / "stories.jsonl"), key=lambda s: s.day)
EVENT_OF = {
    row["id"]: row["event"]
    for row in map(json.loads, (DATA / "labels.jsonl").read_text().splitlines())
}
NEW_YORK = "lula-zelensky-new-york-2023-09-20"


def item_of(story: ThreadStory) -> FeedItem:
    """The story as a feed item (no fingerprint: every report is its own story)."""
    published = datetime.combine(story.day, time(12), UTC)
    return FeedItem(
        item_id=story.story_id,
        feed_url=f"https://feeds.example/{story.source}",
        outlet=story.source,
        title=story.title,
        text=story.text,
        published=published,
        fetched_at=published,
        lang=story.lang,
    )


def make_handler(engine: Any, *, window_hours: float = 12, **extra: Any) -> ItemHandler:
    return ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TopicSet((TOPIC,))),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
        threads=ThreadAssigner(),
        thread_window=timedelta(hours=window_hours),
        **extra,
    )


def batches(stories: Sequence[ThreadStory], size: int) -> Iterable[list[FeedItem]]:
    for start in range(0, len(stories), size):
        yield [item_of(s) for s in stories[start : start + size]]


def stored_threads(engine: Any) -> tuple[set[frozenset[str]], dict[str, str | None]]:
    """The stored threads as sets of item ids, and each thread's founder → the founder
    of the thread it follows."""
    with transaction(engine) as conn:
        rows = conn.execute(
            select(story_sources.c.item_id, story_threads.c.thread_id, story_threads.c.rule)
            .join(story_threads, story_threads.c.story_id == story_sources.c.story_id)
            .order_by(story_sources.c.story_id)
        ).all()
        follows = dict(conn.execute(select(threads.c.id, threads.c.follows_id)).all())
    members: dict[int, list[str]] = {}
    for item_id, thread_id, _rule in rows:
        members.setdefault(thread_id, []).append(item_id)
    founder = {t: ids[0] for t, ids in members.items()}
    links = {founder[t]: founder.get(f) if f is not None else None for t, f in follows.items()}
    return {frozenset(ids) for ids in members.values()}, links


def expected_threads() -> tuple[set[frozenset[str]], dict[str, str | None]]:
    """What the pure grouping makes of the relevant stories, in the same order."""
    relevant = [
        story_facts(TOPIC, s)
        for s in STORIES
        if classify_all(TopicSet((TOPIC,)), s.title, s.text, s.lang)[TOPIC.topic_id].relevant
    ]
    grouped = group_stories(relevant)
    founder = {t.thread_id: t.story_ids[0] for t in grouped}
    links = {t.story_ids[0]: founder[t.follows] if t.follows is not None else None for t in grouped}
    return {frozenset(t.story_ids) for t in grouped}, links


def plain_texts(engine: Any) -> list[str]:
    """The queued emails' plain-text bodies."""
    with transaction(engine) as conn:
        raws = conn.execute(select(emails.c.raw)).scalars().all()
    texts = []
    for raw in raws:
        body = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",))
        assert body is not None
        texts.append(str(body.get_content()))
    return texts


def plain_text(engine: Any) -> str:
    """The one queued email's plain-text body."""
    (text,) = plain_texts(engine)
    return text


def counts(engine: Any) -> dict[str, int]:
    with transaction(engine) as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (threads, story_threads, thread_alerts, deliveries)
        }


def subscribe(engine: Any, email: str, mode: str = "immediate") -> int:
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        person, _ = add_subscriber(conn, email, confirmed=True, now=now)
        add_subscription(conn, person, now=now, name="all", query=None, filters={}, mode=mode)
    return person


def test_the_worker_stores_the_threads_the_pure_grouping_makes(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    handler = make_handler(engine)
    for batch in batches(STORIES, 25):
        handler.handle(batch)
    stored, links = stored_threads(engine)
    want, want_links = expected_threads()
    assert stored == want
    assert links == want_links
    assert sum(len(t) > 1 for t in stored) >= 20  # the set's events are threaded
    assert sum(v is not None for v in links.values()) >= 10  # and developments linked
    # The thread row keeps its actors, type and dates as data.
    with transaction(engine) as conn:
        story_id = conn.execute(
            select(story_sources.c.story_id).where(story_sources.c.item_id == "t-060")
        ).scalar_one()
        view = thread_view(conn, story_id)
    assert view is not None
    assert "BR" in view.countries and view.category == "summit-visit"
    assert view.story_count == len(view.members) >= 3
    assert str(view.first_day) <= "2023-09-20" <= str(view.last_day)
    assert {m.rule for m in view.members} - {"new"}  # joined by a named rule


def test_a_replayed_stream_places_nothing_twice(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    subscribe(engine, "desk@example.org")
    handler = make_handler(engine)
    chosen = STORIES[:80]
    for batch in batches(chosen, 20):
        handler.handle(batch)
    before = counts(engine)
    # Redelivery after a crash: the same items again, to a fresh worker (empty cache).
    again = make_handler(engine)
    for batch in batches(chosen, 30):
        assert again.handle(batch).replayed == len(batch)
    assert counts(engine) == before
    assert before["story_threads"] > before["threads"] > 0


class MeetingAssigner(ThreadAssigner):
    """Waits for the other worker before placing: both batches' stories are stored and
    uncommitted when thread assignment starts, the moment two workers could each start a
    thread for one event. (On SQLite the second worker cannot even begin its transaction,
    so the wait times out and the first goes on.)"""

    def __init__(self, meeting: threading.Barrier) -> None:
        super().__init__()
        self.meeting = meeting

    def assign(self, conn: Any, alerted: Any, *, now: datetime) -> Assigned:
        with contextlib.suppress(threading.BrokenBarrierError):
            self.meeting.wait(timeout=3)
        return super().assign(conn, alerted, now=now)


@pytest.mark.parametrize("event", [NEW_YORK, "lula-zelensky-call-2023-03-02"])
def test_two_workers_at_once_make_one_thread_per_event(
    db_url: str, engines: Any, event: str
) -> None:
    """Each worker gets half of the event's reports, and both reach thread assignment at
    once: the thread lock makes the second see the first's thread instead of starting its
    own."""
    engine = engines(db_url)
    reports = [s for s in STORIES if EVENT_OF[s.story_id] == event]
    halves = [reports[0::2], reports[1::2]]
    meeting = threading.Barrier(len(halves))
    workers = [make_handler(engines(db_url)) for _ in halves]
    for worker in workers:
        worker.threads = MeetingAssigner(meeting)
    errors: list[BaseException] = []

    def run(worker: ItemHandler, half: list[ThreadStory]) -> None:
        try:
            worker.handle([item_of(s) for s in half])
        except BaseException as exc:
            errors.append(exc)

    runners = [
        threading.Thread(target=run, args=(w, h)) for w, h in zip(workers, halves, strict=True)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(60)
    assert not errors
    stored, _ = stored_threads(engine)
    assert len(stored) == 1, stored
    assert len(next(iter(stored))) >= 3


def test_an_immediate_subscriber_gets_one_alert_per_thread_per_window(
    db_url: str, engines: Any, make_settings: Any
) -> None:
    engine = engines(db_url)
    person = subscribe(engine, "desk@example.org")
    reports = [s for s in STORIES if EVENT_OF[s.story_id] == NEW_YORK]
    first, later = reports[:-1], reports[-1:]
    now = datetime(2023, 9, 20, 18, tzinfo=UTC)
    clock = [now]
    handler = make_handler(engine, clock=lambda: clock[0])
    outcome = handler.handle([item_of(s) for s in first])
    with transaction(engine) as conn:
        status_of = dict(
            conn.execute(
                select(deliveries.c.story_id, deliveries.c.status).where(
                    deliveries.c.subscriber_id == person
                )
            ).all()
        )
        placed = conn.execute(
            select(story_threads.c.story_id, story_threads.c.rule, story_threads.c.matched_days)
        ).all()
        window = conn.execute(select(thread_alerts)).one()
    assert outcome.threaded == len(placed) >= 3
    # The first report is sent; reports joined through a report of the same day fold into
    # its alert; a report joined through another day's is sent on its own (it may be
    # another event), and its alert opens a new window.
    same_day = {s for s, rule, days in placed if rule != "new" and days == 0}
    other_day = {s for s, rule, days in placed if rule != "new" and days != 0}
    assert same_day and other_day, placed
    assert {s for s, status in status_of.items() if status == "folded"} == same_day
    sent = set(status_of) - same_day
    assert {s for s, status in status_of.items() if status == "pending"} == sent
    assert outcome.folded == len(same_day) == window.folded
    # The grouped alert says how many other outlets reported the event.
    assert Assembler(make_settings(database_url=db_url), engine).run_once(now) == len(sent)
    assert sum("also reported by" in text for text in plain_texts(engine)) == 1
    # A report after the window is the thread's update: sent, and a new window opens.
    clock[0] = now + timedelta(hours=13)
    outcome = handler.handle([item_of(s) for s in later])
    assert outcome.threaded == 1 and outcome.folded == 0
    with transaction(engine) as conn:
        pending = conn.execute(
            select(func.count())
            .select_from(deliveries)
            .where(deliveries.c.subscriber_id == person, deliveries.c.status == "pending")
        ).scalar_one()
        window = conn.execute(select(thread_alerts)).one()
    assert pending == 1 and window.folded == 0 and window.alerted_at == clock[0]


def test_a_window_of_zero_sends_every_report(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    person = subscribe(engine, "desk@example.org")
    reports = [s for s in STORIES if EVENT_OF[s.story_id] == NEW_YORK]
    outcome = make_handler(engine, window_hours=0).handle([item_of(s) for s in reports])
    with transaction(engine) as conn:
        statuses = set(
            conn.execute(
                select(deliveries.c.status).where(deliveries.c.subscriber_id == person)
            ).scalars()
        )
    assert outcome.threaded >= 3 and outcome.folded == 0 and statuses == {"pending"}


def test_a_digest_lists_threads_not_each_report(
    db_url: str, engines: Any, make_settings: Any
) -> None:
    engine = engines(db_url)
    subscribe(engine, "daily@example.org", mode="daily")
    reports = [s for s in STORIES if EVENT_OF[s.story_id] == NEW_YORK]
    outcome = make_handler(engine).handle([item_of(s) for s in reports])
    assert outcome.folded == 0  # digests are not folded at fan-out
    with transaction(engine) as conn:
        conn.execute(deliveries.update().values(due_at=datetime(2000, 1, 1, tzinfo=UTC)))
    assert Assembler(make_settings(database_url=db_url), engine).run_once() == 1
    raw = " ".join(plain_text(engine).split())
    with transaction(engine) as conn:
        queued = conn.execute(
            select(func.count()).select_from(deliveries).where(deliveries.c.status == "queued")
        ).scalar_one()
        apart = conn.execute(
            select(func.count()).select_from(story_threads).where(story_threads.c.grouped.is_(False))
        ).scalar_one()
    assert queued == outcome.threaded >= 3  # every report is accounted for
    # The digest shows the thread once, and on their own only the reports joined through
    # another day's report (grouped_with_thread).
    assert 1 <= apart < outcome.threaded - 1
    assert raw.count("Why it matched:") == 1 + apart
    assert "also reported by" in raw
