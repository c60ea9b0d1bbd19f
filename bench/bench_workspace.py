"""Benchmark: the web workspace's pages on a large archive, through the real web role over
HTTP, one reader at a time and then many at once.

Builds (once; a later run reuses it) an archive of N stories in a named PostgreSQL database
(``bench.workspace_data``: alerts, countries, categories, outlets, copies, two years of
dates, the search index as the worker fills it), starts ``monitor run --role web`` on it on
loopback, signs readers in the way ``monitor demo --serve`` does (a single-use link from
``issue_sign_in_link``, its landing page, then the button with the page's CSRF token), and
times each page: Latest (first page and filtered), Story, Search (typical queries: a
country, a phrase or NEAR, a date range), Trends (default and filtered by a query) and
Countries, with p50/p95/p99 of sequential requests. Then ``--readers`` signed-in readers
ask for a mix of those pages as fast as answers come, for ``--seconds``: requests per
second, p50/p95/p99 and errors. The same is measured on a smaller archive
(``--baseline-stories``) in the same run, so the table shows how each page grows with
the archive.

    python -m bench.bench_workspace                       # 1,000,000 stories (baseline 100,000)
    python -m bench.bench_workspace --quick               # 20,000 (baseline 5,000), for CI
    python -m bench.bench_workspace --stories 300000 --baseline-stories 0
    python -m bench.bench_workspace --pages Trends,Countries --seconds 0   # only those pages

The archives live in databases ``bench_workspace_<N>`` of the local PostgreSQL cluster
(``monitor postgres start``), kept for the next run; ``--drop`` removes them afterwards.
Building 1,000,000 stories takes about 15 minutes on two cores; the process runs niced.
Progress goes to stderr; the Markdown report to stdout and to ``--output``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running as a script: make the package importable
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import archive_schema, workspace_data  # noqa: E402
from monitor.config import Settings, child_environment  # noqa: E402
from monitor.services import free_port, postgres  # noqa: E402
from monitor.store import migrate  # noqa: E402
from monitor.store import subscribers as subscriber_store  # noqa: E402
from monitor.store.db import make_engine, transaction  # noqa: E402
from monitor.store.tables import alerts  # noqa: E402
from monitor.web.workspace.signin import issue_sign_in_link  # noqa: E402

FULL_SIZE, FULL_BASELINE = 1_000_000, 100_000
QUICK_SIZE, QUICK_BASELINE = 20_000, 5_000
CSRF_INPUT = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
READER_EMAIL = "bench-reader-{n}@example.org"
# (weight in the concurrent mix) per page kind: what readers open most, most often
MIX = {
    "Latest": 30,
    "Latest, filtered": 15,
    "Story": 20,
    "Search": 15,
    "Trends": 8,
    "Trends, filtered": 4,
    "Countries": 8,
}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Page:
    kind: str  # a MIX key
    name: str
    path: str


def chosen(listed: Sequence[Page], wanted: Sequence[str]) -> list[Page]:
    """The pages whose kind or name starts with one of ``wanted`` (case-insensitive), so a
    change to one page is timed without the rest; every page when ``wanted`` is empty."""
    prefixes = [w.strip().lower() for w in wanted if w.strip()]
    if not prefixes:
        return list(listed)
    found = [
        p
        for p in listed
        if any(p.kind.lower().startswith(w) or p.name.lower().startswith(w) for w in prefixes)
    ]
    if not found:
        names = sorted({p.name for p in listed})
        raise SystemExit(f"--pages {','.join(wanted)} names no page; pages: {', '.join(names)}")
    return found


def pages(end: datetime, story_ids: Sequence[int]) -> list[Page]:
    """The pages timed: typical views of each kind, dates relative to the archive's end."""

    def days(first: int, last: int) -> dict[str, str]:
        return {
            "from": (end - timedelta(days=first)).date().isoformat(),
            "to": (end - timedelta(days=last)).date().isoformat(),
        }

    def search(q: str, **extra: str) -> str:
        return "/search?" + urlencode({"q": q, **extra})

    found = [
        Page("Latest", "Latest, first page", "/latest"),
        Page("Latest, filtered", "Latest, one country", "/latest?country=AR"),
        Page(
            "Latest, filtered",
            "Latest, outlet and language",
            "/latest?" + urlencode({"outlet": "Prensa de Lima", "lang": "es"}),
        ),
        Page(
            "Latest, filtered",
            "Latest, category and a month",
            "/latest?" + urlencode({"category": "humanitarian", **days(200, 170)}),
        ),
        Page(
            "Search",
            "Search: phrase + country + 3 months",
            search('"peace plan" AND country:BR', **days(120, 30)),
        ),
        Page(
            "Search",
            "Search: NEAR + country + a month",
            search("Lula NEAR/5 Ucr* AND country:AR", **days(60, 30)),
        ),
        Page(
            "Search",
            "Search: word + country + a year, by relevance",
            search("zelensky AND country:MX", sort="relevance", **days(365, 0)),
        ),
        Page("Trends", "Trends, last 30 days", "/trends"),
        Page(
            "Trends",
            "Trends, a year by week",
            "/trends?" + urlencode({"every": "week", **days(364, 0)}),
        ),
        Page(
            "Trends, filtered",
            "Trends, filtered by a query",
            "/trends?" + urlencode({"q": "zelensky"}),
        ),
        Page("Countries", "Countries", "/countries"),
    ]
    found += [Page("Story", "Story", f"/stories/{i}") for i in story_ids]
    return found


@dataclass
class Timings:
    spent: list[float] = field(default_factory=list)  # ms
    errors: int = 0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.spent)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]

    @property
    def p50(self) -> float:
        return statistics.median(self.spent) if self.spent else float("nan")


# --- the archive and its readers -------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database the URL names, if missing, and bring its schema to
    head: by its stamp when the schema agrees, else by what the schema holds
    (``archive_schema.schema_plan``); a schema that cannot be placed is built again."""
    create_database(url)
    plan = planned_schema(url)
    if plan.mismatch:
        progress(f"{make_url(url).database}: {plan.mismatch}")
    if plan.rebuild:
        progress(f"dropping {make_url(url).database} to build it again")
        drop_database(url)
        create_database(url)
        plan = planned_schema(url)
    for step in plan.steps:
        if plan.mismatch:
            progress(f"  {step.action} {step.revision}")
        if step.action == "stamp":
            migrate.stamp(url, step.revision)
        else:
            migrate.upgrade(url, step.revision)
    check = planned_schema(url)
    if check.steps or check.mismatch:
        raise SystemExit(
            f"{make_url(url).database} is still not at head after the repair ({check}):"
            " drop it (--drop) and run again to build it anew"
        )


def planned_schema(url: str) -> archive_schema.Plan:
    engine = create_engine(url)
    try:
        tables = sorted({mark.table for mark in archive_schema.MARKS.values()})
        schema = archive_schema.read_schema(engine, tables)
        chain = migrate.revision_chain()
        found = {
            revision: schema.has(mark)
            for revision, mark in archive_schema.MARKS.items()
            if revision in chain
        }
        return archive_schema.schema_plan(
            migrate.current_revision(url),
            chain,
            found,
            has_tables=archive_schema.has_any_table(engine),
        )
    finally:
        engine.dispose()


def create_database(url: str) -> None:
    """Create the PostgreSQL database the URL names, if missing."""
    parsed = make_url(url)
    admin = create_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
                progress(f"created database {parsed.database}")
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
    finally:
        admin.dispose()


def add_readers(engine: Engine, count: int) -> list[int]:
    """``count`` confirmed subscribers, each with one subscription; their ids."""
    now = datetime.now(UTC)
    ids = []
    with transaction(engine) as conn:
        for n in range(count):
            subscriber_id, created = subscriber_store.add_subscriber(
                conn, READER_EMAIL.format(n=n), confirmed=True, now=now
            )
            if created:
                subscriber_store.add_subscription(
                    conn, subscriber_id, now=now, name="Brazil", query="country:BR"
                )
            ids.append(subscriber_id)
    return ids


def archive_end(engine: Engine) -> datetime:
    with transaction(engine) as conn:
        end: datetime = conn.execute(select(func.max(alerts.c.created_at))).scalar_one()
        return end


# --- the web role ----------------------------------------------------------------------


class WebRole:
    """``monitor run --role web`` on the archive, on a free loopback port."""

    def __init__(self, url: str, var_dir: Path) -> None:
        port = free_port()
        var_dir.mkdir(parents=True, exist_ok=True)
        self.settings = Settings().model_copy(
            update={
                "database_url": _secret(url),
                "web_port": port,
                "web_host": "127.0.0.1",
                "public_url": f"http://127.0.0.1:{port}",
                "var_dir": var_dir,
                "outbox_dir": var_dir / "outbox",
            }
        )
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = var_dir / "web.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = child_environment(
            {**self.settings.as_env(), "MONITOR_LOG_FORMAT": "json", "MONITOR_LOG_LEVEL": "WARNING"}
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", "--role", "web"],
                env=env,
                stdout=log,
                stderr=log,
                cwd=ROOT,
            )
        deadline = time.monotonic() + 60
        import urllib.request

        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the web role exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"the web role did not answer within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)


async def sign_in(
    role: WebRole, engine: Engine, subscriber_id: int, connector: aiohttp.BaseConnector
) -> aiohttp.ClientSession:
    """A client session signed in as the subscriber through a single-use link."""
    with transaction(engine) as conn:
        _request, link = issue_sign_in_link(
            conn, role.settings, subscriber_id, now=datetime.now(UTC)
        )
    session = aiohttp.ClientSession(
        base_url=role.base,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=connector,
        connector_owner=False,
    )
    path = urlsplit(link).path
    async with session.get(path) as landing:
        body = await landing.text()
        if landing.status != 200:
            raise SystemExit(f"sign-in landing page answered {landing.status}: {body[:300]}")
    match = CSRF_INPUT.search(body)
    if not match:
        raise SystemExit("no CSRF token on the sign-in landing page")
    async with session.post(
        path, data={"csrf": match[1], "next": "/latest"}, allow_redirects=False
    ) as pressed:
        if pressed.status != 303:
            raise SystemExit(f"sign-in answered {pressed.status}, expected 303")
    return session


async def timed_get(session: aiohttp.ClientSession, path: str) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        async with session.get(path, allow_redirects=False) as response:
            await response.read()
            ok = response.status == 200
    except aiohttp.ClientError:
        ok = False
    return (time.perf_counter() - started) * 1000, ok


async def one_at_a_time(
    session: aiohttp.ClientSession, listed: Sequence[Page], repeats: int
) -> dict[str, Timings]:
    """Each page (Story: every sample id in turn) ``repeats`` times, after one warm-up."""
    timings: dict[str, Timings] = {}
    by_name: dict[str, list[Page]] = {}
    for page in listed:
        by_name.setdefault(page.name, []).append(page)
    for name, variants in by_name.items():
        got = timings.setdefault(name, Timings())
        await timed_get(session, variants[0].path)
        for n in range(repeats):
            spent, ok = await timed_get(session, variants[n % len(variants)].path)
            got.spent.append(spent)
            got.errors += not ok
        progress(f"  {name}: p50 {got.p50:.0f} ms, p95 {got.quantile(0.95):.0f} ms")
    return timings


@dataclass(frozen=True, slots=True)
class LoadResult:
    readers: int
    seconds: float
    timings: Timings
    by_kind: dict[str, Timings]

    @property
    def throughput(self) -> float:
        return len(self.timings.spent) / self.seconds


async def many_at_once(
    sessions: Sequence[aiohttp.ClientSession], listed: Sequence[Page], seconds: float
) -> LoadResult:
    """Every session asks for pages of the MIX back to back until ``seconds`` are over."""
    kinds = list(MIX)
    by_kind_pages = {k: [p for p in listed if p.kind == k] for k in kinds}
    kinds = [k for k in kinds if by_kind_pages[k]]  # --pages may leave kinds out
    weights = [MIX[k] for k in kinds]
    total = Timings()
    by_kind = {k: Timings() for k in kinds}
    started = time.perf_counter()
    deadline = started + seconds

    async def reader(n: int, session: aiohttp.ClientSession) -> None:
        rng = random.Random(n)
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            page = rng.choice(by_kind_pages[kind])
            spent, ok = await timed_get(session, page.path)
            for got in (total, by_kind[kind]):
                got.spent.append(spent)
                got.errors += not ok

    await asyncio.gather(*(reader(n, s) for n, s in enumerate(sessions)))
    return LoadResult(len(sessions), time.perf_counter() - started, total, by_kind)


@dataclass(frozen=True, slots=True)
class Run:
    size: int
    build_seconds: float
    single: dict[str, Timings]
    load: LoadResult | None


async def measure(
    role: WebRole, engine: Engine, listed: Sequence[Page], readers: Sequence[int], args: Any
) -> tuple[dict[str, Timings], LoadResult | None]:
    connector = aiohttp.TCPConnector(limit=0)
    sessions = []
    try:
        sessions = [await sign_in(role, engine, r, connector) for r in readers]
        progress(f"{len(sessions)} readers signed in; one request at a time:")
        single = await one_at_a_time(sessions[0], listed, args.repeats)
        load = None
        if args.seconds > 0 and len(sessions) > 1:
            progress(f"{len(sessions)} readers at once for {args.seconds:g} s …")
            load = await many_at_once(sessions, listed, args.seconds)
            progress(
                f"  {load.throughput:.1f} requests/s, p95 {load.timings.quantile(0.95):.0f} ms,"
                f" {load.timings.errors} errors"
            )
        return single, load
    finally:
        for session in sessions:
            await session.close()
        await connector.close()


def run_size(url: str, size: int, args: Any) -> Run:
    progress(f"== {size:,} stories in {make_url(url).database}")
    ensure_database(url)
    engine = make_engine(url)
    role = WebRole(url, ROOT / "var" / "bench-workspace" / f"{size}")
    try:
        built = workspace_data.fill(engine, size)
        readers = add_readers(engine, max(1, args.readers))
        end = archive_end(engine)
        listed = chosen(pages(end, workspace_data.sample_ids(engine, 20)), args.pages)
        role.start()
        single, load = asyncio.run(measure(role, engine, listed, readers, args))
        return Run(size, built, single, load)
    finally:
        role.stop()
        engine.dispose()
        if args.drop:
            drop_database(url)


# --- the report --------------------------------------------------------------------------


def markdown(runs: Sequence[Run], args: Any) -> str:
    main = runs[0]
    base = runs[1] if len(runs) > 1 else None
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "## Workspace pages (bench/bench_workspace.py)",
        "",
        f"{main.size:,} stories on PostgreSQL (two years; one in four alerted, with countries,"
        " a category and a credited outlet among ~270; one in five with a second copy; the"
        " search index filled as the worker fills it), served by `monitor run --role web` on"
        " loopback to readers signed in through single-use links. One reader: each page"
        f" {args.repeats} times in a row after a warm-up (Story: 20 different stories in turn)."
        + (f" Baseline: the same on {base.size:,} stories, same run." if base is not None else "")
        + (f" Pages: those starting {', '.join(args.pages)} (`--pages`)." if args.pages else "")
        + f" Machine load (1/5/15 min) at the end: {load_avg}; the client runs on the same"
        " two cores as the web role and PostgreSQL.",
        "",
    ]
    header = "| page | p50 ms | p95 ms | p99 ms |"
    rule = "| --- | ---: | ---: | ---: |"
    if base is not None:
        header += f" p95 ms at {base.size:,} | × p95 |"
        rule += " ---: | ---: |"
    lines += [header, rule]
    for name, got in main.single.items():
        row = f"| {name} | {got.p50:.0f} | {got.quantile(0.95):.0f} | {got.quantile(0.99):.0f} |"
        if base is not None and name in base.single:
            then = base.single[name].quantile(0.95)
            row += f" {then:.0f} | {got.quantile(0.95) / then:.1f}× |"
        if got.errors:
            row += f" ({got.errors} errors)"
        lines.append(row)
    loads = [r for r in runs if r.load is not None]
    if loads:
        lines += [
            "",
            "Concurrent readers, each asking for the next page as soon as the last arrived "
            "(no think time), pages drawn by weight: "
            + ", ".join(f"{k} {w}" for k, w in MIX.items())
            + ".",
            "",
            "| stories | readers | seconds | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in loads:
            assert r.load is not None
            t = r.load.timings
            lines.append(
                f"| {r.size:,} | {r.load.readers} | {r.load.seconds:.0f} | {len(t.spent):,} |"
                f" {r.load.throughput:.1f} | {t.p50:.0f} | {t.quantile(0.95):.0f} |"
                f" {t.quantile(0.99):.0f} | {t.errors} |"
            )
        lines += [
            "",
            f"By page, {main.size:,} stories, {args.readers} readers:",
            "",
            "| page | requests | p50 ms | p95 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        assert main.load is not None
        for kind, t in main.load.by_kind.items():
            if t.spent:
                lines.append(
                    f"| {kind} | {len(t.spent):,} | {t.p50:.0f} | {t.quantile(0.95):.0f} |"
                    f" {t.quantile(0.99):.0f} |"
                )
    built = [r for r in runs if r.build_seconds]
    if built:
        lines += [
            "",
            "Building the archive: "
            + "; ".join(f"{r.size:,} stories in {r.build_seconds / 60:.1f} min" for r in built)
            + " (kept for later runs).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE:,} stories")
    parser.add_argument("--stories", type=int, help=f"default {FULL_SIZE:,}")
    parser.add_argument(
        "--baseline-stories", type=int, help=f"default {FULL_BASELINE:,}; 0: no baseline"
    )
    parser.add_argument("--repeats", type=int, default=40, help="requests per page, one reader")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, help="concurrent phase (default 60; quick 10)")
    parser.add_argument(
        "--database-prefix",
        default="bench_workspace",
        help="databases <prefix>_<stories> of the local PostgreSQL cluster",
    )
    parser.add_argument(
        "--pages",
        type=lambda v: v.split(","),
        default=[],
        help="only pages whose kind or name starts with one of these (comma-separated),"
        " e.g. 'Trends,Countries'; default every page",
    )
    parser.add_argument("--drop", action="store_true", help="drop the databases afterwards")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    size = args.stories or (QUICK_SIZE if args.quick else FULL_SIZE)
    baseline = args.baseline_stories
    if baseline is None:
        baseline = QUICK_BASELINE if args.quick else FULL_BASELINE
    if args.seconds is None:
        args.seconds = 10.0 if args.quick else 60.0
    os.nice(10)  # the machine is shared: the fill and the load give way to interactive work
    cluster = postgres.PgCluster()
    runs = [run_size(cluster.url(f"{args.database_prefix}_{size}"), size, args)]
    if baseline:
        runs.append(run_size(cluster.url(f"{args.database_prefix}_{baseline}"), baseline, args))
    report = markdown(runs, args)
    if args.output:
        args.output.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
