"""Fan-out benchmark: a day's alerts to 10,000 subscribers, digests rendered and sent over SMTP.

Three phases, each timed on its own:

1. **setup** — migrate a fresh database, create N confirmed subscribers (a spread of time
   zones) with one subscription each: a stored query built from ``bench_matcher``'s
   realistic query generator, ``daily`` at 08:00 local for most, ``immediate`` for ~10 %;
2. **fan-out** — a day's items (dev and held-out news, titles and ledes) go through
   ``ItemHandler.handle`` in batches with the clock fixed at "yesterday" 12:00 UTC: stories,
   alerts and one delivery row per matching subscriber;
3. **render + send** — ``Mailer.pass_once`` at a time after every subscriber's 08:00 local
   digest, repeated until nothing is left, to a local aiosmtpd server (``SmtpSink``) over a
   real SMTP connection. emails/s = emails the server received / seconds of this phase;
   assembled/s = emails / seconds spent assembling them (``Assembler.run_once``).

   **Baseline in the same run**: before phase 3, the database is copied (a file copy, or
   ``CREATE DATABASE … TEMPLATE``) and phase 3 runs first on the copy with the mailer's
   slow paths (``Assembler(fast=False)``: every story block rendered for every email, every
   header through the email package, every email queued with its own statements; claims
   of one email), then on the original with the fast paths. Ratios compare the two.
   ``--no-baseline`` skips it.

Stored queries: the generator's raw queries are tuned for matcher speed and most of them
match nothing on one day of this topic, so a subscriber's query is 1-4 generator queries
joined with OR, drawn from those that match at least one of the day's alerts (a pre-pass
with the same ``QueryMatcher``), with ~10 % of subscribers given a query that matches
nothing that day. A typical subscriber then gets a handful of stories.

Checks (exit status 1 when one fails): emails received by the server == emails the outbox
marks sent; every Message-ID unique; no due delivery left behind. Also reported: stories
shown in digests vs digest deliveries (they differ when a digest is assembled in parts).

    python -m bench.bench_fanout                      # 10,000 subscribers, SQLite in a temp dir
    python -m bench.bench_fanout --quick              # 1,000 subscribers, for CI
    python bench/bench_fanout.py --database-url postgresql+psycopg://monitor@127.0.0.1:55432/bench

Progress goes to stderr; a table to stdout, the Markdown section to ``--output``, and a
final ``RESULT {json}`` line to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running as a script: make the package importable
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.bench_matcher import TOPIC, make_queries  # noqa: E402
from bench.corpus import labelled_news  # noqa: E402
from bench.sink_process import Arrived, SinkProcess  # noqa: E402
from monitor.config import Settings, load_settings  # noqa: E402
from monitor.matching.classifier import classify  # noqa: E402
from monitor.matching.matcher import QueryMatcher  # noqa: E402
from monitor.matching.topic import load_topic  # noqa: E402
from monitor.matching.topic_set import TopicSet, classify_all  # noqa: E402
from monitor.models import FeedItem  # noqa: E402
from monitor.notify.assemble import Assembler  # noqa: E402
from monitor.notify.mailer import CLAIM_BATCH, Mailer  # noqa: E402
from monitor.notify.transport import SmtpTransport  # noqa: E402
from monitor.services.smtp_sink import SmtpSink  # noqa: E402
from monitor.store import migrate, outbox  # noqa: E402
from monitor.store.db import make_engine, transaction  # noqa: E402
from monitor.store.partition import Partition  # noqa: E402
from monitor.store.subscribers import add_subscriber, add_subscription  # noqa: E402
from monitor.store.tables import alerts, deliveries, emails, subscribers  # noqa: E402
from monitor.stream.handler import ItemHandler  # noqa: E402
from monitor.subscriptions.fanout import SubscriptionIndex, match_doc  # noqa: E402

DEFAULT_OUTPUT = ROOT / "docs" / "bench-fanout.md"
# (time zone, weight): where a Ukraine / Latin America desk's readers are, plus the extremes.
TIME_ZONES: tuple[tuple[str, int], ...] = (
    ("UTC", 4),
    ("Europe/Kyiv", 12),
    ("Europe/London", 6),
    ("Europe/Madrid", 6),
    ("Europe/Berlin", 5),
    ("America/Sao_Paulo", 12),
    ("America/Argentina/Buenos_Aires", 10),
    ("America/Mexico_City", 8),
    ("America/Bogota", 6),
    ("America/Santiago", 4),
    ("America/New_York", 8),
    ("America/Los_Angeles", 4),
    ("Asia/Kolkata", 2),
    ("Asia/Tokyo", 2),
    ("Australia/Sydney", 2),
    ("Pacific/Auckland", 1),
    ("Pacific/Kiritimati", 1),  # UTC+14
    ("Pacific/Pago_Pago", 1),  # UTC-11
)
IMMEDIATE_SHARE = 0.10
NO_MATCH_SHARE = 0.10  # subscribers whose query matches nothing today
CLAUSES = (1, 2, 3, 4)  # generator queries OR-ed into one stored query
CLAUSE_WEIGHTS = (3, 3, 2, 2)
SUBSCRIBERS_PER_TRANSACTION = 500
MAX_PASSES = 1_000
SUBJECT_COUNT = re.compile(r":\s+(\d+) stor(?:y|ies) \(")


@dataclass(frozen=True, slots=True)
class Size:
    subscribers: int
    items: int
    batch: int
    pool: int  # generator queries drawn before picking the ones that match today


FULL = Size(subscribers=10_000, items=240, batch=20, pool=40_000)
QUICK = Size(subscribers=1_000, items=96, batch=20, pool=12_000)


@dataclass
class Result:
    """Every figure of one run; the RESULT line is this, as JSON."""

    database: str = ""
    quick: bool = False
    subscribers: int = 0
    stored_queries: int = 0
    distinct_queries: int = 0
    immediate_subscribers: int = 0
    items: int = 0
    batch_size: int = 0
    alerts: int = 0
    deliveries: int = 0
    deliveries_immediate: int = 0
    deliveries_digest: int = 0
    subscribers_with_stories: int = 0
    stories_per_subscriber_median: float = 0.0
    stories_per_subscriber_p90: float = 0.0
    stories_per_subscriber_max: int = 0
    emails: int = 0
    digests: int = 0
    immediate_emails: int = 0
    stories_per_digest: float = 0.0
    digest_stories_shown: int = 0
    digest_stories_missing: int = 0
    bytes: int = 0
    mailer_passes: int = 0
    query_prep_s: float = 0.0
    setup_s: float = 0.0
    index_load_s: float = 0.0
    fanout_s: float = 0.0
    deliveries_per_s: float = 0.0
    send_s: float = 0.0
    assemble_s: float = 0.0
    assemble_cpu_s: float = 0.0  # CPU of the assembling thread in Assembler.run_once
    emails_per_s: float = 0.0
    assembled_per_s: float = 0.0
    send_cpu_s: float = 0.0  # this process's CPU (the mailer; the SMTP sink's thread too)
    sink: str = "process"  # where the SMTP server ran: "process" (its own) or "thread"
    sink_cpu_s: float = 0.0  # the SMTP server process's CPU, when it had its own
    sink_pipelining: bool = True  # the SMTP server process offered PIPELINING
    sha256: str = ""  # over every email the SMTP server process received (sink_process)
    load_before: float = 0.0  # 1-minute load average around render + send
    load_after: float = 0.0
    fragment_hits: int = 0
    fragment_misses: int = 0
    baseline: dict[str, float] = field(default_factory=dict)
    previous: dict[str, float | str] = field(default_factory=dict)
    # --mailer-processes: render + send by N mailer processes, each run on a copy
    processes: list[dict[str, float]] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    peak_rss_after_prep_mb: float = 0.0
    peak_rss_after_fanout_mb: float = 0.0
    checks_ok: bool = False
    problems: list[str] = field(default_factory=list)


def progress(message: str) -> None:
    print(f"[bench_fanout] {message}", file=sys.stderr, flush=True)


# --- the day's items ---------------------------------------------------------------------


def day_items(count: int, day: datetime, rng: random.Random) -> list[FeedItem]:
    """``count`` items from the labelled news (cycled, shuffled), all distinct stories."""
    source = labelled_news()
    rng.shuffle(source)
    items = []
    for n in range(count):
        row = source[n % len(source)]
        outlet = str(row.get("source") or "Wire")
        slug = re.sub(r"[^a-z0-9]+", "-", outlet.lower()).strip("-") or "wire"
        published = day - timedelta(minutes=rng.randint(5, 23 * 60))
        items.append(
            FeedItem(
                item_id=f"bench-{n:06d}",
                feed_url=f"https://feeds.example/{slug}.xml",
                outlet=outlet,
                title=row["title"],
                text=row["text"],
                published=published,
                fetched_at=day,
                url=row.get("url") or f"https://news.example/{slug}/{n}",
                html=f"<p>{row['text']}</p>",
                lang=row.get("lang"),
                guid=f"bench-{n}",
                simhash=rng.getrandbits(64) | 1,  # random: no two items cluster
                title_key=f"bench title {n:06d}",
            )
        )
    return items


# --- subscribers' stored queries ---------------------------------------------------------


def stored_queries(
    count: int, items: Sequence[FeedItem], pool_size: int, rng: random.Random
) -> list[str]:
    """One stored query per subscriber: generator queries OR-ed, tuned to the day's news."""
    topic = load_topic(TOPIC)
    docs = []
    for item in items:
        verdict = classify(topic, item.title, item.text, item.lang)
        if verdict.relevant:
            docs.append(match_doc(item, verdict))
    pool = list(dict.fromkeys(make_queries(pool_size, seed=rng.randrange(1 << 30))))
    matcher = QueryMatcher()
    for index, query in enumerate(pool):
        matcher.add(str(index), query)
    hits: Counter[int] = Counter()
    for doc in docs:
        hits.update(int(found) for found in matcher.match(doc))
    # Queries that alone would send (nearly) every alert are not someone's saved search.
    cap = max(2, len(docs) // 4)
    productive = [pool[i] for i in sorted(hits) if hits[i] <= cap]
    barren = [q for i, q in enumerate(pool) if i not in hits]
    if not productive or not barren:
        raise SystemExit("query pool too small: raise Size.pool")
    out = []
    for _ in range(count):
        if rng.random() < NO_MATCH_SHARE:
            out.append(rng.choice(barren))
            continue
        k = rng.choices(CLAUSES, CLAUSE_WEIGHTS)[0]
        clauses = rng.sample(productive, min(k, len(productive)))
        out.append(clauses[0] if k == 1 else " OR ".join(f"({c})" for c in clauses))
    return out


# --- database ----------------------------------------------------------------------------


@contextmanager
def scratch_database(url: str | None, keep: bool) -> Iterator[str]:
    """A fresh, migrated database: SQLite in a temp dir, or the PostgreSQL database named.

    A PostgreSQL database that does not exist is created (and dropped afterwards unless
    ``keep``); one that exists must hold no subscribers yet.
    """
    if url is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
        sqlite_url = f"sqlite:///{tmp / 'monitor.db'}"
        try:
            migrate.upgrade(sqlite_url)
            yield sqlite_url
        finally:
            if keep:
                progress(f"kept {sqlite_url}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        return
    created = False
    parsed = make_url(url)
    admin: Engine | None = None
    if parsed.get_backend_name() == "postgresql" and parsed.database:
        admin = create_engine(
            parsed.set(database="postgres").render_as_string(hide_password=False),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
                created = True
                progress(f"created database {parsed.database}")
    try:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with transaction(engine) as conn:
                present = conn.execute(select(func.count()).select_from(subscribers)).scalar_one()
        finally:
            engine.dispose()
        if present:
            raise SystemExit(
                f"{parsed.database}: holds {present} subscribers; pass a fresh database"
            )
        yield url
    finally:
        if admin is not None:
            if created and not keep:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
                progress(f"dropped database {parsed.database}")
            admin.dispose()


def create_subscribers(
    engine: Engine, queries: Sequence[str], now: datetime, rng: random.Random
) -> int:
    """One confirmed subscriber per query, one subscription each; returns immediate ones."""
    zones = [zone for zone, _ in TIME_ZONES]
    weights = [weight for _, weight in TIME_ZONES]
    immediate = 0
    started = time.perf_counter()
    for first in range(0, len(queries), SUBSCRIBERS_PER_TRANSACTION):
        with transaction(engine) as conn:
            for n in range(first, min(first + SUBSCRIBERS_PER_TRANSACTION, len(queries))):
                zone = rng.choices(zones, weights)[0]
                person, created = add_subscriber(
                    conn,
                    f"reader{n:06d}@desk{n % 97}.example.org",
                    display_name=f"Reader {n}",
                    time_zone=zone,
                    confirmed=True,
                    now=now,
                )
                if not created:
                    raise SystemExit(f"subscriber {n} already existed")
                mode = "immediate" if rng.random() < IMMEDIATE_SHARE else "daily"
                immediate += mode == "immediate"
                add_subscription(
                    conn,
                    person,
                    now=now,
                    name=f"Watch {n}",
                    query=queries[n],
                    filters={},
                    mode=mode,
                    digest_time="08:00",
                )
        done = min(first + SUBSCRIBERS_PER_TRANSACTION, len(queries))
        rate = done / (time.perf_counter() - started)
        progress(f"setup: {done:,}/{len(queries):,} subscribers ({rate:,.0f}/s)")
    return immediate


# --- the run -----------------------------------------------------------------------------


def fan_out(
    engine: Engine, items: Sequence[FeedItem], batch: int, clock: datetime, result: Result
) -> None:
    topic = load_topic(TOPIC)
    index = SubscriptionIndex(recheck_seconds=3600)
    started = time.perf_counter()
    index.refresh_if_changed(engine, force=True)
    result.index_load_s = time.perf_counter() - started
    progress(f"fan-out: index of {len(index):,} subscriptions loaded in {result.index_load_s:.2f}s")
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TopicSet((topic,))),
        subscriptions=index,
        clock=lambda: clock,
    )
    started = time.perf_counter()
    for first in range(0, len(items), batch):
        outcome = handler.handle(items[first : first + batch])
        result.alerts += outcome.alerts
        result.deliveries += outcome.deliveries
        elapsed = time.perf_counter() - started
        progress(
            f"fan-out: {min(first + batch, len(items)):,}/{len(items):,} items, "
            f"{result.alerts:,} alerts, {result.deliveries:,} deliveries ({elapsed:.1f}s)"
        )
    result.fanout_s = time.perf_counter() - started
    result.deliveries_per_s = result.deliveries / result.fanout_s if result.fanout_s else 0.0
    with transaction(engine) as conn:
        modes: dict[str, int] = {
            str(mode): int(n)
            for mode, n in conn.execute(
                select(deliveries.c.mode, func.count()).group_by(deliveries.c.mode)
            )
        }
        per_subscriber = [
            int(n)
            for n in conn.execute(
                select(func.count()).select_from(deliveries).group_by(deliveries.c.subscriber_id)
            ).scalars()
        ]
        stored_alerts = conn.execute(select(func.count()).select_from(alerts)).scalar_one()
    if stored_alerts != result.alerts or sum(modes.values()) != result.deliveries:
        result.problems.append(
            f"handler reported {result.alerts} alerts / {result.deliveries} deliveries, "
            f"tables hold {stored_alerts} / {sum(modes.values())}"
        )
    result.deliveries_immediate = int(modes.get("immediate", 0))
    result.deliveries_digest = result.deliveries - result.deliveries_immediate
    result.subscribers_with_stories = len(per_subscriber)
    counts = per_subscriber + [0] * (result.subscribers - len(per_subscriber))
    result.stories_per_subscriber_median = statistics.median(counts) if counts else 0.0
    result.stories_per_subscriber_p90 = (
        statistics.quantiles(counts, n=10)[-1] if len(counts) > 1 else 0.0
    )
    result.stories_per_subscriber_max = max(counts, default=0)


class TimedAssembler(Assembler):
    """The mailer's assembler, timed: how much of render + send is composing emails.

    ``seconds`` is wall-clock time in ``run_once``; since the mailer sends while it
    assembles (on another thread), that includes waits for the interpreter's lock, so
    ``cpu_seconds`` (the assembling thread's own CPU) is kept too."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def run_once(self, now: datetime | None = None) -> int:
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            return super().run_once(now)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.thread_time() - cpu_started


async def deliver(
    settings: Settings,
    engine: Engine,
    now: datetime,
    result: Result,
    *,
    fast: bool = True,
    partition: Partition | None = None,
) -> None:
    """Mailer passes until nothing (of ``partition``'s subscribers, when given) is due."""
    partition = partition or Partition()
    mailer = Mailer(
        settings,
        engine,
        SmtpTransport(settings, fast=fast),
        worker=f"bench-mailer-{partition.index + 1}",
        claim_batch=CLAIM_BATCH if fast else 1,
        partition=partition,
    )
    assembler = mailer.assembler = TimedAssembler(settings, engine, fast=fast, partition=partition)
    started = time.perf_counter()
    cpu_started = time.process_time()
    sent_total = 0
    stalled: dict[str, int] = {}
    try:
        for passes in range(1, MAX_PASSES + 1):
            sent = await mailer.pass_once(now)
            sent_total += sent
            elapsed = time.perf_counter() - started
            progress(
                f"send: pass {passes}: {sent:,} emails, {sent_total:,} in all "
                f"({sent_total / elapsed if elapsed else 0:,.0f}/s)"
            )
            if sent == 0:
                # Zero sent can still mean progress: a pass whose deliveries all joined digests
                # queued earlier sends nothing. Stop when nothing is due, or nothing moves.
                with transaction(engine) as conn:
                    left = outbox.due_now(conn, now, partition)
                if (not left["deliveries"] and not left["emails"]) or left == stalled:
                    break
                stalled = left
        result.mailer_passes = passes
    finally:
        await mailer.transport.close()
    result.send_s = time.perf_counter() - started
    result.send_cpu_s = time.process_time() - cpu_started
    result.assemble_s = assembler.seconds
    result.assemble_cpu_s = assembler.cpu_seconds
    result.fragment_hits = assembler.fragments.hits
    result.fragment_misses = assembler.fragments.misses


def arrived_in(sink: SmtpSink) -> list[Arrived]:
    """What the in-process sink received, as the sink process reports it."""
    parser = BytesHeaderParser(policy=default_policy)
    out = []
    for message in sink.received:
        headers = parser.parsebytes(message.data)
        out.append(
            Arrived(
                message_id=str(headers["Message-ID"]),
                subject=str(headers["Subject"]),
                delivery=str(headers["X-Monitor-Delivery"]),
                size=len(message.data),
            )
        )
    return out


def check_delivery(
    engine: Engine, received: Sequence[Arrived], now: datetime, result: Result
) -> None:
    """Count what arrived and compare it with the outbox; record any mismatch."""
    ids: list[str] = []
    shown = 0
    for message in received:
        ids.append(message.message_id)
        found = SUBJECT_COUNT.search(message.subject)
        if message.delivery.startswith("digest") and found:
            shown += int(found.group(1))
    result.emails = len(received)
    result.bytes = sum(message.size for message in received)
    with transaction(engine) as conn:
        sent: dict[str, int] = {
            str(kind): int(n)
            for kind, n in conn.execute(
                select(emails.c.kind, func.count())
                .where(emails.c.status == "sent")
                .group_by(emails.c.kind)
            )
        }
        unsent = conn.execute(
            select(func.count()).select_from(emails).where(emails.c.status != "sent")
        ).scalar_one()
        in_digests = conn.execute(
            select(func.count())
            .select_from(deliveries)
            .join(emails, emails.c.id == deliveries.c.email_id)
            .where(emails.c.kind == "digest")
        ).scalar_one()
        left = outbox.due_now(conn, now)
    result.digests = int(sent.get("digest", 0))
    result.immediate_emails = int(sent.get("alert", 0) + sent.get("update", 0))
    result.stories_per_digest = shown / result.digests if result.digests else 0.0
    result.digest_stories_shown = shown
    result.digest_stories_missing = int(in_digests) - shown
    result.emails_per_s = result.emails / result.send_s if result.send_s else 0.0
    result.assembled_per_s = result.emails / result.assemble_s if result.assemble_s else 0.0
    if result.emails != sum(sent.values()):
        result.problems.append(
            f"SMTP server received {result.emails} emails, outbox marks {sum(sent.values())} sent"
        )
    if unsent:
        result.problems.append(f"{unsent} emails in the outbox are not sent")
    duplicates = [mid for mid, n in Counter(ids).items() if n > 1]
    if duplicates:
        result.problems.append(
            f"{len(duplicates)} Message-IDs received more than once, e.g. {duplicates[0]}"
        )
    if left["deliveries"] or left["emails"]:
        result.problems.append(f"left behind after the last pass: {left}")
    if result.digest_stories_missing:
        progress(
            f"WARNING: digests were assembled from {in_digests:,} deliveries but show "
            f"{shown:,} stories: {result.digest_stories_missing:,} stories never reached a reader"
        )


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy_database(url: str, suffix: str) -> str:
    """A copy of the database at ``url`` (nobody may be connected to it): its URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(str(parsed.database))
        target = source.with_name(f"{source.stem}-{suffix}{source.suffix}")
        shutil.copyfile(source, target)
        return parsed.set(database=str(target)).render_as_string(hide_password=False)
    name = f"{parsed.database}_{suffix}"
    admin = create_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_copy(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(str(parsed.database)).unlink(missing_ok=True)
        return
    admin = create_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def mail_settings(var: str, db_url: str, port: int) -> Settings:
    return load_settings(
        var_dir=Path(var),
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        token_secret="9c4f1a7e2b8d5c3f6a0e9d2b7c4f1a8e",  # fixed: same emails every run
        public_url="https://alerts.example.org",
        mail_from="Media monitor <alerts@monitor.example.org>",
    )


def render_and_send(
    db_url: str, var: str, send_at: datetime, result: Result, *, fast: bool, sink: str
) -> None:
    """Phase 3 on the database at ``db_url``, into ``result``; the SMTP server runs in a
    process of its own (``sink="process"``) or on a thread of this one (``"thread"``)."""
    engine = make_engine(db_url)
    label = "fast paths" if fast else "baseline (slow paths)"
    result.sink = sink
    try:
        if sink == "process":
            sink_out = Path(var) / "sink.json"
            with SinkProcess(sink_out, pipelining=result.sink_pipelining) as child:
                settings = mail_settings(var, db_url, child.port)
                progress(f"send, {label}: mailer passes at {send_at:%Y-%m-%d %H:%M} UTC")
                result.load_before = load_average()
                asyncio.run(deliver(settings, engine, send_at, result, fast=fast))
                result.load_after = load_average()
            result.sink_cpu_s = child.cpu_s
            result.sha256 = child.sha256
            check_delivery(engine, child.received, send_at, result)
            return
        with SmtpSink() as server:
            settings = mail_settings(var, db_url, server.port)
            progress(f"send, {label}: mailer passes at {send_at:%Y-%m-%d %H:%M} UTC")
            asyncio.run(deliver(settings, engine, send_at, result, fast=fast))
            check_delivery(engine, arrived_in(server), send_at, result)
    finally:
        engine.dispose()


def run_baseline(db_url: str, var: str, send_at: datetime, result: Result, sink: str) -> None:
    """Phase 3 with the slow paths on a copy of the database; figures into ``result``."""
    copy = copy_database(db_url, "baseline")
    try:
        base = Result(subscribers=result.subscribers)
        render_and_send(copy, var, send_at, base, fast=False, sink=sink)
    finally:
        drop_copy(copy)
    result.baseline = {
        "emails": base.emails,
        "send_s": base.send_s,
        "assemble_s": base.assemble_s,
        "emails_per_s": base.emails_per_s,
        "assembled_per_s": base.assembled_per_s,
        "send_cpu_s": base.send_cpu_s,
        "sink_cpu_s": base.sink_cpu_s,
        "bytes": base.bytes,
    }
    result.problems += [f"baseline: {problem}" for problem in base.problems]


# Run by ``--previous``: an older revision's render + send (its own mailer, fast paths)
# on a copy of the database, in a child process that imports that revision's code.
PREVIOUS_SEND = """
import asyncio, json, sys
from datetime import datetime
tree, url, var, at, port = sys.argv[1:]
sys.path.insert(0, tree)
import monitor
from bench import bench_fanout as bf
from monitor.store.db import make_engine
assert monitor.__file__.startswith(tree), monitor.__file__
engine = make_engine(url)
result = bf.Result()
settings = bf.mail_settings(var, url, int(port))
asyncio.run(bf.deliver(settings, engine, datetime.fromisoformat(at), result, fast=True))
engine.dispose()
print(json.dumps({k: getattr(result, k) for k in ("send_s", "assemble_s", "send_cpu_s")}))
"""


def run_previous(rev: str, db_url: str, var: str, send_at: datetime, result: Result) -> None:
    """Render + send with the code of git revision ``rev`` on a copy of the database (the
    same SMTP server process), so "before" is measured in the same run as "after"."""
    copy = copy_database(db_url, "previous")
    try:
        with tempfile.TemporaryDirectory() as tree:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
            progress(f"send, previous code ({rev}): on a copy of the database")
            sink_out = Path(var) / "previous-sink.json"
            with SinkProcess(sink_out, pipelining=result.sink_pipelining) as child:
                args = [tree, copy, var, send_at.isoformat(), str(child.port)]
                load_before = load_average()
                done = subprocess.run(
                    [sys.executable, "-c", PREVIOUS_SEND, *args],
                    cwd=tree,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                load_after = load_average()
            figures = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        drop_copy(copy)
    emails = len(child.received)
    result.previous = {
        "rev": rev,
        "emails": emails,
        "send_s": figures["send_s"],
        "assemble_s": figures["assemble_s"],
        "emails_per_s": emails / figures["send_s"] if figures["send_s"] else 0.0,
        "assembled_per_s": emails / figures["assemble_s"] if figures["assemble_s"] else 0.0,
        "send_cpu_s": figures["send_cpu_s"],
        "sink_cpu_s": child.cpu_s,
        "sha256": child.sha256,
        "load_before": load_before,
        "load_after": load_after,
    }
    if emails != result.baseline.get("emails", emails):
        result.problems.append(f"previous code sent {emails} emails")


# Run by ``--mailer-processes``: one mailer process of N, owning partition INDEX of COUNT
# (as `monitor run` with MONITOR_MAILER_PROCESSES=N), started on the parent's word.
PARTITION_SEND = """
import asyncio, json, sys, time
from datetime import datetime
url, var, at, port, index, count = sys.argv[1:]
from bench import bench_fanout as bf
from monitor.store.db import make_engine
from monitor.store.partition import Partition
engine = make_engine(url)
result = bf.Result()
settings = bf.mail_settings(var, url, int(port))
print("ready", flush=True)
sys.stdin.readline()
started = time.time()
part = Partition(int(index), int(count))
asyncio.run(bf.deliver(settings, engine, datetime.fromisoformat(at), result, partition=part))
ended = time.time()
engine.dispose()
figures = {k: getattr(result, k) for k in ("assemble_s", "assemble_cpu_s", "send_cpu_s")}
print(json.dumps({"started": started, "ended": ended, **figures}), flush=True)
"""


def load_average() -> float:
    """The 1-minute load average (`uptime`'s first figure): how busy the shared machine was."""
    return os.getloadavg()[0]


def run_processes(
    count: int, db_url: str, var: str, send_at: datetime, result: Result
) -> dict[str, float]:
    """Render + send on a copy of the database by ``count`` mailer processes at once, each
    owning one partition of the subscribers; the figures of that run, checked like the
    main one (received = sent, Message-IDs unique, nothing due left)."""
    copy = copy_database(db_url, f"processes{count}")
    load_before = load_average()
    try:
        with SinkProcess(Path(var) / f"processes{count}-sink.json") as sink:
            progress(f"send, {count} mailer process(es): on a copy of the database")
            children = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        PARTITION_SEND,
                        copy,
                        var,
                        send_at.isoformat(),
                        str(sink.port),
                        str(index),
                        str(count),
                    ],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for index in range(count)
            ]
            for child in children:  # every one imported and connected: start together
                assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            for child in children:
                assert child.stdin is not None
                child.stdin.write("go\n")
                child.stdin.flush()
            outputs = [child.communicate()[0] for child in children]
            if any(child.returncode for child in children):
                raise RuntimeError(f"a mailer process failed: {[c.returncode for c in children]}")
        figures = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
        run = Result()
        run.send_s = max(f["ended"] for f in figures) - min(f["started"] for f in figures)
        run.assemble_s = max(f["assemble_s"] for f in figures)
        engine = make_engine(copy)
        try:
            check_delivery(engine, sink.received, send_at, run)
        finally:
            engine.dispose()
    finally:
        drop_copy(copy)
    result.problems += [f"{count} processes: {problem}" for problem in run.problems]
    return {
        "processes": count,
        "emails": run.emails,
        "send_s": run.send_s,
        "emails_per_s": run.emails_per_s,
        "assembled_per_s": run.assembled_per_s,
        "mailer_cpu_s": sum(f["send_cpu_s"] for f in figures),
        "assemble_cpu_s": sum(f["assemble_cpu_s"] for f in figures),
        "sink_cpu_s": sink.cpu_s,
        "load_before": load_before,
        "load_after": load_average(),
    }


def run(
    size: Size,
    url: str | None,
    keep: bool,
    quick: bool,
    seed: int,
    baseline: bool = True,
    sink: str = "process",
    previous: str | None = None,
    processes: Sequence[int] = (),
    pipelining: bool = True,
) -> Result:
    rng = random.Random(seed)
    result = Result(quick=quick, subscribers=size.subscribers, items=size.items)
    result.sink_pipelining = pipelining
    result.batch_size = size.batch
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    alerts_at = today - timedelta(hours=12)  # yesterday 12:00 UTC
    # Every zone's next 08:00 after the alerts is at most 24 h later (UTC-4 at 08:00 local).
    send_at = alerts_at + timedelta(hours=25)
    items = day_items(size.items, alerts_at, rng)

    progress(f"preparing {size.subscribers:,} stored queries (pool of {size.pool:,})")
    started = time.perf_counter()
    queries = stored_queries(size.subscribers, items, size.pool, rng)
    result.query_prep_s = time.perf_counter() - started
    result.peak_rss_after_prep_mb = peak_rss_mb()
    result.stored_queries = len(queries)
    result.distinct_queries = len(set(queries))

    with scratch_database(url, keep) as db_url, tempfile.TemporaryDirectory() as var:
        engine = make_engine(db_url)
        result.database = engine.dialect.name
        if result.database == "postgresql":
            with engine.connect() as conn:
                version = conn.execute(text("SHOW server_version")).scalar_one()
            result.database = f"postgresql {str(version).split()[0]}"
        else:
            import sqlite3

            result.database = f"sqlite {sqlite3.sqlite_version}"
        try:
            progress(f"setup: {size.subscribers:,} subscribers on {result.database}")
            started = time.perf_counter()
            result.immediate_subscribers = create_subscribers(engine, queries, alerts_at, rng)
            result.setup_s = time.perf_counter() - started

            progress(f"fan-out: {size.items} items in batches of {size.batch}")
            fan_out(engine, items, size.batch, alerts_at, result)
            result.peak_rss_after_fanout_mb = peak_rss_mb()
        finally:
            engine.dispose()
        if baseline:
            run_baseline(db_url, var, send_at, result, sink)
        if previous:
            run_previous(previous, db_url, var, send_at, result)
        for count in processes:
            result.processes.append(run_processes(count, db_url, var, send_at, result))
        render_and_send(db_url, var, send_at, result, fast=True, sink=sink)
    if previous and sink == "process" and result.previous["sha256"] != result.sha256:
        result.problems.append(
            f"the emails' bytes differ from the previous code's: SHA-256 {result.sha256} "
            f"against {result.previous['sha256']}"
        )
    result.peak_rss_mb = peak_rss_mb()
    result.checks_ok = not result.problems
    return result


# --- reporting ---------------------------------------------------------------------------


def rows_of(r: Result) -> list[tuple[str, str]]:
    return [
        ("database", r.database),
        ("subscribers", f"{r.subscribers:,} ({r.immediate_subscribers:,} immediate, rest daily)"),
        ("stored queries", f"{r.stored_queries:,} ({r.distinct_queries:,} distinct)"),
        ("items / alerts", f"{r.items:,} items in batches of {r.batch_size} → {r.alerts:,} alerts"),
        (
            "deliveries",
            f"{r.deliveries:,} ({r.deliveries_digest:,} digest, {r.deliveries_immediate:,} "
            "immediate)",
        ),
        (
            "stories per subscriber",
            f"median {r.stories_per_subscriber_median:g}, p90 {r.stories_per_subscriber_p90:g}, "
            f"max {r.stories_per_subscriber_max}; "
            f"{r.subscribers - r.subscribers_with_stories:,} got none",
        ),
        (
            "emails",
            f"{r.emails:,} ({r.digests:,} digests, {r.immediate_emails:,} immediate); "
            f"{r.bytes / 1e6:,.1f} MB",
        ),
        ("stories per digest", f"{r.stories_per_digest:.1f}"),
        ("query preparation", f"{r.query_prep_s:.2f} s (not part of any figure below)"),
        (
            "setup",
            f"{r.setup_s:.2f} s ({r.subscribers / r.setup_s if r.setup_s else 0:,.0f} subscribers/s)",
        ),
        ("index load", f"{r.index_load_s:.2f} s"),
        ("fan-out", f"{r.fanout_s:.2f} s ({r.deliveries_per_s:,.0f} deliveries/s)"),
        (
            "render + send",
            f"{r.send_s:.2f} s in {r.mailer_passes} mailer passes "
            f"(assembling {r.assemble_s:.2f} s, claim + SMTP + mark {r.send_s - r.assemble_s:.2f} s)",
        ),
        ("**emails/s**", f"**{r.emails_per_s:,.0f}**"),
        ("load (1 min) before → after render + send", f"{r.load_before:.1f} → {r.load_after:.1f}"),
        (
            "SMTP server",
            ("offers PIPELINING" if r.sink_pipelining else "does not offer PIPELINING")
            + (f"; SHA-256 of the emails received {r.sha256[:16]}…" if r.sha256 else ""),
        ),
        ("CPU per email", cpu_row(r.send_cpu_s, r.sink, r.sink_cpu_s, r.emails)),
        (
            "assembly CPU per email",
            f"{cpu_ms(r.assemble_cpu_s, r.emails)} ms (the assembling thread)",
        ),
        ("**assembled/s**", f"**{r.assembled_per_s:,.0f}**"),
        (
            "story blocks",
            f"{r.fragment_misses:,} rendered, {r.fragment_hits:,} reused",
        ),
        *baseline_rows(r),
        *previous_rows(r),
        *processes_rows(r),
        (
            "peak RSS",
            f"{r.peak_rss_mb:,.0f} MB (after query preparation {r.peak_rss_after_prep_mb:,.0f}, "
            f"after fan-out {r.peak_rss_after_fanout_mb:,.0f})",
        ),
        (
            "checks",
            "received = sent, Message-IDs unique, nothing due left: "
            + ("ok" if r.checks_ok else "FAILED: " + "; ".join(r.problems)),
        ),
    ]


def cpu_ms(seconds: float, emails: int) -> str:
    return f"{1000 * seconds / emails:.2f}" if emails else "–"


def cpu_row(mailer_s: float, sink: str, sink_s: float, emails: int) -> str:
    if sink == "thread":
        return f"{cpu_ms(mailer_s, emails)} ms (the mailer's process, SMTP sink included)"
    return f"{cpu_ms(mailer_s, emails)} ms mailer process; SMTP server {cpu_ms(sink_s, emails)} ms"


def previous_rows(r: Result) -> list[tuple[str, str]]:
    """An older revision's fast paths, measured in the same run (``--previous``)."""
    p = r.previous
    if not p:
        return []
    emails = int(p["emails"])
    send_s, assemble_s = float(p["send_s"]), float(p["assemble_s"])
    per_s, assembled = float(p["emails_per_s"]), float(p["assembled_per_s"])
    mailer_cpu, sink_cpu = float(p["send_cpu_s"]), float(p["sink_cpu_s"])
    return [
        (
            f"previous code (`{p['rev']}`) render + send",
            f"{send_s:.2f} s (assembling {assemble_s:.2f} s) for {emails:,} emails",
        ),
        ("previous emails/s", f"{per_s:,.0f}"),
        ("previous CPU per email", cpu_row(mailer_cpu, "process", sink_cpu, emails)),
        ("previous assembled/s", f"{assembled:,.0f}"),
        (
            "previous load (1 min) before → after",
            f"{float(p.get('load_before', 0)):.1f} → {float(p.get('load_after', 0)):.1f}; "
            f"SHA-256 of the emails received {str(p.get('sha256', ''))[:16]}…",
        ),
        (
            "**now / previous code**",
            f"**emails/s {r.emails_per_s / per_s if per_s else 0:.2f}×, assembled/s "
            f"{r.assembled_per_s / assembled if assembled else 0:.2f}×, CPU per email "
            f"{(mailer_cpu / emails) / (r.send_cpu_s / r.emails) if r.emails and emails else 0:.2f}× less**",
        ),
    ]


def processes_rows(r: Result) -> list[tuple[str, str]]:
    """Render + send by 1, 2 … mailer processes (``--mailer-processes``), in run order."""
    rows = []
    for n, p in enumerate(r.processes, 1):
        count, emails = int(p["processes"]), int(p["emails"])
        rows.append(
            (
                f"run {n}: {count} mailer process{'es' if count > 1 else ''}",
                f"{p['send_s']:.2f} s for {emails:,} emails, **{p['emails_per_s']:,.0f} "
                f"emails/s**, {p['assembled_per_s']:,.0f} assembled/s; CPU per email "
                f"{cpu_ms(p['mailer_cpu_s'], emails)} ms mailers (assembly "
                f"{cpu_ms(p['assemble_cpu_s'], emails)}), SMTP server "
                f"{cpu_ms(p['sink_cpu_s'], emails)} ms; load {p['load_before']:.1f} → "
                f"{p['load_after']:.1f}",
            )
        )
    return rows


def baseline_rows(r: Result) -> list[tuple[str, str]]:
    """The slow paths measured in the same run, and the fast paths' gain over them."""
    b = r.baseline
    if not b:
        return []

    def ratio(new: float, old: float) -> str:
        return f"{new / old:.1f}×" if old else "–"

    return [
        (
            "baseline render + send",
            f"{b['send_s']:.2f} s (assembling {b['assemble_s']:.2f} s) for "
            f"{int(b['emails']):,} emails; {b['bytes'] / 1e6:,.1f} MB",
        ),
        ("baseline emails/s", f"{b['emails_per_s']:,.0f}"),
        (
            "baseline CPU per email",
            cpu_row(b["send_cpu_s"], r.sink, b.get("sink_cpu_s", 0.0), int(b["emails"])),
        ),
        ("baseline assembled/s", f"{b['assembled_per_s']:,.0f}"),
        (
            "**fast / baseline**",
            f"**emails/s {ratio(r.emails_per_s, b['emails_per_s'])}, "
            f"assembled/s {ratio(r.assembled_per_s, b['assembled_per_s'])}**",
        ),
    ]


def markdown(r: Result) -> str:
    lines = [
        "## Fan-out and delivery (bench/bench_fanout.py)",
        "",
        f"{r.subscribers:,} confirmed subscribers, one stored query each (1-4 queries from "
        "`bench_matcher`'s generator OR-ed, drawn from those matching the day's news; "
        "~10 % match nothing), daily digests at 08:00 in 18 time zones, ~10 % immediate. "
        "A day's items (dev + held-out news) pass through `ItemHandler.handle`; then "
        "`Mailer.pass_once` renders and sends until nothing is due. "
        "*emails/s* = emails received by the SMTP server / render + send seconds; "
        "*assembled/s* = emails / seconds in `Assembler.run_once`. "
        + (
            "The *baseline* rows are render + send run first, in the same run, on a copy of "
            "the database with the mailer's slow paths (`Assembler(fast=False)`, claims of "
            "one, aiosmtplib's `sendmail` for every message). "
            if r.baseline
            else ""
        )
        + (
            f"The *previous code* rows are render + send with the code of `{r.previous['rev']}` "
            "(its fast paths), in the same run, on a copy of the database and against the "
            "same kind of SMTP server process (`--previous`). "
            if r.previous
            else ""
        )
        + (
            "The *run N: K mailer processes* rows are render + send by K mailer processes at "
            "once (as `MONITOR_MAILER_PROCESSES=K`: each owns the subscribers with "
            "id % K == its index, for assembly and claims), each run on a fresh copy of the "
            "database against a fresh SMTP server process, in the order listed "
            "(`--mailer-processes`); *load* is the 1-minute load average before → after. "
            if r.processes
            else ""
        )
        + (
            "SMTP is a local aiosmtpd server (`SmtpSink`) in a process of its own "
            "(`bench/sink_process.py`), as a real MTA would be, over loopback: network "
            "latency to a real MTA is not included. "
            + (
                "It offers PIPELINING (RFC 2920), as Postfix and Exim do, and its SHA-256 "
                "over every email received is compared with the previous code's. "
                if r.sink_pipelining
                else "It does not offer PIPELINING (`--no-pipelining`). "
            )
            if r.sink == "process"
            else "SMTP is a local aiosmtpd server (`SmtpSink`) on a thread of the mailer's "
            "process, over loopback: network latency to a real MTA is not included, and "
            "peak RSS includes the sink holding every message. "
        )
        + ("Quick mode." if r.quick else ""),
        "",
        "| | |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {value} |" for name, value in rows_of(r)]
    if r.digest_stories_missing:
        lines += [
            "",
            f"**Warning:** digest emails show {r.digest_stories_shown:,} stories but "
            f"{r.digest_stories_shown + r.digest_stories_missing:,} deliveries were attached "
            "to them: a digest assembled across two mailer passes drops the second part.",
        ]
    cpu = os.cpu_count()
    lines += [
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {cpu} CPUs; "
        f"{datetime.now(UTC):%Y-%m-%d}.",
    ]
    return "\n".join(lines) + "\n"


def table(r: Result) -> str:
    width = max(len(name) for name, _ in rows_of(r))
    return "\n".join(
        f"{name.strip('*'):<{width}}  {value.strip('*')}" for name, value in rows_of(r)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK.subscribers:,} subscribers, for CI"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown file")
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: a fresh SQLite file in a temp dir). A PostgreSQL "
        "database that does not exist is created and dropped afterwards.",
    )
    parser.add_argument("--subscribers", type=int, help="override the number of subscribers")
    parser.add_argument("--items", type=int, help="override the number of items")
    parser.add_argument("--batch", type=int, help="items per ItemHandler.handle call")
    parser.add_argument("--seed", type=int, default=20260611)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--sink",
        choices=("process", "thread"),
        default="process",
        help="run the SMTP server in a process of its own (default, as a real MTA) or on "
        "a thread of the mailer's process (as before 2026-12-07)",
    )
    parser.add_argument(
        "--previous",
        metavar="GIT_REV",
        help="also run render + send with the code of this git revision (its fast paths) "
        "on a copy of the database, in the same run",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the slow-path baseline run of render + send on a copy of the database",
    )
    parser.add_argument(
        "--mailer-processes",
        metavar="N,N,…",
        default="",
        help="also run render + send with N mailer processes (each owning a partition of "
        "the subscribers), once per N listed, in that order, each on a copy of the "
        "database: e.g. 1,2,1,2 to compare one and two alternately in the same run",
    )
    parser.add_argument(
        "--no-pipelining",
        action="store_true",
        help="the SMTP server process does not offer PIPELINING (by default it does, as "
        "Postfix and Exim do)",
    )
    args = parser.parse_args(argv)
    try:
        processes = [int(n) for n in args.mailer_processes.split(",") if n.strip()]
    except ValueError:
        parser.error(
            f"--mailer-processes: expected numbers like 1,2,1,2, got {args.mailer_processes!r}"
        )
    if any(not 1 <= n <= 16 for n in processes):
        parser.error("--mailer-processes: each count must be 1 to 16")
    size = QUICK if args.quick else FULL
    size = Size(
        subscribers=args.subscribers or size.subscribers,
        items=args.items or size.items,
        batch=args.batch or size.batch,
        pool=max(size.pool, (args.subscribers or 0) * 4),
    )
    result = run(
        size,
        args.database_url,
        args.keep,
        args.quick,
        args.seed,
        baseline=not args.no_baseline,
        sink=args.sink,
        previous=args.previous,
        processes=processes,
        pipelining=not args.no_pipelining,
    )
    section = markdown(result)
    print(table(result))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(section, encoding="utf-8")
    progress(f"wrote {args.output}")
    for problem in result.problems:
        progress(f"CHECK FAILED: {problem}")
    print("RESULT " + json.dumps(asdict(result), sort_keys=True), flush=True)
    return 0 if result.checks_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
