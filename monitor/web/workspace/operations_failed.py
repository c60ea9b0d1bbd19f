"""Operations › Failed deliveries: emails and chat/webhook messages that failed for good,
and their retry.

    GET  /operations/failed          newest first, in keyset pages (?after= | ?before=)
    POST /operations/failed/retry    one item (``one``) or those ticked (``selected``)

The list is ``monitor.store.failed_deliveries``'s; the retry is
``monitor.delivery.retry.retry_failed``, as ``monitor subscriber retry`` (the same
function, audited the same way): the item is made due again as it is, so the mailer or the
dispatcher sends it once more with the same Message-ID or delivery id. Operators only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from monitor.delivery.retry import MAX_RETRY, RetryReport, parse_refs, retry_failed
from monitor.store import failed_deliveries as store
from monitor.store.db import transaction
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace
from monitor.web.workspace.keyset import (
    FAILED_CURSOR,
    Asked,
    asked_page,
    decode_failed_key,
    encode_failed_key,
    pager,
)
from monitor.web.workspace.operations import SECTIONS

FAILED_PATH = "/operations/failed"
PAGE_SIZE = 25  # as Latest and Search
MAX_REASON_CHARS = 300


def item_view(item: store.FailedDelivery, zone: ZoneInfo) -> dict[str, Any]:
    """One row of the list (values are escaped by the template)."""
    return {
        "ref": f"{item.source}:{item.id}",
        "source": item.source,
        "id": item.id,
        "channel": item.channel,
        "target": item.target,
        "kind": item.kind,
        "subscriber_id": item.subscriber_id or "",
        "subscriber": item.subscriber_email,
        "attempts": item.attempts,
        "reason": item.reason[:MAX_REASON_CHARS],
        "created": i18n.local_time(item.created_at, zone),
        "created_iso": item.created_at.astimezone(UTC).isoformat(),
        "disabled": not item.destination_enabled,
    }


def asked_of(query: Any) -> tuple[Asked, store.FailedKey | None]:
    """The page a query string asks for, with its cursor decoded (a bad one: the first)."""
    asked = asked_page(query, FAILED_CURSOR)
    key = decode_failed_key(asked.cursor) if asked.cursor else None
    if asked.cursor and key is None:
        return Asked(bad=True), None
    return asked, key


def result_view(report: RetryReport) -> dict[str, Any]:
    return {
        "requeued": len(report.requeued),
        "waiting": [str(r) for r in report.waiting],
        "refused": [(str(r), why) for r, why in report.refused],
    }


class FailedAdmin:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        only = self.ws.operator_only
        return [
            web.get(FAILED_PATH, only(self.page)),
            web.post(FAILED_PATH + "/retry", only(self.retry)),
        ]

    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        return await self._render(request, reader, request.query)

    async def _render(
        self,
        request: web.Request,
        reader: Reader,
        query: Any,
        *,
        status: int = 200,
        problem: str = "",
        result: dict[str, Any] | None = None,
    ) -> web.Response:
        asked, key = asked_of(query)

        def _load() -> tuple[list[store.FailedDelivery], int]:
            after = key if asked.direction == "after" else None
            before = key if asked.direction == "before" else None
            with transaction(self.ws.engine) as conn:
                rows = store.failed_page(conn, limit=PAGE_SIZE + 1, after=after, before=before)
                return rows, store.count_failed(conn)

        rows, total = await asyncio.to_thread(_load)
        more = len(rows) > PAGE_SIZE
        shown: Sequence[store.FailedDelivery] = (
            rows[1:] if more and asked.direction == "before" else rows[:PAGE_SIZE]
        )
        links = pager([encode_failed_key(r.key) for r in shown], more=more, asked=asked)
        here = "" if asked.direction == "first" else urlencode({asked.direction: asked.cursor})
        t = self.ws.catalog(request).text
        return self.ws.page(
            request,
            "operations_failed.html.j2",
            title=t("ops.failed_deliveries_title"),
            status=status,
            section="failed",
            sections=SECTIONS,
            items=[item_view(r, reader.zone) for r in shown],
            total=total,
            bad_cursor=asked.bad,
            previous_url=(
                f"{FAILED_PATH}?{urlencode({'before': links.previous})}" if links.previous else ""
            ),
            next_url=f"{FAILED_PATH}?{urlencode({'after': links.next})}" if links.next else "",
            view=here,
            problem=problem,
            result=result,
        )

    async def retry(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self.ws.checked_form(request, back=FAILED_PATH)
        if isinstance(form, web.Response):
            return form
        t = self.ws.catalog(request).text
        # Back to the page the operator was on, re-read (never a URL taken as given).
        query = dict(parse_qsl(str(form.get("view") or "")[:500]))
        one = form.get("one")
        values = [str(one)] if one else [str(v) for v in form.getall("selected", [])]
        refs, bad = parse_refs(values[: MAX_RETRY + 1])
        if bad or not refs or len(refs) > MAX_RETRY:
            problem = t("ops.retry_nothing") if not values else t("ops.retry_bad_items")
            return await self._render(request, reader, query, status=400, problem=problem)
        report = await asyncio.to_thread(
            retry_failed, self.ws.engine, refs, by=reader.email, now=datetime.now(UTC)
        )
        return await self._render(request, reader, query, result=result_view(report))
