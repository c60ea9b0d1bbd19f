"""`monitor subscriber …`: manage subscribers and subscriptions from the command line.

Every value goes through ``monitor.subscriptions.preferences.check_preferences`` (the same check
the preferences page and the worker use); a refused input names each bad flag and stores
nothing. ``add`` and ``import`` share ``plan_import``, so adding what is already there
changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from monitor.config import Settings
from monitor.delivery.feed_keys import feed_key_hash, new_feed_key
from monitor.delivery.retry import MAX_RETRY, REFUSALS, parse_refs, retry_failed
from monitor.errors import InputError, Problem
from monitor.notify.assemble import queue_confirmation
from monitor.notify.links import feed_urls
from monitor.store import alert_feeds, failed_deliveries, outbox
from monitor.store import subscribers as store
from monitor.store.db import transaction
from monitor.store.migrate import checked_database
from monitor.subscriptions.erasure import forget_subscriber
from monitor.subscriptions.listing import subscriber_lines, subscribers_json
from monitor.subscriptions.preferences import (
    Preferences,
    PreferencesInput,
    Vocabulary,
    check_preferences,
    input_from_row,
    topic_vocabulary,
)
from monitor.subscriptions.subscriber_actions import resend_confirmation, set_delivery
from monitor.subscriptions.subscriber_import import (
    CsvRow,
    ImportPlan,
    plan_import,
    read_subscriber_csv,
)

# How the CLI names each checked field (the rest are --field-name).
_FLAGS = {"time_zone": "--tz", "email": "EMAIL", "quiet": "--quiet"}
_LIST_FLAGS = ("countries", "categories", "languages", "outlets")
# Who acted, in the audit events of what the command line does.
COMMAND_LINE = "command line"


def flag(field: str) -> str:
    return _FLAGS.get(field, "--" + field.replace("_", "-"))


def as_flags(problems: Sequence[Problem]) -> list[Problem]:
    return [Problem(flag(p.field), p.message) for p in problems]


def _say(line: str) -> None:
    print(line, flush=True)


# --- input from the command line's flags ---------------------------------------------------
# The CLI edge hands each command the flags it was given as a mapping (``vars(args)``):
# these functions read the names they know, so the flag set lives in cli.build_parser only.
def input_from_flags(flags: Mapping[str, Any]) -> PreferencesInput:
    """``subscriber add`` flags as preferences input (unset flags take the defaults)."""

    def text(name: str, default: str = "") -> str:
        value = flags.get(name)
        return default if value is None else str(value)

    return PreferencesInput(
        email=text("email"),
        name=text("name"),
        time_zone=text("tz", "UTC"),
        language=text("language", "en"),
        query=text("query"),
        topic=flags.get("topic"),
        countries=text("countries"),
        categories=text("categories"),
        languages=text("languages"),
        outlets=text("outlets"),
        min_score=flags.get("min_score"),
        mode=text("mode", "immediate"),
        digest_time=text("digest_time", "08:00"),
        digest_weekday=text("digest_weekday", "0"),
        quiet=text("quiet"),
        daily_cap=flags.get("daily_cap"),
        volume_alerts=bool(flags.get("volume_alerts", False)),
    )


def kept_fields(flags: Mapping[str, Any]) -> frozenset[str]:
    """The subscriber fields ``add`` was not given: a stored subscriber keeps theirs."""
    given = {"name": flags.get("name"), "time_zone": flags.get("tz"),
             "language": flags.get("language")}
    return frozenset(field for field, value in given.items() if not value)


def edited_input(flags: Mapping[str, Any], current: PreferencesInput) -> PreferencesInput:
    """The stored preferences with the flags given to ``subscriber edit`` replacing theirs;
    a list flag replaces that list (``--countries ''`` clears it)."""
    changes: dict[str, Any] = {}
    for key in (
        "query",
        "topic",
        *_LIST_FLAGS,
        "mode",
        "digest_time",
        "digest_weekday",
        "quiet",
        "language",
    ):
        value = flags.get(key)
        if value is not None:
            changes[key] = str(value)
    if flags.get("volume_alerts") is not None:
        changes["volume_alerts"] = str(flags["volume_alerts"])
    for key in ("min_score", "daily_cap"):
        value = flags.get(key)
        if value is not None:
            changes[key] = value
    return replace(current, **changes)


def who_named(address: str | None, subscriber_id: int | None, action: str) -> int | str:
    """The subscriber an action names: ``--id N`` or an address."""
    if subscriber_id is not None:
        return int(subscriber_id)
    if address and "@" in address:
        return address
    hint = (
        "erases the person; `subscriber remove N` removes subscription N"
        if action == "delete"
        else "acts on a person; `subscriber list` shows ids and addresses"
    )
    raise InputError(
        "give the subscriber's address, or --id N for subscriber N", [Problem(action, hint)]
    )


def checked(given: PreferencesInput, vocabulary: Vocabulary, what: str) -> Preferences:
    result = check_preferences(given, vocabulary)
    if isinstance(result, list):
        raise InputError(f"{what} refused; nothing was stored:", as_flags(result))
    for warning in result.warnings:
        print(f"  query warning {warning}", file=sys.stderr)
    return result


# --- the store side of add and import -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Applied:
    plan: ImportPlan
    subscriber_id: int
    subscription_id: int | None
    needs_confirmation: bool


def apply_row(
    conn: Connection,
    wanted: Preferences,
    vocabulary: Vocabulary,
    *,
    keep: frozenset[str],
    confirmed: bool,
    now: datetime,
) -> Applied:
    """Plan and carry out one checked row in ``conn``'s transaction. ``keep`` names the
    fields that were not given (``name``, ``time_zone``, ``language``): a stored subscriber
    keeps theirs."""
    person = store.get_subscriber(conn, wanted.email)
    rows = store.list_subscriptions(conn, person.id) if person else []
    plan = plan_import(wanted, person, rows, vocabulary, keep=keep)
    if person is None:
        subscriber_id, _ = store.add_subscriber(
            conn,
            wanted.email,
            display_name=wanted.name,
            time_zone=wanted.time_zone,
            language=wanted.language,
            confirmed=confirmed,
            now=now,
        )
    else:
        subscriber_id = person.id
        if plan.subscriber_changes:
            store.set_subscriber(conn, subscriber_id, **dict(plan.subscriber_changes))
    subscription_id = plan.subscription_id
    values = {**wanted.subscription_values(), "name": wanted.name or wanted.email}
    if plan.create_subscription:
        subscription_id = store.add_subscription(conn, subscriber_id, now=now, **values)
    elif plan.subscription_changes and subscription_id is not None:
        store.set_subscription(conn, subscription_id, now=now, **dict(plan.subscription_changes))
    return Applied(plan, subscriber_id, subscription_id, person is None and not confirmed)


def add_subscriber(
    settings: Settings,
    engine: Engine,
    *,
    email: str,
    name: str = "",
    tz: str = "UTC",
    language: str = "en",
    confirmed: bool,
    subscription: PreferencesInput | Mapping[str, Any] | None = None,
    vocabulary: Vocabulary | None = None,
) -> tuple[int, int]:
    """Add (or find) a subscriber with one subscription; return (subscriber, subscription).

    ``subscription`` carries the subscription's fields, as input or as stored values
    (``query``, ``filters``, ``mode`` …); its email, name, time zone and language are
    replaced by the arguments. Refused input raises InputError.
    """
    if subscription is None or isinstance(subscription, Mapping):
        subscription = _input_from_values(subscription or {})
    given = replace(subscription, email=email, name=name, time_zone=tz, language=language)
    vocabulary = vocabulary or topic_vocabulary(*settings.topic_files())
    wanted = checked(given, vocabulary, "subscriber")
    with transaction(engine) as conn:
        applied = apply_row(
            conn, wanted, vocabulary, keep=frozenset(), confirmed=confirmed, now=datetime.now(UTC)
        )
    if applied.needs_confirmation:
        queue_confirmation(settings, engine, applied.subscriber_id, name or wanted.email)
    assert applied.subscription_id is not None
    return applied.subscriber_id, applied.subscription_id


def _input_from_values(values: Mapping[str, Any]) -> PreferencesInput:
    filters = values.get("filters") or {}
    quiet = None
    if values.get("quiet_start") or values.get("quiet_end"):
        quiet = f"{values.get('quiet_start') or ''}-{values.get('quiet_end') or ''}"
    return PreferencesInput(
        email="",
        query=values.get("query"),
        topic=values.get("topic"),
        countries=filters.get("countries") or (),
        categories=filters.get("categories") or (),
        languages=filters.get("languages") or (),
        outlets=filters.get("outlets") or (),
        min_score=filters.get("min_score"),
        mode=values.get("mode") or "immediate",
        digest_time=values.get("digest_time") or "08:00",
        digest_weekday=values.get("digest_weekday") or 0,
        quiet=quiet,
        daily_cap=values.get("daily_cap"),
        volume_alerts=values.get("volume_alerts") or False,
    )


@dataclass(frozen=True, slots=True)
class RowReport:
    line: int
    email: str
    outcome: str
    detail: str


def import_csv(
    settings: Settings,
    engine: Engine,
    path: Path,
    *,
    confirmed: bool,
    report: Callable[[RowReport], None] = lambda _: None,
) -> list[RowReport]:
    """Import a subscriber CSV (columns: ``subscriber_import.COLUMNS``); one report per row.

    Good rows are imported, each in its own transaction, whatever other rows hold; bad rows
    are refused with their line and problems. ``report`` sees each row as it is done.
    """
    return import_rows(
        settings,
        engine,
        read_subscriber_csv(read_csv_text(path)),
        confirmed=confirmed,
        report=report,
    )


def read_csv_text(path: Path) -> str:
    """The CSV's text (a spreadsheet's UTF-8 BOM dropped). A missing file or one that is not
    UTF-8 raises as it is: the CLI edge names the file and says what to do."""
    return path.read_text(encoding="utf-8-sig")


def import_rows(
    settings: Settings,
    engine: Engine,
    rows: Sequence[CsvRow],
    *,
    confirmed: bool,
    report: Callable[[RowReport], None] = lambda _: None,
) -> list[RowReport]:
    """Import rows read from a subscriber CSV; one report per row (see ``import_csv``)."""
    vocabulary = topic_vocabulary(*settings.topic_files())
    reports: list[RowReport] = []
    for row in rows:
        done = _import_row(settings, engine, row, vocabulary, confirmed=confirmed)
        reports.append(done)
        report(done)
    return reports


def _import_row(
    settings: Settings, engine: Engine, row: CsvRow, vocabulary: Vocabulary, *, confirmed: bool
) -> RowReport:
    result = check_preferences(row.given, vocabulary)
    problems = list(row.problems) + (result if isinstance(result, list) else [])
    if problems:
        detail = "; ".join(str(p) for p in problems)
        return RowReport(row.line, row.given.email, "refused", detail)
    assert isinstance(result, Preferences)
    with transaction(engine) as conn:
        applied = apply_row(
            conn, result, vocabulary, keep=row.keep, confirmed=confirmed, now=datetime.now(UTC)
        )
    detail = applied.plan.detail
    if applied.needs_confirmation:
        queue_confirmation(settings, engine, applied.subscriber_id, result.name or result.email)
        detail += ", confirmation email queued"
    return RowReport(row.line, result.email, applied.plan.outcome, detail)


# --- the commands: one typed call each (cli.py turns arguments into them) -------------------
def _no_subscription(subscription: int) -> InputError:
    return InputError(f"no subscription {subscription} (see `monitor subscriber list`)")


def add(settings: Settings, given: PreferencesInput, *, keep: frozenset[str],
        confirmed: bool) -> int:
    """``subscriber add``: one subscriber with one subscription (nothing new if both exist)."""
    vocabulary = topic_vocabulary(*settings.topic_files())
    wanted = checked(given, vocabulary, "subscriber")
    with checked_database(settings) as engine:
        with transaction(engine) as conn:
            applied = apply_row(
                conn, wanted, vocabulary, keep=keep, confirmed=confirmed, now=datetime.now(UTC)
            )
        state = "confirmed" if confirmed else "awaiting confirmation"
        if applied.needs_confirmation:
            queue_confirmation(settings, engine, applied.subscriber_id, wanted.name or wanted.email)
            state = "confirmation email queued"
    _say(
        f"subscriber {applied.subscriber_id}, subscription {applied.subscription_id}: "
        f"{applied.plan.outcome} ({state})"
    )
    return 0


def show_list(settings: Settings, *, as_json: bool) -> int:
    """``subscriber list``: people and subscriptions, each stored subscription re-checked."""
    vocabulary = topic_vocabulary(*settings.topic_files())
    with checked_database(settings) as engine, transaction(engine) as conn:
        people = store.list_subscribers(conn)
        subs = store.list_subscriptions(conn)
    by_id = {person.id: person for person in people}
    problems: dict[int, list[Problem]] = {}
    for s in subs:
        result = check_preferences(
            input_from_row(s, by_id[s.subscriber_id]), vocabulary, advice=False
        )
        if isinstance(result, list):
            problems[s.id] = result
    if as_json:
        _say(
            orjson.dumps(
                subscribers_json(people, subs, problems), option=orjson.OPT_INDENT_2
            ).decode()
        )
    else:
        for line in subscriber_lines(people, subs, problems):
            _say(line)
    return 0


def edit(settings: Settings, subscription: int, flags: Mapping[str, Any]) -> int:
    """``subscriber edit``: the given flags replace the stored values, checked as a whole."""
    vocabulary = topic_vocabulary(*settings.topic_files())
    with checked_database(settings) as engine, transaction(engine) as conn:
        current = store.get_subscription(conn, subscription)
        person = store.get_subscriber(conn, current.subscriber_id) if current else None
        if current is None or person is None:
            raise _no_subscription(subscription)
        given = edited_input(flags, input_from_row(current, person))
        wanted = checked(given, vocabulary, f"subscription {subscription}")
        store.set_subscription(
            conn, subscription, now=datetime.now(UTC), **wanted.subscription_values()
        )
        if wanted.language != person.language:  # the subscriber's, for all their messages
            store.set_subscriber(conn, person.id, language=wanted.language)
    _say(f"subscription {subscription} updated")
    return 0


def pause_or_resume(settings: Settings, subscription: int, *, pause: bool) -> int:
    with checked_database(settings) as engine, transaction(engine) as conn:
        if not store.set_subscription(conn, subscription, now=datetime.now(UTC), paused=pause):
            raise _no_subscription(subscription)
    _say(f"subscription {subscription} {'paused' if pause else 'resumed'}")
    return 0


def remove(settings: Settings, subscription: int) -> int:
    with checked_database(settings) as engine, transaction(engine) as conn:
        if not store.delete_subscription(conn, subscription):
            raise _no_subscription(subscription)
    _say(f"subscription {subscription} removed")
    return 0


def erase(settings: Settings, who: int | str) -> int:
    """``subscriber delete``: the person, their subscriptions, deliveries and emails."""
    with checked_database(settings) as engine:
        gone = forget_subscriber(settings, engine, who)
    e = gone.erased
    _say(
        f"subscriber {gone.subscriber_id} erased: {e.subscriptions} subscriptions, "
        f"{e.deliveries} deliveries, {e.emails} emails, {gone.files} outbox files"
    )
    return 0


def import_file(settings: Settings, path: Path, *, confirmed: bool) -> int:
    """``subscriber import``: the file is read first (a missing or unreadable file is the
    error to report, whatever state the database is in), then each row in turn."""

    def show(row: RowReport) -> None:
        _say(f"line {row.line}: {row.outcome} {row.email or '(no address)'}: {row.detail}")

    rows = read_subscriber_csv(read_csv_text(path))
    with checked_database(settings) as engine:
        reports = import_rows(settings, engine, rows, confirmed=confirmed, report=show)
    counts = {
        o: sum(r.outcome == o for r in reports)
        for o in ("created", "updated", "unchanged", "refused")
    }
    _say(", ".join(f"{n} {o}" for o, n in counts.items()) + f" ({len(reports)} rows)")
    return 1 if counts["refused"] else 0


def show_failures(settings: Settings) -> int:
    """``subscriber failures``: what failed permanently, on every channel, and who bounces."""
    with checked_database(settings) as engine, transaction(engine) as conn:
        rows = outbox.failed_emails(conn)
        messages = failed_deliveries.failed_messages(conn)
        bouncing = [s for s in store.list_subscribers(conn) if s.status == "bouncing"]
    for row in rows:
        _say(
            f"email {row.id} to {row.recipient} ({row.kind}, {row.attempts} attempts): "
            f"{row.last_error}"
        )
    for m in messages:
        _say(
            f"message {m.id} to {m.channel} {m.target} ({m.kind}, {m.attempts} attempts): "
            f"{m.reason}"
        )
    for person in bouncing:
        _say(f"subscriber {person.id} {person.email}: bouncing")
    if not rows and not messages and not bouncing:
        _say("no failed emails")
    elif rows or messages:
        _say("retry with `monitor subscriber retry email:ID message:ID …`")
    return 0


def retry(settings: Settings, items: Sequence[str]) -> int:
    """``subscriber retry email:ID message:ID …``: queue failed items again."""
    refs, bad = parse_refs(list(items))
    if bad or not refs:
        raise InputError(
            "name each item as email:ID or message:ID (see `monitor subscriber failures`)",
            [Problem("ITEM", f"{value!r} is not email:ID or message:ID") for value in bad],
        )
    if len(refs) > MAX_RETRY:
        raise InputError(f"at most {MAX_RETRY} items at a time; run it again for the rest")
    with checked_database(settings) as engine:
        report = retry_failed(engine, refs, by=COMMAND_LINE, now=datetime.now(UTC))
    for ref in report.requeued:
        wait = " (waits: its destination is disabled)" if ref in report.waiting else ""
        _say(f"{ref}: queued again{wait}")
    for ref, why in report.refused:
        _say(f"{ref}: {REFUSALS[why]}")
    return 1 if report.refused else 0


_DELIVERY_WORDS = {
    "paused": "delivery paused",
    "resumed": "delivery resumed",
    "already_paused": "delivery was already paused",
    "already_active": "delivery was not paused",
    "unsubscribed": "unsubscribed: only they can subscribe again; nothing changed",
    "bouncing": "bouncing: nothing is sent to it; resume-delivery once the address is fixed",
    "queued": "confirmation email queued",
    "already_confirmed": "already confirmed; nothing sent",
    "not_queued": "not queued: one was resent today already, or the address takes no email",
}

SubscriberAction = Literal["pause-delivery", "resume-delivery", "resend-confirmation"]


def act_on_subscriber(settings: Settings, action: SubscriberAction, who: int | str) -> int:
    """Pause or resume all of a person's delivery, or resend their confirmation email."""
    with checked_database(settings) as engine:
        if action == "resend-confirmation":
            done = resend_confirmation(settings, engine, who, by=COMMAND_LINE)
        else:
            done = set_delivery(engine, who, pause=action == "pause-delivery", by=COMMAND_LINE)
    if done.subscriber_id is None:
        raise InputError(f"no subscriber {who} (see `monitor subscriber list`)")
    _say(f"subscriber {done.subscriber_id} {done.email}: {_DELIVERY_WORDS[done.outcome]}")
    return 0 if done.outcome in ("paused", "resumed", "queued") else 1


def private_feed(settings: Settings, subscription: int, *, revoke: bool) -> int:
    """Issue a new private feed key for a subscription (the old URLs stop working), or
    revoke it. The key is shown once: only its hash is stored."""
    key = None if revoke else new_feed_key()
    with checked_database(settings) as engine, transaction(engine) as conn:
        found = alert_feeds.set_feed_key_hash(
            conn, subscription, None if key is None else feed_key_hash(key),
            now=datetime.now(UTC),
        )
    if not found:
        raise InputError(f"no subscription {subscription}; `monitor subscriber list` shows the ids")
    if key is None:
        _say(f"subscription {subscription}: feed revoked; its URLs now answer 404")
        return 0
    urls = feed_urls(settings.public_url, key)
    _say(f"subscription {subscription}: private feeds (shown once; keep them secret)")
    _say(f"  Atom:      {urls.atom}")
    _say(f"  JSON Feed: {urls.json}")
    _say("Any earlier feed URL of this subscription now answers 404.")
    return 0
