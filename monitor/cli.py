"""The `monitor` command: one subcommand per process or job. Each only parses arguments and
calls the module that does the work; imports are lazy so quick commands stay quick."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.config import Settings

Handler = Callable[[argparse.Namespace], int]


def _settings(args: argparse.Namespace, role: str | None = None) -> Any:
    """Load the settings, set up logging, and log doubtful settings and unknown variables."""
    from monitor.config import load_settings
    from monitor.logs import configure_logging

    settings = load_settings(getattr(args, "config", None))
    fmt = (
        "console" if sys.stderr.isatty() and settings.log_format == "json" else settings.log_format
    )
    configure_logging(settings.log_level, fmt, role)
    if not getattr(args, "supervised", False):  # the supervisor has said it already
        _warn_about(settings)
    return settings


_setup_logging = _settings


def _warn_about(settings: Any) -> None:
    from monitor.config import unknown_variables
    from monitor.config_rules import combination_warnings, env_name
    from monitor.logs import get_logger

    log = get_logger("monitor.config")
    for variable, nearest in unknown_variables():
        log.warning("config.unknown_variable", variable=variable, did_you_mean=nearest)
    for problem in combination_warnings(settings):
        names = [env_name(name) for name in problem.names]
        log.warning("config.doubtful", settings=",".join(names), reason=problem.reason)


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
        print(kafka_broker.stop_started_here(run_dir, port))
    else:
        print(kafka_broker.status(run_dir, port))
    return 0


def cmd_postgres(args: argparse.Namespace) -> int:
    from monitor.services import postgres

    settings = _setup_logging(args)
    if args.action == "start":
        outcome = postgres.start(databases=("monitor", "monitor_test"))
        if outcome == "started":
            postgres.mark_started_here(settings.var_dir)
        print(outcome)
        print(postgres.PgCluster().url())
    else:
        print(postgres.stop_started_here(settings.var_dir, shared=args.shared))
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
        from monitor.runtime.supervisor import ROLES, Supervisor

        return Supervisor(settings, ROLES, getattr(args, "config", None)).run()
    if (
        args.role == "mailer"
        and settings.mailer_processes > 1
        and not (args.supervised or args.once)
    ):
        # The mailer role is MONITOR_MAILER_PROCESSES processes, one per partition (one
        # pass with --once is one process, for every subscriber).
        from monitor.runtime.supervisor import Supervisor

        config = getattr(args, "config", None)
        return Supervisor(settings, ("mailer",), config, whole_daemon=False).run()
    from monitor.config import process_variable
    from monitor.runtime.heartbeat import INSTANCE_ENV
    from monitor.runtime.roles import run_role

    instance = process_variable(INSTANCE_ENV) if args.supervised else None
    return run_role(args.role, settings, once=args.once, instance=instance)


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo import run_demo

    return run_demo(_setup_logging(args), timeout=args.timeout, serve=args.serve)


def cmd_status(args: argparse.Namespace) -> int:
    from monitor.status import print_status

    return print_status(_settings(args))


# --- feeds ------------------------------------------------------------------------------
def cmd_feed(args: argparse.Namespace) -> int:
    """Arguments into one typed call of monitor.feeds.commands."""
    from monitor.feeds import commands
    from monitor.feeds.registry_entry import FeedInput

    settings = _setup_logging(args)
    action = args.action
    if action == "check":
        return commands.check_source(settings, args.source, args.outlet)
    if action == "add":
        given = FeedInput(url=args.url, name=args.name or None, outlet=args.outlet or None,
                          language=args.language, interval=args.interval)
        return commands.add(settings, given)
    if action == "list":
        return commands.show_list(settings, as_json=args.json)
    if action in ("pause", "resume"):
        return commands.pause_or_resume(settings, args.feed, pause=action == "pause")
    if action == "remove":
        return commands.remove(settings, args.feed)
    if action == "import":
        return commands.import_list(settings, Path(args.file or settings.feeds_file))
    return commands.export(settings, Path(args.output) if args.output else None)


def cmd_subscriber(args: argparse.Namespace) -> int:
    settings = _setup_logging(args)
    if args.action == "api-key":
        from monitor.web.api import key_commands as keys

        if args.key_action == "add":
            return keys.add_key(settings, args.subscriber, args.name, args.scope)
        if args.key_action == "list":
            return keys.list_keys(settings, args.subscriber)
        return keys.revoke_key(settings, args.key_id)
    if args.action == "destination":
        return _destination(settings, args)
    return _subscriptions(settings, args)


def _subscriptions(settings: Settings, args: argparse.Namespace) -> int:
    """Arguments into one typed call of monitor.subscriptions.commands."""
    from monitor.subscriptions import commands

    action, flags = args.action, vars(args)
    if action == "add":
        given = commands.input_from_flags(flags)
        keep = commands.kept_fields(flags)
        return commands.add(settings, given, keep=keep, confirmed=args.confirmed)
    if action == "list":
        return commands.show_list(settings, as_json=args.json)
    if action == "edit":
        return commands.edit(settings, args.subscription, flags)
    if action in ("pause", "resume"):
        return commands.pause_or_resume(settings, args.subscription, pause=action == "pause")
    if action == "remove":
        return commands.remove(settings, args.subscription)
    if action == "import":
        return commands.import_file(settings, Path(args.file), confirmed=args.confirmed)
    if action == "failures":
        return commands.show_failures(settings)
    if action == "retry":
        return commands.retry(settings, args.items)
    if action == "feed":
        return commands.private_feed(settings, args.subscription, revoke=args.revoke)
    who = commands.who_named(args.who, args.id, action)
    if action == "delete":
        return commands.erase(settings, who)
    return commands.act_on_subscriber(settings, action, who)


def _destination(settings: Settings, args: argparse.Namespace) -> int:
    """Arguments into one typed call of monitor.delivery.commands."""
    from monitor.delivery import commands as destinations

    if args.dest_action == "add":
        chosen = [
            (kind, getattr(args, kind))
            for kind in ("webhook", "slack", "teams", "telegram", "discord", "mattermost")
            if getattr(args, kind)
        ]
        ((kind, target),) = chosen  # argparse's exclusive group requires exactly one
        new = destinations.NewDestination(args.subscription, kind, target)
        return destinations.dispatch(settings, "add", new=new)
    if args.dest_action == "list":
        return destinations.dispatch(
            settings, "list", subscription=args.subscription, as_json=args.json
        )
    if args.dest_action == "rotate-key":
        return destinations.dispatch(settings, "rotate-key")
    return destinations.dispatch(settings, args.dest_action, destination_id=args.destination)


def cmd_operator(args: argparse.Namespace) -> int:
    from monitor.web.workspace.operators import run_operator_command

    return run_operator_command(_setup_logging(args), args.action, args.email)


def cmd_dlq(args: argparse.Namespace) -> int:
    from monitor.stream import dead_letters

    settings = _setup_logging(args)
    if args.action == "list":
        return dead_letters.show_letters(settings, args.limit)
    return dead_letters.replay_letters(settings, args.limit)


def cmd_backfill(args: argparse.Namespace) -> int:
    from monitor.subscriptions.backfill import run_backfill

    settings = _setup_logging(args)
    return run_backfill(settings, args.subscription, days=args.days)


# --- matching ---------------------------------------------------------------------------
def cmd_classify(args: argparse.Namespace) -> int:
    from monitor.matching.commands import classify_lines
    from monitor.matching.model.loading import topic_model
    from monitor.matching.topic import load_topic

    settings = _settings(args)
    topic = load_topic(settings.topic_file)
    model = topic_model(topic, settings.topic_file, settings.classifier_model)
    with _open_in(args.input) as fin, _open_out(args.output) as fout:
        return classify_lines(topic, fin, fout, model=model)


def cmd_model(args: argparse.Namespace) -> int:
    from monitor.matching.model import commands

    settings = _settings(args)
    topic_path = Path(args.topic_file) if args.topic_file else settings.topic_file
    data = [Path(p) for p in (args.data or commands.DEV_POOL)]
    if args.action == "train":
        out = Path(args.out) if args.out else None
        print(commands.train(topic_path, data, out, seed=args.seed))
    else:
        print(commands.cross_validation(topic_path, data, seed=args.seed))
    return 0


def cmd_topic(args: argparse.Namespace) -> int:
    from monitor.matching.commands import check_topic_file

    print(check_topic_file(args.file))
    return 0


def cmd_spikes(args: argparse.Namespace) -> int:
    from monitor.trends.commands import run

    return run(_settings(args), day=args.day, show_all=args.all, as_json=args.json)


def cmd_eval(args: argparse.Namespace) -> int:
    from monitor.matching.commands import bootstrap_plan, evaluate, format_report, report_json
    from monitor.matching.model.loading import topic_model
    from monitor.matching.topic import load_topic

    settings = _settings(args)
    if args.file == "timeline":  # `monitor eval timeline GOLD.jsonl`: the country timelines
        from monitor.timelines.commands import eval_timeline

        return eval_timeline(
            settings,
            args.more,
            corrections=args.corrections,
            errors=args.errors,
            as_json=args.json,
            cv=args.cv,
            fit=args.fit,
            precision_filter=not args.no_filter,
            topic_file=Path(args.topic_file) if args.topic_file else None,
        )
    if args.file == "agreement":  # `eval agreement FIRST SECOND`: two annotators' labels
        from monitor.matching.commands import eval_agreement

        return eval_agreement(args.more)
    if args.file == "threads" or args.more:  # `eval threads STORIES PAIRS` (monitor/threads)
        from monitor.threads.commands import eval_threads

        return eval_threads(
            settings.topic_file, args.file, args.more, errors=args.errors, as_json=args.json
        )
    plan = bootstrap_plan(args.resamples, args.seed)
    topic_path = Path(args.topic_file) if args.topic_file else settings.topic_file
    topic = load_topic(topic_path)
    model = topic_model(topic, topic_path, settings.classifier_model)
    report = evaluate(topic, args.file, plan, model=model)
    if args.json:
        import json

        print(json.dumps(report_json(report, errors=args.errors), indent=2, ensure_ascii=False))
    else:
        print(format_report(report, errors=args.errors))
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from monitor.timelines.commands import export_timeline

    return export_timeline(
        _settings(args),
        args.country,
        start=args.date_from,
        end=args.date_to,
        fmt=args.format,
        output=args.output,
    )


def cmd_query(args: argparse.Namespace) -> int:
    from monitor.subscriptions.preview import preview_query

    settings = _settings(args)
    return preview_query(settings, args.query, days=args.days, limit=args.limit, topic=args.topic)


def _open_in(path: str | None) -> Any:
    """The input as text; bytes that are not UTF-8 survive as surrogates, so the line that
    holds them is reported (``classify_lines``) instead of failing the whole stream."""
    import contextlib
    import io

    if path in (None, "-"):
        return contextlib.nullcontext(
            io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
        )
    return open(path, encoding="utf-8", errors="surrogateescape")


def _open_out(path: str | None) -> Any:
    import contextlib

    if path in (None, "-"):
        return contextlib.nullcontext(sys.stdout)
    return open(path, "w", encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monitor", description=__doc__)
    parser.add_argument("--config", help="TOML config file (default: $MONITOR_CONFIG)")
    parser.add_argument(
        "--debug", action="store_true", help="print the traceback of an unexpected error"
    )
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
    p.add_argument("--shared", action="store_true", help="stop: even if another var dir started it")
    p = add("db", cmd_db, "database migrations (Alembic)")
    p.add_argument("action", choices=["upgrade", "downgrade", "current"])
    p.add_argument("revision", nargs="?")

    p = add("run", cmd_run, "run the daemon (all roles) or one role")
    p.add_argument(
        "--role", choices=["all", "poller", "worker", "mailer", "dispatcher", "web"], default="all"
    )
    p.add_argument(
        "--once", action="store_true", help="poller/mailer/dispatcher: one pass, then exit"
    )
    p.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    p = add("demo", cmd_demo, "run the daemon on the offline fixture feeds and summarise")
    p.add_argument("--timeout", type=float, default=180.0)
    p.add_argument(
        "--serve",
        action="store_true",
        help="then keep the web workspace up on the demo's data until Ctrl-C, and print "
        "a sign-in link for a demo operator",
    )
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
    s.add_argument(
        "--language",
        help="language of the subscriber's emails and chat messages: en, es, pt or uk (default en)",
    )
    s.add_argument("--query", help="stored query (see README: query language)")
    s.add_argument(
        "--topic",
        metavar="SLUG|all",
        help="a loaded topic's id (default: ukraine-latam, the founding topic), or 'all': "
        "every story the worker reads, chosen by --query alone",
    )
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
    s.add_argument(
        "--volume-alerts",
        action="store_true",
        help="also a message when its countries' or categories' coverage spikes or falls silent",
    )
    s.add_argument("--confirmed", action="store_true", help="skip double opt-in (operator import)")
    s = ssub.add_parser("list", help="subscribers, subscriptions and delivery state")
    s.add_argument("--json", action="store_true", help="JSON for scripts (keys in the README)")
    s = ssub.add_parser("edit", help="edit a subscription")
    s.add_argument("subscription", type=int)
    for opt in (
        "--query",
        "--topic",
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
    s.add_argument(
        "--volume-alerts",
        choices=["on", "off"],
        help="follow spikes and silences of its coverage (on) or not (off)",
    )
    s.add_argument(
        "--language",
        help="the subscriber's message language (en, es, pt, uk), for all their emails",
    )
    for action in ("pause", "resume", "remove"):
        s = ssub.add_parser(action, help=f"{action} a subscription (id)")
        s.add_argument("subscription", type=int)
    s = ssub.add_parser("delete", help="erase a person: subscriptions, deliveries, emails")
    s.add_argument("who", nargs="?", help="the subscriber's email address")
    s.add_argument("--id", type=int, help="the subscriber's id instead of the address")
    s = ssub.add_parser("import", help="import subscribers from CSV")
    s.add_argument("file")
    s.add_argument("--confirmed", action="store_true")
    ssub.add_parser("failures", help="emails and chat/webhook messages that failed permanently")
    s = ssub.add_parser(
        "retry", help="send failed emails or messages again, once, with their ids unchanged"
    )
    s.add_argument("items", nargs="+", metavar="ITEM", help="email:ID or message:ID (see failures)")
    for action, text in (
        ("pause-delivery", "send a person nothing until resume-delivery"),
        ("resume-delivery", "deliver to a paused (or fixed bouncing) person again"),
        ("resend-confirmation", "queue the confirmation email again (at most once a day)"),
    ):
        s = ssub.add_parser(action, help=text)
        s.add_argument("who", nargs="?", help="the subscriber's email address")
        s.add_argument("--id", type=int, help="the subscriber's id instead of the address")
    s = ssub.add_parser("feed", help="a new private Atom/JSON feed URL for a subscription")
    s.add_argument("subscription", type=int)
    s.add_argument("--revoke", action="store_true", help="remove the feed (URLs answer 404)")
    s = ssub.add_parser("api-key", help="a reader's keys for the read API (/api/v1)")
    ksub = s.add_subparsers(dest="key_action", required=True)
    k = ksub.add_parser("add", help="a new key, shown once")
    k.add_argument("subscriber", help="the subscriber's id or email address")
    k.add_argument("--name", default="", help="what the key is for (shown in lists)")
    k.add_argument(
        "--scope",
        choices=["read", "write"],
        default="read",
        help="read: stories, search, trends, own subscriptions; write: also change them",
    )
    k = ksub.add_parser("list", help="keys (never the keys themselves), with last use")
    k.add_argument("subscriber", nargs="?", help="only this subscriber's (id or address)")
    k = ksub.add_parser("revoke", help="stop a key (its requests answer 401)")
    k.add_argument("key_id", type=int)
    s = ssub.add_parser(
        "destination",
        help="a subscription's webhooks and chats (Slack, Teams, Telegram, Discord, Mattermost)",
    )
    dsub = s.add_subparsers(dest="dest_action", required=True)
    d = dsub.add_parser("add", help="deliver a subscription's alerts and digests there too")
    d.add_argument("subscription", type=int)
    where = d.add_mutually_exclusive_group(required=True)
    where.add_argument("--webhook", metavar="URL", help="a generic webhook (signed JSON)")
    where.add_argument("--slack", metavar="URL", help="a Slack incoming-webhook URL")
    where.add_argument("--teams", metavar="URL", help="a Teams workflow webhook URL")
    where.add_argument(
        "--telegram", metavar="CHAT_ID", help="a Telegram chat id (bot token: config)"
    )
    where.add_argument("--discord", metavar="URL", help="a Discord webhook URL")
    where.add_argument("--mattermost", metavar="URL", help="a Mattermost incoming-webhook URL")
    d = dsub.add_parser("list", help="destinations, redacted, with their state")
    d.add_argument("subscription", type=int, nargs="?")
    d.add_argument("--json", action="store_true", help="JSON for scripts")
    for action, text in (
        ("remove", "remove a destination and its queued messages"),
        ("test", "send a test message now and print the outcome"),
        ("enable", "enable a destination disabled after a refusal"),
    ):
        d = dsub.add_parser(action, help=text)
        d.add_argument("destination", type=int)
    dsub.add_parser(
        "rotate-key",
        help="re-encrypt every destination with the first key of MONITOR_DESTINATION_SECRET",
    )

    p = add("operator", cmd_operator, "the web workspace's operators: add, remove, list")
    p.add_argument("action", choices=["add", "remove", "list"])
    p.add_argument("email", nargs="?")

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
    p.add_argument(
        "file",
        help="a labeled JSON Lines file; or: threads STORIES PAIRS; or: timeline GOLD; "
        "or: agreement FIRST SECOND",
    )
    p.add_argument("more", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("--corrections", help="eval timeline: analyst corrections (JSON Lines)")
    p.add_argument(
        "--cv", action="store_true", help="eval timeline: cross-validate the precision filter"
    )
    p.add_argument(
        "--fit", action="store_true", help="eval timeline: refit the precision filter's weights"
    )
    p.add_argument(
        "--no-filter",
        action="store_true",
        help="eval timeline: the rules alone, no precision filter",
    )
    p.add_argument("--json", action="store_true", help="the whole report as JSON")
    p.add_argument("--errors", action="store_true", help="list the misclassified items")
    p.add_argument("--resamples", type=int, help="bootstrap resamples (default 2000; 0: none)")
    p.add_argument("--seed", type=int, help="bootstrap seed (default 16)")
    p.add_argument("--topic-file", help="the topic to evaluate (default: MONITOR_TOPIC_FILE)")
    p = add("topic", cmd_topic, "topic files: check one")
    tsub = p.add_subparsers(dest="action", required=True)
    tsub.add_parser("check", help="validate a topic file (exit 2 if it is invalid)").add_argument(
        "file"
    )
    p = add("model", cmd_model, "the learned second opinion: retrain it, or cross-validate it")
    msub = p.add_subparsers(dest="action", required=True)
    for action, help_ in (
        ("train", "fit on the dev pool and write <topic>.model.json (needs the train extra)"),
        ("cv", "grouped 5-fold cross-validation on the dev pool: rules vs rules + model"),
    ):
        m = msub.add_parser(action, help=help_, description=help_)
        m.add_argument("--data", nargs="+", help="labeled JSON Lines files (default: dev pool)")
        m.add_argument("--topic-file", help="the topic (default: MONITOR_TOPIC_FILE)")
        m.add_argument("--seed", type=int, help="the seed of folds and solver (default 16)")
        if action == "train":
            m.add_argument("--out", help="where to write (default: beside the topic file)")
    p = add("spikes", cmd_spikes, "countries and categories whose alert volume today is unusual")
    p.add_argument("--day", help="the UTC day to judge, YYYY-MM-DD (default today)")
    p.add_argument("--all", action="store_true", help="every key, not only spikes and silences")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p = add("timeline", cmd_timeline, "a country's timeline from alerted stories, as CSV or ICS")
    p.add_argument("country", help="ISO code or name (BR, Brazil)")
    p.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (default: --to - 90)")
    p.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (default today, UTC)")
    p.add_argument(
        "--format",
        choices=["csv", "ics", "gold"],
        default="csv",
        help="gold: the stories analysts corrected, as a file `monitor eval timeline` scores",
    )
    p.add_argument("--output", help="file to write (default: standard output)")
    p = add("query", cmd_query, "query tools")
    qsub = p.add_subparsers(dest="action", required=True)
    q = qsub.add_parser("test", help="parse, lint and preview a query on stored stories")
    q.add_argument("query")
    q.add_argument("--days", type=int, default=30)
    q.add_argument("--limit", type=int, default=20)
    q.add_argument(
        "--topic",
        help="only what a subscription to this topic id would be sent (all: every alerted story)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every error ends as one line on stderr and an exit code (exits.py)."""
    from monitor.exits import run_command

    args = build_parser().parse_args(argv)
    return run_command(
        lambda: int(args.handler(args)),
        debug=args.debug,
        crash_context=lambda: _crash_context(args),
        input_name=getattr(args, "file", None) or getattr(args, "input", None),
    )


def _crash_context(args: argparse.Namespace) -> tuple[Any, bool]:
    """Where a crash report goes (var_dir/crash) and whether the log level is DEBUG."""
    from monitor.config import load_settings

    try:
        settings = load_settings(getattr(args, "config", None))
    except MonitorError:
        return None, False
    return settings.var_dir / "crash", settings.log_level == "DEBUG"
