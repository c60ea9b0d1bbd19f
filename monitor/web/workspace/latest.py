"""Latest: the alerted stories, newest first, filtered by the URL, paged by a cursor.

    GET /latest           the page (filters: country, category, lang, outlet, from, to;
                          ``before``: the cursor of the next page)
    GET /latest/updates   what was alerted after ``after`` (the live script's poll): list
                          items, and in ``X-Updates-Url`` where to ask next

Filters live in the query string, so a view can be bookmarked and shared. Dates are the
reader's (``from``/``to`` are days in their zone, both included). A value that is not one
of ours is named at the top of the page and ignored; it never reaches SQL. The page works
without JavaScript; ``static/live.js`` adds what arrives while it is open.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from monitor.notify.labels import country_name
from monitor.store import coverage
from monitor.store import threads as thread_store
from monitor.store.coverage import CoverageFilter, Position
from monitor.store.db import transaction
from monitor.subscriptions.preferences import Vocabulary, topic_vocabulary
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace

PAGE_SIZE = 25
UPDATES_LIMIT = 50
FILTER_NAMES = ("country", "category", "lang", "outlet", "from", "to")
LANGUAGE_CHOICES = ("en", "es", "pt")
_COUNTRY = re.compile(r"[A-Z]{2}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_CURSOR = re.compile(r"(-?[0-9]{1,20})\.([0-9]{1,19})")


@dataclass(frozen=True, slots=True)
class LatestQuery:
    """A Latest URL understood: the filter for SQL, the values to show back in the form, the
    problems of what was ignored (catalog key, value)."""

    wanted: CoverageFilter
    shown: Mapping[str, str]
    problems: tuple[tuple[str, str], ...]


def encode_cursor(position: Position) -> str:
    """``1702300000123456.42``: the alert's time in microseconds since 1970 and its id."""
    stamp = position.created_at.astimezone(UTC)
    micros = (stamp - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    return f"{micros}.{position.alert_id}"


def decode_cursor(text: str | None) -> Position | None:
    """The position a cursor names, or None for a missing or malformed one."""
    match = _CURSOR.fullmatch(text or "")
    if not match:
        return None
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    return Position(moment, int(match[2]))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse_latest(
    query: Mapping[str, str], vocabulary: Vocabulary, zone: ZoneInfo, outlets: Sequence[str]
) -> LatestQuery:
    """Turn Latest's query string into a filter. Values outside the vocabulary, unknown
    outlets and dates that are not ``YYYY-MM-DD`` are ignored and named as problems."""
    shown = {name: query.get(name, "").strip() for name in FILTER_NAMES}
    problems: list[tuple[str, str]] = []
    wanted = CoverageFilter()
    country = shown["country"].upper()
    if country:
        known = vocabulary.countries
        if _COUNTRY.fullmatch(country) and (known is None or country in known):
            wanted = replace(wanted, country=country)
            shown["country"] = country
        else:
            problems.append(("latest.bad_country", shown["country"]))
            shown["country"] = ""
    if shown["category"]:
        if shown["category"] in vocabulary.categories:
            wanted = replace(wanted, category=shown["category"])
        else:
            problems.append(("latest.bad_category", shown["category"]))
            shown["category"] = ""
    lang = shown["lang"].lower()
    if lang:
        if _LANGUAGE.fullmatch(lang):
            wanted = replace(wanted, lang=lang)
            shown["lang"] = lang
        else:
            problems.append(("latest.bad_language", shown["lang"]))
            shown["lang"] = ""
    if shown["outlet"]:
        if shown["outlet"] in outlets:
            wanted = replace(wanted, outlet=shown["outlet"])
        else:
            problems.append(("latest.bad_outlet", shown["outlet"]))
            shown["outlet"] = ""
    for name, bound in (("from", "since"), ("to", "until")):
        if not shown[name]:
            continue
        day = _day(shown[name])
        if day is None:
            problems.append(("latest.bad_date", shown[name]))
            shown[name] = ""
            continue
        if bound == "until":
            day += timedelta(days=1)  # "to" includes its whole day
        start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        wanted = replace(wanted, since=start) if bound == "since" else replace(wanted, until=start)
    return LatestQuery(wanted, shown, tuple(problems))


def filter_query(shown: Mapping[str, str], **extra: str) -> str:
    """The query string of a Latest URL with these filters (empty ones left out)."""
    pairs = [(name, shown[name]) for name in FILTER_NAMES if shown.get(name)]
    pairs.extend((name, value) for name, value in extra.items() if value)
    return urlencode(pairs)


def story_items(
    rows: Sequence[Any],
    zone: ZoneInfo,
    t: Any,
    threads: Mapping[int, tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``coverage.latest_alerts`` as the list shows them; a story whose event
    thread holds other reports (``threads``: story id → (thread id, reports)) links to it."""
    items = []
    for row in rows:
        countries = row.countries if isinstance(row.countries, list) else []
        category = row.category or "other"
        key = f"category.{category}"
        items.append(
            {
                "alert_id": row.alert_id,
                "story_id": row.story_id,
                "title": row.title,
                "outlet": row.credited_outlet,
                "copies": row.source_count,
                "published": i18n.local_time(row.published_at, zone),
                "published_iso": row.published_at.astimezone(UTC).isoformat(),
                "category": t(key) if i18n.catalog("en").has(key) else category,
                "countries": [(str(code), country_name(str(code))) for code in countries],
                "lang": row.lang,
                "score": f"{row.score:.2f}",
                "thread": thread_link(row.story_id, threads or {}),
            }
        )
    return items


def thread_link(story_id: int, threads: Mapping[int, tuple[int, int]]) -> dict[str, Any] | None:
    """The link to a story's event thread, when that thread holds more than this story."""
    found = threads.get(int(story_id))
    if found is None or found[1] < 2:
        return None
    return {"href": f"/threads/{found[0]}", "count": found[1]}


class Latest:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/latest", self.ws.signed_in(self.page)),
            web.get("/latest/updates", self.ws.signed_in(self.updates)),
        ]

    def _vocabulary(self) -> Vocabulary:
        return topic_vocabulary(self.ws.settings.topic_file)

    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        before = decode_cursor(request.query.get("before"))

        def _load() -> tuple[LatestQuery, list[Any], list[str], dict[int, tuple[int, int]]]:
            with transaction(self.ws.engine) as conn:
                outlets = coverage.alerted_outlets(conn)
                parsed = parse_latest(request.query, self._vocabulary(), reader.zone, outlets)
                rows = coverage.latest_alerts(
                    conn, parsed.wanted, before=before, limit=PAGE_SIZE + 1
                )
                threads = thread_store.thread_sizes(conn, [r.story_id for r in rows])
            return parsed, rows, outlets, threads

        parsed, rows, outlets, threads = await asyncio.to_thread(_load)
        catalog = self.ws.catalog(request)
        t = catalog.text
        shown_rows, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
        older = ""
        if more:
            last = shown_rows[-1]
            older = "/latest?" + filter_query(
                parsed.shown, before=encode_cursor(Position(last.created_at, last.alert_id))
            )
        live = ""
        if before is None:
            top = (
                encode_cursor(Position(shown_rows[0].created_at, shown_rows[0].alert_id))
                if shown_rows
                else "0.0"
            )
            live = "/latest/updates?" + filter_query(parsed.shown, after=top)
        vocabulary = self._vocabulary()
        countries = sorted(vocabulary.countries or ())
        choices = {
            "countries": [(code, country_name(code)) for code in countries],
            "categories": [(c, t(f"category.{c}")) for c in vocabulary.categories],
            "languages": LANGUAGE_CHOICES,
            "outlets": outlets,
        }
        return self.ws.page(
            request,
            "latest.html.j2",
            title=t("latest.title"),
            items=story_items(shown_rows, reader.zone, t, threads),
            chosen=parsed.shown,
            choices=choices,
            problems=[t(key, value=value) for key, value in parsed.problems],
            older_url=older,
            first_url=("/latest?" + filter_query(parsed.shown)) if before is not None else "",
            live_url=live,
            poll_seconds=f"{self.ws.settings.web_live_seconds:g}",
        )

    async def updates(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        after = decode_cursor(request.query.get("after"))
        if after is None:
            return web.Response(status=400, text="after: expected a cursor from the page")

        def _load() -> tuple[LatestQuery, list[Any], dict[int, tuple[int, int]]]:
            with transaction(self.ws.engine) as conn:
                outlets = coverage.alerted_outlets(conn)
                parsed = parse_latest(request.query, self._vocabulary(), reader.zone, outlets)
                rows = coverage.latest_alerts(conn, parsed.wanted, after=after, limit=UPDATES_LIMIT)
                threads = thread_store.thread_sizes(conn, [r.story_id for r in rows])
            return parsed, rows, threads

        parsed, rows, threads = await asyncio.to_thread(_load)
        t = self.ws.catalog(request).text
        response = self.ws.fragment(
            request, "latest_updates.html.j2", items=story_items(rows, reader.zone, t, threads)
        )
        top = Position(rows[0].created_at, rows[0].alert_id) if rows else after
        response.headers["X-Updates-Url"] = "/latest/updates?" + filter_query(
            parsed.shown, after=encode_cursor(top)
        )
        return response
