"""The third held-out batch (blind4's relevant EN/ES/PT stories): its shape and origin.

Labeled by hand and committed before the extractor ran on it (docs/timelines.md).
"""

from __future__ import annotations

import json

from monitor.timelines.gold import read_gold
from monitor.timelines.measure import portions_of
from tests import PROJECT_ROOT

GOLD3_PATH = PROJECT_ROOT / "tests" / "data" / "timeline" / "gold-test3.jsonl"
BLIND4_PATH = PROJECT_ROOT / "tests" / "data" / "blind4.jsonl"


def test_batch_three_holds_at_least_50_labeled_stories_all_in_test3() -> None:
    stories = read_gold(GOLD3_PATH.read_text(encoding="utf-8").splitlines(), "gold-test3")
    assert len(stories) >= 50
    assert {s.split for s in stories} == {"test3"}
    assert {s.lang for s in stories} == {"en", "es", "pt"}
    assert sum(len(s.entries) for s in stories) >= 50
    assert sum(len(s.stances) for s in stories) >= 10
    assert portions_of(stories) == ("dev", "test", "test3", "all")


def test_batch_three_is_every_relevant_en_es_pt_story_of_blind4_verbatim() -> None:
    source = [json.loads(x) for x in BLIND4_PATH.read_text(encoding="utf-8").splitlines()]
    wanted = {
        r["id"]: r for r in source if r["relevant"] is True and r["lang"] in {"en", "es", "pt"}
    }
    rows = [json.loads(x) for x in GOLD3_PATH.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(wanted)
    for row in rows:
        assert row["from"] == "tests/data/blind4.jsonl"
        assert (row["title"], row["text"]) == (
            wanted[row["id"]]["title"],
            wanted[row["id"]]["text"],
        )
