"""Operations › Feeds: the feed registry as an operator runs it, in the browser.

    GET  /operations/feeds                 state, last error, next poll, items a day; the forms
    POST /operations/feeds                 add a feed
    POST /operations/feeds/{id}/pause      pause one feed
    POST /operations/feeds/{id}/resume     resume one feed
    POST /operations/feeds/import          an OPML file, uploaded
    GET  /operations/feeds/export.opml     the registry as OPML

Every decision is the command line's: a feed is added by ``monitor.feeds.commands.
import_feeds`` (``check_feed_entry`` and the fetcher's address policy, so a URL ``monitor
feed add`` refuses is refused here with the same words), paused and resumed by
``set_feed_paused``, read from OPML by ``opml_feed_list`` (its size cap, DOCTYPE refusal and
limits) and written by ``registry_opml``. This module only moves form fields to them and
their answers to the page. Operators only (``Workspace.operator_only``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import BodyPartReader, web

from monitor.errors import OpmlError
from monitor.feeds.commands import (
    FeedReport,
    FeedRow,
    import_feeds,
    opml_feed_list,
    registry_opml,
    set_feed_paused,
)
from monitor.feeds.opml import MAX_OPML_BYTES
from monitor.feeds.registry_entry import FeedInput
from monitor.health import is_failing
from monitor.store import feeds as feed_store
from monitor.store.db import transaction
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace
from monitor.web.workspace.operations import SECTIONS
from monitor.web.workspace.security import CSRF_FIELD, HEADERS

# Items a day are averaged over this many days of seen-item records.
ITEMS_WINDOW_DAYS = 7
# Text of a feed's last error shown in the table (a hostile server writes what it likes).
MAX_ERROR_CHARS = 300
ADD_FIELDS = ("url", "name", "outlet", "language", "interval")
# Feeds a page of the table (two forms a row: a registry of thousands is paged).
FEEDS_PER_PAGE = 100
FEEDS_PATH = "/operations/feeds"
# What the page says after a change (``?done=…``), and of each row of an import.
NOTICES = {
    "added": "ops.notice_added",
    "already": "ops.notice_already",
    "paused": "ops.notice_paused",
    "active": "ops.notice_active",
}
OUTCOMES = {
    "added": "ops.outcome_added",
    "already registered": "ops.outcome_already_registered",
    "refused": "ops.outcome_refused",
    "skipped": "ops.outcome_skipped",
}


def items_per_day(count: int, days: int = ITEMS_WINDOW_DAYS) -> str:
    """``count`` items over ``days`` days, as a rate with one decimal (``2.3``)."""
    return f"{count / days:.1f}"


@dataclass(frozen=True, slots=True)
class Page:
    """Which rows of a list one page shows, and whether there are pages around it."""

    number: int
    start: int
    stop: int
    last: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.last else None


def page_of(total: int, asked: str | None, size: int = FEEDS_PER_PAGE) -> Page:
    """Page ``asked`` (1-based, from the query string) of ``total`` rows; a page that is
    not a number is the first, and one past the end is the last."""
    last = max(1, -(-total // size))
    text = (asked or "").strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 1
    number = min(max(number, 1), last)
    return Page(number, (number - 1) * size, min(number * size, total), last)


def feed_view(feed: feed_store.FeedRow, items: int, zone: ZoneInfo) -> dict[str, Any]:
    """One row of the feeds table (values are escaped by the template)."""
    return {
        "id": feed.id,
        "name": feed.name,
        "outlet": feed.outlet if feed.outlet != feed.name else "",
        "url": feed.url,
        "state": feed.state,
        "state_reason": feed.state_reason or "",
        "failing": is_failing(feed),
        "error_count": feed.error_count,
        "last_error": (feed.last_error or "")[:MAX_ERROR_CHARS],
        "next_poll": i18n.local_time(feed.next_poll_at, zone),
        "next_poll_iso": feed.next_poll_at.astimezone(UTC).isoformat(),
        "last_polled": i18n.local_time(feed.last_polled_at, zone) if feed.last_polled_at else "",
        "items_per_day": items_per_day(items),
        "paused": feed.state == "paused",
    }


def added_input(form: Mapping[str, Any]) -> FeedInput:
    """The add form's fields as ``monitor feed add`` takes them (blank means not given)."""
    values = {key: str(form.get(key) or "").strip() for key in ADD_FIELDS}
    return FeedInput(
        url=values["url"],
        name=values["name"] or None,
        outlet=values["outlet"] or None,
        language=values["language"] or None,
        interval=values["interval"] or None,
    )


class UploadTooLarge(Exception):
    """The uploaded file is larger than OPML's cap."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A multipart form with one file: its text fields, and the file's bytes (or None)."""

    fields: dict[str, str]
    data: bytes | None


async def read_upload(request: web.Request, file_field: str, cap: int) -> Upload:
    """Read a multipart form as it streams in, refusing a file past ``cap`` bytes before
    it is all read (the application's body limit is for small forms)."""
    fields: dict[str, str] = {}
    data: bytes | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == file_field:
            chunks, size = [], 0
            while chunk := await part.read_chunk(64 * 1024):
                size += len(chunk)
                if size > cap:
                    raise UploadTooLarge
                chunks.append(chunk)
            data = b"".join(chunks)
        elif part.name:
            fields[part.name] = (await part.read(decode=True))[:4096].decode("utf-8", "replace")
    return Upload(fields, data)


class FeedsAdmin:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        only = self.ws.operator_only
        return [
            web.get(FEEDS_PATH, only(self.page)),
            web.post(FEEDS_PATH, only(self.add)),
            web.post(FEEDS_PATH + "/{feed_id:[0-9]{1,9}}/pause", only(self.pause)),
            web.post(FEEDS_PATH + "/{feed_id:[0-9]{1,9}}/resume", only(self.resume)),
            web.post(FEEDS_PATH + "/import", only(self.import_opml)),
            web.get(FEEDS_PATH + "/export.opml", only(self.export)),
        ]

    # --- the page ------------------------------------------------------------------------
    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        notice = request.query.get("done", "")
        return await self._render(
            request,
            reader,
            page=request.query.get("page"),
            notice=NOTICES.get(notice, ""),
            notice_feed=request.query.get("feed", "")[:9],
        )

    async def _render(
        self,
        request: web.Request,
        reader: Reader,
        *,
        status: int = 200,
        page: str | None = None,
        notice: str = "",
        notice_feed: str = "",
        given: FeedInput | None = None,
        problems: Sequence[tuple[str, str]] = (),
        import_problem: str = "",
        reports: Sequence[FeedReport] = (),
    ) -> web.Response:
        def _load() -> tuple[list[feed_store.FeedRow], dict[int, int]]:
            since = datetime.now(UTC) - timedelta(days=ITEMS_WINDOW_DAYS)
            with transaction(self.ws.engine) as conn:
                return feed_store.list_feeds(conn), feed_store.items_seen_since(conn, since)

        feeds, items = await asyncio.to_thread(_load)
        shown = page_of(len(feeds), page)
        t = self.ws.catalog(request).text
        return self.ws.page(
            request,
            "operations_feeds.html.j2",
            title=t("ops.feeds_title"),
            status=status,
            section="feeds",
            sections=SECTIONS,
            outcomes=OUTCOMES,
            total=len(feeds),
            feeds=[
                feed_view(f, items.get(f.id, 0), reader.zone)
                for f in feeds[shown.start : shown.stop]
            ],
            shown=shown,
            notice=notice,
            notice_feed=notice_feed,
            given=given or FeedInput(url=""),
            problems=problems,
            import_problem=import_problem,
            reports=reports,
            max_upload_kb=MAX_OPML_BYTES // 1024,
        )

    # --- add, pause, resume ----------------------------------------------------------------
    async def add(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self.ws.checked_form(request, back=FEEDS_PATH)
        if isinstance(form, web.Response):
            return form
        given = added_input(form)
        settings = self.ws.settings
        (report,) = await asyncio.to_thread(
            import_feeds, self.ws.engine, [FeedRow("", given)], settings=settings
        )
        if report.outcome == "refused":
            problems = [(p.field, p.message) for p in report.problems]
            return await self._render(request, reader, status=400, given=given, problems=problems)
        done = "added" if report.outcome == "added" else "already"
        raise self.ws.redirect(request, f"{FEEDS_PATH}?done={done}&feed={report.feed_id}")

    async def pause(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        return await self._set_paused(request, paused=True)

    async def resume(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        return await self._set_paused(request, paused=False)

    async def _set_paused(self, request: web.Request, *, paused: bool) -> web.StreamResponse:
        form = await self.ws.checked_form(request, back=FEEDS_PATH)
        if isinstance(form, web.Response):
            return form
        feed_id = int(request.match_info["feed_id"])

        def _change() -> str | None:
            with transaction(self.ws.engine) as conn:
                if feed_store.get_feed(conn, feed_id) is None:
                    return None
                return set_feed_paused(conn, feed_id, paused, datetime.now(UTC))

        state = await asyncio.to_thread(_change)
        if state is None:
            return self.ws.message(
                request, "ops.feed_missing_title", "ops.feed_missing", status=404,
                link=(FEEDS_PATH, "ops.back_to_feeds"), feed=feed_id,
            )
        raise self.ws.redirect(request, f"{FEEDS_PATH}?done={state}&feed={feed_id}")

    # --- OPML ------------------------------------------------------------------------------
    async def import_opml(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        t = self.ws.catalog(request).text
        if request.content_type != "multipart/form-data":  # a form without its file field
            form = await self.ws.checked_form(request, back=FEEDS_PATH)
            if isinstance(form, web.Response):
                return form
            problem = t("ops.opml_missing")
            return await self._render(request, reader, status=400, import_problem=problem)
        try:
            async with asyncio.timeout(self.ws.settings.web_read_timeout):
                upload = await read_upload(request, "opml", MAX_OPML_BYTES)
        except UploadTooLarge:
            problem = t("ops.opml_too_large", size=MAX_OPML_BYTES // 1024)
            return await self._render(request, reader, status=413, import_problem=problem)
        except TimeoutError:
            return self.ws.message(request, "errors.timeout_title", "errors.timeout", status=408)
        except ValueError:  # a multipart body that does not parse
            problem = t("ops.opml_missing")
            return await self._render(request, reader, status=400, import_problem=problem)
        if not self.ws.csrf_ok(request, {CSRF_FIELD: upload.fields.get(CSRF_FIELD)}):
            return self.ws.refused_form(request, FEEDS_PATH)
        if not upload.data:
            problem = t("ops.opml_missing")
            return await self._render(request, reader, status=400, import_problem=problem)
        try:
            listed = opml_feed_list(upload.data)
        except OpmlError as exc:
            problem = t("ops.opml_refused", reason=str(exc))
            return await self._render(request, reader, status=400, import_problem=problem)
        reports = await asyncio.to_thread(
            import_feeds, self.ws.engine, listed.rows, settings=self.ws.settings
        )
        reports += [FeedReport(where, "", "skipped", reason) for where, reason in listed.skipped]
        return await self._render(request, reader, reports=reports)

    async def export(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        def _load() -> str:
            with transaction(self.ws.engine) as conn:
                return registry_opml(feed_store.list_feeds(conn))

        text = await asyncio.to_thread(_load)
        return web.Response(
            text=text,
            content_type="text/x-opml",
            headers={**HEADERS, "Content-Disposition": 'attachment; filename="monitor-feeds.opml"'},
        )
