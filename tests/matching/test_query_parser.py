"""The query parser: structure, precedence, normalisation, and clear errors."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.matching.query import parse, unparse
from monitor.matching.query.ast import And, Meta, Near, Not, Or, Phrase, Term
from monitor.matching.query.lexer import MAX_QUERY_LENGTH
from monitor.matching.query.parser import MAX_DEPTH

# (query, canonical text after parse → unparse)
CANONICAL = [
    ("Lula", "lula"),
    ("LULA", "lula"),
    ("Díaz-Canel", '"diaz canel"'),
    ("Lula AND Zelensky", "lula AND zelensky"),
    ("Lula Zelensky", "lula AND zelensky"),  # implicit AND
    ("Lula OR Zelensky", "lula OR zelensky"),
    ("Lula AND NOT Bolsonaro", "lula AND NOT bolsonaro"),
    ("Lula NOT Bolsonaro", "lula AND NOT bolsonaro"),
    ("NOT Bolsonaro", "NOT bolsonaro"),
    ("NOT NOT a", "NOT (NOT a)"),
    # AND binds tighter than OR; implicit AND too.
    ("a b OR c", "a AND b OR c"),
    ("a OR b c", "a OR b AND c"),
    ("a OR b AND c", "a OR b AND c"),
    ("(a OR b) c", "(a OR b) AND c"),
    # NEAR binds tighter than AND; NOT tighter than NEAR.
    ("a NEAR/3 b c", "a NEAR/3 b AND c"),
    ("a b NEAR/3 c", "a AND b NEAR/3 c"),
    ("a NEAR/1 b NEAR/2 c", "a NEAR/1 b NEAR/2 c"),  # left-associative
    ("a NEAR/1 (b NEAR/2 c)", "a NEAR/1 (b NEAR/2 c)"),
    ("(a OR b) NEAR/5 c", "(a OR b) NEAR/5 c"),
    ("a ONEAR/0 b", "a ONEAR/0 b"),
    ("NOT (a NEAR/3 b)", "NOT (a NEAR/3 b)"),
    ('"peace formula" NEAR/10 Brasil', '"peace formula" NEAR/10 brasil'),
    ('"Zelensky"', "zelensky"),  # one-word phrase is a word
    ("Zelensk*", "zelensk*"),
    ("ZELENSK*", "zelensk*"),
    ("title:Lula", "title:lula"),
    ("headline:Lula", "title:lula"),  # alias
    ("text:(Lula OR Bolsonaro)", "text:lula OR text:bolsonaro"),
    ('title:"peace plan"', 'title:"peace plan"'),
    ("country:br", "country:BR"),
    ("lang:PT-BR", "lang:pt"),
    ("category:Peace-Plan", "category:peace-plan"),
    ("site:www.RioTimesOnline.com", "site:riotimesonline.com"),
    ('outlet:"The Rio Times"', 'outlet:"the rio times"'),
    ("outlet:merco*", "outlet:merco*"),
    ("country:(BR OR AR) AND NOT country:VE", "(country:BR OR country:AR) AND NOT country:VE"),
    ("(a OR b) OR c", "(a OR b) OR c"),
    ("(a AND b) AND c", "(a AND b) AND c"),
]


@pytest.mark.parametrize(("query", "canonical"), CANONICAL)
def test_canonical_form(query: str, canonical: str) -> None:
    node = parse(query)
    assert unparse(node) == canonical
    assert parse(unparse(node)) == node


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
        ("a OR b AND NOT c", Or((Term("a"), And((Term("b"), Not(Term("c"))))))),
        ("a NEAR/2 b OR c", Or((Near(Term("a"), Term("b"), 2), Term("c")))),
        ("a ONEAR/0 b", Near(Term("a"), Term("b"), 0, ordered=True)),
        ("Zelensk*", Term("zelensk", prefix=True)),
        ("Ucrânia", Term("ucrania")),
        ('"Buenos Aires"', Phrase(("buenos", "aires"))),
        ("title:Milei", Term("milei", field="title")),
        ("country:ar", Meta("country", ("AR",))),
    ],
)
def test_tree(query: str, tree: object) -> None:
    assert parse(query) == tree


# (query, position of the error, words the reason must contain)
ERRORS = [
    ("", 0, "empty query"),
    ("   ", 0, "empty query"),
    ("Lula AND", 5, "dangling AND"),
    ("OR Lula", 0, "dangling OR"),
    ("Lula OR", 5, "dangling OR"),
    ("Lula AND OR Zelensky", 5, "dangling AND"),
    ("NOT", 0, "dangling NOT"),
    ("Lula NEAR/3", 5, "dangling NEAR/3"),
    ("NEAR/3 Lula", 0, "dangling NEAR/3"),
    ("(Lula", 0, "unbalanced parenthesis"),
    ("Lula)", 4, "unbalanced parenthesis"),
    ("((Lula) OR (Milei)", 0, "unbalanced parenthesis"),
    ("()", 0, "empty parentheses"),
    ('"peace plan', 0, "unterminated quote"),
    ('Lula "', 5, "unterminated quote"),
    ('""', 0, "empty phrase"),
    ("author:Smith", 0, "unknown field 'author'"),
    ("title:", 0, "expected a value after 'title:'"),
    ("title:text:Lula", 0, "expected a value after 'title:'"),
    ("title:(text:Lula)", 7, "field 'text:' inside 'title:'"),
    ("Lula NEAR Zelensky", 5, "NEAR needs a distance"),
    ("Lula NEAR/x Zelensky", 5, "bad NEAR distance"),
    ("Lula NEAR/-1 Zelensky", 5, "bad NEAR distance"),
    ("Lula NEAR/1000 Zelensky", 5, "bad NEAR distance 1000"),
    ("Lula ONEAR/2.5 Zelensky", 5, "bad ONEAR distance"),
    ("NOT Lula NEAR/3 Zelensky", 9, "operands must be"),
    ("(a AND b) NEAR/3 c", 10, "not AND"),
    ("country:BR NEAR/3 Lula", 11, "metadata field"),
    ("Ze*", 0, "too short"),
    ("*", 0, "no letters or digits"),
    ("Zel*nsky", 3, "only allowed at the end"),
    ("Díaz-Can*", 0, "compound word"),
    ("country:Brazil", 8, "two-letter ISO code"),
    ("country:B1", 8, "two-letter ISO code"),
    ("category:peace_plan", 9, "unknown category"),
    ("lang:portuguese", 5, "language code"),
    ("site:https://x.com", 5, "expects a domain"),
    ("lang:pt*", 5, "wildcards are not supported"),
    ("---", 0, "no letters or digits"),
    # NEAR/ONEAR groups: at most 8 operands, at most 1,024 scan steps in a query
    (" NEAR/1 ".join("abcdefghi"), 65, "too many operands in one NEAR/ONEAR group: 9"),
    ("(a NEAR/1 b NEAR/1 c) NEAR/1 (d NEAR/1 e NEAR/1 f NEAR/1 g NEAR/1 h NEAR/1 i)", 22,
     "too many operands in one NEAR/ONEAR group: 9"),
    ("((a NEAR/1 b) OR (c NEAR/1 d) OR e) NEAR/2 (f ONEAR/1 g ONEAR/1 h ONEAR/1 i)", 36,
     "too many operands in one NEAR/ONEAR group: 9"),
    (" AND ".join(f"(x{i} NEAR/3 y{i} NEAR/3 z{i} NEAR/3 w{i} NEAR/3 v{i})" for i in range(17)),
     852, "can match in 272 word orders (1071 scan steps, limit 1024)"),
]


@pytest.mark.parametrize(("query", "position", "reason"), ERRORS)
def test_errors_name_the_problem_and_where(query: str, position: int, reason: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert caught.value.query == query
    assert "^" in str(caught.value)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("x" * (MAX_QUERY_LENGTH + 1), "query too long"),
        ("(" * 10_000 + "a" + ")" * 10_000, "query too long"),
        ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), "nested too deeply"),
        ("NOT " * (MAX_DEPTH + 1) + "a", "nested too deeply"),
        ('"' * 3001, "unterminated quote"),
        (" ".join(["a"] * 1001), "too many terms"),
        ("title:" * 600 + "a", "expected a value"),
        ("(" * 2000, "nested too deeply"),
        ("a " * 2100, "query too long"),
    ],
)
def test_hostile_input_fails_fast_with_a_clear_error(query: str, reason: str) -> None:
    started = time.process_time()  # CPU seconds: a busy machine does not inflate them
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert time.process_time() - started < 0.5
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    "query",
    [
        " NEAR/20 ".join(["peace"] * 8),  # one word order, however many operands
        " NEAR/100 ".join(["abc*"] * 8),
        " NEAR/5 ".join("abcdefgh"),  # 128 orders, 703 steps: the largest group allowed
        " AND ".join(f"(x{i} NEAR/3 y{i} NEAR/3 z{i} NEAR/3 w{i} NEAR/3 v{i})" for i in range(16)),
        " OR ".join(f"(w{i} NEAR/5 v{i})" for i in range(150)),  # 150 groups of one pair
    ],
)
def test_proximity_limits_leave_room_for_every_sensible_query(query: str) -> None:
    assert isinstance(parse(query), Near | And | Or)


def test_many_quotes_and_long_valid_query_parse_quickly() -> None:
    query = " OR ".join(f'"w{i} x"' for i in range(250))
    started = time.process_time()  # CPU seconds: a busy machine does not inflate them
    node = parse(query)
    assert isinstance(node, Or) and len(node.children) == 250
    assert time.process_time() - started < 0.5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab ()"*:/ANDORTEN0123\\-', max_size=80))
def test_arbitrary_text_parses_or_raises_query_error(query: str) -> None:
    try:
        node = parse(query)
    except QueryError as error:
        assert 0 <= error.position <= len(query)
        assert error.reason
    else:
        assert parse(unparse(node)) == node
