"""Countries: each Latin American and Caribbean state's record with Ukraine (and Russia).

    GET /countries                           the states, with their alerted stories lately
    GET /countries/{code}?from=&to=          one state's timeline, stances and weekly volume
    GET /countries/{code}/timeline.csv       the same timeline as CSV
    GET /countries/{code}/timeline.ics       … and as iCalendar
    POST /countries/{code}/corrections       an analyst's correction of one row

The timeline is ``monitor.timelines`` (``timeline_rows``: explainable rules over the
classifier's evidence, every entry quoting its sentence) over the alerted stories that name
the country, exactly what ``monitor timeline COUNTRY`` exports. The states and the readings
are the loaded topic set's (``MONITOR_TOPIC_DIR``): each story is read with every loaded
topic that alerted it about the country, and each entry names its topic. The index counts
each state's alerted stories in SQL (``alerted_stories_per_country``). A period is at most
``MAX_DAYS`` long, because each story is classified again when the page is drawn.
Any signed-in reader may correct a row (``monitor.timelines.review``: another kind or
value, another stance, or remove it); corrections are kept with who made them and apply
for every reader, in the exports and the API too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from urllib.parse import urlencode

from aiohttp import web

from monitor.errors import InputError
from monitor.logs import get_logger
from monitor.matching.topic_set import TopicSet, load_topic_set
from monitor.store.db import transaction
from monitor.store.stories import alerted_stories_per_country
from monitor.store.timeline_corrections import add_correction
from monitor.timelines.cues import TimelineCues, load_cues
from monitor.timelines.export import TimelineRow, to_csv, to_ics
from monitor.timelines.model import KINDS, PEACE_VALUES, STANCES, VOTE_VALUES
from monitor.timelines.review import check_correction
from monitor.timelines.rows import StoredStory, resolve_country
from monitor.timelines.stored import country_timeline
from monitor.trends.periods import buckets
from monitor.web.workspace.context import Reader, Workspace

log = get_logger(__name__)

DEFAULT_DAYS = 90
MAX_DAYS = 366
FIX_FIELDS = ("story", "kind", "action", "new_kind", "value")
VALUES = (*VOTE_VALUES, *PEACE_VALUES)


@dataclass(frozen=True, slots=True)
class Period:
    """The days a page covers, both ends included, and what was wrong with the asking."""

    start: date
    end: date
    problems: tuple[str, ...] = ()


def parse_period(query: Mapping[str, str], today: date) -> Period:
    """``from``/``to`` (YYYY-MM-DD) from the URL; a missing, malformed or reversed one falls
    back to the last ``DEFAULT_DAYS`` days, and a period longer than ``MAX_DAYS`` is cut to
    its last ``MAX_DAYS``; each fallback is named as a problem key."""
    problems: list[str] = []

    def day(name: str) -> date | None:
        raw = query.get(name, "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            problems.append("countries.bad_date")
            return None

    end = day("to") or today
    start = day("from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        problems.append("countries.reversed")
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if (end - start).days + 1 > MAX_DAYS:
        problems.append("countries.too_long")
        start = end - timedelta(days=MAX_DAYS - 1)
    return Period(start, end, tuple(dict.fromkeys(problems)))


def weekly_volume(days: Iterable[date], period: Period) -> list[tuple[date, int]]:
    """Stories per week over the whole period, empty weeks included, oldest first; the
    weeks are the Trends page's (``trends.periods``), each labelled by its Monday."""
    weeks = buckets(period.start, period.end, "week")
    first_monday = period.start - timedelta(days=period.start.weekday())
    counts = [0] * len(weeks)
    for day in days:
        if period.start <= day <= period.end:
            counts[(day - first_monday).days // 7] += 1
    return [
        (week.first - timedelta(days=week.first.weekday()), count)
        for week, count in zip(weeks, counts, strict=True)
    ]


def by_month(rows: Sequence[TimelineRow]) -> list[tuple[str, list[TimelineRow]]]:
    """Timeline entries (not stances) grouped by month, newest month and entry first."""
    months: dict[str, list[TimelineRow]] = {}
    for row in sorted(rows, key=lambda r: (r.day, int(r.story_id)), reverse=True):
        if row.kind != "stance":
            months.setdefault(row.day.strftime("%Y-%m"), []).append(row)
    return list(months.items())


class Countries:
    """The countries area: the list and one page per state."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    @cached_property
    def topics(self) -> TopicSet:
        return load_topic_set(self.ws.settings.topic_files())

    @cached_property
    def names(self) -> dict[str, str]:
        """Every loaded topic's states (code → name)."""
        return self.topics.country_names()

    @cached_property
    def topic_names(self) -> dict[str, str]:
        return {topic.topic_id: topic.name for topic in self.topics.topics}

    @cached_property
    def cues(self) -> TimelineCues:
        return load_cues()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/countries", self.ws.signed_in(self.index)),
            web.get("/countries/{code}", self.ws.signed_in(self.country)),
            web.get("/countries/{code}/timeline.csv", self.ws.signed_in(self.csv)),
            web.get("/countries/{code}/timeline.ics", self.ws.signed_in(self.ics)),
            web.post("/countries/{code}/corrections", self.ws.signed_in(self.correct)),
        ]

    async def index(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        today = datetime.now(UTC).date()
        since = datetime.combine(today - timedelta(days=DEFAULT_DAYS - 1), datetime.min.time(), UTC)

        def _load() -> dict[str, int]:
            with transaction(self.ws.engine) as conn:
                return alerted_stories_per_country(conn, since)

        counts = await asyncio.to_thread(_load)
        names = self.names
        states = sorted(names.items(), key=lambda item: item[1])
        t = self.ws.catalog(request).text
        return self.ws.page(
            request,
            "countries.html.j2",
            title=t("countries.title"),
            states=[(code, name, counts.get(code, 0)) for code, name in states],
            days=DEFAULT_DAYS,
        )

    def _code(self, request: web.Request) -> str | web.Response:
        """The ISO code the URL names (a code in any case, or a name); else a 404 page."""
        try:
            return resolve_country(request.match_info["code"], self.names)
        except InputError:
            return self.ws.message(
                request,
                "countries.missing_title",
                "countries.missing",
                status=404,
                link=("/countries", "nav.countries"),
            )

    async def _timeline(
        self, request: web.Request
    ) -> tuple[str, Period, list[TimelineRow], list[StoredStory]] | web.Response:
        code = self._code(request)
        if isinstance(code, web.Response):
            return code
        period = parse_period(request.query, datetime.now(UTC).date())

        def _load() -> tuple[list[TimelineRow], list[StoredStory]]:
            with transaction(self.ws.engine) as conn:
                return country_timeline(
                    conn, self.topics, self.cues, code, period.start, period.end
                )

        rows, stored = await asyncio.to_thread(_load)
        return code, period, rows, stored

    async def country(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        return await self._page(request, [], 200)

    async def _page(self, request: web.Request, errors: list[str], status: int) -> web.Response:
        found = await self._timeline(request)
        if isinstance(found, web.Response):
            return found
        code, period, rows, stored = found
        t = self.ws.catalog(request).text
        name = self.names.get(code, code)
        volume = weekly_volume((s.published_at.date() for s in stored), period)
        query = f"?from={period.start.isoformat()}&to={period.end.isoformat()}"
        shown = {s.story_id for s in stored if period.start <= s.published_at.date() <= period.end}
        return self.ws.page(
            request,
            "country.html.j2",
            title=t("countries.country_title", country=name),
            status=status,
            code=code,
            name=name,
            period=period,
            problems=[t(key) for key in period.problems],
            errors=errors,
            months=by_month(rows),
            stances=[row for row in rows if row.kind == "stance"],
            volume=volume,
            peak=max((count for _, count in volume), default=0),
            stories=len(shown),
            export_query=query,
            max_days=MAX_DAYS,
            kinds=KINDS,
            values=VALUES,
            stance_values=STANCES,
            topic_names=self.topic_names,
        )

    async def correct(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        """Keep an analyst's correction of one row, then show the page again."""
        code = self._code(request)
        if isinstance(code, web.Response):
            return code
        form = await self.ws.checked_form(request, back=f"/countries/{code}")
        if isinstance(form, web.Response):
            return form
        fields = {key: str(form.get(key, ""))[:64] for key in FIX_FIELDS}
        try:
            fix = check_correction(fields, code)
        except InputError as exc:
            errors = [f"{problem.field}: {problem.message}" for problem in exc.problems]
            return await self._page(request, errors, 400)
        now = datetime.now(UTC)

        def _keep() -> int | None:
            with transaction(self.ws.engine) as conn:
                return add_correction(conn, fix, subscriber_id=reader.subscriber_id, now=now)

        if await asyncio.to_thread(_keep) is None:  # erased since the page was drawn
            gone = self.ws.catalog(request).text("countries.story_gone")
            return await self._page(request, [gone], 409)
        log.info("web.timeline_corrected", subscriber_id=reader.subscriber_id,
                 story_id=fix.story_id, country=code, kind=fix.kind, action=fix.action)
        back = f"/countries/{code}?{urlencode(dict(request.query))}" if request.query else (
            f"/countries/{code}")
        anchor = "timeline-title" if fix.action == "remove" else (
            f"story-{fix.story_id}-{fix.new_kind or fix.kind}")
        raise self.ws.redirect(request, f"{back}#{anchor}")

    async def csv(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        found = await self._timeline(request)
        if isinstance(found, web.Response):
            return found
        code, period, rows, _ = found
        name = f"timeline-{code}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
        return self._download(request, to_csv(rows).encode("utf-8"), "text/csv", name)

    async def ics(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        found = await self._timeline(request)
        if isinstance(found, web.Response):
            return found
        code, period, rows, _ = found
        payload = to_ics(rows, country_name=self.names.get(code, code), stamp=datetime.now(UTC))
        name = f"timeline-{code}-{period.start.isoformat()}-{period.end.isoformat()}.ics"
        return self._download(request, payload, "text/calendar", name)

    def _download(
        self, request: web.Request, payload: bytes, content_type: str, filename: str
    ) -> web.Response:
        response = web.Response(
            body=payload,
            content_type=content_type,
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )
        self.ws.finish(request, response)
        return response
