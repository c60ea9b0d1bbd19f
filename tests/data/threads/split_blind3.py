"""Split blind set 3 by event into half A (learned from) and half B (held out), as set 2 was
(``split_blind2``: the same rule, events never split, a seeded shuffle of the sorted event
ids). The split was committed before any of the set's errors was read.

Run: ``python -m tests.data.threads.split_blind3``
"""

from __future__ import annotations

from tests.data.threads.build_blind2 import HERE
from tests.data.threads.build_blind3 import LABELS, PAIRS
from tests.data.threads.split_blind2 import write_halves

SEED = 30
PAIRS_A = HERE / "blind3-pairs-a.jsonl"
PAIRS_B = HERE / "blind3-pairs-b.jsonl"


def main() -> None:
    write_halves(LABELS, PAIRS, PAIRS_A, PAIRS_B, SEED)


if __name__ == "__main__":
    main()
