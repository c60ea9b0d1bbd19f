"""`make bench` / `python -m bench [--quick]`: every benchmark in one run, one report.

Starts what the benchmarks need (the local Kafka broker, PostgreSQL), runs each benchmark
script as a child process in turn (so they do not compete for the machine's two cores), and
writes docs/benchmarks.md: the machine, the date, and each benchmark's table with its
baseline measured in the same run. ``--quick`` is the CI-sized run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

BENCHMARKS = (
    ("matcher", "bench.bench_matcher", "Stored-query matching (issue #4)"),
    ("polling", "bench.bench_polling", "Feed polling (issue #3)"),
    ("pipeline", "bench.bench_pipeline", "Stream pipeline (issue #7)"),
    ("fanout", "bench.bench_fanout", "Fan-out and digests (issue #5)"),
    ("model", "bench.bench_model", "Learned second opinion (issue #16)"),
    ("search", "bench.bench_search", "Archive search (issue #17)"),
    ("workspace", "bench.bench_workspace", "Web workspace (issue #17)"),
)


def machine() -> str:
    cpu = platform.processor() or platform.machine() or "unknown CPU"
    try:  # the marketing name, where the system tells it (py-cpuinfo would be one more dependency)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = f", {psutil.virtual_memory().total / 1024 ** 3:.0f} GiB RAM"
    return (f"{os.cpu_count()} cores ({cpu}){memory}; Linux {platform.release()}; "
            f"Python {platform.python_version()}; Kafka 3.9.1 (local KRaft broker); "
            "PostgreSQL (local, same machine)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI-sized runs")
    parser.add_argument("--only", choices=[name for name, _, _ in BENCHMARKS], action="append")
    parser.add_argument("--output", type=Path, default=DOCS / "benchmarks.md")
    parser.add_argument("--soak-items", type=int,
                        help="pipeline memory soak length (default 1,000,000; 0 in --quick)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from monitor.services import kafka_broker, postgres

    kafka_broker.start(ROOT / "var" / "kafka")
    postgres.start(databases=())
    sections = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, module, title in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        output = DOCS / f"bench-{name}.md"
        command = [sys.executable, "-m", module, "--output", str(output)]
        if args.quick:
            command.append("--quick")
        if name == "pipeline" and args.soak_items is not None:
            command += ["--soak-items", str(args.soak_items)]
        if name == "fanout":  # created and dropped by the benchmark itself
            command += ["--database-url", postgres.PgCluster().url(f"bench_fanout_{os.getpid()}")]
        if name == "search":  # on PostgreSQL, created and dropped by the benchmark itself
            command += ["--database-url", postgres.PgCluster().url(f"bench_search_{os.getpid()}")]
        print(f"== {title}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)
        took = time.monotonic() - started
        if result.returncode != 0:
            print(f"== {name} failed (exit {result.returncode})", file=sys.stderr)
            return result.returncode
        body = output.read_text().strip() if output.exists() else "(no output)"
        sections.append(f"## {title}\n\n_{took:.0f} s; `python -m {module}"
                        f"{' --quick' if args.quick else ''}`_\n\n{_demote(body)}")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = "\n\n".join([
        "# Benchmarks",
        f"Run {stamp}{' (quick)' if args.quick else ''} on {machine()}. Every ratio compares "
        "with a baseline measured in the same run; timings on these shared 2-core machines "
        "are noisy, the ratios less so. Regenerate with `make bench` (or `make bench-quick`). "
        "What changed these figures, and what was tried and dropped: "
        "[performance.md](performance.md).",
        *sections,
    ]) + "\n"
    if not args.only:
        args.output.write_text(report)
    print(report)
    return 0


def _demote(markdown: str) -> str:
    """Nest each benchmark's own headings under its section."""
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines())


if __name__ == "__main__":
    raise SystemExit(main())
