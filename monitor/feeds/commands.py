"""`monitor feed …`: the feed registry from the command line, and `feed check` for debugging.

Every feed that enters the registry (``feed add``, each row of ``feed import``) passes
``monitor.feeds.registry_entry.check_feed_entry`` and the fetcher's address policy; a refused feed
is named with its row and every problem, and the good rows of the same file are added.
"""

from __future__ import annotations

import asyncio
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.errors import FeedError, InputError, OpmlError, Problem
from monitor.feeds.check import check_feed
from monitor.feeds.fetcher import fetch_feed, make_session
from monitor.feeds.listing import feed_lines, feeds_json
from monitor.feeds.opml import OpmlFeed, export_opml, import_opml
from monitor.feeds.poller import limits_from, policy_from
from monitor.feeds.registry_entry import (
    FeedEntry,
    FeedInput,
    IntervalBounds,
    check_feed_entry,
    dns_refusals,
)
from monitor.store import feeds as store
from monitor.store.db import transaction
from monitor.store.migrate import checked_database

TOML_KEYS = ("url", "name", "outlet", "language", "interval")
Outcome = Literal["added", "already registered", "refused", "skipped"]


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One feed of a list, with where it is (``line 12``, ``feed #3``) for reports."""

    where: str
    given: FeedInput


@dataclass(frozen=True, slots=True)
class FeedList:
    """A feed list as read: its rows, and what was skipped before any check (OPML)."""

    rows: list[FeedRow]
    skipped: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What happened to one entry; ``problems`` say why it was refused."""

    where: str
    url: str
    outcome: Outcome
    detail: str = ""
    feed_id: int | None = None
    problems: tuple[Problem, ...] = ()


def read_feed_list(path: Path) -> FeedList:
    """Feeds from a TOML list (``[[feed]]`` tables) or an OPML file; InputError if the file
    is not one. (A file that cannot be opened raises as it is: the CLI edge names it.)"""
    data = path.read_bytes()
    if path.suffix.lower() in (".opml", ".xml") or data.lstrip().startswith(b"<"):
        try:
            return opml_feed_list(data)
        except OpmlError as exc:
            raise InputError(f"{path}: {exc}") from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    tables = doc.get("feed", [])
    if not isinstance(tables, list):
        raise InputError(f"{path}: expected [[feed]] tables")
    rows: list[FeedRow] = []
    skipped: list[tuple[str, str]] = []
    for number, entry in enumerate(tables, start=1):
        where = f"[[feed]] #{number}"
        if not isinstance(entry, dict):
            skipped.append((where, "not a table"))
            continue
        unknown = sorted(set(entry) - set(TOML_KEYS))
        if unknown:
            skipped.append((where, f"unknown keys {unknown}; known: {', '.join(TOML_KEYS)}"))
            continue
        texts = {k: entry.get(k) for k in ("url", "name", "outlet", "language")}
        wrong = [k for k, v in texts.items() if v is not None and not isinstance(v, str)]
        if wrong:
            skipped.append((where, f"{', '.join(wrong)} must be strings"))
            continue
        rows.append(FeedRow(where, FeedInput(
            url=texts["url"] or "", name=texts["name"], outlet=texts["outlet"],
            language=texts["language"], interval=entry.get("interval"),
        )))
    return FeedList(rows, skipped)


def opml_feed_list(data: bytes) -> FeedList:
    """The feeds of an OPML document (a file or an upload); OpmlError says why it is not
    one (too large, a DOCTYPE, broken XML, no <opml> root)."""
    document = import_opml(data)
    return FeedList(
        [FeedRow(f"line {f.line}", opml_input(f)) for f in document.feeds],
        [(f"line {s.line}", s.reason) for s in document.skipped],
    )


def opml_input(feed: OpmlFeed) -> FeedInput:
    """An OPML outline as a feed. Other readers' OPML has no outlet: the title stands in."""
    return FeedInput(
        url=feed.xml_url,
        name=feed.title,
        outlet=feed.outlet if feed.outlet is not None else feed.title,
        language=feed.language,
        interval=feed.interval,
        state=feed.state,
        state_reason=feed.state_reason,
    )


def registry_opml(feeds: Sequence[store.FeedRow]) -> str:
    """The registry as OPML: feeds in folders by outlet, monitor's fields as attributes."""
    return export_opml(
        OpmlFeed(
            xml_url=f.url,
            title=f.name,
            language=f.language,
            categories=(f.outlet,) if f.outlet else (),
            outlet=f.outlet,
            interval=None if f.poll_interval is None else repr(float(f.poll_interval)),
            state=None if f.state == "active" else f.state,
            state_reason=None if f.state == "active" else f.state_reason,
        )
        for f in feeds
    )


def bounds_from(settings: Settings) -> IntervalBounds:
    return IntervalBounds(settings.poll_min_interval, settings.poll_max_interval)


def import_feeds(
    engine: Engine, entries: Sequence[FeedRow | FeedInput | dict[str, Any]], *, settings: Settings
) -> list[FeedReport]:
    """Check and register feeds: one report per entry. Refused entries change nothing;
    the others are registered in one transaction (an existing URL is left as it is)."""
    rows = [_as_row(number, e) for number, e in enumerate(entries, start=1)]
    policy = policy_from(settings)
    bounds = bounds_from(settings)
    checked: list[tuple[FeedRow, FeedEntry | list[Problem]]] = [
        (row, check_feed_entry(row.given, policy=policy, bounds=bounds)) for row in rows
    ]
    hosts = {entry.host for _, entry in checked if isinstance(entry, FeedEntry)}
    refused_hosts = asyncio.run(dns_refusals(hosts, policy)) if hosts else {}
    reports: list[FeedReport] = []
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        for row, entry in checked:
            url = (row.given.url or "").strip()
            problems = entry if isinstance(entry, list) else []
            if isinstance(entry, FeedEntry) and entry.host in refused_hosts:
                problems = [Problem("url", refused_hosts[entry.host])]
            if problems or not isinstance(entry, FeedEntry):
                detail = "; ".join(str(p) for p in problems)
                reports.append(FeedReport(row.where, url, "refused", detail, None, tuple(problems)))
                continue
            reports.append(_register(conn, row.where, entry, now))
    return reports


def _as_row(number: int, entry: FeedRow | FeedInput | dict[str, Any]) -> FeedRow:
    if isinstance(entry, FeedRow):
        return entry
    if isinstance(entry, dict):
        entry = FeedInput(
            url=entry.get("url") or "",
            name=entry.get("name"),
            outlet=entry.get("outlet"),
            language=entry.get("language"),
            interval=entry.get("interval"),
        )
    return FeedRow(f"feed #{number}", entry)


def _register(conn: Any, where: str, entry: FeedEntry, now: datetime) -> FeedReport:
    existing = store.get_feed(conn, entry.url)
    if existing is not None:
        differs = [
            name
            for name, stored, wanted in (
                ("name", existing.name, entry.name),
                ("outlet", existing.outlet, entry.outlet),
                ("language", existing.language, entry.language),
                ("interval", existing.poll_interval, entry.interval),
            )
            if stored != wanted
        ]
        note = f" (kept as it is; differs in {', '.join(differs)})" if differs else ""
        return FeedReport(where, entry.url, "already registered", f"feed {existing.id}{note}",
                          existing.id)
    feed_id, _ = store.add_feed(
        conn,
        entry.url,
        name=entry.name,
        outlet=entry.outlet,
        language=entry.language,
        poll_interval=entry.interval,
        state=entry.state,
        state_reason=entry.state_reason,
        now=now,
    )
    state = "" if entry.state == "active" else f" ({entry.state})"
    return FeedReport(where, entry.url, "added", f"feed {feed_id}{state}", feed_id)


def set_feed_paused(conn: Any, feed_id: int, paused: bool, now: datetime) -> str:
    """Pause a feed (the poller skips it) or resume it (due at once, its error count
    cleared, so a feed an operator fixed is not backed off for old failures). Returns the
    new state. ``monitor feed pause|resume`` and the operations page both call this."""
    state = "paused" if paused else "active"
    store.set_state(conn, feed_id, state, "paused by operator" if paused else None, now)
    if not paused:
        store.record_poll(conn, feed_id, error_count=0, last_error=None)
    return state


def _find(conn: Any, key: str) -> store.FeedRow:
    feed = store.get_feed(conn, int(key) if key.isdigit() else key)
    if feed is None:
        raise InputError(f"no feed {key!r} (give its id or URL; see `monitor feed list`)")
    return feed


def check_source(settings: Settings, source: str, outlet: str | None) -> int:
    """Print one JSON line per normalized item, or one error line and exit 1."""
    now = datetime.now(UTC)
    try:
        if source.startswith(("http://", "https://")):
            result = asyncio.run(_fetch_once(settings, source))
            content, content_type, url = result.content, result.content_type, result.url
        else:
            path = Path(source)
            if not path.is_file():
                raise InputError(f"{source}: no such file")
            content, content_type, url = path.read_bytes(), None, path.resolve().as_uri()
        report = check_feed(
            content, url=url, content_type=content_type, fetched_at=now, outlet=outlet
        )
    except (FeedError, InputError) as exc:
        print(orjson.dumps({"error": str(exc)}).decode())
        return 1
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for item in report.items:
        print(orjson.dumps(item, default=str).decode())
    return 0


async def _fetch_once(settings: Settings, url: str) -> Any:
    limits, policy = limits_from(settings), policy_from(settings)
    async with make_session(limits, policy) as session:
        return await fetch_feed(session, url, validators=None, limits=limits, address_policy=policy)


def _say(line: str) -> None:
    print(line, flush=True)


def add(settings: Settings, given: FeedInput) -> int:
    """``feed add``: checked like an imported row; a refused feed stores nothing."""
    with checked_database(settings) as engine:
        (report,) = import_feeds(engine, [FeedRow("", given)], settings=settings)
    if report.outcome == "refused":
        raise InputError(
            "feed refused; nothing was stored:",
            [Problem("URL" if p.field == "url" else f"--{p.field}", p.message)
             for p in report.problems],
        )
    _say(f"{report.outcome}: {report.detail}")
    return 0


def show_list(settings: Settings, *, as_json: bool) -> int:
    """``feed list``: state, last error and next poll of every feed."""
    with checked_database(settings) as engine, transaction(engine) as conn:
        feeds = store.list_feeds(conn)
    if as_json:
        _say(orjson.dumps(feeds_json(feeds), option=orjson.OPT_INDENT_2).decode())
    else:
        for line in feed_lines(feeds, settings.poll_interval):
            _say(line)
    return 0


def pause_or_resume(settings: Settings, feed_ref: str, *, pause: bool) -> int:
    with checked_database(settings) as engine, transaction(engine) as conn:
        feed = _find(conn, feed_ref)
        state = set_feed_paused(conn, feed.id, pause, datetime.now(UTC))
    _say(f"feed {feed.id} {state}")
    return 0


def remove(settings: Settings, feed_ref: str) -> int:
    with checked_database(settings) as engine, transaction(engine) as conn:
        feed = _find(conn, feed_ref)
        store.remove_feed(conn, feed.id)
    _say(f"feed {feed.id} removed")
    return 0


def import_list(settings: Settings, path: Path) -> int:
    """``feed import``: the list is read first (a missing or bad file is the error to
    report, whatever state the database is in), then every row is checked and added."""
    listed = read_feed_list(path)
    with checked_database(settings) as engine:
        return _import(settings, engine, listed)


def export(settings: Settings, output: Path | None) -> int:
    """``feed export``: every feed as OPML, to a file or standard output."""
    with checked_database(settings) as engine, transaction(engine) as conn:
        feeds = store.list_feeds(conn)
    text = registry_opml(feeds)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        _say(f"{len(feeds)} feeds written to {output}")
    else:
        print(text)
    return 0


def _import(settings: Settings, engine: Engine, listed: FeedList) -> int:
    reports = import_feeds(engine, listed.rows, settings=settings)
    reports += [FeedReport(where, "", "skipped", reason) for where, reason in listed.skipped]
    for r in reports:
        target = f" {r.url}" if r.url else ""
        _say(f"{r.where}: {r.outcome}{target}: {r.detail}")
    counts = {o: sum(r.outcome == o for r in reports)
              for o in ("added", "already registered", "refused", "skipped")}
    _say(", ".join(f"{n} {o}" for o, n in counts.items()))
    return 1 if counts["refused"] or counts["skipped"] else 0
