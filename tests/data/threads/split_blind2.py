"""Split blind set 2 by event into half A (learned from) and half B (held out).

Issue 19: the decision is tuned on half A's errors only; half B is scored by aggregate,
once before and once after, so the "after" figure stays blind. Events are never split: a
story's pairs with another half's stories are dropped, so each half holds only pairs whose
two stories are in that half. The split is fixed by a seeded shuffle of the sorted event ids.

Run: ``python -m tests.data.threads.split_blind2``
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.data.threads.build_blind2 import HERE, LABELS, PAIRS, read_jsonl, write_jsonl

SEED = 29
PAIRS_A = HERE / "blind2-pairs-a.jsonl"
PAIRS_B = HERE / "blind2-pairs-b.jsonl"


def events_of_half_a(events: Iterable[str], seed: int = SEED) -> set[str]:
    """The first half of the seeded shuffle of the sorted events (the larger half if odd)."""
    ordered = sorted(set(events))
    random.Random(seed).shuffle(ordered)
    return set(ordered[: (len(ordered) + 1) // 2])


def pairs_inside(pairs: Iterable[Mapping[str, Any]], stories: set[str]) -> list[Mapping[str, Any]]:
    """The pairs whose two stories both lie in ``stories``."""
    return [p for p in pairs if p["a"] in stories and p["b"] in stories]


def split(
    labels: Sequence[Mapping[str, Any]], pairs: Sequence[Mapping[str, Any]], seed: int = SEED
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    half_a = events_of_half_a((str(label["event"]) for label in labels), seed)
    stories_a = {str(label["id"]) for label in labels if label["event"] in half_a}
    stories_b = {str(label["id"]) for label in labels} - stories_a
    return pairs_inside(pairs, stories_a), pairs_inside(pairs, stories_b)


def write_halves(labels: Path, pairs: Path, out_a: Path, out_b: Path, seed: int) -> None:
    """Split a blind thread set's pairs by event and write both halves (every set's split)."""
    pairs_a, pairs_b = split(read_jsonl(labels), read_jsonl(pairs), seed)
    write_jsonl(out_a, pairs_a)
    write_jsonl(out_b, pairs_b)
    for name, rows in (("A", pairs_a), ("B", pairs_b)):
        same = sum(1 for p in rows if p["same_event"])
        print(f"half {name}: {len(rows)} pairs, {same} same event")


def main() -> None:
    write_halves(LABELS, PAIRS, PAIRS_A, PAIRS_B, SEED)


if __name__ == "__main__":
    main()
