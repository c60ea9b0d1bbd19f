"""Operations: what operators watch and act on, in the browser.

    GET  /operations                       system health: what ``monitor status`` shows
    GET  /operations/dead-letters          the dead-letter topic: its letters and backlog
    POST /operations/dead-letters/replay   replay them (confirmed), as ``monitor dlq replay``

(The feeds are ``operations_feeds``, the subscribers ``operations_subscribers``, the
failed emails and messages ``operations_failed``.) The numbers are ``monitor.health.collect_health``'s,
the account ``monitor status`` prints and ``/readyz`` checks; the letters and the replay
are ``monitor.stream.dead_letters``'s. Operators only (``Workspace.operator_only``); a
reader who is not one gets 403, and the navigation shows the page to operators only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from monitor.health import HealthReport, collect_health
from monitor.logs import get_logger
from monitor.stream import dead_letters
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace

log = get_logger(__name__)

DEAD_LETTERS_PATH = "/operations/dead-letters"
# The operations pages, in their navigation's order: (section, path, catalog key).
SECTIONS = (
    ("health", "/operations", "ops.section_health"),
    ("feeds", "/operations/feeds", "ops.section_feeds"),
    ("subscribers", "/operations/subscribers", "ops.section_subscribers"),
    ("failed", "/operations/failed", "ops.section_failed"),
    ("letters", DEAD_LETTERS_PATH, "ops.section_letters"),
)
# Letters listed on the page (the replay is not limited by what is shown).
LETTERS_SHOWN = 50
MAX_REPLAY = 10_000
DEFAULT_REPLAY = 100
MAX_PREVIEW_CHARS = 200


def health_view(report: HealthReport, zone: ZoneInfo) -> dict[str, Any]:
    """The health report as the page shows it (the numbers as ``monitor status`` has them)."""
    return {
        "checked": i18n.local_time(report.checked_at, zone),
        "roles": [
            {"name": b.name, "fresh": b.fresh, "age": f"{b.age_seconds:.0f}", "pid": b.pid or ""}
            for b in report.roles
        ],
        "feeds": report.feeds,
        "failing": [
            {
                "id": f.id,
                "name": f.name,
                "errors": f.error_count,
                "last_error": (f.last_error or "")[:200],
                "next_poll": i18n.local_time(f.next_poll_at, zone),
            }
            for f in report.feeds.failing
        ],
        "lag": report.lag,
        "counts": report.counts,
        "alerts": [
            {
                "story_id": a.story_id,
                "title": a.title,
                "outlet": a.credited_outlet,
                "category": a.category or "",
                "countries": ", ".join(a.countries or []),
                "created": i18n.local_time(a.created_at, zone),
            }
            for a in report.recent_alerts
        ],
        "outbox": sorted(report.outbox.items()),
        "channels": sorted(report.channels.items()),
    }


def replay_limit(value: object) -> int | None:
    """The posted number of letters to replay, or None when it is not 1…MAX_REPLAY."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_REPLAY else None


def letter_view(letter: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    failed_at = letter.get("failed_at")
    when = (
        i18n.local_time(datetime.fromtimestamp(float(failed_at), UTC), zone)
        if isinstance(failed_at, int | float)
        else ""
    )
    return {
        "offset": letter.get("offset"),
        "when": when,
        "error": str(letter.get("error", ""))[:500],
        "preview": str(letter.get("value", ""))[:MAX_PREVIEW_CHARS],
    }


class Operations:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        only = self.ws.operator_only
        return [
            web.get("/operations", only(self.health)),
            web.get(DEAD_LETTERS_PATH, only(self.dead_letters)),
            web.post(DEAD_LETTERS_PATH + "/replay", only(self.replay)),
        ]

    async def health(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        t = self.ws.catalog(request).text
        try:
            report = await asyncio.to_thread(collect_health, self.ws.settings, self.ws.engine)
        except Exception as exc:  # the database did not answer: say so, as status would
            log.error("web.operations_health_failed", error=repr(exc))
            return self.ws.message(request, "ops.db_down_title", "ops.db_down", status=503)
        return self.ws.page(
            request,
            "operations_health.html.j2",
            title=t("ops.health_title"),
            section="health",
            sections=SECTIONS,
            health=health_view(report, reader.zone),
            kafka=self.ws.settings.kafka_bootstrap,
            items_topic=self.ws.settings.items_topic,
        )

    async def dead_letters(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        return await self._letters_page(request, reader)

    async def _letters_page(
        self,
        request: web.Request,
        reader: Reader,
        *,
        status: int = 200,
        problem: str = "",
        result: dict[str, Any] | None = None,
    ) -> web.Response:
        settings = self.ws.settings

        def _load() -> tuple[dead_letters.Backlog, list[dict[str, Any]]]:
            backlog = dead_letters.backlog(settings)
            shown = min(backlog.letters, LETTERS_SHOWN)
            return backlog, dead_letters.list_letters(settings, shown) if shown else []

        t = self.ws.catalog(request).text
        try:
            backlog, letters = await asyncio.to_thread(_load)
        except Exception as exc:  # any Kafka client failure: the broker did not answer
            log.warning("web.dead_letters_unreachable", error=repr(exc))
            return self.ws.message(
                request, "ops.kafka_down_title", "ops.kafka_down", status=503,
                bootstrap=settings.kafka_bootstrap,
            )
        return self.ws.page(
            request,
            "operations_letters.html.j2",
            title=t("ops.letters_title"),
            status=status,
            section="letters",
            sections=SECTIONS,
            backlog=backlog,
            letters=[letter_view(letter, reader.zone) for letter in letters],
            topic=settings.dead_letter_topic,
            problem=problem,
            result=result,
            default_replay=DEFAULT_REPLAY,
            max_replay=MAX_REPLAY,
        )

    async def replay(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self.ws.checked_form(request, back=DEAD_LETTERS_PATH)
        if isinstance(form, web.Response):
            return form
        t = self.ws.catalog(request).text
        limit = replay_limit(form.get("limit"))
        if form.get("confirm") != "yes":
            return await self._letters_page(
                request, reader, status=400, problem=t("ops.replay_unconfirmed")
            )
        if limit is None:
            return await self._letters_page(
                request, reader, status=400, problem=t("ops.replay_limit", most=MAX_REPLAY)
            )
        unreadable: list[tuple[int, str]] = []

        def _replay() -> tuple[int, int]:
            return dead_letters.replay(
                self.ws.settings, limit, lambda offset, why: unreadable.append((offset, why))
            )

        try:
            done, bad = await asyncio.to_thread(_replay)
        except Exception as exc:
            log.warning("web.replay_failed", error=repr(exc))
            return self.ws.message(
                request, "ops.kafka_down_title", "ops.kafka_down", status=503,
                bootstrap=self.ws.settings.kafka_bootstrap,
            )
        log.info("web.dead_letters_replayed", replayed=done, unreadable=bad, operator=reader.email)
        return await self._letters_page(
            request,
            reader,
            result={"replayed": done, "unreadable": bad, "problems": unreadable[:50]},
        )
