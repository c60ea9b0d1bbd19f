"""Benchmark: the archive search (index candidates, then the exact evaluator) against a full
scan (every story read and tested with the exact evaluator), on one table, in the same run.

Fills a fresh database with N stories (the labelled news texts, cycled, each with its own
headline; every third one alerted with countries and a category), indexed as the worker
indexes them, then times typical queries: median and p95 ms of ``search_archive`` over
several runs, and one full scan per query as the baseline. Both must find the same stories
unless the search stopped at its candidate bound (then it says so).

    python -m bench.bench_search                      # 200,000 stories, SQLite
    python -m bench.bench_search --database-url postgresql+psycopg://…/bench_search
    python -m bench.bench_search --quick              # 5,000 stories, for CI

Progress goes to stderr; the Markdown table to stdout and to ``--output``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running as a script: make the package importable
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, select  # noqa: E402

from bench.bench_fanout import scratch_database  # noqa: E402
from bench.corpus import base_texts  # noqa: E402
from monitor.matching.query import Node, matches, parse  # noqa: E402
from monitor.models import Classification  # noqa: E402
from monitor.search.archive import search_archive  # noqa: E402
from monitor.store import search_index  # noqa: E402
from monitor.store.archive import stories_by_ids  # noqa: E402
from monitor.store.db import make_engine, transaction  # noqa: E402
from monitor.store.stories import band_columns, insert_alerts, insert_stories  # noqa: E402
from monitor.store.tables import stories  # noqa: E402
from monitor.subscriptions.preview import stored_story_doc  # noqa: E402

FULL_SIZE = 200_000
QUICK_SIZE = 5_000
BATCH = 1_000
COUNTRIES = (["BR"], ["AR"], ["MX", "BR"], ["CO"], ["VE"])
CATEGORIES = ("diplomacy", "trade", "humanitarian", "peace-plan")
QUERIES = {
    "a word": "zelensky",
    "a phrase and a country": '"peace plan" AND country:BR',
    "NEAR with a wildcard": "Lula NEAR/5 Ucr*",
    "OR of two languages' words": "(sanctions OR sanciones OR sanções) AND NOT russia",
    "a rare word": "Paraguay AND Zelensky",
}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    query: str
    matches: int
    candidates: int
    capped: bool
    median_ms: float
    p95_ms: float
    scan_ms: float


def fill(engine: Engine, size: int) -> None:
    """``size`` stories, indexed, every third alerted, as the worker stores them."""
    texts = base_texts()
    start = datetime.now(UTC) - timedelta(days=90)
    done = 0
    while done < size:
        count = min(BATCH, size - done)
        rows: list[dict[str, Any]] = []
        for n in range(done, done + count):
            title, text, lang = texts[n % len(texts)]
            at = start + timedelta(seconds=n * 30)
            rows.append(
                {
                    "title": f"{title} ({n})",
                    "text": text,
                    "html": "",
                    "url": f"https://wire.example/{n}",
                    "lang": lang,
                    "credited_outlet": f"Outlet {n % 40}",
                    "title_key": "",
                    "simhash": 0,
                    "published_at": at,
                    "first_seen_at": at,
                    "updated_at": at,
                    "source_count": 1,
                    **band_columns(0),
                }
            )
        with transaction(engine) as conn:
            ids = insert_stories(conn, rows)
            search_index.index_stories(
                conn,
                [(i, r["title"], r["text"]) for i, r in zip(ids, rows, strict=True)],
                fresh=True,
            )
            verdicts = {
                story_id: Classification(
                    relevant=True,
                    score=0.8,
                    category=CATEGORIES[story_id % len(CATEGORIES)],
                    countries=tuple(COUNTRIES[story_id % len(COUNTRIES)]),
                    lang=None,
                )
                for story_id in ids[::3]
            }
            insert_alerts(conn, verdicts, "bench", now=datetime.now(UTC))
        done += count
        if done % 20_000 == 0 or done == size:
            progress(f"stored and indexed {done:,} stories")


def full_scan(engine: Engine, node: Node) -> set[int]:
    """The baseline: every story read and tested with the exact evaluator."""
    found: set[int] = set()
    with transaction(engine) as conn:
        ids = [int(i) for i in conn.execute(select(stories.c.id)).scalars()]
        for start in range(0, len(ids), 2_000):
            chunk = stories_by_ids(conn, ids[start : start + 2_000])
            found.update(i for i, s in chunk.items() if matches(node, stored_story_doc(s)))
    return found


def measure(engine: Engine, repeats: int) -> list[Row]:
    rows = []
    for name, query in QUERIES.items():
        node = parse(query)
        spent = []
        result = None
        for _ in range(repeats):
            started = time.perf_counter()
            with transaction(engine) as conn:
                result = search_archive(conn, node)
            spent.append((time.perf_counter() - started) * 1000)
        assert result is not None
        started = time.perf_counter()
        scanned = full_scan(engine, node)
        scan_ms = (time.perf_counter() - started) * 1000
        found = {f.story.id for f in result.found}
        if not result.capped and found != scanned:
            raise SystemExit(f"{query}: search and full scan disagree")
        spent.sort()
        p95 = spent[min(len(spent) - 1, round(0.95 * (len(spent) - 1)))]
        rows.append(
            Row(
                name,
                query,
                len(found),
                result.candidates,
                result.capped,
                statistics.median(spent),
                p95,
                scan_ms,
            )
        )
        progress(f"{name}: {rows[-1].median_ms:.1f} ms (full scan {scan_ms:.0f} ms)")
    return rows


def markdown(rows: Sequence[Row], size: int, backend: str, repeats: int) -> str:
    lines = [
        "## Archive search (bench/bench_search.py)",
        "",
        f"{size:,} stories on {backend}, indexed as the worker indexes them. `search_archive` "
        f"(index candidates, then the exact evaluator; median and p95 of {repeats} runs) "
        "against a full scan that tests every story with the exact evaluator (same run). "
        "A capped search read only its first 5,000 candidates.",
        "",
        "| query | matches | candidates | search median ms | p95 ms | full scan ms | × faster |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.name}: `{r.query}` | {r.matches:,}{' (capped)' if r.capped else ''} | "
            f"{r.candidates:,} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.scan_ms:.0f} | "
            f"{r.scan_ms / r.median_ms:.1f}× |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE:,} stories")
    parser.add_argument("--stories", type=int, help=f"default {FULL_SIZE:,}")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--database-url",
        help="default: SQLite in a temporary directory; a "
        "PostgreSQL database that does not exist is created and dropped",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    size = args.stories or (QUICK_SIZE if args.quick else FULL_SIZE)
    with scratch_database(args.database_url, args.keep) as url:
        engine = make_engine(url)
        try:
            fill(engine, size)
            rows = measure(engine, args.repeats)
        finally:
            engine.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    report = markdown(rows, size, backend, args.repeats)
    if args.output:
        args.output.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
