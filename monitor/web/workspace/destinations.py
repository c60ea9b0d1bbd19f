"""Where a subscription is delivered besides email: its webhooks and chats, from the web.

    POST /subscriptions/{id}/destinations                    add one (kind, target)
    POST /subscriptions/{id}/destinations/{d}/test           send a test message now
    POST /subscriptions/{id}/destinations/{d}/enable         turn it back on after a refusal
    GET  /subscriptions/{id}/destinations/{d}/remove         ask; POST removes (``confirm=yes``)

The list itself is on the subscription's edit page (``destination_views``). Every route
answers 404 unless the subscription is the signed-in reader's and the destination is that
subscription's, exactly as a missing id. The work is the CLI's (``monitor subscriber
destination …``): ``create_destination`` checks the target with the same rules and address
policy, ``send_trial`` posts the test through the dispatcher's path, and the store's
``remove_destination``/``set_enabled`` change the row. Targets are shown redacted
(``target_hint``), as the CLI lists them; a webhook's signing secret only once, on the page
that answers its creation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Connection

from monitor.delivery.channels import KINDS
from monitor.delivery.commands import NewDestination, create_destination, send_trial
from monitor.errors import InputError
from monitor.logs import get_logger
from monitor.store import channel_ledger as ledger
from monitor.store import subscribers as subscriber_store
from monitor.store.db import transaction
from monitor.web.limits import RateLimiter
from monitor.web.workspace.context import Reader, Workspace

log = get_logger(__name__)
MAX_TARGET_CHARS = 2_000


def destination_views(conn: Connection, subscription_id: int) -> list[dict[str, Any]]:
    """A subscription's destinations as its edit page lists them: never the target itself."""
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "target": row.target_hint,
            "enabled": row.enabled,
            "disabled_reason": row.disabled_reason or "",
        }
        for row in ledger.list_destinations(conn, subscription_id=subscription_id)
    ]


def is_own_subscription(conn: Connection, reader: Reader, subscription_id: int) -> bool:
    """Whether subscription ``subscription_id`` is this reader's (else it counts as missing)."""
    row = subscriber_store.get_subscription(conn, subscription_id)
    return row is not None and row.subscriber_id == reader.subscriber_id


def own_destination(
    conn: Connection, reader: Reader, subscription_id: int, destination_id: int
) -> ledger.DestinationRow | None:
    """The destination if it belongs to this reader's subscription ``subscription_id``."""
    row = ledger.get_destination(conn, destination_id)
    if row is None or row.subscription_id != subscription_id:
        return None
    return row if row.subscriber_id == reader.subscriber_id else None


TRIAL_BURST = 5
TRIALS_PER_SECOND = 1 / 60


class Destinations:
    def __init__(
        self, workspace: Workspace, edit_page: Callable[..., Awaitable[web.StreamResponse]]
    ) -> None:
        """``edit_page(request, reader, **context)``: the subscription's edit page (the
        subscriptions module's), shown again after a refused add."""
        self.ws = workspace
        self.edit_page = edit_page
        # "Send a test message" posts into a real room: a few in a row, then one a minute
        # per destination, so the button cannot be used to flood a channel.
        self.trials = RateLimiter(rate=TRIALS_PER_SECOND, burst=TRIAL_BURST)

    def routes(self) -> list[web.RouteDef]:
        signed_in = self.ws.signed_in
        base = "/subscriptions/{subscription_id:[0-9]{1,18}}/destinations"
        one = base + "/{destination_id:[0-9]{1,18}}"
        return [
            web.post(base, signed_in(self.add)),
            web.post(one + "/test", signed_in(self.test)),
            web.post(one + "/enable", signed_in(self.enable)),
            web.get(one + "/remove", signed_in(self.ask_remove)),
            web.post(one + "/remove", signed_in(self.remove)),
        ]

    @staticmethod
    def _ids(request: web.Request) -> tuple[int, int]:
        return (
            int(request.match_info["subscription_id"]),
            int(request.match_info.get("destination_id", "0")),
        )

    def _back(self, subscription_id: int) -> str:
        return f"/subscriptions/{subscription_id}#destinations"

    def _missing(self, request: web.Request) -> web.Response:
        return self.ws.message(
            request, "dest.missing_title", "dest.missing", status=404,
            link=("/subscriptions", "subs.back"),
        )

    async def _checked_form(self, request: web.Request) -> Any:
        return await self.ws.checked_form(request, back=self._back(self._ids(request)[0]))

    async def _own(self, request: web.Request, reader: Reader) -> ledger.DestinationRow | None:
        subscription_id, destination_id = self._ids(request)

        def _load() -> ledger.DestinationRow | None:
            with transaction(self.ws.engine) as conn:
                return own_destination(conn, reader, subscription_id, destination_id)

        return await asyncio.to_thread(_load)

    # --- add -------------------------------------------------------------------------------
    async def add(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self._checked_form(request)
        if isinstance(form, web.Response):
            return form
        subscription_id, _ = self._ids(request)

        def _owned() -> bool:
            with transaction(self.ws.engine) as conn:
                return is_own_subscription(conn, reader, subscription_id)

        if not await asyncio.to_thread(_owned):
            return self._missing(request)
        kind = str(form.get("kind", ""))[:40]
        target = str(form.get("target", ""))[:MAX_TARGET_CHARS].strip()
        new = NewDestination(subscription_id, kind, target)
        try:
            # ``owner`` checks again in the insert's transaction (deleted meanwhile: refused).
            created = await asyncio.to_thread(
                create_destination, self.ws.settings, self.ws.engine, new,
                owner=reader.subscriber_id,
            )
        except InputError as exc:
            return await self.edit_page(
                request, reader, status=422,
                destination_error=str(exc), destination_typed={"kind": kind, "target": target},
            )
        log.info("web.destination_added", subscriber_id=reader.subscriber_id,
                 subscription_id=subscription_id, destination_id=created.id, kind=kind)
        t = self.ws.catalog(request).text
        telegram_note = kind == "telegram" and not (
            self.ws.settings.telegram_bot_token.get_secret_value()
        )
        return self.ws.page(
            request,
            "destination_result.html.j2",
            title=t("dest.added_title"),
            outcome={
                "ok": True,
                "text": t("dest.added", kind=t(f"dest.kind_{kind}"), target=created.hint),
                "disabled": False,
            },
            secret=created.signing_secret or "",
            telegram_note=telegram_note,
            back=self._back(subscription_id),
        )

    # --- test ------------------------------------------------------------------------------
    async def test(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self._checked_form(request)
        if isinstance(form, web.Response):
            return form
        row = await self._own(request, reader)
        if row is None:
            return self._missing(request)
        if not self.trials.allow(f"destination:{row.id}"):
            log.warning("web.destination_test_limited", subscriber_id=reader.subscriber_id,
                        destination_id=row.id)
            return self.ws.message(request, "errors.busy_title", "errors.busy", status=429)
        try:
            outcome = await send_trial(self.ws.settings, self.ws.engine, row.id)
        except InputError:  # removed meanwhile
            return self._missing(request)
        sent = outcome.kind == "sent"
        log.info("web.destination_tested", subscriber_id=reader.subscriber_id,
                 destination_id=row.id, outcome=outcome.kind)
        t = self.ws.catalog(request).text
        text = t("dest.test_sent", reason=outcome.reason) if sent else t(
            "dest.test_failed", reason=outcome.reason
        )
        return self.ws.page(
            request,
            "destination_result.html.j2",
            title=t("dest.test_title"),
            status=200,
            outcome={"ok": sent, "text": text, "disabled": outcome.disable},
            secret="",
            telegram_note=False,
            back=self._back(row.subscription_id),
        )

    # --- enable ----------------------------------------------------------------------------
    async def enable(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self._checked_form(request)
        if isinstance(form, web.Response):
            return form
        subscription_id, destination_id = self._ids(request)

        def _enable() -> bool:
            with transaction(self.ws.engine) as conn:
                if own_destination(conn, reader, subscription_id, destination_id) is None:
                    return False
                return ledger.set_enabled(
                    conn, destination_id, enabled=True, reason=None, now=datetime.now(UTC)
                )

        if not await asyncio.to_thread(_enable):
            return self._missing(request)
        log.info("web.destination_enabled", subscriber_id=reader.subscriber_id,
                 destination_id=destination_id)
        raise self.ws.redirect(
            request, f"/subscriptions/{subscription_id}?destination=enabled#destinations"
        )

    # --- remove ----------------------------------------------------------------------------
    async def ask_remove(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        row = await self._own(request, reader)
        if row is None:
            return self._missing(request)
        return self._confirm_page(request, row)

    def _confirm_page(self, request: web.Request, row: ledger.DestinationRow) -> web.Response:
        t = self.ws.catalog(request).text
        return self.ws.page(
            request,
            "destination_remove.html.j2",
            title=t("dest.remove_title"),
            destination={
                "id": row.id,
                "subscription_id": row.subscription_id,
                "kind": t(f"dest.kind_{row.kind}") if row.kind in KINDS else row.kind,
                "target": row.target_hint,
            },
            back=self._back(row.subscription_id),
        )

    async def remove(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self._checked_form(request)
        if isinstance(form, web.Response):
            return form
        row = await self._own(request, reader)
        if row is None:
            return self._missing(request)
        if form.get("confirm") != "yes":
            return self._confirm_page(request, row)

        def _remove() -> bool:
            with transaction(self.ws.engine) as conn:
                if own_destination(conn, reader, row.subscription_id, row.id) is None:
                    return False
                return ledger.remove_destination(conn, row.id)

        if not await asyncio.to_thread(_remove):
            return self._missing(request)
        log.info("web.destination_removed", subscriber_id=reader.subscriber_id,
                 destination_id=row.id)
        raise self.ws.redirect(
            request, f"/subscriptions/{row.subscription_id}?destination=removed#destinations"
        )
