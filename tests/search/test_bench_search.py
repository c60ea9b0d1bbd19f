"""The search benchmark runs small on both databases, and its search and full scan agree."""

from __future__ import annotations

from typing import Any

from bench import bench_search


def test_small_run_agrees_with_the_full_scan(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    bench_search.fill(engine, 600)
    rows = bench_search.measure(engine, repeats=1)  # exits when search and scan disagree
    assert [row.name for row in rows] == list(bench_search.QUERIES)
    assert any(row.matches for row in rows)
    assert all(row.candidates >= row.matches for row in rows)
    assert all(row.candidates < 600 for row in rows if row.name != "a word")
    report = bench_search.markdown(rows, 600, "SQLite", 1)
    assert report.count("\n| ") == len(rows) + 2
