"""Replay labeled thread sets as one stream and count the events immediate alerts would lose.

Each set's stories are placed in threads in day order (``ThreadBook``, as the worker does);
an immediate subscriber who follows everything is alerted of each story that is not folded.
A fold policy loses an event when every one of its stories was folded into another event's
alert. The window is taken as the thread's whole span (the worst case: a real window of
``MONITOR_THREAD_ALERT_HOURS`` folds fewer). Policies:

- ``every join``: every story that joined a thread folds (before migration 0025);
- ``grouped``: only stories ``grouped_with_thread`` folds (a thread's same-day reports);
- ``no threads``: nothing folds (``MONITOR_THREADS=off``).

Also prints the pairwise precision of joins made within a day and across days, on each
labeled pair set. The figures are in docs/threads.md ("Which joins fold an alert").

    python scripts/thread_alert_replay.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from monitor.matching.topic import load_topic
from monitor.notify.thread_alerts import grouped_with_thread
from monitor.resources import default_topic_file
from monitor.threads.decide import same_event
from monitor.threads.evaluate import load_pairs, load_stories
from monitor.threads.facts import story_facts
from monitor.threads.group import ThreadBook

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "threads"
STREAMS = [  # name, stories, labels, split (None: the whole file)
    ("dev", "stories.jsonl", "labels.jsonl", "dev"),
    ("test", "stories.jsonl", "labels.jsonl", "test"),
    ("blind 2", "blind2-stories.jsonl", "blind2-labels.jsonl", None),
]
PAIR_SETS = [
    ("dev", "stories.jsonl", "pairs-dev.jsonl"),
    ("test", "stories.jsonl", "pairs-test.jsonl"),
    ("across", "stories.jsonl", "pairs-across.jsonl"),
    ("blind 2 A", "blind2-stories.jsonl", "blind2-pairs-a.jsonl"),
    ("blind 2 B", "blind2-stories.jsonl", "blind2-pairs-b.jsonl"),
]


def main() -> None:
    topic = load_topic(default_topic_file())
    print("Events immediate alerts lose (worst-case window):")
    for name, stories_file, labels_file, split in STREAMS:
        event_of = {}
        for line in (DATA / labels_file).read_text().splitlines():
            row = json.loads(line)
            if split is None or row.get("split") == split:
                event_of[row["id"]] = row["event"]
        stories = [s for s in load_stories(DATA / stories_file) if s.story_id in event_of]
        book = ThreadBook()
        placements = [
            book.place(f)
            for f in sorted((story_facts(topic, s) for s in stories), key=lambda f: f.day)
        ]
        events = {event_of[p.story_id] for p in placements}
        for policy, folds in (
            ("every join", lambda p: not p.new),
            ("grouped", lambda p: not p.new and grouped_with_thread(p.new, p.matched_days)),
            ("no threads", lambda p: False),
        ):
            sent = [p for p in placements if not folds(p)]
            heard = {event_of[p.story_id] for p in sent}
            print(
                f"  {name:8} {policy:10}  stories {len(placements):3}  events {len(events):3}"
                f"  alerts {len(sent):3}  events with no alert {len(events - heard)}"
            )
    print("Pairs the decision calls one event, right / all, by days between the two stories:")
    total: Counter[str] = Counter()
    for name, stories_file, pairs_file in PAIR_SETS:
        stories = load_stories(DATA / stories_file)
        facts = {s.story_id: story_facts(topic, s) for s in stories}
        counts: Counter[str] = Counter()
        for pair in load_pairs(DATA / pairs_file, set(facts)):
            a, b = facts[pair.a], facts[pair.b]
            if same_event(a, b).same:
                when = "same day" if a.day == b.day else "other days"
                counts[when] += 1
                counts[when + " right"] += pair.same_event
        total.update(counts)
        print(f"  {name:10} " + _line(counts))
    print(f"  {'all':10} " + _line(total))


def _line(counts: Counter[str]) -> str:
    return "  ".join(
        f"{when} {counts[when + ' right']}/{counts[when]}" for when in ("same day", "other days")
    )


if __name__ == "__main__":
    main()
