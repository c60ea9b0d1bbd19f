"""`monitor feed …`: the feed registry from the command line, and `feed check` for debugging."""

from __future__ import annotations

import asyncio
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from monitor.config import Settings
from monitor.errors import ConfigError, FeedError, MonitorError
from monitor.feeds.check import check_feed
from monitor.feeds.fetcher import fetch_feed, make_session
from monitor.feeds.opml import OpmlFeed, export_opml, import_opml
from monitor.feeds.poller import limits_from, policy_from
from monitor.store import feeds as store
from monitor.store.db import make_engine, transaction


class FeedInputError(MonitorError):
    """A feed given on the command line or in an import file is invalid."""


def _check_url(url: str) -> str:
    if not url.startswith(("http://", "https://")) or len(url) > 2048:
        raise FeedInputError(f"feed URLs must be http(s) URLs, got {url!r}")
    return url


def read_feed_list(path: Path) -> list[dict[str, Any]]:
    """Feeds from a TOML list (``[[feed]]`` tables) or an OPML file."""
    data = path.read_bytes()
    if path.suffix.lower() in (".opml", ".xml") or data.lstrip().startswith(b"<"):
        return [
            {"url": f.xml_url, "name": f.title, "outlet": f.title, "language": f.language}
            for f in import_opml(data)
        ]
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedInputError(f"{path}: not valid TOML: {exc}") from exc
    feeds = doc.get("feed", [])
    if not isinstance(feeds, list):
        raise FeedInputError(f"{path}: expected [[feed]] tables")
    out = []
    for number, entry in enumerate(feeds, start=1):
        if not isinstance(entry, dict) or "url" not in entry:
            raise FeedInputError(f"{path}: feed #{number} has no url")
        unknown = set(entry) - {"url", "name", "outlet", "language", "interval"}
        if unknown:
            raise FeedInputError(f"{path}: feed #{number}: unknown keys {sorted(unknown)}")
        out.append(entry)
    return out


def import_feeds(engine: Any, entries: list[dict[str, Any]]) -> tuple[int, int]:
    """Register feeds; return (added, already present)."""
    added = existing = 0
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        for entry in entries:
            _, created = store.add_feed(
                conn,
                _check_url(entry["url"]),
                name=entry.get("name") or "",
                outlet=entry.get("outlet") or "",
                language=entry.get("language"),
                poll_interval=entry.get("interval"),
                now=now,
            )
            added += created
            existing += not created
    return added, existing


def _find(conn: Any, key: str) -> store.FeedRow:
    feed = store.get_feed(conn, int(key) if key.isdigit() else key)
    if feed is None:
        raise FeedInputError(f"no feed {key!r} (give its id or URL; see `monitor feed list`)")
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
                raise FeedInputError(f"{source}: no such file")
            content, content_type, url = path.read_bytes(), None, path.resolve().as_uri()
        report = check_feed(
            content, url=url, content_type=content_type, fetched_at=now, outlet=outlet
        )
    except (FeedError, FeedInputError) as exc:
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


def dispatch(settings: Settings, args: Any) -> int:
    if args.action == "check":
        return check_source(settings, args.source, args.outlet)
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    try:
        return _dispatch(engine, args, settings.feeds_file)
    finally:
        engine.dispose()


def _dispatch(engine: Any, args: Any, feeds_file: Path) -> int:
    now = datetime.now(UTC)
    if args.action == "add":
        with transaction(engine) as conn:
            feed_id, created = store.add_feed(
                conn,
                _check_url(args.url),
                name=args.name,
                outlet=args.outlet,
                language=args.language,
                poll_interval=args.interval,
                now=now,
            )
        print(f"feed {feed_id} {'added' if created else 'already registered'}")
    elif args.action == "list":
        with transaction(engine) as conn:
            feeds = store.list_feeds(conn)
        for f in feeds:
            error = f" errors={f.error_count} last_error={f.last_error!r}" if f.error_count else ""
            reason = f" ({f.state_reason})" if f.state_reason else ""
            print(
                f"{f.id:>4} {f.state}{reason} {f.url}\n"
                f"      {f.name!r} next={f.next_poll_at:%Y-%m-%d %H:%M:%S} "
                f"last_status={f.last_status} published={f.items_published}{error}"
            )
        print(f"{len(feeds)} feeds")
    elif args.action in ("pause", "resume"):
        with transaction(engine) as conn:
            feed = _find(conn, args.feed)
            state = "paused" if args.action == "pause" else "active"
            store.set_state(
                conn, feed.id, state, "paused by operator" if state == "paused" else None, now
            )
            if state == "active":
                store.record_poll(conn, feed.id, error_count=0, last_error=None)
        print(f"feed {feed.id} {state}")
    elif args.action == "remove":
        with transaction(engine) as conn:
            feed = _find(conn, args.feed)
            store.remove_feed(conn, feed.id)
        print(f"feed {feed.id} removed")
    elif args.action == "import":
        added, existing = import_feeds(engine, read_feed_list(Path(args.file or feeds_file)))
        print(f"{added} feeds added, {existing} already registered")
    elif args.action == "export":
        with transaction(engine) as conn:
            feeds = store.list_feeds(conn)
        text = export_opml(
            OpmlFeed(
                xml_url=f.url,
                title=f.name,
                language=f.language,
                categories=(f.outlet,) if f.outlet else (),
            )
            for f in feeds
        )
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            print(text)
    else:  # pragma: no cover - argparse restricts actions
        raise ConfigError(f"unknown action {args.action}")
    return 0
