"""The linter flags expensive or suspicious queries, and only those."""

from __future__ import annotations

import pytest

from monitor.errors import QueryError
from monitor.matching.query import lint


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("Zelensky AND Lula", set()),
        ('"peace formula" NEAR/10 Brasil', set()),
        ("Zelensk* country:BR", set()),
        ("Zel*", {"short-wildcard"}),
        ("Zele*", {"short-wildcard"}),
        ("NOT football", {"pure-not"}),
        ("NOT football AND NOT soccer", {"pure-not"}),
        ("Lula OR NOT football", {"pure-not"}),
        ("Lula AND NOT football", set()),
        ("Ukraine or Brazil", {"lowercase-operator"}),
        ("Ukraine and Brazil", {"lowercase-operator"}),
        ("Ukraine not Russia", {"lowercase-operator"}),
        ("Lula NEAR/30 Zelensky", {"large-near"}),
        ("Lula NEAR/20 Zelensky", set()),
        ("title:Lula NEAR/3 text:Zelensky", {"near-across-fields"}),
        (" OR ".join(f"w{i}" for i in range(60)), {"large-or"}),
        ("Lula -football", {"dash-is-not-not"}),
        ("x AND Lula", {"very-short-word"}),
        ("outlet:merco*", {"no-required-term"}),
    ],
)
def test_lint_codes(query: str, codes: set[str]) -> None:
    warnings = lint(query)
    assert {w.code for w in warnings} == codes
    assert all(w.message for w in warnings)


def test_lowercase_operator_warning_points_at_the_word() -> None:
    (warning,) = lint("Ukraine or Brazil")
    assert warning.position == 8
    assert "OR" in warning.message


def test_lint_rejects_invalid_queries_like_parse() -> None:
    with pytest.raises(QueryError):
        lint("Ukraine AND")
