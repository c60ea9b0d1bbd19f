"""Split blind set 3 by event into half A (learned from) and half B (held out), as set 2 was
(``split_blind2``: the same rule, events never split, a seeded shuffle of the sorted event
ids). The split was committed before any of the set's errors was read.

Run: ``python -m tests.data.threads.split_blind3``
"""

from __future__ import annotations

from tests.data.threads.build_blind2 import HERE, read_jsonl, write_jsonl
from tests.data.threads.build_blind3 import LABELS, PAIRS
from tests.data.threads.split_blind2 import split

SEED = 30
PAIRS_A = HERE / "blind3-pairs-a.jsonl"
PAIRS_B = HERE / "blind3-pairs-b.jsonl"


def main() -> None:
    pairs_a, pairs_b = split(read_jsonl(LABELS), read_jsonl(PAIRS), SEED)
    write_jsonl(PAIRS_A, pairs_a)
    write_jsonl(PAIRS_B, pairs_b)
    for name, rows in (("A", pairs_a), ("B", pairs_b)):
        same = sum(1 for p in rows if p["same_event"])
        print(f"half {name}: {len(rows)} pairs, {same} same event")


if __name__ == "__main__":
    main()
