"""The index's candidates hold every exact match, on SQLite and PostgreSQL, and a search
returns exactly the stories the exact evaluator (the naive oracle) matches."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.matching.matcher import NaiveMatcher
from monitor.matching.query import parse
from monitor.matching.query.candidates import (
    EVERYTHING,
    AllOf,
    AnyOf,
    Prefix,
    Word,
    Words,
    candidate,
    required_metadata,
)
from monitor.search.archive import search_archive
from monitor.store import search_index
from monitor.store.archive import stories_by_ids
from monitor.store.db import transaction
from monitor.subscriptions.preview import stored_story_doc
from tests.search.corpus import STEMS, WORDS, alert, random_corpus, store_stories

META = ["country:BR", "country:MX", "lang:pt", "lang:es", "category:peace-plan", 'outlet:"rio"']


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Zelensky", Word("zelensky")),
        ("ZELÉNSKY", Word("zelensky")),
        ("Zelensk*", Prefix("zelensk")),
        ('"plan de paz"', Words(("plan", "de", "paz"))),
        ("title:lula", Word("lula")),
        ("lula AND NOT brasil", Word("lula")),
        ("NOT brasil", EVERYTHING),
        ("country:BR", EVERYTHING),
        ("lula country:BR", Word("lula")),
        ("lula OR country:BR", EVERYTHING),
        ("lula NEAR/3 paz", AllOf((Word("lula"), Word("paz")))),
        (
            "(lula OR bolsonaro) ONEAR/2 paz",
            AllOf((AnyOf((Word("lula"), Word("bolsonaro"))), Word("paz"))),
        ),
        ("Díaz-Canel", Words(("diaz", "canel"))),
        ("lula lula", Word("lula")),
    ],
)
def test_candidate_loosens_the_query(query: str, expected: object) -> None:
    assert candidate(parse(query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lula country:BR lang:pt", (("country", "BR"), ("lang", "pt"))),
        (
            "(lula AND category:peace-plan) AND country:mx",
            (("category", "peace-plan"), ("country", "MX")),
        ),
        ("lula OR country:BR", ()),
        ("NOT country:BR", ()),
        ('outlet:"rio times" AND site:example.com', ()),
    ],
)
def test_required_metadata_is_what_every_match_passes(query: str, expected: object) -> None:
    assert required_metadata(parse(query)) == expected


def test_metadata_narrows_the_look_up(corpus: tuple[Any, dict[int, Any]]) -> None:
    engine, docs = corpus
    node = parse("country:MX")
    with transaction(engine) as conn:
        hits = search_index.candidates(
            conn, candidate(node), limit=10_000, metadata=required_metadata(node)
        )
    assert hits is not None
    exact = {i for i, doc in docs.items() if "MX" in doc.countries}
    assert exact and {hit.story_id for hit in hits} == exact


def test_expressions_quote_every_word() -> None:
    found = candidate(parse('"plan de paz" AND (zel* OR lula)'))
    assert search_index.fts5_expression(found) == '("plan de paz" AND ("zel"* OR "lula"))'
    params: dict[str, str] = {}
    sql = search_index.tsquery_sql(found, params)
    assert sorted(params.values()) == ["de", "lula", "paz", "plan", "zel"]
    assert "plan" not in sql  # words travel as parameters, never inside the SQL text


def _leaf() -> st.SearchStrategy[str]:
    word = st.sampled_from(WORDS).map(lambda w: f'"{w}"' if "'" in w else w)
    return st.one_of(
        word,
        st.sampled_from(STEMS).map(lambda s: s + "*"),
        st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(
            lambda ws: '"' + " ".join(ws) + '"'
        ),
        st.tuples(st.sampled_from(["title:", "text:"]), st.sampled_from(WORDS[:10])).map("".join),
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
        st.tuples(inner, inner).map(lambda t: f"({t[0]} OR {t[1]})"),
        inner.map(lambda q: f"NOT ({q})"),
    ),
    max_leaves=5,
)


def _corpus(engine: Any) -> dict[int, Any]:
    """Sixty random stories (some alerted) and one longer than the index keeps whole."""
    stories = random_corpus(seed=17, count=60)
    stories.append(("Longa", "guerra " * (search_index.MAX_INDEXED_CHARS // 7) + "lula paz"))
    with transaction(engine) as conn:
        ids = store_stories(conn, stories)
        for n, story_id in enumerate(ids[::3]):
            alert(conn, story_id, [["BR"], ["MX", "BR"], []][n % 3], ["peace-plan", "other"][n % 2])
        return {i: stored_story_doc(s) for i, s in stories_by_ids(conn, ids).items()}


@pytest.fixture
def corpus(db_url: str, engines: Any) -> tuple[Any, dict[int, Any]]:
    engine = engines(db_url)
    return engine, _corpus(engine)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(QUERIES)
def test_candidates_hold_every_exact_match_and_search_equals_the_oracle(
    corpus: tuple[Any, dict[int, Any]], query: str
) -> None:
    engine, docs = corpus
    node = parse(query)
    oracle = NaiveMatcher()
    oracle.add("q", node)
    exact = {story_id for story_id, doc in docs.items() if oracle.match(doc)}
    with transaction(engine) as conn:
        hits = search_index.candidates(conn, candidate(node), limit=10_000)
        result = search_archive(conn, node, sort="relevance")
    found = set(docs) if hits is None else {hit.story_id for hit in hits}
    assert exact <= found, f"{query}: the index missed {sorted(exact - found)}"
    assert {f.story.id for f in result.found} == exact


def test_the_index_narrows_a_selective_query(corpus: tuple[Any, dict[int, Any]]) -> None:
    """Not a vacuous superset: a word look-up returns the stories holding the word."""
    engine, docs = corpus
    node = parse("covid19")
    with transaction(engine) as conn:
        hits = search_index.candidates(conn, candidate(node), limit=10_000)
    assert hits is not None
    holding = {i for i, doc in docs.items() if "covid19" in doc.words[""]}
    assert holding and len(holding) < len(docs)
    long_story = max(docs)  # indexed in part: a candidate of every query
    assert {hit.story_id for hit in hits} == holding | {long_story}
