"""The daemon's small HTTP server: health, metrics, one-click unsubscribe, opt-in, preferences.

Routes:
    GET  /healthz            liveness: the process answers
    GET  /readyz             readiness: database and Kafka reachable, roles heartbeating
    GET  /metrics            Prometheus metrics of every role, plus system gauges
    GET  /u/{token}          unsubscribe page (a button)
    POST /u/{token}          the button, and RFC 8058 one-click unsubscribe
    GET  /c/{token}          confirmation page (a button)
    POST /c/{token}          the button: confirms the subscription (double opt-in)
    POST /c/{token}/renew    an expired confirmation link asks for a fresh one
    GET  /p/{token}          preferences: a form per subscription (monitor/web/preferences.py)
    POST /p/{token}          pause / resume one subscription, or save its form
    GET  /f/{key}.atom|.json a subscription's private feeds (monitor/web/alert_feeds.py)
    /, /signin, /latest, /stories/{id}, /static/…   the workspace (monitor/web/workspace)
    /operations/…            the workspace's Operations, for operators only
    *    /api/v1/...         the read API for API-key holders (monitor/web/api/)

Mail scanners fetch every link (GET and HEAD), so GET only shows a page; changes are POSTs
from the page's button (monitor/web/pages.py). The token pages are in the language of the
subscriber the token names (``pages.page_language``), like their emails. Tokens are HMAC-signed and expire
(monitor/notify/tokens.py); a token acts only on rows of its own subscriber that existed
when it was issued. Token routes are rate limited per client (monitor/web/clients.py says
who the client is behind a proxy). Readiness and metrics run on threads of their own, so a
flood of either cannot hold up the token routes' database work, and a client gets
``web_read_timeout`` seconds to send a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy import Engine

from monitor.catalogs import catalog
from monitor.config import Settings, process_variable
from monitor.errors import InvalidToken
from monitor.health import Check, readiness_checks
from monitor.logs import get_logger
from monitor.matching.topic_set import read_topic_names
from monitor.notify.assemble import queue_confirmation
from monitor.notify.tokens import (
    RENEWABLE_FOR,
    Purpose,
    TokenClaims,
    verify_token,
)
from monitor.runtime.heartbeat import write_heartbeat
from monitor.store import subscribers as subscriber_store
from monitor.store.db import make_engine, transaction
from monitor.subscriptions.preferences import (
    Vocabulary,
    check_preferences,
    input_from_row,
    topic_vocabulary,
)
from monitor.web import pages
from monitor.web.alert_feeds import AlertFeeds
from monitor.web.api import ApiV1
from monitor.web.clients import client_address, parse_networks
from monitor.web.gauges import SystemGauges
from monitor.web.limits import RateLimiter
from monitor.web.preferences import (
    FormState,
    posted_input,
    posted_values,
    render_preferences,
    stored_values,
    topic_shown,
)
from monitor.web.readiness import Readiness
from monitor.web.workspace import add_workspace

log = get_logger(__name__)

# Request header limits (aiohttp's parser answers 400 beyond them): a token link's request
# line is under 600 bytes; browsers send some 20 headers.
MAX_HEADER_LINE = 8190
MAX_HEADERS = 64
# An expired token is still genuine: it names its subscriber for this long after it was
# issued, so the page saying it has expired can be in their language.
EXPIRED_STILL_NAMES = timedelta(days=100 * 365)


class RequestDeadline:
    """Close connections that have not sent a complete request within ``timeout`` seconds.

    aiohttp bounds the idle time between requests (``keepalive_timeout``, which ``serve``
    sets to the same value), but up to at least 3.14.3 not the time to send the first
    request's headers: a client dribbling a header byte now and then held a connection
    forever (slowloris). This wraps aiohttp's protocol factory so each new connection gets
    a timer, and the middleware marks the connections whose request arrived in time.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._arrived: set[object] = set()

    def wrap(self, factory: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """``factory`` (aiohttp's server) with a deadline on each connection it makes."""

        def make() -> asyncio.Protocol:
            protocol = factory()
            asyncio.get_running_loop().call_later(self.timeout, self._expire, protocol)
            return protocol

        return make

    def _expire(self, protocol: asyncio.Protocol) -> None:
        if protocol in self._arrived:
            self._arrived.discard(protocol)
            return
        transport: asyncio.Transport | None = getattr(protocol, "transport", None)
        if transport is not None and not transport.is_closing():
            peer = transport.get_extra_info("peername")
            log.warning("web.request_timeout", client=str(peer[0]) if peer else "?")
            transport.close()

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self._arrived.add(request.protocol)
        return await handler(request)


class WebApp:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.limiter = RateLimiter()
        self.trusted_proxies = parse_networks(settings.trusted_proxies)
        self.gauges = SystemGauges(settings, engine)
        self.readiness = Readiness(self._probe)
        self.deadline = RequestDeadline(settings.web_read_timeout)
        # Metrics (database and Kafka queries) on a thread of their own, like readiness.
        self._metrics_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="metrics")
        self.app = web.Application(
            client_max_size=64 * 1024, middlewares=[self.deadline.middleware]
        )
        self.app.add_routes(
            [
                web.get("/healthz", self.healthz),
                web.get("/readyz", self.readyz),
                web.get("/metrics", self.metrics),
                web.get("/u/{token}", self.unsubscribe_page),
                web.post("/u/{token}", self.unsubscribe),
                web.get("/c/{token}", self.confirm_page),
                web.post("/c/{token}", self.confirm),
                web.post("/c/{token}/renew", self.renew_confirmation),
                web.get("/p/{token}", self.preferences),
                web.post("/p/{token}", self.change_preference),
            ]
        )
        # Feed readers poll on their own schedule: a bucket of their own, a little larger.
        self.alert_feeds = AlertFeeds(settings, engine, RateLimiter(rate=1.0, burst=30), self.client)
        self.app.add_routes(self.alert_feeds.routes())
        self.workspace = add_workspace(self.app, settings, engine)
        ApiV1(settings, engine, self.client).install(self.app)  # /api/v1 (monitor/web/api/)

    def close(self) -> None:
        self.readiness.close()
        self._metrics_executor.shutdown(wait=False, cancel_futures=True)

    # --- operations ---------------------------------------------------------------------
    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "pid": os.getpid()})

    async def readyz(self, request: web.Request) -> web.Response:
        try:
            snapshot = await self.readiness.snapshot()
        except Exception as exc:  # the probe catches its own failures; this is a bug
            log.error("web.readiness_failed", error=repr(exc))
            return web.json_response({"ready": False, "error": type(exc).__name__}, status=503)
        return web.json_response(
            snapshot.as_json(self.readiness.clock()), status=200 if snapshot.ready else 503
        )

    def _probe(self) -> dict[str, Check]:
        """The readiness checks (``monitor.health``); runs on the readiness thread."""
        return readiness_checks(self.settings, self.engine)

    async def metrics(self, request: web.Request) -> web.Response:
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        registry = CollectorRegistry()
        if process_variable("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            from prometheus_client import REGISTRY

            registry = REGISTRY
        payload = generate_latest(registry)
        loop = asyncio.get_running_loop()
        payload += await loop.run_in_executor(self._metrics_executor, self.gauges.render)
        return web.Response(body=payload, headers={"Content-Type": CONTENT_TYPE_LATEST})

    # --- subscribers --------------------------------------------------------------------
    def client(self, request: web.Request) -> str:
        forwarded = request.headers.getall("X-Forwarded-For", [])
        return client_address(request.remote, forwarded, self.trusted_proxies)

    def _language(self, request: web.Request, stored: str | None) -> str:
        """The page's language: the subscriber's (``stored``), else the browser's."""
        return pages.page_language(stored, request.headers.get("Accept-Language"))

    def _stored_language(self, claims: TokenClaims) -> str | None:
        """The language of the subscriber a genuine token names (None: no such subscriber)."""
        with transaction(self.engine) as conn:
            person = subscriber_store.get_subscriber(
                conn, claims.subscriber_id, created_by=claims.rows_created_by
            )
        return person.language if person is not None else None

    async def _subscriber_language(self, request: web.Request, claims: TokenClaims) -> str:
        return self._language(request, await asyncio.to_thread(self._stored_language, claims))

    async def _claims(
        self, request: web.Request, purpose: Purpose, max_age: timedelta | None = None
    ) -> TokenClaims | web.Response:
        client = self.client(request)
        if not self.limiter.allow(client):
            return pages.message_page(
                self._language(request, None), "errors.busy_title", "errors.busy", 429
            )
        token, keys, now = request.match_info["token"], self.settings.token_keys(), datetime.now(UTC)
        try:
            return verify_token(token, keys, purpose, now, max_age)
        except InvalidToken as exc:
            log.warning("web.token_rejected", purpose=purpose, reason=exc.reason, client=client)
            language = self._language(request, None)
            if exc.reason == "expired":
                # Expired is genuine: the token still names its subscriber, and the page
                # telling them what to do is in their language.
                with contextlib.suppress(InvalidToken):
                    genuine = verify_token(token, keys, purpose, now, EXPIRED_STILL_NAMES)
                    language = await self._subscriber_language(request, genuine)
            renewable = purpose == "confirm" and exc.reason == "expired" and max_age is None
            if renewable:
                with contextlib.suppress(InvalidToken):
                    verify_token(token, keys, purpose, now, RENEWABLE_FOR)
                    return pages.link_problem(exc, purpose, f"/c/{token}/renew", language=language)
            return pages.link_problem(exc, purpose, None, language=language)

    async def _form(
        self, request: web.Request, language: str
    ) -> MultiDictProxy[Any] | web.Response:
        """The posted form, read within ``web_read_timeout`` (a slow body is a slowloris too)."""
        try:
            async with asyncio.timeout(self.settings.web_read_timeout):
                return await request.post()
        except TimeoutError:
            return pages.message_page(language, "errors.timeout_title", "errors.timeout", 408)

    async def unsubscribe_page(self, request: web.Request) -> web.Response:
        claims = await self._claims(request, "unsubscribe")
        if isinstance(claims, web.Response):
            return claims
        language = await self._subscriber_language(request, claims)
        t = catalog(language).text
        return pages.page(
            t("link.unsubscribe_title"),
            pages.text(t("link.unsubscribe_question"))
            + pages.button(f"/u/{request.match_info['token']}", t("link.unsubscribe_button")),
            language=language,
        )

    async def unsubscribe(self, request: web.Request) -> web.Response:
        claims = await self._claims(request, "unsubscribe")
        if isinstance(claims, web.Response):
            return claims
        outcome, stored = await asyncio.to_thread(self._unsubscribe, claims)
        language = self._language(request, stored)
        log.info(
            "subscriber.unsubscribed",
            subscriber_id=claims.subscriber_id,
            subscription_id=claims.subscription_id,
            outcome=outcome,
        )
        if outcome == "gone":
            return pages.message_page(language, "link.gone_title", "link.gone")
        if outcome == "paused":
            return pages.message_page(language, "link.unsubscribed_title", "link.unsubscribed_one")
        return pages.message_page(language, "link.unsubscribed_title", "link.unsubscribed_all")

    def _unsubscribe(self, claims: TokenClaims) -> tuple[str, str | None]:
        """The outcome and the subscriber's language. The outcome is 'paused' (that
        subscription; others continue), 'all' (nothing more is sent) or 'gone' (no
        subscription of this subscriber by that id: nothing changed)."""
        stored = self._stored_language(claims)
        return self._unsubscribe_rows(claims), stored

    def _unsubscribe_rows(self, claims: TokenClaims) -> str:
        now, created_by = datetime.now(UTC), claims.rows_created_by
        with transaction(self.engine) as conn:
            if claims.subscription_id is not None:
                if not subscriber_store.set_own_subscription(
                    conn,
                    claims.subscriber_id,
                    claims.subscription_id,
                    created_by=created_by,
                    now=now,
                    paused=True,
                ):
                    return "gone"
                remaining = subscriber_store.list_subscriptions(conn, claims.subscriber_id)
                if any(not s.paused for s in remaining):
                    return "paused"
            if not subscriber_store.set_subscriber(
                conn,
                claims.subscriber_id,
                created_by=created_by,
                status="unsubscribed",
                status_reason="one-click",
            ):
                return "gone"
            return "all"

    async def confirm_page(self, request: web.Request) -> web.Response:
        claims = await self._claims(request, "confirm")
        if isinstance(claims, web.Response):
            return claims

        def _load() -> subscriber_store.SubscriberRow | None:
            with transaction(self.engine) as conn:
                return subscriber_store.get_subscriber(
                    conn, claims.subscriber_id, created_by=claims.rows_created_by
                )

        subscriber = await asyncio.to_thread(_load)
        language = self._language(request, subscriber.language if subscriber else None)
        if subscriber is None:
            return pages.message_page(language, "link.not_found_title", "link.subscriber_gone", 404)
        if subscriber.confirmed:
            return pages.message_page(
                language, "link.confirmed_already_title", "link.confirmed_already"
            )
        t = catalog(language).text
        return pages.page(
            t("link.confirm_title"),
            pages.text(t("link.confirm_intro"))
            + pages.button(f"/c/{request.match_info['token']}", t("link.confirm_button")),
            language=language,
        )

    async def confirm(self, request: web.Request) -> web.Response:
        claims = await self._claims(request, "confirm")
        if isinstance(claims, web.Response):
            return claims

        def _confirm() -> str | None:
            """The subscriber's language once confirmed; None when they are gone."""
            with transaction(self.engine) as conn:
                subscriber = subscriber_store.get_subscriber(
                    conn, claims.subscriber_id, created_by=claims.rows_created_by
                )
                if subscriber is None:
                    return None
                if not subscriber.confirmed:
                    subscriber_store.set_subscriber(
                        conn, subscriber.id, confirmed=True, confirmed_at=datetime.now(UTC)
                    )
                return subscriber.language

        stored = await asyncio.to_thread(_confirm)
        language = self._language(request, stored)
        if stored is None:
            return pages.message_page(language, "link.not_found_title", "link.subscriber_gone", 404)
        log.info("subscriber.confirmed", subscriber_id=claims.subscriber_id)
        return pages.message_page(language, "link.confirmed_title", "link.confirmed")

    async def renew_confirmation(self, request: web.Request) -> web.Response:
        claims = await self._claims(request, "confirm", max_age=RENEWABLE_FOR)
        if isinstance(claims, web.Response):
            return claims
        language = await self._subscriber_language(request, claims)
        queued = await asyncio.to_thread(
            queue_confirmation, self.settings, self.engine, claims.subscriber_id, renewal=claims
        )
        log.info(
            "subscriber.confirmation_renewed", subscriber_id=claims.subscriber_id, queued=queued
        )
        # The same answer whatever happened: the page must not tell who is subscribed (the
        # language is the one of the subscriber the link was sent to, known to its reader).
        return pages.message_page(
            language,
            "link.renewed_title",
            "link.renewed",
            duration=pages.lifetime("confirm", language),
        )

    async def preferences(self, request: web.Request) -> web.Response:
        claims = await self._claims(request, "preferences")
        if isinstance(claims, web.Response):
            return claims
        stored, forms = await asyncio.to_thread(self._stored_forms, claims)
        saved = request.query.get("saved", "")
        return self._preferences_page(
            request,
            forms,
            self._language(request, stored),
            saved=int(saved) if saved.isdigit() else None,
        )

    def _preferences_page(
        self,
        request: web.Request,
        forms: list[FormState],
        language: str,
        *,
        saved: int | None = None,
        status: int = 200,
    ) -> web.Response:
        action = f"/p/{request.match_info['token']}"
        body = render_preferences(action, forms, self._vocabulary(), saved=saved, language=language)
        title = catalog(language).text("link.preferences_title")
        return pages.page(title, body, status, language=language)

    def _vocabulary(self) -> Vocabulary:
        return topic_vocabulary(*self.settings.topic_files())

    def _stored_forms(self, claims: TokenClaims) -> tuple[str | None, list[FormState]]:
        """The token's subscriber's language, and their subscriptions as forms, each with
        the reason it is not delivered when a stored setting fails today's check (e.g. a
        query past a newer limit)."""
        with transaction(self.engine) as conn:
            person = subscriber_store.get_subscriber(
                conn, claims.subscriber_id, created_by=claims.rows_created_by
            )
            rows = subscriber_store.list_subscriptions(
                conn, claims.subscriber_id, created_by=claims.rows_created_by
            )
        if person is None:
            return None, []
        vocabulary = self._vocabulary()
        names = read_topic_names(self.settings.topic_files())
        forms = []
        for s in rows:
            checked = check_preferences(input_from_row(s, person), vocabulary, advice=False)
            stale = checked if isinstance(checked, list) else ()
            forms.append(
                FormState(s.id, s.name, s.paused, stored_values(s, person), not_delivered=stale,
                          topic=topic_shown(names, s.topic, person.language))
            )
        return person.language, forms

    async def change_preference(self, request: web.Request) -> web.Response:
        claims = await self._claims(request, "preferences")
        if isinstance(claims, web.Response):
            return claims
        language = await self._subscriber_language(request, claims)
        form = await self._form(request, language)
        if isinstance(form, web.Response):
            return form
        action = str(form.get("action", ""))
        try:
            subscription_id = int(str(form.get("subscription", "")))
        except ValueError:
            return pages.message_page(
                language, "link.bad_request_title", "link.choose_subscription", 400
            )
        if action == "save":
            fields = {name: [str(v) for v in form.getall(name, [])] for name in form}
            return await self._save_preferences(request, claims, subscription_id, fields)
        if action not in {"pause", "resume"}:
            return pages.message_page(
                language, "link.bad_request_title", "link.choose_subscription", 400
            )

        def _change() -> bool:
            with transaction(self.engine) as conn:
                return subscriber_store.set_own_subscription(
                    conn,
                    claims.subscriber_id,
                    subscription_id,
                    created_by=claims.rows_created_by,
                    now=datetime.now(UTC),
                    paused=action == "pause",
                )

        if not await asyncio.to_thread(_change):
            return pages.message_page(language, "link.not_found_title", "link.no_subscription", 404)
        raise web.HTTPSeeOther(f"/p/{request.match_info['token']}")

    async def _save_preferences(
        self,
        request: web.Request,
        claims: TokenClaims,
        subscription_id: int,
        fields: dict[str, list[str]],
    ) -> web.Response:
        """Check the posted form with ``check_preferences``; save it, or show it again with
        what was typed and each problem beside its field (422)."""
        values = posted_values(fields)
        vocabulary = self._vocabulary()
        names = read_topic_names(self.settings.topic_files())

        def _save() -> tuple[str, str | None, list[FormState]]:
            """The outcome, the subscriber's stored language and the forms to show again."""
            with transaction(self.engine) as conn:
                person = subscriber_store.get_subscriber(
                    conn, claims.subscriber_id, created_by=claims.rows_created_by
                )
                rows = subscriber_store.list_subscriptions(
                    conn, claims.subscriber_id, created_by=claims.rows_created_by
                )
                mine = next((s for s in rows if s.id == subscription_id), None)
                if person is None or mine is None:
                    return "missing", person.language if person else None, []
                checked = check_preferences(
                    posted_input(values, person, topic=mine.topic), vocabulary
                )
                if isinstance(checked, list):
                    forms = [
                        FormState(s.id, s.name, s.paused, values, checked,
                                  topic=topic_shown(names, s.topic, person.language))
                        if s.id == subscription_id
                        else FormState(s.id, s.name, s.paused, stored_values(s, person),
                                       topic=topic_shown(names, s.topic, person.language))
                        for s in rows
                    ]
                    return "refused", person.language, forms
                subscriber_store.set_subscription(
                    conn, subscription_id, now=datetime.now(UTC), **checked.subscription_values()
                )
                subscriber_store.set_subscriber(
                    conn, person.id, time_zone=checked.time_zone, language=checked.language
                )
                return "saved", checked.language, []

        outcome, stored, forms = await asyncio.to_thread(_save)
        language = self._language(request, stored)
        if outcome == "missing":
            return pages.message_page(language, "link.not_found_title", "link.no_subscription", 404)
        if outcome == "refused":
            log.info("web.preferences_refused", subscriber_id=claims.subscriber_id,
                     subscription_id=subscription_id,
                     fields=sorted({p.field for f in forms for p in f.problems}))
            return self._preferences_page(request, forms, language, status=422)
        log.info("web.preferences_saved", subscriber_id=claims.subscriber_id,
                 subscription_id=subscription_id)
        raise web.HTTPSeeOther(f"/p/{request.match_info['token']}?saved={subscription_id}")


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    webapp = WebApp(settings, engine)
    runner = web.AppRunner(
        webapp.app,
        access_log=None,
        handle_signals=False,
        keepalive_timeout=settings.web_read_timeout,
        max_line_size=MAX_HEADER_LINE,
        max_field_size=MAX_HEADER_LINE,
        max_headers=MAX_HEADERS,
    )
    await runner.setup()
    assert runner.server is not None  # set up above
    listener = await asyncio.get_running_loop().create_server(
        webapp.deadline.wrap(runner.server), settings.web_host, settings.web_port
    )
    log.info("web.listening", host=settings.web_host, port=settings.web_port)
    try:
        while not stop.is_set():
            write_heartbeat(settings, "web", state="running", port=settings.web_port)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=5.0)
    finally:
        listener.close()
        await runner.cleanup()
        await listener.wait_closed()
        webapp.close()
        engine.dispose()


def run_web(settings: Settings) -> int:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    asyncio.run(main())
    return 0
