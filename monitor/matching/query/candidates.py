"""From a parsed stored query to what a full-text index can look up: a *candidate* query.

The database's index (``monitor.store.search_index``) knows which words a story holds, not
word positions in every field, story metadata or what a NOT leaves out. So a query becomes
a looser one whose matches are a superset of the exact matches; the exact evaluator
(``evaluator.matches``) then decides on each candidate. Loosening rules:

* a word stays a word, a wildcard ``abc*`` becomes a prefix look-up, a phrase stays a
  phrase (an index without positions may read it as all of its words);
* a field scope (``title:``) is dropped: the word is looked for in the whole story;
* NOT, with everything under it, requires nothing; metadata (``country:``, ``lang:``…)
  requires no word (:func:`required_metadata` gives the index look-up the tests ANDed at
  the top, which it applies in SQL);
* ``a NEAR/n b`` and ``a ONEAR/n b`` become ``a AND b``;
* AND keeps the requirements of its operands; OR requires something only when each of its
  alternatives does.

:data:`EVERYTHING` means "no requirement": every story is a candidate. Words the index
cannot promise to hold as written (very long words, wildcards over words the index splits,
see :func:`indexable`) also become EVERYTHING, which keeps the superset promise.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.matching.query.ast import And, Meta, Near, Node, Not, Phrase, Term

# Longer words are not looked up (PostgreSQL does not index words of 2,048 bytes or more).
MAX_INDEXED_WORD = 200


@dataclass(frozen=True, slots=True)
class Everything:
    """No requirement: every story is a candidate."""


@dataclass(frozen=True, slots=True)
class Word:
    word: str


@dataclass(frozen=True, slots=True)
class Prefix:
    prefix: str


@dataclass(frozen=True, slots=True)
class Words:
    """A phrase: these words in a row (or, where the index has no positions, all of them)."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Candidate, ...]


Candidate = Everything | Word | Prefix | Words | AllOf | AnyOf
EVERYTHING = Everything()


def indexable(word: str) -> bool:
    """True when the index holds ``word`` as the matcher reads it: a run of letters and
    digits (a folded Cyrillic word may carry an apostrophe, which indexes split on) of
    reasonable length."""
    return 0 < len(word) <= MAX_INDEXED_WORD


def plain(word: str) -> bool:
    """True for a word every index tokenizer keeps whole: letters and digits only."""
    return indexable(word) and word.isalnum()


def candidate(node: Node) -> Candidate:
    """The candidate query of ``node``: every story ``node`` matches satisfies it."""
    if isinstance(node, Term):
        if node.prefix:
            return Prefix(node.word) if plain(node.word) else EVERYTHING
        return Word(node.word) if indexable(node.word) else EVERYTHING
    if isinstance(node, Phrase):
        if not all(indexable(word) for word in node.words):
            return EVERYTHING
        return Word(node.words[0]) if len(node.words) == 1 else Words(node.words)
    if isinstance(node, Meta | Not):
        return EVERYTHING
    if isinstance(node, Near):
        return _all_of((candidate(node.left), candidate(node.right)))
    if isinstance(node, And):
        return _all_of(tuple(candidate(child) for child in node.children))
    return _any_of(tuple(candidate(child) for child in node.children))


# Metadata an index look-up can also require: (field, value) pairs.
PUSHED_FIELDS = ("country", "category", "lang")


def required_metadata(node: Node) -> tuple[tuple[str, str], ...]:
    """The ``country:``, ``category:`` and ``lang:`` tests every match passes: those ANDed
    at the top of the query (under an OR or a NOT a test is not required)."""
    if isinstance(node, Meta) and node.field in PUSHED_FIELDS:
        return ((node.field, node.words[0]),)
    if isinstance(node, And):
        found: list[tuple[str, str]] = []
        for child in node.children:
            found.extend(required_metadata(child))
        return tuple(dict.fromkeys(found))
    return ()


def _all_of(children: tuple[Candidate, ...]) -> Candidate:
    kept = tuple(dict.fromkeys(c for c in children if not isinstance(c, Everything)))
    if not kept:
        return EVERYTHING
    return kept[0] if len(kept) == 1 else AllOf(kept)


def _any_of(children: tuple[Candidate, ...]) -> Candidate:
    if any(isinstance(c, Everything) for c in children):
        return EVERYTHING
    kept = tuple(dict.fromkeys(children))
    return kept[0] if len(kept) == 1 else AnyOf(kept)
