"""Pipeline benchmark: the full worker against a bare Faust passthrough, in one run.

    python -m bench.bench_pipeline [--quick] [--output docs/bench-pipeline.md]
    python -m bench.bench_pipeline --full-only --items 8000 [--items-tag TAG]

``--full-only`` runs one full-pipeline row alone (fresh database, 1 worker, 8 partitions) and
prints the tag of the items it produced; ``--items-tag`` runs on items already produced under
that tag instead, so another checkout of the code (its own migrations, its own worker) can be
measured on the same items, alternately with this one (docs/benchmarks.md, stored counts).
``--counts-step`` runs the worker's handler in this process on the same kind of items and
times the stored counts' step (``trend_counts.keep_added``) inside it: a share of the worker's
CPU that a loaded machine's noise does not hide, as it does a whole run's.

Measured, each consumer in its own process reading the same pre-produced items:

1. bare aiokafka consumer (reference), 2. bare Faust passthrough (the agent only counts),
3. full pipeline — normalize-free items through the real worker: dedup/clustering,
   classification, 1,000 stored queries, idempotent writes to PostgreSQL —
   with 1 and 2 worker processes and several partition counts,
4. latency: items published at a steady rate, publish-to-commit p50/p95/p99,
5. memory: the worker's RSS sampled over a long run.

Throughput is (items − first batch) / (time of last batch − time of first batch), so group
joins and process start-up are not counted for anyone. Each consumer appends one JSON line
per batch to a log the parent reads; a worker subprocess is `python -m bench.bench_pipeline
consume --kind …`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import corpus  # noqa: E402
from monitor.config import Settings, load_settings  # noqa: E402
from monitor.runtime.processes import memory_kb  # noqa: E402


def progress(message: str) -> None:
    print(f"[pipeline] {message}", file=sys.stderr, flush=True)


# --- consumers (run in subprocesses) --------------------------------------------------------
def _log_batch(log: Any, n: int, latencies: list[float]) -> None:
    log.write(json.dumps({"t": time.time(), "n": n, "lat": latencies}) + "\n")
    log.flush()


def consume(kind: str, settings: Settings, log_path: Path) -> None:
    log = log_path.open("a")
    if kind == "aiokafka":
        asyncio.run(_aiokafka(settings, log))
        return
    import faust

    if kind == "faust-bare":
        from monitor.stream.app import make_app

        app = make_app(settings)
        topic = app.topic(settings.items_topic, key_type=bytes, value_type=bytes,
                          key_serializer="raw", value_serializer="raw")

        @app.agent(topic, concurrency=1)
        async def passthrough(stream: Any) -> None:
            async for events in stream.take_events(settings.worker_batch_size,
                                                   within=settings.worker_batch_seconds):
                now_ms = time.time() * 1000
                _log_batch(log, len(events),
                           [now_ms - e.message.timestamp * 1000 for e in events])
    else:
        from monitor.stream.worker import build_worker

        app, agent = build_worker(settings)

        def on_batch(outcome: Any, stamps: Any) -> None:
            now_ms = time.time() * 1000
            _log_batch(log, outcome.items, [now_ms - s for s in stamps if s])

        agent.on_batch = on_batch
    from monitor.stream.worker import tune_garbage_collector

    worker = faust.Worker(app, loglevel="error", override_logging=False, quiet=True)
    tune_garbage_collector()  # as run_worker does, for the bare baseline too
    worker.execute_from_commandline()


async def _aiokafka(settings: Settings, log: Any) -> None:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(settings.items_topic, bootstrap_servers=settings.kafka_bootstrap,
                                group_id=settings.app_id, auto_offset_reset="earliest")
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=settings.worker_batch_size)
            records = [r for rs in batches.values() for r in rs]
            if records:
                now_ms = time.time() * 1000
                _log_batch(log, len(records), [now_ms - r.timestamp for r in records])
    finally:
        await consumer.stop()


# --- orchestration ------------------------------------------------------------------------------
def fresh_database() -> tuple[str, Any]:
    """A new, migrated PostgreSQL database and a function that drops it."""
    from monitor.services.postgres import scratch_database
    from monitor.store import migrate

    url, drop = scratch_database(prefix="bench")
    migrate.upgrade(url)
    return url, drop


def add_stored_queries(url: str, count: int) -> None:
    """``count`` subscribers, each with one generated stored query, immediate mode."""
    from bench.bench_matcher import make_queries
    from monitor.store.db import make_engine, transaction
    from monitor.store.subscribers import add_subscriber, add_subscription

    engine = make_engine(url)
    now = datetime.now(UTC)
    queries = make_queries(count, seed=5)
    with transaction(engine) as conn:
        for n, query in enumerate(queries):
            person, _ = add_subscriber(conn, f"reader{n}@bench.example", confirmed=True, now=now)
            add_subscription(conn, person, now=now, name=f"q{n}", query=query, filters={},
                             mode="immediate")
    engine.dispose()


def produce(settings: Settings, count: int, seed: int, rate: float | None = None) -> float:
    """Publish ``count`` items (all at once, or at ``rate`` per second); return seconds taken."""
    from monitor.feeds.publisher import ItemPublisher
    from monitor.stream.topics import ensure_topics

    ensure_topics(settings)
    publisher = ItemPublisher(settings.kafka_bootstrap, settings.items_topic)
    started = time.monotonic()
    chunk = 1000 if rate is None else max(1, int(rate / 20))
    done = 0
    while done < count:
        n = min(chunk, count - done)
        publisher.publish(corpus(n, seed, start=done))
        done += n
        if rate is not None:
            time.sleep(max(0.0, started + done / rate - time.monotonic()))
        elif done % 20000 == 0:
            progress(f"produced {done}/{count}")
    publisher.close()
    return time.monotonic() - started


def consumer_log(workdir: Path, kind: str, settings: Settings, index: int) -> Path:
    """Where consumer ``index`` of a run logs its batches (one JSON line each)."""
    return workdir / f"{kind}-{settings.app_id}-{index}.log"


def run_consumers(kind: str, settings: Settings, count: int, processes: int, workdir: Path,
                  *, timeout: float, sample_rss: bool = False) -> dict[str, Any]:
    logs = [consumer_log(workdir, kind, settings, i) for i in range(processes)]
    env = {**os.environ, **settings.as_env(), "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-m", "bench.bench_pipeline", "consume", "--kind", kind,
                          "--log", str(log)], env=env, stdout=subprocess.DEVNULL,
                         stderr=(workdir / f"{log.name}.err").open("wb"))
        for log in logs
    ]
    deadline = time.monotonic() + timeout
    rss: list[tuple[int, int]] = []
    tail = _BatchLogs(logs)
    batches = tail.batches
    cpu_marks: list[tuple[int, dict[str, float]]] = []
    harness_cpu = time.process_time()
    try:
        while time.monotonic() < deadline:
            tail.poll()
            total = tail.total
            if sample_rss:
                rss.append((total, sum(memory_kb(p.pid) for p in procs)))
            # CPU is marked once every consumer has taken its first batch (a second worker's
            # start-up and group join are not per-item costs) and again at the end.
            started = len(tail.workers) == processes
            if started and (not cpu_marks or total >= count):
                cpu_marks.append((total, cpu_seconds([p.pid for p in procs])))
            if total >= count:
                break
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"{kind} consumer exited early; see {workdir}")
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{kind}: only {tail.total}/{count} in {timeout}s")
        peak = max(memory_kb(p.pid, peak=True) for p in procs)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    progress(f"{kind}: this process (harness, and any producer thread) used "
             f"{time.process_time() - harness_cpu:.1f} s of CPU while {processes} consumer(s) ran")
    batches.sort(key=lambda b: b["t"])
    first, last = batches[0], batches[-1]
    span = max(1e-6, last["t"] - first["t"])
    measured = sum(b["n"] for b in batches) - first["n"]
    if processes > 1:
        # Several consumers: count only the stretch when all of them were consuming, so the
        # group's start-up rebalances (a few seconds, once in a service's life) are not timed.
        starts = [min(b["t"] for b in batches if b["w"] == w) for w in range(processes)]
        ends = [max(b["t"] for b in batches if b["w"] == w) for w in range(processes)]
        if max(starts) < min(ends):
            window = [b for b in batches if max(starts) < b["t"] <= min(ends)]
            span = min(ends) - max(starts)
            measured = sum(b["n"] for b in window)
    latencies = [x for b in batches for x in b["lat"]]
    cpu_ms: dict[str, float] = {}
    if len(cpu_marks) >= 2 and cpu_marks[-1][0] > cpu_marks[0][0]:
        (n0, c0), (n1, c1) = cpu_marks[0], cpu_marks[-1]
        cpu_ms = {k: (c1[k] - c0[k]) * 1000 / (n1 - n0) for k in c1}
    return {"items_per_s": measured / span, "seconds": span, "peak_rss_mb": peak / 1024,
            "latencies_ms": latencies, "rss_samples": rss, "batches": len(batches),
            "segments": _segment_rates(batches, 5), "cpu_ms_per_item": cpu_ms}


class _BatchLogs:
    """Follows the consumers' batch logs, parsing only the lines added since the last poll.

    Each line carries a batch's 500 latencies, so re-reading whole files five times a second
    cost the harness a noticeable share of a core — taken from the machine being measured.
    """

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.offsets = [0] * len(paths)
        self.batches: list[dict[str, Any]] = []

    @property
    def total(self) -> int:
        return sum(batch["n"] for batch in self.batches)

    @property
    def workers(self) -> set[int]:
        """The consumers that have logged a batch so far."""
        return {batch["w"] for batch in self.batches}

    def poll(self) -> None:
        for worker, path in enumerate(self.paths):
            try:
                with path.open("rb") as log:
                    log.seek(self.offsets[worker])
                    chunk = log.read()
            except FileNotFoundError:
                continue
            complete = chunk.rfind(b"\n") + 1  # a line still being written waits its turn
            self.offsets[worker] += complete
            self.batches += [{**json.loads(line), "w": worker}
                             for line in chunk[:complete].splitlines() if line.strip()]


def cpu_seconds(consumer_pids: list[int]) -> dict[str, float]:
    """CPU time so far (seconds) of the consumers, PostgreSQL, the broker and the machine.

    Sampled once every consumer has taken its first batch and once at the end, so the
    difference divided by the items in between is each party's CPU cost per item (start-up
    excluded). psutil reads it the same way on every system it supports.
    """
    used = {"consumer": 0.0, "postgres": 0.0, "postgres_background": 0.0, "broker": 0.0}
    for process in psutil.process_iter(["name", "cpu_times", "cmdline"]):
        times = process.info["cpu_times"]
        if times is None:  # gone, or not ours to read
            continue
        spent = times.user + times.system
        if process.pid in consumer_pids:
            used["consumer"] += spent
        elif process.info["name"] == "postgres":
            used["postgres"] += spent
            if _postgres_background(process.info["cmdline"] or []):
                used["postgres_background"] += spent
        elif process.info["name"] == "java":
            used["broker"] += spent
    machine = psutil.cpu_times()
    used["machine"] = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    return used


def _postgres_background(cmdline: list[str]) -> bool:
    """A PostgreSQL process that serves no client: autovacuum, checkpointer, WAL writer…

    Each names its job in its process title (``postgres: checkpointer``); client backends
    are titled by user and database, and parallel workers help a client's query.
    """
    title = " ".join(cmdline)
    return title.removeprefix("postgres: ").startswith(_BACKGROUND_JOBS)


_BACKGROUND_JOBS = ("autovacuum", "checkpointer", "background writer", "walwriter",
                    "logical replication", "archiver", "stats collector", "walsender")


def _segment_rates(batches: list[dict[str, Any]], parts: int) -> list[tuple[int, float]]:
    """Throughput in each part of the run (by items), to show whether it holds as tables grow."""
    total = sum(b["n"] for b in batches)
    out: list[tuple[int, float]] = []
    seen = batches[0]["n"]
    segment_start, segment_items, bound = batches[0]["t"], 0, 1
    for b in batches[1:]:
        seen += b["n"]
        segment_items += b["n"]
        if seen >= bound * total / parts or b is batches[-1]:
            out.append((seen, segment_items / max(1e-6, b["t"] - segment_start)))
            segment_start, segment_items = b["t"], 0
            while bound * total / parts <= seen:
                bound += 1
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def settings_for(tag: str, url: str, partitions: int, *, group: str | None = None,
                 one_topic: bool = False, threads: str = "on") -> Settings:
    """Settings for one run: topics named by ``tag``, consumer group by ``group`` (or tag);
    the classifier's topics are the package's (both), or with ``one_topic`` only the
    founding one (MONITOR_TOPIC_FILE), as before Russia–Latin America was loaded."""
    extra: dict[str, Any] = {}
    if one_topic:
        from monitor.resources import default_topic_file

        extra["topic_file"] = default_topic_file()
    extra["threads"] = threads
    return load_settings(database_url=url, topic_prefix=f"bench-{tag}",
                         app_id=f"bench-{group or tag}", partitions=partitions,
                         log_level="ERROR", log_format="json",
                         var_dir=Path(tempfile.gettempdir()) / f"bench-{tag}", **extra)


def drop_run_topics(bootstrap: str, prefixes: list[str]) -> None:
    """Delete this run's topics: a broker keeping every run's partitions starts slowly."""
    from monitor.stream.kafka_python import KafkaError
    from monitor.stream.topics import drop_topics

    try:
        drop_topics(bootstrap, prefixes)
    except (KafkaError, OSError) as exc:
        progress(f"could not delete this run's topics ({exc}); they stay on the broker")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    c = sub.add_parser("consume")
    c.add_argument("--kind", choices=["aiokafka", "faust-bare", "full"], required=True)
    c.add_argument("--log", type=Path, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--items", type=int)
    parser.add_argument("--soak-items", type=int)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "bench-pipeline.md")
    parser.add_argument("--threads-only", action="store_true",
                        help="only the full pipeline with event threads off, on, off and on "
                        "(1 worker, 8 partitions, same items): what threads cost")
    parser.add_argument("--full-only", action="store_true",
                        help="only one full-pipeline run (1 worker, 8 partitions, fresh "
                        "database): items/s, CPU per item, costliest statements")
    parser.add_argument("--counts-step", action="store_true",
                        help="the handler in this process on a fresh PostgreSQL database: CPU "
                        "and wall time of the stored counts' step against the whole batch")
    parser.add_argument("--items-tag",
                        help="with --full-only: consume the items a previous --full-only run "
                        "produced under this tag (printed by it) instead of producing new ones")
    parser.add_argument("--topics-only", action="store_true",
                        help="only the full pipeline with both shipped topics and with one "
                        "(1 worker, 8 partitions): the worker's CPU per item, compared")
    args = parser.parse_args(argv)
    if args.command == "consume":
        consume(args.kind, load_settings(), args.log)
        return 0
    if args.items_tag and not args.full_only:
        parser.error("--items-tag goes with --full-only")
    if args.threads_only:
        return orchestrate_threads(args)
    if args.full_only:
        return orchestrate_full(args)
    if args.counts_step:
        return counts_step(args)
    return orchestrate(args)


def orchestrate_threads(args: argparse.Namespace) -> int:
    """The full pipeline with event threads off and on, alternating, on the same items."""
    from monitor.services import kafka_broker, postgres

    kafka_broker.start(ROOT / "var" / "kafka")
    postgres.start(databases=())
    items = args.items or (20_000 if args.quick else 40_000)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    run = uuid.uuid4().hex[:6]
    rows: list[tuple[str, dict[str, Any]]] = []
    progress(f"producing {items} items")
    base = settings_for(f"{run}-p8", "sqlite://", 8)
    produce(base, items, seed=1)
    url, drop = fresh_database()
    try:
        progress(f"adding {args.queries} stored queries")
        add_stored_queries(url, args.queries)
        for turn, threads in enumerate(("off", "on", "off", "on")):
            s = settings_for(f"{run}-p8", url, 8, group=f"{run}-threads-{turn}", threads=threads)
            _reset_stories(url)
            progress(f"full pipeline, threads {threads}: {items} items")
            result = run_consumers("full", s, items, 1, workdir, timeout=900)
            result["threads"] = _thread_counts(url)
            rows.append((f"threads {threads} (run {turn // 2 + 1})", result))
    finally:
        drop()
        drop_run_topics(base.kafka_bootstrap, [f"bench-{run}"])
    lines = ["| run | items/s | CPU ms/item | threads | threaded stories |", "|---|---:|---:|---:|---:|"]
    for name, r in rows:
        cpu = (r.get("cpu_ms_per_item") or {}).get("consumer")
        made, placed = r["threads"]
        lines.append(f"| {name} | {r['items_per_s']:,.0f} | {cpu if cpu is None else round(cpu, 3)} "
                     f"| {made:,} | {placed:,} |")
    off = [r["items_per_s"] for n, r in rows if n.startswith("threads off")]
    on = [r["items_per_s"] for n, r in rows if n.startswith("threads on")]
    lines.append("")
    lines.append(f"threads on / off: {sum(on) / sum(off):.3f} (mean of {len(on)} runs each)")
    print("\n".join(lines))
    return 0


def orchestrate_full(args: argparse.Namespace) -> int:
    """One full-pipeline run of this checkout's worker on a fresh database: the row another
    checkout's run (same items, ``--items-tag``) is compared with."""
    from monitor.services import kafka_broker, postgres

    kafka_broker.start(ROOT / "var" / "kafka")
    postgres.start(databases=())
    items = args.items or (20_000 if args.quick else 40_000)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    tag = args.items_tag or uuid.uuid4().hex[:6]
    if not args.items_tag:
        progress(f"producing {items} items under tag {tag} (reuse: --items-tag {tag})")
        produce(settings_for(f"{tag}-p8", "sqlite://", 8), items, seed=1)
    url, drop = fresh_database()
    s = settings_for(f"{tag}-p8", url, 8, group=f"{tag}-full-{uuid.uuid4().hex[:6]}")
    try:
        progress(f"adding {args.queries} stored queries")
        add_stored_queries(url, args.queries)
        statements = reset_statement_stats(url)
        load = os.getloadavg()[0]
        progress(f"full pipeline: {items} items, 8 partitions, 1 worker ({ROOT})")
        result = run_consumers("full", s, items, 1, workdir, timeout=1800)
        top = top_statements(url, limit=10) if statements else []
    finally:
        drop()
        # The items stay for the other checkout's run (--items-tag); the group's own go.
        drop_run_topics(s.kafka_bootstrap, [s.app_id])
    cpu = result.get("cpu_ms_per_item") or {}
    print("| code | items/s | CPU ms/item: worker · PostgreSQL · machine | load |")
    print("|---|---:|---:|---:|")
    print(f"| {ROOT.name} | {result['items_per_s']:,.0f} | "
          + " · ".join(f"{cpu.get(k, float('nan')):.3f}" for k in ("consumer", "postgres",
                                                                  "machine"))
          + f" | {load:.1f} → {os.getloadavg()[0]:.1f} |")
    for st in top:
        print(f"{st['calls']:>7,} calls {st['ms'] * 1000 / items:>8,.0f} ms/1,000 items  "
              f"{st['query'][:160]}")
    print("RESULT " + json.dumps({"tag": tag, "root": str(ROOT), "items": items,
                                  "items_per_s": result["items_per_s"], "cpu_ms_per_item": cpu,
                                  "load": [load, os.getloadavg()[0]], "statements": top}))
    return 0


def counts_step(args: argparse.Namespace, batch: int = 350) -> int:
    """The worker's handler (build_worker's) in this thread, fed the items bench_pipeline
    produces in batches of the size the worker took in the full runs: this thread's CPU and
    the wall time spent in ``trend_counts.keep_added`` against the whole ``handle``."""
    from monitor.services import postgres
    from monitor.store import trend_counts
    from monitor.stream.worker import build_worker, tune_garbage_collector

    postgres.start(databases=())
    count = args.items or 8000
    items = [item for start in range(0, count, 1000)
             for item in corpus(min(1000, count - start), 1, start=start)]
    step = {"cpu": 0.0, "wall": 0.0}
    keep_added = trend_counts.keep_added

    def timed_keep_added(*a: Any, **k: Any) -> None:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            keep_added(*a, **k)
        finally:
            step["cpu"] += time.thread_time() - cpu
            step["wall"] += time.perf_counter() - wall

    url, drop = fresh_database()
    trend_counts.keep_added = timed_keep_added  # the handler calls it through the module
    try:
        add_stored_queries(url, args.queries)
        handler = build_worker(settings_for("counts-step", url, 8))[1].handler
        tune_garbage_collector()
        statements = reset_statement_stats(url)
        cpu, wall = time.thread_time(), time.perf_counter()
        for start in range(0, count, batch):
            handler.handle(items[start:start + batch])
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        top = top_statements(url, limit=1000) if statements else []
    finally:
        trend_counts.keep_added = keep_added
        drop()
    print(f"{count:,} items, {args.queries:,} stored queries, batches of {batch}, load "
          f"{os.getloadavg()[0]:.1f}: handler CPU {cpu * 1000 / count:.3f} ms/item, of which "
          f"keep_added {step['cpu'] * 1000 / count:.4f} ({step['cpu'] / cpu:.1%}); wall "
          f"{wall * 1000 / count:.3f} ms/item, keep_added {step['wall'] * 1000 / count:.4f} "
          f"({step['wall'] / wall:.1%})")
    if top:
        total = sum(st["ms"] for st in top)
        ours = [st for st in top if "trend_" in st["query"] or "alerts.id," in st["query"]]
        print(f"PostgreSQL, all statements: {total * 1000 / count:,.1f} ms per 1,000 items; "
              f"the counts' ({sum(st['ms'] for st in ours) / max(total, 1e-9):.1%}):")
        for st in ours:
            print(f"  {st['calls']:,} calls, {st['ms'] * 1000 / count:,.1f} ms per 1,000 items, "
                  f"{st['rows']:,} rows: {st['query'][:100]}")
    return 0


def _thread_counts(url: str) -> tuple[int, int]:
    from monitor.store.threads import thread_counts

    with _transaction(url) as conn:
        return thread_counts(conn)


def orchestrate(args: argparse.Namespace) -> int:
    from monitor.services import kafka_broker, postgres

    kafka_broker.start(ROOT / "var" / "kafka")
    postgres.start(databases=())
    items = args.items or (20_000 if args.quick else 40_000)
    soak = args.soak_items or (0 if args.quick else 1_000_000)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    run = uuid.uuid4().hex[:6]
    rows: list[tuple[str, dict[str, Any]]] = []

    progress(f"producing {items} items")
    base = settings_for(f"{run}-p8", "sqlite://", 8)
    produce(base, items, seed=1)
    for kind in () if args.topics_only else ("aiokafka", "faust-bare"):
        progress(f"{kind}: consuming {items} items")
        s = settings_for(f"{run}-p8", "sqlite://", 8, group=f"{run}-{kind}")
        rows.append((f"{kind} (8 partitions)", run_consumers(kind, s, items, 1, workdir, timeout=300)))

    url, drop = fresh_database()
    try:
        progress(f"adding {args.queries} stored queries")
        add_stored_queries(url, args.queries)
        configs = [(8, 1), (8, 2)] if args.quick else [(1, 1), (4, 1), (8, 1), (8, 2)]
        if args.topics_only:
            configs = [(8, 1)]
        for partitions, workers in configs:
            tag = f"{run}-p{partitions}"
            s = settings_for(tag, url, partitions, group=f"{run}-full-p{partitions}-w{workers}")
            if partitions != 8:
                produce(s, items, seed=1)
            _reset_stories(url)
            progress(f"full pipeline: {items} items, {partitions} partitions, {workers} worker(s)")
            statements = reset_statement_stats(url)
            result = run_consumers("full", s, items, workers, workdir, timeout=900)
            if statements:
                result["statements"] = top_statements(url)
            rows.append((f"full pipeline, PostgreSQL ({partitions} partitions, {workers} worker"
                         f"{'s' if workers > 1 else ''})", result))

        # The same run with the founding topic alone: what loading a second topic costs.
        s = settings_for(f"{run}-p8", url, 8, group=f"{run}-full-one-topic", one_topic=True)
        _reset_stories(url)
        progress(f"full pipeline, one topic: {items} items, 8 partitions, 1 worker")
        rows.append((ONE_TOPIC_ROW, run_consumers("full", s, items, 1, workdir, timeout=900)))
        if args.topics_only:
            report = render(rows, None, items, args.queries, quick=args.quick)
            print(report)
            return 0

        progress("latency at 100 items/s")
        _reset_stories(url)
        lat = settings_for(f"{run}-lat", url, 8)
        result = _latency(lat, workdir, seconds=15 if args.quick else 60)
        rows.append(("latency run (100 items/s, 1 worker)", result))

        soak_result = None
        if soak:
            progress(f"memory soak: {soak} items")
            _reset_stories(url)
            s = settings_for(f"{run}-soak", url, 8)
            produce(s, soak, seed=2)
            soak_result = run_consumers("full", s, soak, 1, workdir, timeout=3600, sample_rss=True)
    finally:
        drop()
        drop_run_topics(base.kafka_bootstrap, [f"bench-{run}"])
    report = render(rows, soak_result, items, args.queries, quick=args.quick)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print("RESULT " + json.dumps({name: {k: v for k, v in r.items()
                                          if k not in ("latencies_ms", "rss_samples")}
                                   for name, r in rows}))
    return 0


@contextmanager
def _transaction(url: str) -> Iterator[Any]:
    """A connection to the benchmark's database in a transaction, engine disposed after."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def reset_statement_stats(url: str) -> bool:
    """Zero PostgreSQL's statement statistics; False when pg_stat_statements is not loaded."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with _transaction(url) as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            conn.execute(text("SELECT pg_stat_statements_reset()"))
        return True
    except DBAPIError as exc:
        progress(f"no statement statistics ({str(exc.orig).strip()}); carrying on without")
        return False


def top_statements(url: str, limit: int = 4) -> list[dict[str, Any]]:
    """The statements that took PostgreSQL longest since the reset (lock waits included)."""
    from sqlalchemy import text

    with _transaction(url) as conn:
        rows = conn.execute(text(
            "SELECT calls, total_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g') "
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT :n"),
            {"n": limit}).all()
    return [{"calls": calls, "ms": ms, "rows": n, "query": query}
            for calls, ms, n, query in rows]


def _reset_stories(url: str) -> None:
    from sqlalchemy import text

    with _transaction(url) as conn:
        conn.execute(text("TRUNCATE stories, story_sources, alerts, deliveries, "
                          "emails, email_attempts, threads, story_threads, thread_alerts, "
                          "timeline_corrections, trend_counts, trend_days, trend_weeks, trend_repeats"))


def _latency(settings: Settings, workdir: Path, seconds: int) -> dict[str, Any]:
    from monitor.stream.topics import ensure_topics

    ensure_topics(settings)
    count = 100 * seconds
    holder: dict[str, Any] = {}

    def consume_in_background() -> None:
        holder["result"] = run_consumers("full", settings, count + 1, 1, workdir,
                                         timeout=seconds + 300)

    import threading

    thread = threading.Thread(target=consume_in_background)
    thread.start()
    # The clock starts once the worker has joined its group and stored one warm-up item (a
    # fixed pause was too short on a slow machine: the first items waited for the join).
    produce(settings, 1, seed=4)
    log = consumer_log(workdir, "full", settings, 0)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (log.exists() and log.read_text().strip()):
        time.sleep(0.2)
    produce(settings, count, seed=3, rate=100.0)
    thread.join()
    result = dict(holder["result"])
    result["latencies_ms"] = result["latencies_ms"][1:]  # the warm-up item's, alone in batch 1
    return result


ONE_TOPIC_ROW = "full pipeline, PostgreSQL, founding topic only (8 partitions, 1 worker)"
BOTH_TOPICS_ROW = "full pipeline, PostgreSQL (8 partitions, 1 worker)"


def topic_cost(rows: list[tuple[str, dict[str, Any]]]) -> str | None:
    """The worker's CPU per item with both shipped topics against the founding one alone."""
    by_name = dict(rows)
    one = (by_name.get(ONE_TOPIC_ROW, {}).get("cpu_ms_per_item") or {}).get("consumer")
    both = (by_name.get(BOTH_TOPICS_ROW, {}).get("cpu_ms_per_item") or {}).get("consumer")
    if not one or not both:
        return None
    return (f"Topics: the worker used {both:.3f} ms of CPU per item classifying with both "
            f"shipped topics and {one:.3f} ms with the founding topic alone: "
            f"{both / one:.2f}× (1 worker, 8 partitions).")


def render(rows: list[tuple[str, dict[str, Any]]], soak: dict[str, Any] | None, items: int,
           queries: int, *, quick: bool) -> str:
    bare = dict(rows).get("faust-bare (8 partitions)", {}).get("items_per_s", float("nan"))
    lines = [
        f"## Pipeline throughput and latency{' (quick)' if quick else ''}",
        "",
        f"{items} pre-produced items (real headlines and ledes, en/es/pt, ~40% relevant); full "
        f"pipeline = clustering, classification, {queries} stored queries, idempotent writes "
        "to PostgreSQL. Throughput excludes start-up and group joins (first batch to last; with "
        "two workers, the stretch when both were consuming).",
        "",
        "| run | items/s | vs bare Faust | p50 ms | p95 ms | p99 ms | peak RSS MB "
        "| CPU ms/item: consumer · PostgreSQL · broker · machine |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in rows:
        lat = r["latencies_ms"]
        latency = (f"{percentile(lat, 50):.0f} | {percentile(lat, 95):.0f} | {percentile(lat, 99):.0f}"
                   if "latency" in name else "– | – | –")
        cpu = r.get("cpu_ms_per_item") or {}
        budget = (" · ".join(f"{cpu[k]:.3f}" for k in ("consumer", "postgres", "broker", "machine"))
                  if cpu and "latency" not in name else "–")
        lines.append(f"| {name} | {r['items_per_s']:,.0f} | {r['items_per_s'] / bare:.0%} | "
                     f"{latency} | {r['peak_rss_mb']:.0f} | {budget} |")
    if soak:
        samples = [s for s in soak["rss_samples"] if s[1]]
        marks = []
        for fraction in (0.1, 0.25, 0.5, 0.75, 1.0):
            target = fraction * samples[-1][0]
            point = next((s for s in samples if s[0] >= target), samples[-1])
            marks.append(f"{point[0]:,} items: {point[1] / 1024:.0f} MB")
        rates = "; ".join(f"{rate:,.0f} items/s up to {upto:,}" for upto, rate in soak["segments"])
        lines += ["", f"Memory over {samples[-1][0]:,} items through the full pipeline "
                  f"({soak['items_per_s']:,.0f} items/s): " + "; ".join(marks) + ".",
                  "", f"Throughput by fifth of that run (does it hold as the tables grow?): "
                  f"{rates}."]
    full = [r for name, r in rows if name.startswith("full pipeline") and r.get("cpu_ms_per_item")]
    if full and bare == bare:
        machine = min(r["cpu_ms_per_item"]["machine"] for r in full)
        cores = os.cpu_count() or 1
        lines += ["", f"CPU budget: the cheapest full-pipeline run used {machine:.3f} ms of CPU "
                  f"per item across the machine, so {cores} cores can carry at most "
                  f"{cores * 1000 / machine:,.0f} items/s however the work is spread; half the "
                  f"bare Faust rate would need at most {cores * 1000 / (bare / 2):.3f} ms per item."]
    background = [(name, r["cpu_ms_per_item"]) for name, r in rows
                  if name.startswith("full pipeline") and r.get("cpu_ms_per_item")]
    if background:
        lines += ["", "Of PostgreSQL's CPU per item, its background processes (autovacuum, "
                  "checkpointer, WAL and background writers) used: " + "; ".join(
                      f"{name.removeprefix('full pipeline, PostgreSQL ')} "
                      f"{cpu['postgres_background']:.3f} of {cpu['postgres']:.3f} ms"
                      for name, cpu in background) + "."]
    cost = topic_cost(rows)
    if cost:
        lines += ["", cost]
    measured = [(name, r) for name, r in rows if r.get("statements")]
    if measured:
        lines += ["", "PostgreSQL's costliest statements in each full-pipeline run "
                  "(pg_stat_statements; execution time per 1,000 items, waits for another "
                  "worker's locks included):", "",
                  "| run | statement | calls | ms per 1,000 items |", "| --- | --- | ---: | ---: |"]
        for name, r in measured:
            for st in r["statements"]:
                query = st["query"] if len(st["query"]) <= 90 else st["query"][:87] + "…"
                query = query.replace("|", "\\|")
                lines.append(f"| {name} | `{query}` | {st['calls']:,} | "
                             f"{st['ms'] * 1000 / items:,.0f} |")
    lines += ["", "Latency is from the producer's Kafka timestamp to the batch's commit, "
              "measured in the worker; publish rate 100 items/s. The bare aiokafka figure is a "
              "ceiling, not a peer: its prefetch has the whole topic in memory before the first "
              "batch is timed. The baseline the targets refer to is the bare Faust agent.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
