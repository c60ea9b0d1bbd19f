"""How often the same-event decision is right within a day and across days, per pair set.

The pairs the decision calls one event, right / all, split by whether the two stories are
of the same day: the figures behind ``thread_alerts.grouped_with_thread`` (only same-day
joins fold an alert; docs/threads.md, "Which joins fold an alert"). The events each fold
policy would leave without an alert are printed by ``monitor eval threads`` itself.

    python scripts/thread_joins_by_day.py
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from monitor.matching.topic import load_topic
from monitor.resources import default_topic_file
from monitor.threads.decide import same_event
from monitor.threads.evaluate import load_pairs, load_stories
from monitor.threads.facts import story_facts

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "threads"
PAIR_SETS = [
    ("dev", "stories.jsonl", "pairs-dev.jsonl"),
    ("test", "stories.jsonl", "pairs-test.jsonl"),
    ("across", "stories.jsonl", "pairs-across.jsonl"),
    ("blind 2 A", "blind2-stories.jsonl", "blind2-pairs-a.jsonl"),
    ("blind 2 B", "blind2-stories.jsonl", "blind2-pairs-b.jsonl"),
    ("blind 3", "blind3-stories.jsonl", "blind3-pairs.jsonl"),
]


def main() -> None:
    topic = load_topic(default_topic_file())
    print("Pairs the decision calls one event, right / all, by days between the two stories:")
    total: Counter[str] = Counter()
    for name, stories_file, pairs_file in PAIR_SETS:
        facts = {s.story_id: story_facts(topic, s) for s in load_stories(DATA / stories_file)}
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
