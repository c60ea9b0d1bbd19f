"""Operations › Subscribers: every subscriber, filtered and paged, with what an operator
does to one.

    GET  /operations/subscribers                        ?q= &status= &after= | &before=
    POST /operations/subscribers/{id}/pause-delivery    send them nothing until resumed
    POST /operations/subscribers/{id}/resume-delivery   deliver again
    POST /operations/subscribers/{id}/resend-confirmation

The list is in id order, in keyset pages (``keyset``); the filter is an address substring
and a standing. The actions are ``monitor.subscriptions.subscriber_actions``'s, as ``monitor
subscriber pause-delivery | resume-delivery | resend-confirmation`` (the same functions,
audited the same way); each answers with the list where the operator was and what was
done. Operators only (``Workspace.operator_only``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from monitor.store import outbox
from monitor.store import subscribers as store
from monitor.store.db import transaction
from monitor.subscriptions.subscriber_actions import resend_confirmation, set_delivery
from monitor.web.workspace.context import Reader, Workspace
from monitor.web.workspace.keyset import (
    SUBSCRIBER_CURSOR,
    Asked,
    asked_page,
    pager,
    subscriber_cursor,
)
from monitor.web.workspace.operations import SECTIONS

SUBSCRIBERS_PATH = "/operations/subscribers"
PAGE_SIZE = 25  # as Latest and Search
MAX_FILTER_CHARS = 320  # an address's longest
BOUNCES_SHOWN = 50
ACTIONS = ("pause-delivery", "resume-delivery", "resend-confirmation")
# What the page says after an action (``?done=…``): the catalog key, and whether it is a
# refusal (shown as an alert) rather than done.
OUTCOMES = {
    "paused": ("ops.subscriber_paused", False),
    "resumed": ("ops.subscriber_resumed", False),
    "already_paused": ("ops.subscriber_already_paused", False),
    "already_active": ("ops.subscriber_already_active", False),
    "unsubscribed": ("ops.subscriber_refused_unsubscribed", True),
    "bouncing": ("ops.subscriber_refused_bouncing", True),
    "queued": ("ops.confirmation_queued", False),
    "already_confirmed": ("ops.confirmation_already_confirmed", True),
    "not_queued": ("ops.confirmation_not_queued", True),
}


@dataclass(frozen=True, slots=True)
class SubscriberView:
    """A subscribers URL understood: the filter, the page asked for, and the problems of
    what was ignored (catalog keys)."""

    wanted: store.SubscriberFilter
    asked: Asked
    problems: tuple[str, ...] = ()

    def query(self, **cursor: str) -> str:
        """This filter's query string, with ``after`` or ``before`` (if given)."""
        values = {"q": self.wanted.contains, "status": self.wanted.standing, **cursor}
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def here(self) -> str:
        """The query string of this very page (filter and cursor), to come back to."""
        if self.asked.direction == "first":
            return self.query()
        return self.query(**{self.asked.direction: self.asked.cursor})


def parse_view(query: Mapping[str, str]) -> SubscriberView:
    """The filter and page a URL asks for; what is not understood is left out and named."""
    problems = []
    contains = (query.get("q") or "").strip()
    if len(contains) > MAX_FILTER_CHARS:
        contains, problems = "", ["ops.filter_too_long"]
    standing = (query.get("status") or "").strip()
    if standing and standing not in store.SUBSCRIBER_STANDINGS:
        standing = ""
        problems.append("ops.filter_unknown_status")
    asked = asked_page(query, SUBSCRIBER_CURSOR)
    if asked.bad:
        problems.append("ops.bad_cursor")
    return SubscriberView(store.SubscriberFilter(contains, standing), asked, tuple(problems))


def subscriber_rows(
    people: Sequence[store.SubscriberRow],
    subscription_counts: Mapping[int, int],
    failed_counts: Mapping[int, int],
) -> list[dict[str, Any]]:
    """One row per subscriber: standing, subscriptions, failed emails, and which actions
    apply (resume: paused or bouncing; pause: active; resend: not confirmed)."""
    return [
        {
            "id": p.id,
            "email": p.email,
            "name": p.display_name,
            "confirmed": bool(p.confirmed),
            "status": p.status,
            "reason": p.status_reason or "",
            "bouncing": p.status == "bouncing",
            "subscriptions": subscription_counts.get(p.id, 0),
            "failed": failed_counts.get(p.id, 0),
            "can_pause": p.status == "active",
            "can_resume": p.status in ("paused", "bouncing"),
            "can_resend": not p.confirmed and p.status != "unsubscribed",
        }
        for p in people
    ]


class SubscribersAdmin:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        only = self.ws.operator_only
        one = SUBSCRIBERS_PATH + "/{subscriber_id:[0-9]{1,9}}/"
        return [
            web.get(SUBSCRIBERS_PATH, only(self.page)),
            *(web.post(one + action, only(self.act)) for action in ACTIONS),
        ]

    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        view = parse_view(request.query)
        asked = view.asked

        def _load() -> tuple[list[store.SubscriberRow], int, list[Any], dict[int, int], Any]:
            after = subscriber_cursor(asked.cursor) if asked.direction == "after" else None
            before = subscriber_cursor(asked.cursor) if asked.direction == "before" else None
            with transaction(self.ws.engine) as conn:
                people = store.subscriber_page(
                    conn, view.wanted, limit=PAGE_SIZE + 1, after=after, before=before
                )
                total = store.count_subscribers(conn, view.wanted)
                bouncing = store.subscriber_page(
                    conn, store.SubscriberFilter(standing="bouncing"), limit=BOUNCES_SHOWN
                )
                ids = [p.id for p in people]
                owned = store.subscription_counts(conn, ids)
                failed = outbox.failed_counts(conn, ids)
            return people, total, bouncing, owned, failed

        people, total, bouncing, owned, failed = await asyncio.to_thread(_load)
        more = len(people) > PAGE_SIZE
        # A page back read the rows before the cursor: the one beyond is the first.
        shown = people[1:] if more and asked.direction == "before" else people[:PAGE_SIZE]
        links = pager([str(p.id) for p in shown], more=more, asked=asked)
        t = self.ws.catalog(request).text
        done = request.query.get("done", "")
        notice = OUTCOMES.get(done)
        who = request.query.get("who", "")
        return self.ws.page(
            request,
            "operations_subscribers.html.j2",
            title=t("ops.subscribers_title"),
            section="subscribers",
            sections=SECTIONS,
            subscribers=subscriber_rows(shown, owned, failed),
            total=total,
            bouncing=[{"email": p.email, "reason": p.status_reason or ""} for p in bouncing],
            wanted=view.wanted,
            standings=store.SUBSCRIBER_STANDINGS,
            problems=view.problems,
            previous_url=(
                f"{SUBSCRIBERS_PATH}?{view.query(before=links.previous)}" if links.previous else ""
            ),
            next_url=f"{SUBSCRIBERS_PATH}?{view.query(after=links.next)}" if links.next else "",
            view=view.here,
            notice=notice[0] if notice else "",
            refused=bool(notice and notice[1]),
            who=who if who.isascii() and who.isdigit() and len(who) < 10 else "",
        )

    async def act(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self.ws.checked_form(request, back=SUBSCRIBERS_PATH)
        if isinstance(form, web.Response):
            return form
        subscriber_id = int(request.match_info["subscriber_id"])
        action = request.path.rsplit("/", 1)[1]
        # Back to the list where the operator was, re-read (never a URL taken as given).
        view = parse_view(dict(parse_qsl(str(form.get("view") or "")[:2000])))

        def _act() -> Any:
            if action == "resend-confirmation":
                return resend_confirmation(
                    self.ws.settings, self.ws.engine, subscriber_id, by=reader.email
                )
            pause = action == "pause-delivery"
            return set_delivery(self.ws.engine, subscriber_id, pause=pause, by=reader.email)

        done = await asyncio.to_thread(_act)
        if done.subscriber_id is None:
            return self.ws.message(
                request,
                "ops.subscriber_missing_title",
                "ops.subscriber_missing",
                status=404,
                link=(SUBSCRIBERS_PATH, "ops.back_to_subscribers"),
                who=subscriber_id,
            )
        back = view.here
        result = urlencode({"done": done.outcome, "who": subscriber_id})
        location = f"{SUBSCRIBERS_PATH}?{back + '&' if back else ''}{result}"
        raise self.ws.redirect(request, f"{location}#subscriber-{subscriber_id}")
