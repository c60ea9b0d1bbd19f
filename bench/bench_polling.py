"""Polling benchmark: many feeds through ``fetch_feed`` versus a bare aiohttp GET.

A local aiohttp server (its own process, so its CPU is not counted) serves N feeds on
several loopback aliases (127.0.0.1 … 127.0.0.H), so per-host limits apply as they would
across publishers. About 90 % of feeds answer the conditional request with 304; the rest
send a small RSS document. Each mode polls every feed once from a fresh client process:

* ``baseline`` — a default ``aiohttp.ClientSession`` GET with the same conditional headers,
  no address policy, no host limiter, no caps;
* ``pipeline`` — ``fetch_feed`` through ``make_session`` with an ``AddressPolicy`` and a
  ``HostLimiter``.

Both use the same worker-pool size. Reported: feeds/s, wall time, client CPU seconds
(getrusage of the client process), client peak RSS, and pipeline/baseline ratios.
Fetching only, unless ``--parse`` also runs ``monitor.feeds.parse.parse_feed`` on every
200 response (in both modes, so the ratio still isolates the fetcher).

    python bench/bench_polling.py            # 2,000 feeds, writes docs/bench-polling.md
    python bench/bench_polling.py --quick    # 200 feeds, for CI
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import platform
import resource
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "bench-polling.md"
CLIENT_DEADLINE_SECONDS = 900
CHANGED_EVERY = 10  # feed n changed since the last poll when n % 10 == 0 (~10 % answer 200)
ITEM = (
    "<item><title>Story {i} of feed {n}</title><link>https://news.example/{n}/{i}</link>"
    "<guid isPermaLink='false'>https://news.example/?p={n}{i}</guid>"
    "<pubDate>Mon, 11 Dec 2023 13:07:44 +0000</pubDate>"
    "<description>A short excerpt of story {i}, as WordPress would send it.</description>"
    "</item>"
)


def rss(n: int) -> bytes:
    items = "".join(ITEM.format(n=n, i=i) for i in range(5))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Feed {n}</title><link>https://news.example/{n}</link>"
        f"<description>Benchmark feed</description>{items}</channel></rss>"
    ).encode()


def old_etag(n: int) -> str:
    return f'"{n}-v1"'


# --- server process ----------------------------------------------------------------------


def serve(hosts: list[str], ports_out: Connection) -> None:
    """Run the feed server until terminated; send back {host: port} once listening."""
    from aiohttp import web

    bodies: dict[int, bytes] = {}

    async def feed(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n % CHANGED_EVERY and request.headers.get("If-None-Match") == old_etag(n):
            return web.Response(status=304, headers={"ETag": old_etag(n)})
        body = bodies.get(n) or bodies.setdefault(n, rss(n))
        return web.Response(
            body=body,
            content_type="application/rss+xml",
            headers={"ETag": f'"{n}-v2"', "Cache-Control": "max-age=300"},
        )

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for host in hosts:
            await web.TCPSite(runner, host, 0, backlog=1024).start()
        ports_out.send({host: port for host, port in runner.addresses})
        await asyncio.Event().wait()

    asyncio.run(main())


# --- client processes --------------------------------------------------------------------


@dataclass
class RunResult:
    mode: str
    feeds: int
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    statuses: dict[str, int]

    @property
    def feeds_per_second(self) -> float:
        return self.feeds / self.seconds


@dataclass(frozen=True)
class Options:
    feeds: int
    hosts: int
    workers: int
    per_host: int
    spacing: float
    parse: bool


def feed_urls(ports: dict[str, int], feeds: int) -> list[tuple[int, str]]:
    hosts = sorted(ports)
    return [
        (n, f"http://{hosts[n % len(hosts)]}:{ports[hosts[n % len(hosts)]]}/feed/{n}")
        for n in range(feeds)
    ]


def make_parser(enabled: bool) -> Callable[[bytes, str, str | None], None]:
    if not enabled:
        return lambda content, url, content_type: None
    from monitor.feeds.parse import parse_feed

    def parse(content: bytes, url: str, content_type: str | None) -> None:
        parse_feed(content, url=url, content_type=content_type, fetched_at=datetime.now(UTC))

    return parse


async def poll_all(
    feeds: list[tuple[int, str]],
    workers: int,
    poll: Callable[[int, str], Awaitable[str]],
    label: str,
) -> Counter[str]:
    """Poll every feed once with ``workers`` concurrent workers; progress on stderr."""
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in feeds:
        queue.put_nowait(item)
    statuses: Counter[str] = Counter()
    step = max(1, len(feeds) // 5)

    async def worker() -> None:
        while not queue.empty():
            n, url = queue.get_nowait()
            statuses[await poll(n, url)] += 1
            done = sum(statuses.values())
            if done % step == 0:
                print(f"[bench] {label}: {done}/{len(feeds)}", file=sys.stderr, flush=True)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return statuses


async def run_baseline(feeds: list[tuple[int, str]], options: Options, label: str) -> Counter[str]:
    parse = make_parser(options.parse)
    # Same time bounds as FetchLimits' defaults, so neither mode can stall the run.
    timeout = aiohttp.ClientTimeout(total=30, sock_connect=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def poll(n: int, url: str) -> str:
            headers = {"If-None-Match": old_etag(n)}
            try:
                async with session.get(url, headers=headers) as response:
                    content = await response.read()
                    if response.status == 200:
                        parse(content, url, response.headers.get("Content-Type"))
                    return str(response.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                return f"error: {type(exc).__name__}"

        return await poll_all(feeds, options.workers, poll, label)


async def run_pipeline(feeds: list[tuple[int, str]], options: Options, label: str) -> Counter[str]:
    from monitor.errors import FetchError
    from monitor.feeds.fetcher import FetchLimits, Validators, fetch_feed, make_session
    from monitor.feeds.hosts import AddressPolicy, HostLimiter

    parse = make_parser(options.parse)
    limits = FetchLimits()
    policy = AddressPolicy(allow_private=True)  # the benchmark server is on loopback
    limiter = HostLimiter(options.per_host, options.spacing)
    async with make_session(limits, policy) as session:

        async def poll(n: int, url: str) -> str:
            try:
                result = await fetch_feed(
                    session,
                    url,
                    validators=Validators(etag=old_etag(n)),
                    limits=limits,
                    address_policy=policy,
                    host_limiter=limiter,
                )
            except FetchError as exc:
                return f"error: {exc.reason}"
            if result.status == 200:
                parse(result.content, result.url, result.content_type)
            return str(result.status)

        return await poll_all(feeds, options.workers, poll, label)


RUNNERS = {"baseline": run_baseline, "pipeline": run_pipeline}


def client(mode: str, ports: dict[str, int], options: Options, out: Connection) -> None:
    """One mode in a fresh process, so CPU and peak RSS belong to that mode alone."""
    feeds = feed_urls(ports, options.feeds)
    runner = RUNNERS[mode]
    warmup = feeds[: min(100, len(feeds))]
    asyncio.run(runner(warmup, options, f"{mode} warm-up"))
    before_cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    statuses = asyncio.run(runner(feeds, options, mode))
    seconds = time.perf_counter() - started
    after_cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after_cpu.ru_utime - before_cpu.ru_utime) + (after_cpu.ru_stime - before_cpu.ru_stime)
    peak_rss_mib = after_cpu.ru_maxrss / 1024  # kilobytes on Linux
    out.send(asdict(RunResult(mode, len(feeds), seconds, cpu, peak_rss_mib, dict(statuses))))


def run_mode(context: Any, mode: str, ports: dict[str, int], options: Options) -> RunResult:
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=client, args=(mode, ports, options, send))
    process.start()
    send.close()  # keep only the child's end open, so a crashed child means EOF, not a hang
    result = None
    try:
        if receive.poll(CLIENT_DEADLINE_SECONDS):
            result = receive.recv()
    except EOFError:
        pass
    if result is None and process.is_alive():
        process.terminate()
    process.join()
    if result is None or process.exitcode != 0:
        raise SystemExit(f"{mode} client failed with exit code {process.exitcode}")
    return RunResult(**result)


# --- report ------------------------------------------------------------------------------


def report(options: Options, baseline: RunResult, pipeline: RunResult) -> str:
    def row(r: RunResult) -> str:
        return (
            f"| {r.mode} | {r.feeds_per_second:,.0f} | {r.seconds:.2f} | {r.cpu_seconds:.2f} "
            f"| {1e6 * r.cpu_seconds / r.feeds:.0f} | {r.peak_rss_mib:.0f} "
            f"| {', '.join(f'{k}: {v}' for k, v in sorted(r.statuses.items()))} |"
        )

    cpu_ratio = pipeline.cpu_seconds / baseline.cpu_seconds
    time_ratio = pipeline.seconds / baseline.seconds
    what = "fetch + parse (`parse_feed` on every 200)" if options.parse else "fetching only"
    return "\n".join(
        [
            f"## Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"{options.feeds:,} feeds on {options.hosts} loopback host aliases, "
            f"~{100 - 100 // CHANGED_EVERY} % answering 304 to a conditional GET, the rest a "
            f"{len(rss(0)):,}-byte RSS document. {options.workers} workers; the pipeline's "
            f"HostLimiter allows {options.per_host} requests per host, "
            f"{options.spacing:g} s apart. Server in a separate process; CPU and peak RSS are "
            "the client process's own. "
            f"Measured: **{what}**"
            + ("." if options.parse else " (no parsing, no store, no Kafka)."),
            "",
            "| mode | feeds/s | wall s | CPU s | CPU µs per feed | peak RSS MiB | statuses |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
            row(baseline),
            row(pipeline),
            "",
            f"Pipeline / baseline: **{cpu_ratio:.2f}× CPU**, {time_ratio:.2f}× wall time. "
            "Baseline is a bare `aiohttp` GET with the same conditional headers; the pipeline "
            "adds the address policy, the host limiter, manual redirects, the size cap and "
            "result building.",
            "",
            f"Machine: {platform.python_implementation()} {platform.python_version()}, "
            f"aiohttp {aiohttp.__version__}, {platform.machine()}, "
            f"{mp.cpu_count()} CPUs.",
            "",
        ]
    )


def parse_args(argv: list[str] | None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--feeds", type=int, default=2000, help="feeds to poll (default 2000)")
    parser.add_argument("--quick", action="store_true", help="200 feeds, for CI")
    parser.add_argument("--hosts", type=int, default=8, help="loopback aliases (default 8)")
    parser.add_argument("--workers", type=int, default=64, help="concurrent polls (default 64)")
    parser.add_argument("--per-host", type=int, default=8, help="HostLimiter per-host slots")
    parser.add_argument("--spacing", type=float, default=0.0, help="HostLimiter spacing, s")
    parser.add_argument("--parse", action="store_true", help="also parse every 200 response")
    parser.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown file to write (default docs/bench-polling.md; '-' for stdout only)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 254:
        parser.error("--hosts must be between 1 and 254")
    options = Options(
        feeds=200 if args.quick else args.feeds,
        hosts=args.hosts,
        workers=args.workers,
        per_host=args.per_host,
        spacing=args.spacing,
        parse=args.parse,
    )
    return options, None if args.output == "-" else Path(args.output)


def main(argv: list[str] | None = None) -> None:
    options, output = parse_args(argv)
    context = mp.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    hosts = [f"127.0.0.{i}" for i in range(1, options.hosts + 1)]
    server = context.Process(target=serve, args=(hosts, send), daemon=True)
    server.start()
    send.close()
    try:
        try:
            ports: dict[str, int] = receive.recv()
        except EOFError:
            raise SystemExit("benchmark server did not start") from None
        baseline = run_mode(context, "baseline", ports, options)
        pipeline = run_mode(context, "pipeline", ports, options)
    finally:
        server.terminate()
        server.join()
    text = report(options, baseline, pipeline)
    print(text)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text("# Polling benchmark\n\n" + text, encoding="utf-8")
        print(f"[bench] wrote {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
