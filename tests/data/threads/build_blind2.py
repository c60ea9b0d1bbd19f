"""Build the pairs of blind set 2 from its hand labels.

The stories (``blind2-stories.jsonl``) and their events (``blind2-labels.jsonl``) are written
by hand; this only derives ``blind2-pairs.jsonl`` from them, with the rule of the first set
(docs/threads.md, "The set"): every pair inside an event, and every pair of different events
that share a labeled country or lie within 45 days of each other. There is no split: the
whole set is scored once.

Run: ``python -m tests.data.threads.build_blind2``
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
STORIES = HERE / "blind2-stories.jsonl"
LABELS = HERE / "blind2-labels.jsonl"
PAIRS = HERE / "blind2-pairs.jsonl"
NEAR_DAYS = 45


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def labeled_pairs(
    days: Mapping[str, date], labels: Iterable[Mapping[str, Any]], near_days: int = NEAR_DAYS
) -> list[dict[str, Any]]:
    """Every same-event pair, and the hard different-event pairs (a shared country, or at
    most ``near_days`` apart); pairs of unrelated, distant events are left out, as in the
    first set, because they say nothing about the decision's hard cases."""
    by_id = {str(label["id"]): label for label in labels}
    pairs: list[dict[str, Any]] = []
    for a, b in combinations(sorted(by_id), 2):
        same = by_id[a]["event"] == by_id[b]["event"]
        shared = set(by_id[a]["countries"]) & set(by_id[b]["countries"])
        near = abs((days[a] - days[b]).days) <= near_days
        if same or shared or near:
            pairs.append({"a": a, "b": b, "same_event": same})
    return pairs


def write_jsonl(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def build_pairs(stories: Path, labels: Path, out: Path) -> None:
    """Write the pairs the labels give (every blind thread set's builder calls this)."""
    days = {str(s["id"]): date.fromisoformat(str(s["date"])) for s in read_jsonl(stories)}
    pairs = labeled_pairs(days, read_jsonl(labels))
    write_jsonl(out, pairs)
    same = sum(1 for p in pairs if p["same_event"])
    print(f"{len(days)} stories, {len(pairs)} pairs, {same} same event")


def main() -> None:
    build_pairs(STORIES, LABELS, PAIRS)


if __name__ == "__main__":
    main()
