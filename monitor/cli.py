"""The `monitor` command: one subcommand per process or job. Each only parses arguments and
calls the module that does the work; imports are lazy so quick commands stay quick."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from monitor.errors import MonitorError

Handler = Callable[[argparse.Namespace], int]


def _settings(args: argparse.Namespace) -> Any:
    from monitor.config import load_settings

    return load_settings(getattr(args, "config", None))


def _setup_logging(args: argparse.Namespace, role: str | None = None) -> Any:
    from monitor.logs import configure_logging

    settings = _settings(args)
    fmt = (
        "console" if sys.stderr.isatty() and settings.log_format == "json" else settings.log_format
    )
    configure_logging(settings.log_level, fmt, role)
    return settings


# --- services ---------------------------------------------------------------------------
def cmd_config(args: argparse.Namespace) -> int:
    import orjson

    print(orjson.dumps(_settings(args).redacted(), option=orjson.OPT_INDENT_2).decode())
    return 0


def cmd_broker(args: argparse.Namespace) -> int:
    from monitor.services import kafka_broker

    settings = _setup_logging(args)
    run_dir = settings.var_dir / "kafka"
    port = int(settings.kafka_bootstrap.split(",")[0].rpartition(":")[2])
    if args.action == "start":
        print(kafka_broker.start(run_dir, port=port, partitions=settings.partitions))
        from monitor.stream.topics import ensure_topics

        ensure_topics(settings)
    elif args.action == "stop":
        print("stopped" if kafka_broker.stop(run_dir) else "not running")
    else:
        print(kafka_broker.status(run_dir, port))
    return 0


def cmd_postgres(args: argparse.Namespace) -> int:
    from monitor.services import postgres

    _setup_logging(args)
    if args.action == "start":
        print(postgres.start(databases=("monitor", "monitor_test")))
        print(postgres.PgCluster().url())
    else:
        print("stopped" if postgres.stop() else "not running")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from monitor.store import migrate

    settings = _setup_logging(args)
    if args.action == "upgrade":
        migrate.upgrade(settings.db_url, args.revision or "head")
    elif args.action == "downgrade":
        migrate.downgrade(settings.db_url, args.revision or "base")
    print(f"database at revision {migrate.current_revision(settings.db_url)}")
    return 0


# --- pipeline roles ---------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    settings = _setup_logging(args, role=args.role)
    if args.role == "all":
        from monitor.daemon import ROLES, Supervisor

        return Supervisor(settings, ROLES, getattr(args, "config", None)).run()
    from monitor.roles import run_role

    return run_role(args.role, settings, once=args.once)


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo import run_demo

    _setup_logging(args)
    return run_demo(timeout=args.timeout)


def cmd_status(args: argparse.Namespace) -> int:
    from monitor.status import print_status

    return print_status(_settings(args))


# --- feeds ------------------------------------------------------------------------------
def cmd_feed(args: argparse.Namespace) -> int:
    from monitor.feeds import commands

    settings = _setup_logging(args)
    return commands.dispatch(settings, args)


def cmd_subscriber(args: argparse.Namespace) -> int:
    from monitor.notify import commands

    settings = _setup_logging(args)
    return commands.dispatch(settings, args)


def cmd_dlq(args: argparse.Namespace) -> int:
    from monitor.stream import dead_letters

    settings = _setup_logging(args)
    return dead_letters.dispatch(settings, args)


def cmd_backfill(args: argparse.Namespace) -> int:
    from monitor.notify.backfill import run_backfill

    settings = _setup_logging(args)
    return run_backfill(settings, args.subscription, days=args.days)


# --- matching ---------------------------------------------------------------------------
def cmd_classify(args: argparse.Namespace) -> int:
    from monitor.matching.commands import classify_lines
    from monitor.matching.topic import load_topic

    settings = _settings(args)
    topic = load_topic(settings.topic_file)
    with _open_in(args.input) as fin, _open_out(args.output) as fout:
        return classify_lines(topic, fin, fout)


def cmd_eval(args: argparse.Namespace) -> int:
    from monitor.matching.commands import evaluate, format_report
    from monitor.matching.topic import load_topic

    settings = _settings(args)
    report = evaluate(load_topic(settings.topic_file), args.file)
    print(format_report(report))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from monitor.notify.preview import preview_query

    settings = _settings(args)
    return preview_query(settings, args.query, days=args.days, limit=args.limit)


def _open_in(path: str | None) -> Any:
    import contextlib

    if path in (None, "-"):
        return contextlib.nullcontext(sys.stdin)
    return open(path, encoding="utf-8", errors="replace")


def _open_out(path: str | None) -> Any:
    import contextlib

    if path in (None, "-"):
        return contextlib.nullcontext(sys.stdout)
    return open(path, "w", encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monitor", description=__doc__)
    parser.add_argument("--config", help="TOML config file (default: $MONITOR_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    add("config", cmd_config, "print the effective settings (secrets redacted)")
    p = add("broker", cmd_broker, "local single-node Kafka broker (jars from Maven Central)")
    p.add_argument("action", choices=["start", "stop", "status"])
    p = add("postgres", cmd_postgres, "local private PostgreSQL server (for tests/benchmarks)")
    p.add_argument("action", choices=["start", "stop"])
    p = add("db", cmd_db, "database migrations (Alembic)")
    p.add_argument("action", choices=["upgrade", "downgrade", "current"])
    p.add_argument("revision", nargs="?")

    p = add("run", cmd_run, "run the daemon (all roles) or one role")
    p.add_argument("--role", choices=["all", "poller", "worker", "mailer", "web"], default="all")
    p.add_argument("--once", action="store_true", help="poller/mailer: one pass, then exit")
    p.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    p = add("demo", cmd_demo, "run the daemon on the offline fixture feeds and summarise")
    p.add_argument("--timeout", type=float, default=180.0)
    add("status", cmd_status, "one-screen summary: feeds, lag, alerts, outbox")

    p = add(
        "feed", cmd_feed, "feed registry: add, list, pause, resume, remove, import, export, check"
    )
    fsub = p.add_subparsers(dest="action", required=True)
    f = fsub.add_parser("add", help="register a feed")
    f.add_argument("url")
    f.add_argument("--name", default="")
    f.add_argument("--outlet", default="")
    f.add_argument("--language")
    f.add_argument("--interval", type=float, help="seconds between polls")
    f = fsub.add_parser("list", help="feeds with state, errors and next poll")
    f.add_argument("--json", action="store_true", help="JSON for scripts (keys in the README)")
    for action in ("pause", "resume", "remove"):
        f = fsub.add_parser(action, help=f"{action} a feed (id or URL)")
        f.add_argument("feed")
    f = fsub.add_parser("import", help="import feeds from a TOML list or an OPML file")
    f.add_argument("file", nargs="?", help="default: MONITOR_FEEDS_FILE")
    f = fsub.add_parser("export", help="export feeds as OPML")
    f.add_argument("--output")
    f = fsub.add_parser("check", help="fetch or read one feed, print its items as JSON Lines")
    f.add_argument("source", help="URL or file")
    f.add_argument("--outlet")

    p = add("subscriber", cmd_subscriber, "subscribers and their subscriptions")
    ssub = p.add_subparsers(dest="action", required=True)
    s = ssub.add_parser("add", help="add a subscriber with one subscription")
    s.add_argument("email")
    s.add_argument("--name", default="")
    s.add_argument("--tz", help="IANA time zone (default UTC)")
    s.add_argument("--query", help="stored query (see README: query language)")
    s.add_argument("--countries", help="comma-separated ISO codes")
    s.add_argument("--categories", help="comma-separated categories")
    s.add_argument("--languages", help="comma-separated language codes")
    s.add_argument("--outlets", help="comma-separated outlet names")
    s.add_argument("--min-score", type=float)
    s.add_argument(
        "--mode", choices=["immediate", "hourly", "daily", "weekly"], default="immediate"
    )
    s.add_argument("--digest-time", default="08:00")
    s.add_argument("--digest-weekday", default="0", help="0 (Monday) to 6, or a day's name")
    s.add_argument("--quiet", help="quiet hours HH:MM-HH:MM (local time)")
    s.add_argument("--daily-cap", type=int)
    s.add_argument("--confirmed", action="store_true", help="skip double opt-in (operator import)")
    s = ssub.add_parser("list", help="subscribers, subscriptions and delivery state")
    s.add_argument("--json", action="store_true", help="JSON for scripts (keys in the README)")
    s = ssub.add_parser("edit", help="edit a subscription")
    s.add_argument("subscription", type=int)
    for opt in (
        "--query",
        "--countries",
        "--categories",
        "--languages",
        "--outlets",
        "--quiet",
        "--digest-time",
    ):
        s.add_argument(opt)
    s.add_argument("--mode", choices=["immediate", "hourly", "daily", "weekly"])
    s.add_argument("--min-score", type=float)
    s.add_argument("--daily-cap", type=int)
    s.add_argument("--digest-weekday")
    for action in ("pause", "resume", "remove"):
        s = ssub.add_parser(action, help=f"{action} a subscription (id)")
        s.add_argument("subscription", type=int)
    s = ssub.add_parser("delete", help="erase a person: subscriptions, deliveries, emails")
    s.add_argument("who", nargs="?", help="the subscriber's email address")
    s.add_argument("--id", type=int, help="the subscriber's id instead of the address")
    s = ssub.add_parser("import", help="import subscribers from CSV")
    s.add_argument("file")
    s.add_argument("--confirmed", action="store_true")
    ssub.add_parser("failures", help="emails that failed permanently")

    p = add("dlq", cmd_dlq, "dead-letter topic: list or replay failed items")
    p.add_argument("action", choices=["list", "replay"])
    p.add_argument("--limit", type=int, default=50)
    p = add("backfill", cmd_backfill, "deliver matches of the last N days to one subscription")
    p.add_argument("subscription", type=int)
    p.add_argument("--days", type=int, default=7)

    p = add("classify", cmd_classify, "classify JSON Lines stories (no broker or database)")
    p.add_argument("--input")
    p.add_argument("--output")
    p = add("eval", cmd_eval, "precision/recall of the classifier on a labeled JSON Lines file")
    p.add_argument("file")
    p = add("query", cmd_query, "query tools")
    qsub = p.add_subparsers(dest="action", required=True)
    q = qsub.add_parser("test", help="parse, lint and preview a query on stored stories")
    q.add_argument("query")
    q.add_argument("--days", type=int, default=30)
    q.add_argument("--limit", type=int, default=20)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except MonitorError as exc:
        print(f"monitor: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
