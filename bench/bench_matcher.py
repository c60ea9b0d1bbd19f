"""Benchmark: stored-query matching, presearch ``QueryMatcher`` vs the naive evaluator.

Generates realistic stored queries (gazetteer names, cue words and news vocabulary; words,
phrases, wildcards, NEAR/ONEAR, field scopes, metadata, NOT) at several sizes, prepares
stories from the dev set (cycled), and measures documents per second for both matchers in
the same run on one core. The naive matcher is timed on a smaller sample of stories at
large sizes (docs/s stays comparable); on that sample both must return the same ids.

A second table times hostile stored queries (issue 15: seconds to minutes a story on the
span-set evaluator) on one hostile 3,000-word story, in ms per story, against preparing that
story (``MatchDoc`` and word positions) in the same run.

    python -m bench.bench_matcher            # 10 … 100,000 queries
    python -m bench.bench_matcher --quick    # 10 … 1,000 queries, for CI
    python bench/bench_matcher.py --output docs/bench-matcher.md

Progress goes to stderr; the Markdown tables to stdout and to ``--output``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running as a script: make the package importable
    sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from monitor.matching.classifier import classify  # noqa: E402
from monitor.matching.matcher import NaiveMatcher, QueryMatcher  # noqa: E402
from monitor.matching.query import MatchDoc, matches, parse  # noqa: E402
from monitor.matching.query.presearch import TermStats  # noqa: E402
from monitor.matching.text import fold, tokens  # noqa: E402
from monitor.matching.topic import load_topic  # noqa: E402
from monitor.models import CATEGORIES  # noqa: E402

TOPIC = ROOT / "seeds" / "topics" / "ukraine-latam.toml"
DEV_SET = ROOT / "tests" / "data" / "dev-news.jsonl"
FULL_SIZES = (10, 100, 1_000, 10_000, 100_000)
QUICK_SIZES = (10, 100, 1_000)
# fmt: off
NEWS_WORDS = [
    "president", "minister", "government", "visit", "meeting", "summit", "call", "talks",
    "agreement", "trade", "exports", "embassy", "ambassador", "refugees", "aid", "weapons",
    "vote", "resolution", "sanctions", "war", "peace", "presidente", "ministro", "gobierno",
    "governo", "visita", "reunión", "reunião", "cumbre", "cúpula", "acuerdo", "acordo",
    "comercio", "comércio", "embajada", "embaixada", "embajador", "embaixador", "refugiados",
    "ayuda", "ajuda", "armas", "voto", "resolución", "resolução", "sanciones", "sanções",
    "guerra", "paz", "invasión", "invasão",
]
# fmt: on


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the results table."""

    queries: int
    distinct: int
    naive_docs_per_s: float
    matcher_docs_per_s: float
    naive_sample: int
    matcher_docs: int
    matches_per_doc: float
    agree: bool

    @property
    def ratio(self) -> float:
        return self.matcher_docs_per_s / self.naive_docs_per_s if self.naive_docs_per_s else 0.0


HOSTILE_WORDS = 3_000
# "absent*" matches nothing; as a wildcard it is not a word the scan checks first, so the
# "no match" rows pay for every scan step before the last.
HOSTILE_QUERIES = {
    "6 × peace NEAR/20 (issue 15)": " NEAR/20 ".join(["peace"] * 6),
    "6 × abc* NEAR/100 (issue 15)": " NEAR/100 ".join(["abc*"] * 6),
    "8 × abc* NEAR/100 (longest chain)": " NEAR/100 ".join(["abc*"] * 8),
    "8 different NEAR/100, no match (largest group)": " NEAR/100 ".join(
        ["peace", "abc1*", "abc2*", "abc3*", "abc4*", "abc5*", "abc6*", "absent*"]
    ),
    "16 groups of 5 OR-ed, no match (1,008 scan steps)": " OR ".join(
        f"(peace NEAR/{i} abc1* NEAR/{i} abc2* NEAR/{i} abc3* NEAR/{i} absent*)"
        for i in range(80, 96)
    ),
    "ordinary: lula NEAR/5 zelensk*": "lula NEAR/5 zelensk*",
}


@dataclass(frozen=True, slots=True)
class HostileRow:
    """One hostile query: median ms to evaluate it on a freshly prepared hostile story."""

    name: str
    query: str
    ms: float
    baseline_ms: float  # preparing the same story, median, same run
    matched: bool


def hostile_story(words: int = HOSTILE_WORDS, seed: int = 15) -> dict[str, str]:
    """Every other word ``peace``, the others ``abc0`` … ``abc99``: every word is a hit."""
    rng = random.Random(seed)
    text = " ".join("peace" if i % 2 == 0 else f"abc{rng.randrange(100)}" for i in range(words))
    return {"title": "Peace talks", "text": text}


def time_hostile(repeats: int = 5) -> list[HostileRow]:
    """Median ms per story for each hostile query, and for preparing the story itself."""
    story = hostile_story()

    def prepared() -> MatchDoc:
        doc = MatchDoc(**story)
        doc.positions  # noqa: B018 (built once per story, shared by every query)
        return doc

    prepare: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        prepared()
        prepare.append((time.perf_counter() - start) * 1000)
    baseline = statistics.median(prepare)
    rows = []
    for name, query in HOSTILE_QUERIES.items():
        node = parse(query)
        spent, matched = [], False
        for _ in range(repeats):
            doc = prepared()  # fresh: no bit set of an earlier repeat is reused
            start = time.perf_counter()
            matched = matches(node, doc)
            spent.append((time.perf_counter() - start) * 1000)
        rows.append(HostileRow(name, query, statistics.median(spent), baseline, matched))
        progress(f"hostile: {name}: {rows[-1].ms:.3f} ms per story")
    return rows


def hostile_markdown(rows: Sequence[HostileRow]) -> str:
    """The hostile-query timings as a Markdown section."""
    lines = [
        "## Hostile stored queries (bench/bench_matcher.py)",
        "",
        f"One hostile {HOSTILE_WORDS:,}-word story (every other word `peace`, the others "
        "`abc0`…`abc99`, so every word is a hit) and each query alone, on one core: median "
        "ms to evaluate the query on the prepared story, and that as a share of preparing "
        f"the story (`MatchDoc` and word positions: {rows[0].baseline_ms:.2f} ms, same run)."
        if rows
        else "",
        "",
        "| query | ms per story | × preparing the story | matches |",
        "| --- | ---: | ---: | :---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {row.ms:.3f} | {row.ms / row.baseline_ms:.2f}× | "
            f"{'yes' if row.matched else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def vocabulary() -> tuple[list[str], list[str], list[str], list[str]]:
    """(topic words, other news words, multi-word names, wildcard stems)."""
    data = tomllib.loads(TOPIC.read_text(encoding="utf-8"))
    names: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                if isinstance(value, str):
                    names.append(value)
                else:
                    collect(value)

    for key in ("ukraine", "russia", "latam", "categories"):
        collect(data[key])
    words: set[str] = set(NEWS_WORDS)
    phrases: set[str] = set()
    stems: set[str] = set()
    for name in names:
        body = name.lstrip("=")
        if body.endswith("*"):
            stem = body[:-1]
            if len(tokens(fold(stem))) == 1 and len(stem) >= 4:
                stems.add(stem)
        elif len(tokens(fold(body))) > 1:
            phrases.add(body)
        elif tokens(fold(body)):
            words.add(body)
    text_words: set[str] = set()
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        text_words.update(w for w in tokens(fold(orjson.loads(line)["text"])) if len(w) > 3)
    return sorted(words), sorted(text_words - words), sorted(phrases), sorted(stems)


def make_queries(count: int, seed: int = 7) -> list[str]:
    """``count`` stored queries drawn from templates analysts commonly write."""
    rng = random.Random(seed)
    topic_words, text_words, phrases, stems = vocabulary()
    countries = ["BR", "AR", "MX", "CL", "CO", "PE", "VE", "CU", "UY", "PY", "EC", "GT"]

    def word() -> str:
        # Analysts' queries are mostly about the topic, with ordinary news words mixed in.
        return rng.choice(topic_words if rng.random() < 0.6 else text_words)

    def term() -> str:
        roll = rng.random()
        if roll < 0.15:
            return f'"{rng.choice(phrases)}"'
        if roll < 0.25:
            return rng.choice(stems) + "*"
        return word()

    templates: list[Callable[[], str]] = [
        lambda: term(),
        lambda: f"{term()} AND {term()}",
        lambda: f"{term()} {term()} {term()}",
        lambda: f"({term()} OR {term()}) AND ({term()} OR {term()})",
        lambda: f"{term()} NEAR/{rng.randint(1, 10)} {term()}",
        lambda: f'"{rng.choice(phrases)}" ONEAR/{rng.randint(2, 15)} {term()}',
        lambda: f"title:{term()} AND {term()}",
        lambda: f"{term()} AND country:{rng.choice(countries)}",
        lambda: f"{term()} AND NOT ({term()} OR {term()})",
        lambda: f"lang:{rng.choice(['en', 'es', 'pt'])} AND {term()} AND {term()}",
        lambda: f"category:{rng.choice(CATEGORIES)} AND {term()}",
        lambda: f"({term()} OR {term()} OR {term()}) NEAR/5 {term()}",
    ]
    weights = [10, 20, 10, 15, 10, 5, 8, 6, 6, 4, 3, 3]
    return [rng.choices(templates, weights)[0]() for _ in range(count)]


def make_docs(count: int) -> list[dict[str, Any]]:
    """Dev-set stories, cycled, with classifier metadata as the pipeline would attach.

    Returned as ``MatchDoc`` arguments: preparing the document is part of what is timed.
    """
    topic = load_topic(TOPIC)
    items = [orjson.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    docs = []
    for i in range(count):
        item = items[i % len(items)]
        verdict = classify(topic, item["title"], item["text"], item["lang"])
        docs.append(
            {
                "title": item["title"],
                "text": item["text"],
                "outlet": item["source"],
                "site": item["url"].split("/")[2] if item["url"] else "",
                "lang": item["lang"],
                "countries": verdict.countries,
                "category": verdict.category,
            }
        )
    return docs


def docs_per_second(match: Callable[[MatchDoc], set[str]], docs: Sequence[dict[str, Any]]) -> float:
    """Docs/s for preparing each story as a MatchDoc and matching it."""
    start = time.perf_counter()
    for doc in docs:
        match(MatchDoc(**doc))
    elapsed = time.perf_counter() - start
    return len(docs) / elapsed if elapsed else float("inf")


def run(sizes: Sequence[int], docs_count: int, naive_budget: float) -> list[Row]:
    progress("preparing documents")
    docs = make_docs(docs_count)
    prepared = [MatchDoc(**doc) for doc in docs]
    stats = TermStats.from_docs(prepared[:102])
    rows = []
    for size in sizes:
        progress(f"{size:>7} queries: generating")
        queries = make_queries(size)
        matcher = QueryMatcher(stats)
        naive = NaiveMatcher()
        for index, query in enumerate(queries):
            matcher.add(f"q{index}", query)
            naive.add(f"q{index}", query)
        # Naive cost grows with the number of queries: keep its run near the budget.
        estimated_per_doc = size * 4e-6
        naive_sample = max(3, min(len(docs), int(naive_budget / max(estimated_per_doc, 1e-9))))
        sample = docs[:naive_sample]
        progress(f"{size:>7} queries: checking agreement on {len(sample)} docs")
        agree = all(matcher.match(doc) == naive.match(doc) for doc in prepared[: len(sample)])
        progress(f"{size:>7} queries: timing naive on {len(sample)} docs")
        naive_rate = docs_per_second(naive.match, sample)
        progress(f"{size:>7} queries: timing matcher on {len(docs)} docs")
        matcher_rate = docs_per_second(matcher.match, docs)
        total_matches = sum(len(matcher.match(doc)) for doc in prepared[:102])
        rows.append(
            Row(
                size,
                matcher.distinct,
                naive_rate,
                matcher_rate,
                len(sample),
                len(docs),
                total_matches / min(102, len(docs)),
                agree,
            )
        )
        progress(
            f"{size:>7} queries: naive {naive_rate:,.0f} docs/s, matcher {matcher_rate:,.0f} docs/s"
        )
    return rows


def markdown(rows: Sequence[Row], quick: bool) -> str:
    """The results as a Markdown section for docs/benchmarks.md."""
    lines = [
        "## Stored-query matching (bench/bench_matcher.py)",
        "",
        "Documents per second on one core: each dev-set story (title + lede, cycled) is "
        "prepared as a `MatchDoc` and matched against N stored queries. *naive* evaluates every "
        "query (`NaiveMatcher`); *matcher* is the presearch index (`QueryMatcher`). Both "
        "are measured in the same run; *agree* means both returned identical ids on the "
        "naive sample." + (" Quick mode." if quick else ""),
        "",
        "| queries | distinct | naive docs/s | matcher docs/s | ratio | matches/doc | naive sample | agree |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.queries:,} | {row.distinct:,} | {row.naive_docs_per_s:,.0f} | "
            f"{row.matcher_docs_per_s:,.0f} | {row.ratio:,.1f}× | {row.matches_per_doc:,.1f} | "
            f"{row.naive_sample} | {'yes' if row.agree else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def progress(message: str) -> None:
    print(f"[bench_matcher] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "bench-matcher.md", help="Markdown file"
    )
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    rows = run(
        sizes, docs_count=306 if args.quick else 1_020, naive_budget=1.0 if args.quick else 10.0
    )
    table = markdown(rows, args.quick) + "\n" + hostile_markdown(time_hostile())
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table, encoding="utf-8")
    progress(f"wrote {args.output}")
    return 0 if all(row.agree for row in rows) else 1


def pin_to_one_core() -> None:
    """Run on a single CPU, as the numbers claim (only when run as a program)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


if __name__ == "__main__":
    pin_to_one_core()
    raise SystemExit(main())
