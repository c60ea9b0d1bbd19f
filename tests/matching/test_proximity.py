"""NEAR/ONEAR: the linear evaluator answers as the naive definition does, and its work is
bounded by the query alone times the length of the story (counted, not timed)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.matching.query import MatchDoc, matches, parse
from monitor.matching.query.ast import Near, Node, Or, Phrase, Term
from monitor.matching.query.proximity import Meter, near_matches, operands, plan
from tests.matching import near_reference

# A tiny vocabulary, so words repeat, overlap and sit next to each other often.
WORDS = ["pea", "peace", "war", "wart", "x"]


def _leaf() -> st.SearchStrategy[Node]:
    word = st.sampled_from(WORDS)
    scope = st.sampled_from([None, None, None, "title", "text"])
    return st.one_of(
        st.builds(Term, word, scope),
        st.builds(lambda p, f: Term(p, f, prefix=True), st.sampled_from(["pea", "war"]), scope),
        st.builds(
            lambda ws, f: Phrase(tuple(ws), f), st.lists(word, min_size=2, max_size=3), scope
        ),
    )


NEAR_TREES = st.recursive(
    _leaf(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: Or((a, b)), inner, inner),
        st.builds(Near, inner, inner, st.integers(0, 3), st.booleans()),
    ),
    max_leaves=7,
).filter(lambda node: isinstance(node, Near))

TOKENS = st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join)
DOCS = st.builds(MatchDoc, st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join), TOKENS)


@settings(max_examples=1500, deadline=None)
@given(NEAR_TREES, DOCS)
def test_linear_evaluator_agrees_with_the_naive_definition(node: Near, doc: MatchDoc) -> None:
    assert near_matches(node, doc) == near_reference.near_matches(node, doc)


@settings(max_examples=300, deadline=None)
@given(st.lists(NEAR_TREES, min_size=1, max_size=3), st.lists(DOCS, min_size=1, max_size=3))
def test_a_story_reused_by_many_groups_answers_each_as_if_fresh(
    nodes: list[Near], docs: list[MatchDoc]
) -> None:
    """The per-story caches (word, phrase and operand bit sets) never leak between queries."""
    for doc in docs:
        for node in nodes:
            assert near_matches(node, doc) == near_reference.near_matches(node, doc)


@pytest.mark.parametrize(
    ("query", "orders", "steps"),
    [
        ("a NEAR/3 b", 2, 4),
        ("a ONEAR/3 b", 1, 2),
        ("a NEAR/3 a", 1, 2),  # both ways round are the same order
        ("peace NEAR/20 peace NEAR/20 peace NEAR/20 peace NEAR/20 peace NEAR/20 peace", 1, 6),
        ("abc* NEAR/100 abc* NEAR/100 abc* NEAR/100 abc* NEAR/100 abc* NEAR/100 abc*", 1, 6),
        ("a NEAR/1 b NEAR/2 c", 4, 11),  # (a b) c, (b a) c, c (a b), c (b a): c shared
        ("(a OR b) NEAR/1 c", 2, 4),  # a plain OR-group is one operand
        ("((a NEAR/1 b) OR c) NEAR/2 d", 6, 14),
    ],
)
def test_a_group_is_a_few_word_orders_fixed_by_the_query(
    query: str, orders: int, steps: int
) -> None:
    node = parse(query)
    assert isinstance(node, Near)
    assert (plan(node).orders, plan(node).steps) == (orders, steps)


def test_operands_count_words_phrases_and_plain_or_groups() -> None:
    assert operands(parse('a NEAR/1 "b c" NEAR/1 (d OR eee*)')) == 3
    assert operands(parse("(a OR (b NEAR/1 c)) NEAR/1 d")) == 4


# -- work: counted, never timed -----------------------------------------------------------
HOSTILE_GROUPS = [
    " NEAR/20 ".join(["peace"] * 6),
    " NEAR/100 ".join(["abc*"] * 6),
    " NEAR/100 ".join(["abc*"] * 8),
    " NEAR/100 ".join(f"abc{i}*" for i in range(7)) + " NEAR/100 absent*",
    " ONEAR/100 ".join(["abc*"] * 4) + ' NEAR/100 "abc1 abc2"',
]


def _story(words: int, seed: int = 3) -> MatchDoc:
    """A story where every word is a hit: ``peace`` and ``abc…`` words, densely mixed."""
    rng = random.Random(seed)
    vocabulary = ["peace"] + [f"abc{i}" for i in range(8)]
    return MatchDoc("peace abc1", " ".join(rng.choice(vocabulary) for _ in range(words)))


@pytest.mark.parametrize("query", HOSTILE_GROUPS)
def test_work_per_story_is_linear_in_its_length(query: str) -> None:
    """Scan steps are fixed by the query; each handles integers of one bit per word."""
    node = parse(query)
    assert isinstance(node, Near)
    small, large = Meter(), Meter()
    near_matches(node, _story(3_000), small)
    near_matches(node, _story(6_000), large)
    assert small.steps == large.steps <= 2 * plan(node).steps  # one scan per field
    assert large.bits <= 2.1 * small.bits
    # Each step handles at most two integers of (words + distance + 1) bits.
    assert small.bits <= small.steps * 2 * (3_000 + 100 + 1)


class TooMuchWork(Exception):
    """Raised from the profiler, so a runaway evaluation fails at once instead of hanging."""


def _calls(function: Callable[[], object], cap: int = 100_000) -> int:
    """Python and C function calls made by ``function()``: work counted by the interpreter."""
    count = 0

    def profile(_frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1
            if count > cap:
                raise TooMuchWork(f"more than {cap} calls")

    sys.setprofile(profile)
    try:
        function()
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("query", HOSTILE_GROUPS[:2])
def test_doubling_the_story_does_not_multiply_the_calls(query: str) -> None:
    """Any implementation: the calls made for a story twice as long stay about the same.

    The span-set evaluator this replaced made calls for every pair of nearby spans (about
    the story's length times the distance, per NEAR): 40× more for 2× the words here.
    """
    node = parse(query)

    def work(words: int) -> int:
        doc = _story(words)
        doc.positions  # noqa: B018 (tokenising the story is not the query's work)
        return _calls(lambda: matches(node, doc))

    small, large = work(150), work(300)
    assert large <= 2 * small + 20
    assert large <= 400


def test_three_thousand_word_story_costs_a_bounded_number_of_calls() -> None:
    node = parse(HOSTILE_GROUPS[0])
    doc = MatchDoc("", " ".join(["peace"] * 3_000))
    doc.positions  # noqa: B018
    assert _calls(lambda: matches(node, doc), cap=400) <= 400


def test_near_inside_or_and_not_is_still_a_group_evaluated_linearly() -> None:
    node = parse(f"NOT ({HOSTILE_GROUPS[0]}) OR x")
    assert isinstance(node, Or)
    story = _story(3_000)
    assert matches(node, story) is False  # the group matches, NOT excludes it, no x
    assert matches(node, MatchDoc("", "x")) is True
