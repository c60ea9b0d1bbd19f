"""How many emails event threads save on real news: the project's dated real stories
through the real worker (both shipped topics, SQLite), day by day.

    python -m bench.bench_threads [--window-hours 12]

The stories are every dated-to-the-day story of the labeled sets (dev-news, dev2, dev3,
dev-ukru, russia-latam/dev, and the threads set, tests/data/threads, whose stories come from
those sets and from real pages), each once (same title and day = one report). The worker's
clock is set to each story's day (noon UTC), so the per-thread alert window runs on
publication time, as it would have live. One immediate subscriber per topic, no query.
Printed: alerted stories, threads, stories per thread, and immediate emails with threads
(deliveries sent, not folded) against one per alerted story, overall and on the busiest
days. Writes only under var/bench-threads/.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.matching.topic_set import classify_all, load_topic_set  # noqa: E402
from monitor.models import FeedItem  # noqa: E402

SETS = (
    "tests/data/dev-news.jsonl",
    "tests/data/dev2.jsonl",
    "tests/data/dev3.jsonl",
    "tests/data/dev-ukru.jsonl",
    "tests/data/russia-latam/dev.jsonl",
    "tests/data/threads/stories.jsonl",
)
TOPICS = (ROOT / "seeds" / "topics" / "ukraine-latam.toml", ROOT / "seeds" / "topics" / "russia-latam.toml")


def real_stories() -> list[dict[str, Any]]:
    """Every story dated to the day, once (title and day), in day order."""
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for name in SETS:
        for line in (ROOT / name).read_text().splitlines():
            row = json.loads(line)
            day = str(row.get("date") or "")
            if len(day) != 10:
                continue
            key = (" ".join(str(row["title"]).split()).casefold(), day)
            if key in seen:
                continue
            seen.add(key)
            out.append({**row, "id": f"{Path(name).stem}:{row['id']}", "day": date.fromisoformat(day)})
    return sorted(out, key=lambda r: r["day"])


def item_of(row: dict[str, Any]) -> FeedItem:
    published = datetime.combine(row["day"], time(12), UTC)
    return FeedItem(
        item_id=row["id"],
        feed_url=f"https://feeds.example/{row.get('source') or 'unknown'}",
        outlet=str(row.get("source") or "unknown"),
        title=row["title"],
        text=row.get("text") or "",
        published=published,
        fetched_at=published,
        lang=row.get("lang"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window-hours", type=float, default=12.0)
    args = parser.parse_args(argv)

    from sqlalchemy import func, select

    from monitor.store import migrate
    from monitor.store.db import make_engine, transaction
    from monitor.store.subscribers import add_subscriber, add_subscription
    from monitor.store.tables import deliveries, story_sources, story_threads
    from monitor.stream.event_threads import ThreadAssigner
    from monitor.stream.handler import ItemHandler
    from monitor.subscriptions.fanout import SubscriptionIndex

    work = ROOT / "var" / "bench-threads"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    url = f"sqlite:///{work / 'monitor.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    topics = load_topic_set(TOPICS)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        for topic in topics.ids:
            person, _ = add_subscriber(conn, f"{topic}@example.org", confirmed=True, now=now)
            add_subscription(conn, person, now=now, name=topic, topic=topic, query=None,
                             filters={}, mode="immediate")
    clock = [now]
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, topics),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
        clock=lambda: clock[0],
        threads=ThreadAssigner(),
        thread_window=timedelta(hours=args.window_hours),
    )
    rows = real_stories()
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_day[row["day"]].append(row)
    for day in sorted(by_day):
        clock[0] = datetime.combine(day, time(12), UTC)
        handler.handle([item_of(r) for r in by_day[day]])
    with transaction(engine) as conn:
        placed = conn.execute(
            select(story_threads.c.story_id, story_threads.c.thread_id, story_threads.c.day)
        ).all()
        sent = Counter(
            (subscriber, status)
            for subscriber, status in conn.execute(
                select(deliveries.c.subscriber_id, deliveries.c.status)
            )
        )
        per_day = Counter(
            (day, status)
            for day, status in conn.execute(
                select(story_threads.c.day, deliveries.c.status)
                .join(deliveries, deliveries.c.story_id == story_threads.c.story_id)
            )
        )
        items = conn.execute(select(func.count()).select_from(story_sources)).scalar_one()
    engine.dispose()
    threads = {t for _, t, _ in placed}
    stories = len(placed)
    print(f"real stories dated to the day: {len(rows)} ({items} stored), "
          f"{len(by_day)} days, window {args.window_hours:g} h")
    print(f"alerted stories: {stories}; threads: {len(threads)}; "
          f"stories per thread: {stories / max(1, len(threads)):.2f}")
    pending = sum(n for (_, status), n in sent.items() if status == "pending")
    total = sum(sent.values())
    print(f"immediate emails, all subscribers: {pending} with threads, {total} without "
          f"({1 - pending / max(1, total):.0%} fewer)")
    days = Counter(day for _, _, day in placed)
    print("\n| day | alerted stories | threads | emails with threads | emails without |")
    print("|-----|---:|---:|---:|---:|")
    for day, count in sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))[:8]:
        day_threads = len({t for _, t, d in placed if d == day})
        with_threads = per_day.get((day, "pending"), 0)
        without = with_threads + per_day.get((day, "folded"), 0)
        print(f"| {day} | {count} | {day_threads} | {with_threads} | {without} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
