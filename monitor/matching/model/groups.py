"""Near-duplicate groups of labeled items, so that cross-validation folds do not leak.

Labeled sets hold several articles on one event, and syndicated copies of one article.
If a copy sits in the training folds, the model has seen its test twin. Two items are
joined when they share a URL, when their headlines share most words, or when their texts
share enough word triples; groups are the connected components. This catches copies and
close rewrites, not every article about the same event (those remain a small leak).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from monitor.matching.text import fold, tokens

TITLE_OVERLAP = 0.6  # Jaccard of headline word sets
TEXT_OVERLAP = 0.2  # Jaccard of word-triple sets of headline + text


@dataclass(frozen=True, slots=True)
class GroupInput:
    """What grouping reads of one item."""

    title: str
    text: str
    url: str | None = None


def near_duplicate_groups(items: Sequence[GroupInput]) -> list[int]:
    """A group number per item (connected components of the 'near-duplicate' relation)."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    titles = [set(tokens(fold(item.title))) for item in items]
    words = [tokens(fold(f"{item.title} {item.text}")) for item in items]
    triples = [set(zip(w, w[1:], w[2:], strict=False)) for w in words]
    by_url: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.url:
            if item.url in by_url:
                join(i, by_url[item.url])
            by_url.setdefault(item.url, i)
        for j in range(i):
            if _jaccard(titles[i], titles[j]) >= TITLE_OVERLAP or (
                _jaccard(triples[i], triples[j]) >= TEXT_OVERLAP
            ):
                join(i, j)
    roots: dict[int, int] = {}
    return [roots.setdefault(root(i), len(roots)) for i in range(len(items))]


def _jaccard(a: AbstractSet[Hashable], b: AbstractSet[Hashable]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
