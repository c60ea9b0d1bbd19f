"""`monitor subscriber …`: manage subscribers and subscriptions from the command line."""

from __future__ import annotations

import argparse
import csv
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.config import Settings
from monitor.errors import ConfigError, MonitorError
from monitor.matching.commands import check_query, query_problem
from monitor.models import CATEGORIES
from monitor.notify.assemble import queue_confirmation
from monitor.store import outbox
from monitor.store import subscribers as store
from monitor.store.db import make_engine, transaction

MODES = ("immediate", "hourly", "daily", "weekly")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class InputError(MonitorError):
    """A value given on the command line or in an import file is invalid."""


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def validate_subscription(values: dict[str, Any]) -> dict[str, Any]:
    """Check a subscription's fields; raise InputError naming the bad one."""
    query = values.get("query")
    if query:
        _node, warnings = check_query(query)  # QueryError says where and why
        for warning in warnings:
            print(f"  query warning [{warning.code}]: {warning.message}")
    mode = values.get("mode", "immediate")
    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    for key in ("digest_time", "quiet_start", "quiet_end"):
        if values.get(key) and not _HHMM.match(values[key]):
            raise InputError(f"{key} must be HH:MM (24 h), got {values[key]!r}")
    filters = values.get("filters") or {}
    for category in filters.get("categories", []):
        if category not in CATEGORIES:
            raise InputError(f"unknown category {category!r}; one of {', '.join(CATEGORIES)}")
    for code in filters.get("countries", []):
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise InputError(f"countries are ISO 3166-1 alpha-2 codes like BR, got {code!r}")
    return values


def _quiet(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    start, sep, end = value.partition("-")
    if not sep:
        raise InputError(f"quiet hours must look like 22:00-07:00, got {value!r}")
    return start.strip(), end.strip()


def _subscription_values(args: Any) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for key in ("countries", "categories", "languages", "outlets"):
        items = _split(getattr(args, key, None))
        if items:
            filters[key] = [i.upper() for i in items] if key == "countries" else items
    if getattr(args, "min_score", None) is not None:
        filters["min_score"] = args.min_score
    quiet_start, quiet_end = _quiet(getattr(args, "quiet", None))
    values: dict[str, Any] = {
        "query": getattr(args, "query", None) or None,
        "filters": filters,
        "mode": getattr(args, "mode", None) or "immediate",
        "digest_time": getattr(args, "digest_time", None) or "08:00",
        "digest_weekday": getattr(args, "digest_weekday", None) or 0,
        "quiet_start": quiet_start,
        "quiet_end": quiet_end,
        "daily_cap": getattr(args, "daily_cap", None),
    }
    return validate_subscription(values)


def _check_subscriber(email: str, tz: str) -> None:
    if not _EMAIL.match(email) or len(email) > 254:
        raise InputError(f"not an email address: {email!r}")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"unknown time zone {tz!r} (use an IANA name like America/Sao_Paulo)"
        ) from exc


def add_subscriber(
    settings: Settings,
    engine: Any,
    *,
    email: str,
    name: str,
    tz: str,
    confirmed: bool,
    subscription: dict[str, Any],
) -> tuple[int, int]:
    _check_subscriber(email, tz)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        subscriber_id, _created = store.add_subscriber(
            conn, email, display_name=name, time_zone=tz, confirmed=confirmed, now=now
        )
        subscription_id = store.add_subscription(
            conn, subscriber_id, now=now, name=name or email, **subscription
        )
    if not confirmed:
        queue_confirmation(settings, engine, subscriber_id, name or email)
    return subscriber_id, subscription_id


def import_csv(settings: Settings, engine: Any, path: Path, *, confirmed: bool) -> int:
    """Columns: email,name,time_zone,query,countries,categories,languages,mode,digest_time,quiet,daily_cap."""
    count = 0
    with path.open(newline="", encoding="utf-8") as fp:
        for line, row in enumerate(csv.DictReader(fp), start=2):
            try:
                values = _subscription_values(
                    argparse.Namespace(
                        query=row.get("query"),
                        countries=row.get("countries"),
                        categories=row.get("categories"),
                        languages=row.get("languages"),
                        outlets=row.get("outlets"),
                        mode=row.get("mode") or "immediate",
                        digest_time=row.get("digest_time") or "08:00",
                        quiet=row.get("quiet"),
                        daily_cap=int(row["daily_cap"]) if row.get("daily_cap") else None,
                        min_score=None,
                        digest_weekday=0,
                    )
                )
                add_subscriber(
                    settings,
                    engine,
                    email=(row.get("email") or "").strip(),
                    name=row.get("name") or "",
                    tz=row.get("time_zone") or "UTC",
                    confirmed=confirmed,
                    subscription=values,
                )
                count += 1
            except (MonitorError, ValueError) as exc:
                raise InputError(f"{path}:{line}: {exc}") from exc
    return count


def _edited_values(args: Any, current: store.SubscriptionRow) -> dict[str, Any]:
    """Only the fields given on the command line change; filters merge into the current ones."""
    values: dict[str, Any] = {}
    if args.query is not None:
        values["query"] = args.query or None
    for key in ("mode", "digest_time", "digest_weekday", "daily_cap"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    if args.quiet is not None:
        values["quiet_start"], values["quiet_end"] = _quiet(args.quiet)
    filters = dict(current.filters or {})
    for key in ("countries", "categories", "languages", "outlets"):
        if getattr(args, key) is not None:
            items = _split(getattr(args, key))
            filters[key] = [i.upper() for i in items] if key == "countries" else items
    if args.min_score is not None:
        filters["min_score"] = args.min_score
    values["filters"] = filters
    return validate_subscription(values)


def dispatch(settings: Settings, args: Any) -> int:
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    try:
        return _dispatch(settings, engine, args)
    finally:
        engine.dispose()


def _dispatch(settings: Settings, engine: Any, args: Any) -> int:
    now = datetime.now(UTC)
    if args.action == "add":
        subscriber_id, subscription_id = add_subscriber(
            settings,
            engine,
            email=args.email,
            name=args.name,
            tz=args.tz,
            confirmed=args.confirmed,
            subscription=_subscription_values(args),
        )
        state = "confirmed" if args.confirmed else "confirmation email queued"
        print(f"subscriber {subscriber_id}, subscription {subscription_id} ({state})")
    elif args.action == "list":
        with transaction(engine) as conn:
            people = store.list_subscribers(conn)
            subs = store.list_subscriptions(conn)
        for person in people:
            flag = "confirmed" if person.confirmed else "unconfirmed"
            print(f"{person.id:>4} {person.email} [{flag}, {person.status}] tz={person.time_zone}")
            for s in (s for s in subs if s.subscriber_id == person.id):
                paused = " PAUSED" if s.paused else ""
                print(f"       #{s.id} {s.mode}{paused} query={s.query!r} filters={s.filters}")
                problem = query_problem(s.query)
                if problem:
                    print(f"         QUERY DISABLED (matches nothing until edited): {problem}")
    elif args.action == "edit":
        with transaction(engine) as conn:
            current = store.get_subscription(conn, args.subscription)
            if current is None:
                raise InputError(f"no subscription {args.subscription}")
            store.set_subscription(
                conn, args.subscription, now=now, **_edited_values(args, current)
            )
        print(f"subscription {args.subscription} updated")
    elif args.action in ("pause", "resume"):
        with transaction(engine) as conn:
            if not store.set_subscription(
                conn, args.subscription, now=now, paused=args.action == "pause"
            ):
                raise InputError(f"no subscription {args.subscription}")
        print(f"subscription {args.subscription} {args.action}d")
    elif args.action == "delete":
        with transaction(engine) as conn:
            if not store.delete_subscription(conn, args.subscription):
                raise InputError(f"no subscription {args.subscription}")
        print(f"subscription {args.subscription} deleted")
    elif args.action == "import":
        count = import_csv(settings, engine, Path(args.file), confirmed=args.confirmed)
        print(f"{count} subscribers imported")
    elif args.action == "failures":
        with transaction(engine) as conn:
            rows = outbox.failed_emails(conn)
            bouncing = [s for s in store.list_subscribers(conn) if s.status == "bouncing"]
        for row in rows:
            print(
                f"email {row.id} to {row.recipient} ({row.kind}, {row.attempts} attempts): "
                f"{row.last_error}"
            )
        for person in bouncing:
            print(f"subscriber {person.id} {person.email}: bouncing")
        if not rows and not bouncing:
            print("no failed emails")
    else:  # pragma: no cover - argparse restricts actions
        raise ConfigError(f"unknown action {args.action}")
    return 0
