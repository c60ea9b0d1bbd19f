"""Build the pairs of blind set 3 from its hand labels, with set 2's rule (``build_blind2``:
every pair inside an event, and every pair of different events that share a labeled country
or lie within 45 days of each other). There is no split: the whole set is scored once.

Run: ``python -m tests.data.threads.build_blind3``
"""

from __future__ import annotations

from tests.data.threads.build_blind2 import HERE, build_pairs

STORIES = HERE / "blind3-stories.jsonl"
LABELS = HERE / "blind3-labels.jsonl"
PAIRS = HERE / "blind3-pairs.jsonl"


def main() -> None:
    build_pairs(STORIES, LABELS, PAIRS)


if __name__ == "__main__":
    main()
