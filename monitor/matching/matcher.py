"""Match one story against many stored queries without evaluating each of them.

:class:`QueryMatcher` reduces every query to presearch clauses (see ``query.presearch``)
and indexes its two most selective clauses in two key indexes (Luwak's "multipass"
presearcher). For a story it looks up the story's tokens, wildcard prefixes and
metadata keys in both indexes; a query is a candidate only when every indexed clause
was hit, which is computed with set operations. A third clause, if any, filters the
candidates by set lookups, and only then the exact evaluator runs. Queries from which
no requirement can be derived (``NOT x``) are evaluated for every story; queries that
are a bare word, wildcard or metadata value need no evaluation at all. Identical
queries (same canonical text) are evaluated once and answer for all their ids.

:class:`NaiveMatcher` evaluates every query on every story. It is the oracle of the
property tests and the baseline of ``bench/bench_matcher.py``; both matchers must
always return the same ids.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import ahocorasick

from monitor.matching.query.ast import Meta, Node, Term, unparse
from monitor.matching.query.document import PREFIX_MARK, WORD_SEPARATOR, MatchDoc
from monitor.matching.query.evaluator import matches
from monitor.matching.query.parser import parse
from monitor.matching.query.presearch import Clause, TermStats, clause_cost, required_clauses


def _as_node(query: str | Node) -> Node:
    return parse(query) if isinstance(query, str) else query


class NaiveMatcher:
    """Stored queries evaluated one by one: simple, obviously right, slow."""

    def __init__(self) -> None:
        self._queries: dict[str, Node] = {}

    def add(self, query_id: str, query: str | Node) -> Node:
        """Store (or replace) a query; a string is parsed (QueryError if invalid)."""
        node = _as_node(query)
        self._queries[query_id] = node
        return node

    def remove(self, query_id: str) -> bool:
        """Forget a query; False when the id was not stored."""
        return self._queries.pop(query_id, None) is not None

    def match(self, doc: MatchDoc) -> set[str]:
        """Ids of every stored query matching ``doc``."""
        return {query_id for query_id, node in self._queries.items() if matches(node, doc)}

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, query_id: object) -> bool:
        return query_id in self._queries


class _KeyIndex:
    """Presearch keys → canonical queries, looked up with a story's keys and prefixes.

    Stored prefixes are also compiled into an Aho-Corasick automaton of ``\n`` + prefix,
    so one C-level pass over the story's newline-joined vocabulary finds every prefix
    that starts one of its words (rebuilt lazily after the index changes).
    """

    def __init__(self) -> None:
        self.words: dict[str, set[str]] = {}
        self.prefixes: dict[str, set[str]] = {}
        self._automaton: ahocorasick.Automaton | None = None
        self._lock = threading.Lock()

    def add(self, clause: Clause, canonical: str) -> None:
        for key in clause:
            if key.startswith(PREFIX_MARK):
                prefix = key[1:]
                if prefix not in self.prefixes:
                    self._automaton = None
                self.prefixes.setdefault(prefix, set()).add(canonical)
            else:
                self.words.setdefault(key, set()).add(canonical)

    def discard(self, clause: Clause, canonical: str) -> None:
        for key in clause:
            if key.startswith(PREFIX_MARK):
                _discard(self.prefixes, key[1:], canonical)
                if key[1:] not in self.prefixes:
                    self._automaton = None
            else:
                _discard(self.words, key, canonical)

    def lookup(self, doc: MatchDoc) -> set[str]:
        """Every query with a clause key present in ``doc``."""
        found: set[str] = set()
        words = self.words
        for key in words.keys() & doc.keys:  # C-level intersection, then only the hits
            found.update(words[key])
        if self.prefixes:
            prefixes = self.prefixes
            for prefix in {p for _, p in self._prefix_automaton().iter(doc.joined_vocabulary)}:
                found.update(prefixes[prefix])
        return found

    def _prefix_automaton(self) -> ahocorasick.Automaton:
        automaton = self._automaton
        if automaton is None:
            with self._lock:  # a matcher is shared by the worker's threads
                automaton = self._automaton
                if automaton is None:
                    automaton = ahocorasick.Automaton()
                    for prefix in self.prefixes:
                        automaton.add_word(WORD_SEPARATOR + prefix, prefix)
                    automaton.make_automaton()
                    self._automaton = automaton
        return automaton


@dataclass(frozen=True, slots=True)
class _Filter:
    """A clause checked by set lookups: any of ``words`` or any of ``prefixes`` present."""

    words: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, clause: Clause) -> _Filter:
        prefixes = tuple(k[1:] for k in clause if k.startswith(PREFIX_MARK))
        return cls(frozenset(k for k in clause if not k.startswith(PREFIX_MARK)), prefixes)

    def passes(self, doc: MatchDoc) -> bool:
        return not self.words.isdisjoint(doc.keys) or any(
            doc.has_prefix(prefix) for prefix in self.prefixes
        )


@dataclass(slots=True)
class _Entry:
    """One distinct query: its tree, indexed clauses, filter, and the ids sharing it.

    ``settled`` marks queries that presearch alone decides (a bare word, wildcard or
    metadata value): being a candidate already means matching.
    """

    node: Node
    primary: Clause | None
    secondary: Clause | None
    check: _Filter | None
    settled: bool
    ids: set[str] = field(default_factory=set)


class QueryMatcher:
    """Stored queries behind a presearch index; same answers as :class:`NaiveMatcher`."""

    def __init__(self, stats: TermStats | None = None) -> None:
        self._reset(stats or TermStats({}, ()))

    def _reset(self, stats: TermStats) -> None:
        self._stats = stats
        self._entries: dict[str, _Entry] = {}
        self._canonical_of: dict[str, str] = {}
        self._primary = _KeyIndex()
        self._secondary = _KeyIndex()
        self._two_pass: set[str] = set()  # queries indexed in both indexes
        self._always: set[str] = set()

    # -- storing -------------------------------------------------------------------------
    def add(self, query_id: str, query: str | Node) -> Node:
        """Store (or replace) a query; a string is parsed (QueryError if invalid)."""
        node = _as_node(query)
        self.remove(query_id)
        canonical = unparse(node)
        entry = self._entries.get(canonical)
        if entry is None:
            entry = self._index(canonical, node)
        entry.ids.add(query_id)
        self._canonical_of[query_id] = canonical
        return node

    def remove(self, query_id: str) -> bool:
        """Forget a query; False when the id was not stored."""
        canonical = self._canonical_of.pop(query_id, None)
        if canonical is None:
            return False
        entry = self._entries[canonical]
        entry.ids.discard(query_id)
        if not entry.ids:
            self._unindex(canonical, entry)
        return True

    def reindex(self, stats: TermStats) -> None:
        """Re-pick index clauses with fresh term statistics (ids and answers unchanged)."""
        stored = [(qid, self._entries[c].node) for qid, c in self._canonical_of.items()]
        self._reset(stats)
        for query_id, node in stored:
            self.add(query_id, node)

    def _index(self, canonical: str, node: Node) -> _Entry:
        clauses = sorted(required_clauses(node) or [], key=lambda c: clause_cost(c, self._stats))
        ranked: list[Clause | None] = [*clauses, None, None, None]
        primary, secondary, third = ranked[:3]
        entry = _Entry(
            node,
            primary,
            secondary,
            _Filter.of(third) if third else None,
            settled=_settled_by_presearch(node),
        )
        self._entries[canonical] = entry
        if primary is None:
            self._always.add(canonical)
            return entry
        self._primary.add(primary, canonical)
        if secondary is not None:
            self._secondary.add(secondary, canonical)
            self._two_pass.add(canonical)
        return entry

    def _unindex(self, canonical: str, entry: _Entry) -> None:
        del self._entries[canonical]
        if entry.primary is None:
            self._always.discard(canonical)
            return
        self._primary.discard(entry.primary, canonical)
        if entry.secondary is not None:
            self._secondary.discard(entry.secondary, canonical)
            self._two_pass.discard(canonical)

    # -- matching ------------------------------------------------------------------------
    def candidates(self, doc: MatchDoc) -> set[str]:
        """Canonical texts of the queries worth evaluating on ``doc``."""
        first = self._primary.lookup(doc)
        if not first:
            return set(self._always)
        one_pass = first - self._two_pass
        both = first & self._secondary.lookup(doc) if len(one_pass) < len(first) else set()
        return one_pass | both | self._always

    def match(self, doc: MatchDoc) -> set[str]:
        """Ids of every stored query matching ``doc``."""
        matched: set[str] = set()
        for canonical in self.candidates(doc):
            entry = self._entries[canonical]
            if entry.settled or (
                (entry.check is None or entry.check.passes(doc)) and matches(entry.node, doc)
            ):
                matched.update(entry.ids)
        return matched

    def __len__(self) -> int:
        return len(self._canonical_of)

    def __contains__(self, query_id: object) -> bool:
        return query_id in self._canonical_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._canonical_of)

    @property
    def distinct(self) -> int:
        """How many different queries are stored (identical texts count once)."""
        return len(self._entries)


def _settled_by_presearch(node: Node) -> bool:
    """True when finding the query's index key in a story is the same as matching."""
    if isinstance(node, Term):
        return node.field is None
    return isinstance(node, Meta) and node.field in ("country", "lang", "category", "site")


def _discard(index: dict[str, set[str]], key: str, canonical: str) -> None:
    postings = index.get(key)
    if postings is not None:
        postings.discard(canonical)
        if not postings:
            del index[key]
