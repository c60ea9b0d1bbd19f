"""Subscriptions: the reader's own stored queries, with a live preview of what they match.

    GET  /subscriptions                    the reader's subscriptions (``done``: what just happened)
    GET  /subscriptions/new?query=…        a new subscription (``query``: a search to save)
    POST /subscriptions/new                create it (``action=preview``: only show the preview)
    GET  /subscriptions/{id}               edit one
    POST /subscriptions/{id}               save it (``action=preview`` as above)
    POST /subscriptions/{id}/pause|resume  stop or restart its alerts
    GET  /subscriptions/{id}/delete        ask; POST deletes (with ``confirm=yes``)
    GET  /subscriptions/preview?…          the preview alone, for ``static/subscription_preview.js``
    …/subscriptions/{id}/destinations/…    its webhooks and chats (``destinations.py``)

Every statement is scoped to the signed-in reader: another reader's id answers 404 exactly
as an id that does not exist, on every route and method, operators included (the issue
gives operators subscribers to look at on the operations pages, not here). Posts carry the
CSRF token. A form is checked by ``check_preferences`` (the API's and CLI's rules) over the
API's defaults; a refused one comes back as typed, with each problem next to its field.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Connection

from monitor.catalogs import explain
from monitor.delivery.channels import KINDS
from monitor.errors import Problem
from monitor.logs import get_logger
from monitor.matching.topic_set import read_topic_names
from monitor.notify.labels import country_name
from monitor.notify.policy import DELIVERY_MODES
from monitor.store import subscribers as store
from monitor.store.db import transaction
from monitor.store.stories import alerted_stories
from monitor.subscriptions.preferences import (
    WEEKDAYS,
    Preferences,
    PreferencesInput,
    Vocabulary,
    check_preferences,
    input_from_row,
    topic_vocabulary,
)
from monitor.subscriptions.preview import (
    PREVIEW_DAYS,
    QueryPreview,
    StoryDocs,
    preview_matches,
    preview_window,
)
from monitor.subscriptions.topic_choice import ALL_TOPICS, choice_label
from monitor.web.api.subscription_input import base_input
from monitor.web.api.subscriptions import MAX_SUBSCRIPTIONS
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace
from monitor.web.workspace.destinations import Destinations, destination_views
from monitor.web.workspace.subscription_form import (
    FIELDS,
    FormValues,
    blank_values,
    check_query_text,
    form_input,
    match_input,
    posted_values,
    stored_values,
)

log = get_logger(__name__)
SAMPLE_SIZE = 10
DONE = ("created", "saved", "paused", "resumed", "deleted")
DESTINATION_DONE = ("enabled", "removed")


@dataclass(frozen=True, slots=True)
class PreviewView:
    """The preview as the page shows it: the query's notes, and the matches when the
    matching fields are accepted (else the problems that keep it from running)."""

    query: Any  # QueryCheck | None
    result: QueryPreview | None
    problems: tuple[Problem, ...]


def own_subscription(
    conn: Connection, reader: Reader, subscription_id: int
) -> store.SubscriptionRow | None:
    """The subscription ``subscription_id`` if it is this reader's, else None (as missing)."""
    row = store.get_subscription(conn, subscription_id)
    return row if row is not None and row.subscriber_id == reader.subscriber_id else None


def reader_base(reader: Reader) -> PreferencesInput:
    return base_input(reader.email, reader.zone.key)


class Subscriptions:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.docs = StoryDocs()

    def routes(self) -> list[web.RouteDef]:
        signed_in = self.ws.signed_in
        one = "/subscriptions/{subscription_id:[0-9]{1,18}}"
        return [
            web.get("/subscriptions", signed_in(self.listing)),
            web.get("/subscriptions/new", signed_in(self.new)),
            web.post("/subscriptions/new", signed_in(self.create)),
            web.get("/subscriptions/preview", signed_in(self.preview_fragment)),
            web.get(one, signed_in(self.edit)),
            web.post(one, signed_in(self.save)),
            web.post(one + "/pause", signed_in(self.pause)),
            web.post(one + "/resume", signed_in(self.resume)),
            web.get(one + "/delete", signed_in(self.ask_delete)),
            web.post(one + "/delete", signed_in(self.delete)),
            *Destinations(self.ws, self.edit_with).routes(),
        ]

    def vocabulary(self) -> Vocabulary:
        return topic_vocabulary(*self.ws.settings.topic_files())

    def topic_names(self) -> dict[str, str]:
        """The loaded topics' id → name, in file-name order (the topic select's options)."""
        return read_topic_names(self.ws.settings.topic_files())

    @staticmethod
    def _topic_label(names: dict[str, str], topic: str, t: Any) -> str:
        return str(t("subs.topic_all")) if topic == ALL_TOPICS else choice_label(names, topic)

    # --- reading ---------------------------------------------------------------------------
    async def listing(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        def _load() -> list[store.SubscriptionRow]:
            with transaction(self.ws.engine) as conn:
                return store.list_subscriptions(conn, reader.subscriber_id)

        rows = await asyncio.to_thread(_load)
        cat = self.ws.catalog(request)
        t = cat.text
        names = self.topic_names()
        done = request.query.get("done", "")
        return self.ws.page(
            request,
            "subscriptions.html.j2",
            title=t("subs.title"),
            items=[self._summary(row, reader, cat, names) for row in rows],
            done=t(f"subs.done_{done}") if done in DONE else "",
            limit=MAX_SUBSCRIPTIONS,
        )

    def _summary(
        self, row: store.SubscriptionRow, reader: Reader, cat: i18n.Catalog, names: dict[str, str]
    ) -> dict[str, Any]:
        t = cat.text
        filters = row.filters if isinstance(row.filters, dict) else {}
        person = store.SubscriberRow(
            reader.subscriber_id, reader.email, "", reader.zone.key, True, "active"
        )
        checked = check_preferences(input_from_row(row, person), self.vocabulary(), advice=False)
        mode = t(f"mode.{row.mode}") if row.mode in DELIVERY_MODES else row.mode
        return {
            "id": row.id,
            "name": row.name or t("story.subscription_unnamed"),
            "query": row.query or "",
            "topic": self._topic_label(names, row.topic, t),
            "countries": [country_name(str(c)) for c in filters.get("countries") or []],
            "categories": [self._category(str(c), t) for c in filters.get("categories") or []],
            "languages": [str(c) for c in filters.get("languages") or []],
            "outlets": [str(c) for c in filters.get("outlets") or []],
            "min_score": filters.get("min_score"),
            "mode": mode,
            "digest": row.mode != "immediate",
            "digest_time": row.digest_time,
            "quiet": f"{row.quiet_start}–{row.quiet_end}" if row.quiet_start else "",
            "daily_cap": row.daily_cap,
            "volume_alerts": row.volume_alerts,
            "paused": row.paused,
            "not_delivered": [self._problem(p, cat) for p in checked]
            if isinstance(checked, list)
            else [],
        }

    @staticmethod
    def _category(slug: str, t: Any) -> str:
        key = f"category.{slug}"
        return str(t(key)) if i18n.catalog("en").has(key) else slug

    @staticmethod
    def _problem(problem: Problem, cat: i18n.Catalog) -> dict[str, str]:
        key = f"subs.field_{problem.field}"
        label = cat.text(key) if cat.has(key) else problem.field
        anchor = problem.field if problem.field in FIELDS else "name"
        return {"field": anchor, "label": label, "message": explain(cat, problem)}

    async def new(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        values = blank_values(request.query.get("query", ""), self.vocabulary().default_topic)
        return await self._form(request, reader, None, values, problems=())

    async def edit(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        row = await self._own(reader, request)
        if row is None:
            return self._missing(request)
        return await self._form(request, reader, row, stored_values(row), problems=())

    async def edit_with(
        self, request: web.Request, reader: Reader, *, status: int, **extra: Any
    ) -> web.StreamResponse:
        """The edit page with ``extra`` context (a refused destination, as typed)."""
        row = await self._own(reader, request)
        if row is None:
            return self._missing(request)
        return await self._form(
            request, reader, row, stored_values(row), problems=(), status=status, **extra
        )

    async def preview_fragment(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        values = posted_values(request.query)
        preview = await asyncio.to_thread(self._preview, values, reader)
        return self.ws.fragment(
            request, "_subscription_preview.html.j2", **self._preview_context(preview, request, reader.zone)
        )

    # --- writing ---------------------------------------------------------------------------
    async def create(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        values = posted_values(form)
        if form.get("action") == "preview":
            return await self._form(request, reader, None, values, problems=())
        checked = check_preferences(form_input(values, reader_base(reader)), self.vocabulary())
        if isinstance(checked, list):
            return await self._form(request, reader, None, values, problems=checked, status=422)

        def _insert() -> int | None:
            with transaction(self.ws.engine) as conn:
                if len(store.list_subscriptions(conn, reader.subscriber_id)) >= MAX_SUBSCRIPTIONS:
                    return None
                return store.add_subscription(
                    conn, reader.subscriber_id, now=datetime.now(UTC), name=checked.name,
                    paused=False, **checked.subscription_values(),
                )

        new_id = await asyncio.to_thread(_insert)
        if new_id is None:
            too_many = Problem(
                "name", f"a reader has at most {MAX_SUBSCRIPTIONS} subscriptions; delete one first"
            )
            return await self._form(request, reader, None, values, problems=[too_many], status=422)
        log.info("web.subscription_created", subscriber_id=reader.subscriber_id,
                 subscription_id=new_id)
        raise self.ws.redirect(request, "/subscriptions?done=created")

    async def save(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        row = await self._own(reader, request)
        if row is None:
            return self._missing(request)
        values = posted_values(form)
        if form.get("action") == "preview":
            return await self._form(request, reader, row, values, problems=())
        checked = check_preferences(form_input(values, reader_base(reader)), self.vocabulary())
        if isinstance(checked, list):
            return await self._form(request, reader, row, values, problems=checked, status=422)
        changed = await asyncio.to_thread(self._update, reader, row.id, checked)
        if not changed:  # deleted (or given away) between the read and the write
            return self._missing(request)
        log.info("web.subscription_saved", subscriber_id=reader.subscriber_id,
                 subscription_id=row.id)
        raise self.ws.redirect(request, "/subscriptions?done=saved")

    def _update(self, reader: Reader, subscription_id: int, checked: Preferences) -> bool:
        with transaction(self.ws.engine) as conn:
            if own_subscription(conn, reader, subscription_id) is None:
                return False
            return store.set_subscription(
                conn, subscription_id, now=datetime.now(UTC), name=checked.name,
                **checked.subscription_values(),
            )

    async def pause(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        return await self._set_paused(request, reader, paused=True)

    async def resume(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        return await self._set_paused(request, reader, paused=False)

    async def _set_paused(
        self, request: web.Request, reader: Reader, *, paused: bool
    ) -> web.StreamResponse:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        subscription_id = int(request.match_info["subscription_id"])

        # As in the API: pausing never re-checks the rest, so a subscription saved before a
        # rule existed can still be paused.
        def _set() -> bool:
            with transaction(self.ws.engine) as conn:
                if own_subscription(conn, reader, subscription_id) is None:
                    return False
                return store.set_subscription(
                    conn, subscription_id, now=datetime.now(UTC), paused=paused
                )

        if not await asyncio.to_thread(_set):
            return self._missing(request)
        log.info("web.subscription_paused" if paused else "web.subscription_resumed",
                 subscriber_id=reader.subscriber_id, subscription_id=subscription_id)
        raise self.ws.redirect(request, f"/subscriptions?done={'paused' if paused else 'resumed'}")

    async def ask_delete(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        row = await self._own(reader, request)
        if row is None:
            return self._missing(request)
        return self._confirm_page(request, row)

    def _confirm_page(self, request: web.Request, row: store.SubscriptionRow) -> web.Response:
        t = self.ws.catalog(request).text
        return self.ws.page(
            request,
            "subscription_delete.html.j2",
            title=t("subs.delete_title"),
            subscription={
                "id": row.id,
                "name": row.name or t("story.subscription_unnamed"),
                "query": row.query or "",
            },
        )

    async def delete(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        row = await self._own(reader, request)
        if row is None:
            return self._missing(request)
        if form.get("confirm") != "yes":
            return self._confirm_page(request, row)

        def _delete() -> bool:
            with transaction(self.ws.engine) as conn:
                if own_subscription(conn, reader, row.id) is None:
                    return False
                return store.delete_subscription(conn, row.id)

        if not await asyncio.to_thread(_delete):
            return self._missing(request)
        log.info("web.subscription_deleted", subscriber_id=reader.subscriber_id,
                 subscription_id=row.id)
        raise self.ws.redirect(request, "/subscriptions?done=deleted")

    # --- shared ----------------------------------------------------------------------------
    async def _own(self, reader: Reader, request: web.Request) -> store.SubscriptionRow | None:
        subscription_id = int(request.match_info["subscription_id"])

        def _load() -> store.SubscriptionRow | None:
            with transaction(self.ws.engine) as conn:
                return own_subscription(conn, reader, subscription_id)

        return await asyncio.to_thread(_load)

    def _missing(self, request: web.Request) -> web.Response:
        return self.ws.message(
            request,
            "subs.missing_title",
            "subs.missing",
            status=404,
            link=("/subscriptions", "subs.back"),
        )

    def _preview(self, values: FormValues, reader: Reader) -> PreviewView:
        query = check_query_text(str(values.get("query", "")))
        checked = check_preferences(match_input(values, reader_base(reader)), self.vocabulary())
        if isinstance(checked, list):
            return PreviewView(query, None, tuple(checked))
        since, first_day = preview_window(datetime.now(UTC), reader.zone)
        with transaction(self.ws.engine) as conn:
            stories = alerted_stories(conn, since)
        result = preview_matches(
            stories,
            checked.query,
            checked.filters.as_json(),
            zone=reader.zone,
            first_day=first_day,
            doc_of=self.docs,
            topic=checked.topic,
        )
        return PreviewView(query, result, ())

    def _preview_context(
        self, preview: PreviewView, request: web.Request, zone: Any
    ) -> dict[str, Any]:
        cat = self.ws.catalog(request)
        result = preview.result
        view: dict[str, Any] = {
            "query_check": preview.query,
            "preview_problems": [self._problem(p, cat) for p in preview.problems],
            "preview": None,
            "days": PREVIEW_DAYS,
        }
        if result is not None:
            busiest = max(result.busiest, 1)
            view["preview"] = {
                "matched": len(result.matched),
                "considered": result.considered,
                "busiest": result.busiest,
                "days": [
                    {
                        "day": d.day.isoformat(),
                        "count": d.count,
                        # Bar geometry for the SVG chart (attributes, never inline style).
                        "height": round(100 * d.count / busiest, 1),
                    }
                    for d in result.per_day
                ],
                "sample": [
                    {
                        "story_id": row.id,
                        "title": row.title,
                        "outlet": row.credited_outlet,
                        "seen": i18n.local_time(row.first_seen_at, zone),
                        "seen_iso": row.first_seen_at.astimezone(UTC).isoformat(),
                    }
                    for row in result.matched[:SAMPLE_SIZE]
                ],
            }
        return view

    async def _form(
        self,
        request: web.Request,
        reader: Reader,
        row: store.SubscriptionRow | None,
        values: FormValues,
        *,
        problems: Any,
        status: int = 200,
        **extra: Any,
    ) -> web.Response:
        preview = await asyncio.to_thread(self._preview, values, reader)
        destinations: list[dict[str, Any]] = []
        if row is not None:

            def _destinations() -> list[dict[str, Any]]:
                with transaction(self.ws.engine) as conn:
                    return destination_views(conn, row.id)

            destinations = await asyncio.to_thread(_destinations)
        cat = self.ws.catalog(request)
        t = cat.text
        vocabulary = self.vocabulary()
        errors = {p.field: explain(cat, p) for p in problems}
        chosen_countries = [str(c) for c in values.get("countries", [])]
        chosen_categories = [str(c) for c in values.get("categories", [])]
        # A stored value the topics no longer know stays shown (and ticked), so saving the
        # form never drops it silently: the check names it instead.
        countries = sorted(set(vocabulary.countries or ()) | set(chosen_countries))
        categories = list(vocabulary.categories) + [
            c for c in chosen_categories if c not in vocabulary.categories
        ]
        # The loaded topics, then "all"; a stored topic no longer loaded stays chosen (and
        # the check names it), as for countries and categories.
        names = self.topic_names()
        chosen_topic = str(values.get("topic") or "")
        topics = [(slug, name) for slug, name in names.items()]
        if chosen_topic and chosen_topic != ALL_TOPICS and chosen_topic not in names:
            topics.append((chosen_topic, chosen_topic))
        topics.append((ALL_TOPICS, str(t("subs.topic_all"))))
        action = f"/subscriptions/{row.id}" if row else "/subscriptions/new"
        title = t("subs.edit_title") if row else t("subs.new_title")
        return self.ws.page(
            request,
            "subscription_form.html.j2",
            title=title,
            status=status,
            action=action,
            subscription={"id": row.id, "paused": row.paused} if row else None,
            values=values,
            errors=errors,
            problems=[self._problem(p, cat) for p in problems],
            choices={
                "countries": sorted(
                    ((code, country_name(code)) for code in countries), key=lambda c: c[1]
                ),
                "categories": [(c, self._category(c, t)) for c in categories],
                "topics": topics,
                "modes": [(m, t(f"mode.{m}")) for m in DELIVERY_MODES],
                "weekdays": [(str(n), t(f"subs.weekday_{day}")) for n, day in enumerate(WEEKDAYS)],
                "kinds": [(k, t(f"dest.kind_{k}")) for k in KINDS],
            },
            destinations=destinations,
            destination_done=(
                t(f"dest.done_{done}")
                if (done := request.query.get("destination", "")) in DESTINATION_DONE
                else ""
            ),
            destination_error=extra.pop("destination_error", ""),
            destination_typed=extra.pop("destination_typed", {"kind": "webhook", "target": ""}),
            **self._preview_context(preview, request, reader.zone),
        )
