"""The presearch matcher returns exactly what the naive oracle returns, only faster."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.matching.matcher import NaiveMatcher, QueryMatcher
from monitor.matching.query import MatchDoc, parse
from monitor.matching.query.document import PREFIX_MARK, meta_key
from monitor.matching.query.presearch import TermStats, clause_cost, required_clauses

WORDS = ["lula", "zelensky", "brasil", "ucrania", "paz", "plan", "mexico", "guerra", "de", "x"]
SURFACE = {"ucrania": "Ucrânia", "mexico": "México", "brasil": "BRASIL"}  # folding in docs
STEMS = ["ucr", "zel", "bra", "pla", "mex", "gue"]
META = ["country:BR", "country:MX", "lang:pt", "lang:es", "category:peace-plan", 'outlet:"rio"']


def doc(title: str, text: str = "", **meta: object) -> MatchDoc:
    return MatchDoc(title, text, **meta)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "clauses"),
    [
        ("lula", [{"lula"}]),
        ("zel*", [{PREFIX_MARK + "zel"}]),
        ('"plan de paz"', [{"plan"}, {"de"}, {"paz"}]),
        ("lula AND zelensky", [{"lula"}, {"zelensky"}]),
        ("lula OR zelensky", [{"lula", "zelensky"}]),
        ("(lula OR zelensky) AND paz", [{"lula", "zelensky"}, {"paz"}]),
        ("lula NEAR/3 paz", [{"lula"}, {"paz"}]),
        ("lula AND NOT paz", [{"lula"}]),
        ("NOT paz", None),
        ("lula OR NOT paz", None),
        ("country:BR", [{meta_key("country", "BR")}]),
        ("outlet:rio*", None),
        ('"a b" OR c', [{"a", "c"}, {"b", "c"}]),
    ],
)
def test_required_clauses(query: str, clauses: list[set[str]] | None) -> None:
    found = required_clauses(parse(query))
    assert (None if found is None else [set(c) for c in found]) == clauses


def test_add_remove_replace_and_duplicates() -> None:
    matcher = QueryMatcher()
    matcher.add("a", "lula AND zelensky")
    matcher.add("b", "Lula  Zelensky")  # same canonical query
    matcher.add("c", "messi")
    assert len(matcher) == 3 and matcher.distinct == 2
    story = doc("Lula meets Zelensky")
    assert matcher.match(story) == {"a", "b"}
    matcher.add("c", "zelensky")  # replace
    assert matcher.match(story) == {"a", "b", "c"}
    assert matcher.remove("a") and not matcher.remove("a")
    assert "a" not in matcher and "b" in matcher
    assert matcher.match(story) == {"b", "c"}
    matcher.remove("b")
    matcher.remove("c")
    assert len(matcher) == 0 and matcher.distinct == 0
    assert matcher.match(story) == set()


def test_invalid_query_is_rejected_and_nothing_is_stored() -> None:
    matcher = QueryMatcher()
    with pytest.raises(QueryError):
        matcher.add("bad", "lula AND")
    assert "bad" not in matcher and len(matcher) == 0


def test_presearch_skips_queries_whose_required_words_are_absent() -> None:
    matcher = QueryMatcher()
    matcher.add("football", "messi AND maradona")
    matcher.add("wild", "zelensk*")
    matcher.add("meta", "country:AR")
    matcher.add("negative", "NOT messi")
    story = doc("Lula meets Zelenskiy", countries=("BR",))
    candidates = matcher.candidates(story)
    assert "messi AND maradona" not in candidates
    assert "country:AR" not in candidates
    assert "zelensk*" in candidates
    assert "NOT messi" in candidates  # no required word: always checked
    assert matcher.match(story) == {"wild", "negative"}


def test_statistics_rank_clauses_by_document_frequency() -> None:
    common = [doc("", "ukraine war news") for _ in range(9)] + [doc("", "guatemala ukraine")]
    stats = TermStats.from_docs(common)
    assert stats.word("ukraine") == 1.0 and stats.word("guatemala") == 0.1
    assert clause_cost(frozenset({"guatemala"}), stats) < clause_cost(frozenset({"ukraine"}), stats)
    assert clause_cost(frozenset({PREFIX_MARK + "guat"}), stats) == pytest.approx(0.1)
    assert clause_cost(frozenset({"ukraine", "guatemala"}), stats) == 1.0


def test_candidates_need_every_indexed_clause() -> None:
    stats = TermStats.from_docs([doc("", "ukraine war news")] * 9 + [doc("", "guatemala")])
    matcher = QueryMatcher(stats)
    matcher.add("q", "ukraine AND guatemala AND war")
    assert matcher.candidates(doc("", "ukraine only")) == set()
    assert matcher.candidates(doc("", "guatemala only")) == set()
    assert matcher.candidates(doc("", "guatemala ukraine")) == {"ukraine AND guatemala AND war"}
    assert matcher.match(doc("", "guatemala ukraine")) == set()  # third clause: no "war"
    matcher.reindex(TermStats.from_docs([doc("", "guatemala")] * 5 + [doc("", "ukraine")]))
    assert matcher.match(doc("", "War: Ukraine and Guatemala")) == {"q"}


# -- property: the presearch matcher agrees with the naive oracle ------------------------
def _leaf() -> st.SearchStrategy[str]:
    word = st.sampled_from(WORDS)
    return st.one_of(
        word,
        st.sampled_from(STEMS).map(lambda s: s + "*"),
        st.lists(word, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
        st.tuples(st.sampled_from(["title:", "text:"]), word).map("".join),
    )


def _span() -> st.SearchStrategy[str]:
    return st.recursive(
        _leaf(),
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda t: f"({t[0]} OR {t[1]})"),
            st.tuples(inner, st.sampled_from(["NEAR", "ONEAR"]), st.integers(0, 4), inner).map(
                lambda t: f"({t[0]} {t[1]}/{t[2]} {t[3]})"
            ),
        ),
        max_leaves=4,
    )


QUERIES = st.recursive(
    st.one_of(_span(), st.sampled_from(META)),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} AND {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} OR {t[1]})"),
        inner.map(lambda q: f"NOT ({q})"),
    ),
    max_leaves=6,
)

TOKENS = st.lists(st.sampled_from([SURFACE.get(w, w) for w in WORDS]), max_size=12).map(" ".join)
DOCS = st.builds(
    MatchDoc,
    TOKENS,
    TOKENS,
    outlet=st.sampled_from(["", "The Rio Times", "MercoPress"]),
    lang=st.sampled_from([None, "pt", "es", "en"]),
    countries=st.lists(st.sampled_from(["BR", "MX", "AR"]), max_size=2),
    category=st.sampled_from([None, "peace-plan", "other"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(QUERIES, min_size=1, max_size=25), st.lists(DOCS, min_size=1, max_size=4))
def test_matcher_agrees_with_naive_oracle(queries: list[str], docs: list[MatchDoc]) -> None:
    fast, naive = QueryMatcher(), NaiveMatcher()
    for index, query in enumerate(queries):
        fast.add(f"q{index}", query)
        naive.add(f"q{index}", query)
    for story in docs:
        assert fast.match(story) == naive.match(story)
    for index in range(0, len(queries), 2):
        assert fast.remove(f"q{index}") == naive.remove(f"q{index}")
    for story in docs:
        assert fast.match(story) == naive.match(story)


@settings(max_examples=100, deadline=None)
@given(st.lists(QUERIES, min_size=1, max_size=10), st.lists(DOCS, min_size=2, max_size=6))
def test_matcher_with_statistics_agrees_with_naive_oracle(
    queries: list[str], docs: list[MatchDoc]
) -> None:
    fast, naive = QueryMatcher(TermStats.from_docs(docs[:2])), NaiveMatcher()
    for index, query in enumerate(queries):
        fast.add(f"q{index}", query)
        naive.add(f"q{index}", query)
    for story in docs:
        assert fast.match(story) == naive.match(story)
