"""Presearch: what must a document contain for a query to have any chance of matching?

Like Luwak / Lucene Monitor, each query is reduced to a conjunction of *clauses*; each
clause is a set of keys of which a matching document must contain at least one. Keys
are word tokens, ``PREFIX_MARK + prefix`` for wildcards, and metadata keys
(``country:BR``…, see :func:`~monitor.matching.query.document.meta_key`).

* a word or wildcard: one clause with its key;
* a phrase: one clause per word (every word must be present);
* AND, NEAR: the clauses of all operands;
* OR: each clause is the union of one clause from every alternative;
* NOT, and anything under it: no requirement (``None``): the query is checked always.

The matcher indexes the two most selective clauses (a story must hit both) and keeps a
third as a cheap filter before running the exact evaluator. Selectivity comes from document
frequencies observed on a sample of stories (:class:`TermStats`) or, without a sample,
from word length.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.matching.query.ast import And, Meta, Near, Node, Not, Phrase, Term
from monitor.matching.query.document import META_PREFIX, PREFIX_MARK, MatchDoc, meta_key

Clause = frozenset[str]
MAX_CLAUSES = 4

# Rough share of stories carrying a metadata value, when nothing better is known.
_META_FREQUENCY = {"country": 0.1, "lang": 0.4, "category": 0.15, "site": 0.05, "outlet": 0.05}


def required_clauses(node: Node) -> list[Clause] | None:
    """Clauses every matching document satisfies, or None when none can be derived."""
    if isinstance(node, Term):
        return [frozenset({PREFIX_MARK + node.word if node.prefix else node.word})]
    if isinstance(node, Phrase):
        return [frozenset({word}) for word in dict.fromkeys(node.words)]
    if isinstance(node, Meta):
        return _meta_clauses(node)
    if isinstance(node, Not):
        return None
    if isinstance(node, And | Near):
        children = node.children if isinstance(node, And) else (node.left, node.right)
        clauses: list[Clause] = []
        for child in children:
            found = required_clauses(child)
            if found:
                clauses.extend(found)
        return _dedupe(clauses) or None
    alternatives = [required_clauses(child) for child in node.children]
    if any(not found for found in alternatives):
        return None
    # Every combination of one clause per alternative is implied; keep a few of them.
    width = min(MAX_CLAUSES, max(len(found) for found in alternatives if found))
    combined = [
        frozenset().union(*(found[min(i, len(found) - 1)] for found in alternatives if found))
        for i in range(width)
    ]
    return _dedupe(combined)


def _meta_clauses(node: Meta) -> list[Clause] | None:
    if node.field == "outlet":
        if node.prefix:
            return None
        return [frozenset({meta_key("outlet", word)}) for word in node.words]
    return [frozenset({meta_key(node.field, node.words[0])})]


def _dedupe(clauses: list[Clause]) -> list[Clause]:
    return list(dict.fromkeys(clauses))


@dataclass(frozen=True, slots=True)
class TermStats:
    """Document frequencies (share of stories containing each word) from a sample."""

    frequencies: dict[str, float]
    vocabulary: tuple[str, ...]

    @classmethod
    def from_docs(cls, docs: Iterable[MatchDoc]) -> TermStats:
        counts: Counter[str] = Counter()
        total = 0
        for doc in docs:
            total += 1
            counts.update(doc.vocabulary[""])
        if not total:
            return cls({}, ())
        frequencies = {word: count / total for word, count in counts.items()}
        return cls(frequencies, tuple(sorted(frequencies)))

    def word(self, word: str) -> float:
        if not self.frequencies:
            return _guess(word)
        return self.frequencies.get(word, 0.5 / (len(self.vocabulary) + 1))

    def prefix(self, prefix: str) -> float:
        if not self.frequencies:
            return min(0.9, _guess(prefix) * 3)
        index = bisect_left(self.vocabulary, prefix)
        share = 0.0
        while index < len(self.vocabulary) and self.vocabulary[index].startswith(prefix):
            share += self.frequencies[self.vocabulary[index]]
            index += 1
            if share >= 1.0:
                return 1.0
        return max(share, 0.5 / (len(self.vocabulary) + 1))


def _guess(word: str) -> float:
    """Without statistics, short words are assumed common and long ones rare."""
    if len(word) <= 2:
        return 0.5
    if len(word) <= 4:
        return 0.1
    return 0.02


def clause_cost(clause: Clause, stats: TermStats) -> float:
    """Estimated share of documents that satisfy ``clause`` (lower is more selective)."""
    miss = 1.0
    for key in clause:
        if key.startswith(META_PREFIX):
            frequency = _META_FREQUENCY.get(key[1:].split(":", 1)[0], 0.1)
        elif key.startswith(PREFIX_MARK):
            frequency = stats.prefix(key[1:])
        else:
            frequency = stats.word(key)
        miss *= 1.0 - min(1.0, frequency)
    return 1.0 - miss
