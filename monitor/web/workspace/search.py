"""Search: the whole archive of stories with the stored-query language.

    GET /search               the page (``q``, ``sort`` = time | relevance, facet filters
                              ``country``, ``category``, ``outlet``, ``lang``; ``after``:
                              the last story of the previous page)
    GET /search/export.csv    the same search's results as a file (all of them, up to the
    GET /search/export.json   search's bound), CSV cells safe from formula injection

The search itself is ``monitor.search.archive`` (index candidates, then the exact
evaluator), so a result is what a subscription with the same query would have matched. A
query that does not parse is shown back with a caret under the position of the problem,
as ``monitor query test`` does. Facet values are links that add a filter to the URL, so a
view can be bookmarked; a value that is not of the right shape is named and ignored. The
page works without JavaScript.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from monitor.errors import QueryError
from monitor.matching.query import Node, parse
from monitor.notify.labels import country_name
from monitor.search.archive import FACETS, SORTS, Found, SearchResult, page_after, search_archive
from monitor.search.export import to_csv, to_json
from monitor.store.db import transaction
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace
from monitor.web.workspace.security import HEADERS

PAGE_SIZE = 25
UTC_ZONE = ZoneInfo("UTC")
MAX_OUTLET = 300
_SHAPES = {
    "country": re.compile(r"[A-Z]{2}"),
    "lang": re.compile(r"[a-z]{2,3}"),
    "category": re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*"),
    "outlet": re.compile(r"[^\x00-\x1f]{1,300}"),
}
_AFTER = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """Where and why the query does not parse (the page points at ``position``)."""

    position: int
    reason: str


@dataclass(frozen=True, slots=True)
class SearchForm:
    """A Search URL understood: the query (parsed, or its problem), the order, the chosen
    facet values, where the page starts and the filters that were ignored."""

    text: str
    node: Node | None
    problem: SyntaxProblem | None
    sort: str
    chosen: Mapping[str, str]
    after: int | None
    ignored: tuple[tuple[str, str], ...]
    days: Mapping[str, str] = field(default_factory=dict)  # "from"/"to" as given
    since: datetime | None = None
    until: datetime | None = None

    def link(self, **changes: str | None) -> str:
        """The query string of this search with some values changed (None: removed)."""
        values: dict[str, str | None] = {
            "q": self.text,
            "sort": self.sort,
            **self.days,
            **self.chosen,
        }
        values.update(changes)
        return urlencode([(k, v) for k, v in values.items() if v])


def parse_search(query: Mapping[str, str], zone: ZoneInfo = UTC_ZONE) -> SearchForm:
    """Turn Search's query string into a form (pure). ``from``/``to`` are days in the
    reader's ``zone``, both included. Facet values and days of the wrong shape are ignored
    and named; a query that does not parse is kept with its problem."""
    text = query.get("q", "").strip()
    node: Node | None = None
    problem = None
    if text:
        try:
            node = parse(text)
        except QueryError as exc:
            problem = SyntaxProblem(exc.position, exc.reason)
    sort = query.get("sort", "time")
    chosen: dict[str, str] = {}
    ignored: list[tuple[str, str]] = []
    for name in FACETS:
        value = query.get(name, "").strip()
        if not value:
            continue
        value = value.upper() if name == "country" else value
        value = value.lower() if name == "lang" else value
        if _SHAPES[name].fullmatch(value):
            chosen[name] = value
        else:
            ignored.append((name, value[:MAX_OUTLET]))
    days: dict[str, str] = {}
    bounds: dict[str, datetime] = {}
    for name in ("from", "to"):
        value = query.get(name, "").strip()
        if not value:
            continue
        day = _day(value)
        if day is None:
            ignored.append((name, value[:MAX_OUTLET]))
            continue
        days[name] = value
        if name == "to":
            day += timedelta(days=1)  # "to" includes its whole day
        bounds[name] = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    after = query.get("after", "")
    return SearchForm(
        text=text,
        node=node,
        problem=problem,
        sort=sort if sort in SORTS else "time",
        chosen=chosen,
        after=int(after) if _AFTER.fullmatch(after) else None,
        ignored=tuple(ignored),
        days=days,
        since=bounds.get("from"),
        until=bounds.get("to"),
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def caret_line(text: str, position: int) -> str:
    """The line under the query that points at ``position`` (``    ^``)."""
    return " " * max(0, min(position, len(text))) + "^"


def result_items(found: Sequence[Found], zone: ZoneInfo, t: Any) -> list[dict[str, Any]]:
    """Results as the page lists them."""
    english = i18n.catalog("en")
    items = []
    for f in found:
        story = f.story
        category = story.category or ""
        key = f"category.{category}"
        items.append(
            {
                "story_id": story.id,
                "title": story.title,
                "outlet": story.credited_outlet,
                "copies": story.source_count,
                "published": i18n.local_time(story.published_at, zone),
                "published_iso": story.published_at.astimezone(UTC).isoformat(),
                "category": t(key) if category and english.has(key) else category,
                "countries": [(code, country_name(code)) for code in story.countries],
                "lang": story.lang,
            }
        )
    return items


def facet_view(
    form: SearchForm, facets: Mapping[str, list[tuple[str, int]]], t: Any
) -> list[dict[str, Any]]:
    """Each facet's values as links that add (or, when chosen, remove) the filter."""
    english = i18n.catalog("en")
    view = []
    for name in FACETS:
        values = []
        listed = list(facets.get(name, []))
        if name in form.chosen and all(v != form.chosen[name] for v, _ in listed):
            listed.append((form.chosen[name], 0))  # chosen, nothing left: still removable
        for value, count in listed:
            label = value
            if name == "country":
                label = f"{country_name(value)} ({value})"
            elif name == "category" and english.has(f"category.{value}"):
                label = t(f"category.{value}")
            chosen = form.chosen.get(name) == value
            values.append(
                {
                    "label": label,
                    "count": count,
                    "chosen": chosen,
                    "href": "/search?" + form.link(**{name: None if chosen else value}),
                }
            )
        view.append({"name": name, "label": t(f"search.facet_{name}"), "options": values})
    return view


class SearchPage:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/search", self.ws.signed_in(self.page)),
            web.get("/search/export.csv", self.ws.signed_in(self.export_csv)),
            web.get("/search/export.json", self.ws.signed_in(self.export_json)),
        ]

    async def _search(self, form: SearchForm) -> SearchResult | None:
        if form.problem is not None:
            return None

        def _load() -> SearchResult:
            with transaction(self.ws.engine) as conn:
                return search_archive(
                    conn,
                    form.node,
                    sort=form.sort,
                    chosen=form.chosen,
                    since=form.since,
                    until=form.until,
                )

        return await asyncio.to_thread(_load)

    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = parse_search(request.query, reader.zone)
        result = await self._search(form)
        t = self.ws.catalog(request).text
        shown: list[Found] = []
        more = False
        if result is not None:
            shown, more = page_after(result.found, form.after, PAGE_SIZE)
        link = form.link()
        return self.ws.page(
            request,
            "search.html.j2",
            title=t("search.title"),
            status=400 if form.problem else 200,
            form=form,
            sorts=[(name, t(f"search.sort_{name}")) for name in SORTS],
            problem=form.problem,
            caret=caret_line(form.text, form.problem.position) if form.problem else "",
            ignored=[t("search.bad_filter", name=n, value=v) for n, v in form.ignored],
            result=result,
            order_note=t(
                "search.order_relevance" if form.sort == "relevance" else "search.order_time",
                zone=reader.zone.key,
            ),
            items=result_items(shown, reader.zone, t),
            facets=facet_view(form, result.facets, t) if result else [],
            next_url=("/search?" + form.link(after=str(shown[-1].story.id))) if more else "",
            first_url=("/search?" + link) if form.after is not None else "",
            csv_url="/search/export.csv?" + link,
            json_url="/search/export.json?" + link,
            save_url=(
                "/subscriptions/new?" + urlencode({"query": form.text})
                if form.node is not None
                else ""
            ),
        )

    async def _export(
        self, request: web.Request, reader: Reader
    ) -> tuple[SearchForm, SearchResult] | web.Response:
        form = parse_search(request.query, reader.zone)
        result = await self._search(form)
        if result is None:
            problem = form.problem or SyntaxProblem(0, "no query")
            return web.Response(
                status=400,
                text=f"q: {problem.reason} (at position {problem.position})\n",
                content_type="text/plain",
                headers=HEADERS,
            )
        return form, result

    async def export_csv(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        got = await self._export(request, reader)
        if isinstance(got, web.Response):
            return got
        _, result = got
        return _download(
            to_csv(result.found, self.ws.settings.public_url), "text/csv", "search.csv"
        )

    async def export_json(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        got = await self._export(request, reader)
        if isinstance(got, web.Response):
            return got
        form, result = got
        body = to_json(result.found, self.ws.settings.public_url, form.text, result.capped)
        return _download(body, "application/json", "search.json")


def _download(body: str, content_type: str, name: str) -> web.Response:
    return web.Response(
        text=body,
        content_type=content_type,
        charset="utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )
