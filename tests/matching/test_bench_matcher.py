"""The benchmark's generated queries are valid and both matchers agree on them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from monitor.matching.query import parse

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_matcher.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_matcher_under_test", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def test_generated_queries_parse_and_vary(bench: ModuleType) -> None:
    queries = bench.make_queries(500)
    assert len(queries) == 500
    assert len(set(queries)) > 450
    for query in queries:
        parse(query)
    joined = " ".join(queries)
    for feature in ("NEAR/", "ONEAR/", "*", '"', "title:", "country:", "NOT", "OR", "lang:"):
        assert feature in joined


def test_small_run_agrees_and_renders_markdown(bench: ModuleType, tmp_path: Path) -> None:
    rows = bench.run((10, 200), docs_count=40, naive_budget=0.05)
    assert [row.queries for row in rows] == [10, 200]
    assert all(row.agree for row in rows)
    assert all(row.matcher_docs_per_s > 0 and row.naive_docs_per_s > 0 for row in rows)
    table = bench.markdown(rows, quick=True)
    assert table.count("\n| ") == 4  # header, separator, two rows
    output = tmp_path / "bench.md"
    assert bench.main(["--quick", "--output", str(output)]) == 0
    assert "| 1,000 |" in output.read_text(encoding="utf-8")


def test_hostile_queries_are_timed_against_preparing_the_story(bench: ModuleType) -> None:
    rows = bench.time_hostile(repeats=1)
    assert [row.name for row in rows] == list(bench.HOSTILE_QUERIES)
    for row in rows:
        parse(row.query)  # every hostile query is one the parser accepts
        assert row.ms > 0 and row.baseline_ms > 0
    assert rows[0].matched and rows[1].matched  # the two match the hostile story
    table = bench.hostile_markdown(rows)
    assert table.count("\n| ") == 2 + len(rows)
    assert "× preparing the story" in table
