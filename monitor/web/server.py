"""The daemon's small HTTP server: health, metrics, one-click unsubscribe, opt-in, preferences.

Routes:
    GET  /healthz            liveness: the process answers
    GET  /readyz             readiness: database and Kafka reachable, roles heartbeating
    GET  /metrics            Prometheus metrics of every role, plus system gauges
    GET  /u/{token}          unsubscribe page (a button; mail scanners GET links, so GET changes nothing)
    POST /u/{token}          RFC 8058 one-click unsubscribe (List-Unsubscribe=One-Click)
    GET  /c/{token}          double opt-in confirmation
    GET  /p/{token}          preferences: a form per subscription (monitor/web/preferences.py)
    POST /p/{token}          pause / resume one subscription, or save its form

Tokens are HMAC-signed (monitor/notify/tokens.py); every token route is rate limited per
client address.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import signal
import time
from collections import OrderedDict
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy import Engine, text

from monitor.config import Settings
from monitor.daemon import read_heartbeats, write_heartbeat
from monitor.logs import get_logger
from monitor.notify.preferences import Vocabulary, check_preferences, topic_vocabulary
from monitor.notify.tokens import InvalidToken, TokenClaims, verify_token
from monitor.store import subscribers as subscriber_store
from monitor.store.db import make_engine, transaction
from monitor.web.gauges import SystemGauges
from monitor.web.preferences import (
    FormState,
    posted_input,
    posted_values,
    render_preferences,
    stored_values,
)

log = get_logger(__name__)

HEARTBEAT_STALE_SECONDS = 30.0


class RateLimiter:
    """Token bucket per client address; memory bounded by evicting the oldest clients."""

    def __init__(self, rate: float = 1.0, burst: int = 10, max_clients: int = 10_000) -> None:
        self.rate, self.burst, self.max_clients = rate, burst, max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return allowed


def _page(title: str, body: str, status: int = 200) -> web.Response:
    doc = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em'>"
        f"<h1 style='font-size:1.4em'>{html.escape(title)}</h1>{body}</body></html>"
    )
    return web.Response(
        text=doc,
        content_type="text/html",
        status=status,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        },
    )


class WebApp:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.limiter = RateLimiter()
        self.gauges = SystemGauges(settings, engine)
        self.app = web.Application(client_max_size=64 * 1024)
        self.app.add_routes(
            [
                web.get("/healthz", self.healthz),
                web.get("/readyz", self.readyz),
                web.get("/metrics", self.metrics),
                web.get("/u/{token}", self.unsubscribe_page),
                web.post("/u/{token}", self.unsubscribe),
                web.get("/c/{token}", self.confirm),
                web.get("/p/{token}", self.preferences),
                web.post("/p/{token}", self.change_preference),
            ]
        )

    # --- operations ---------------------------------------------------------------------
    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "pid": os.getpid()})

    async def readyz(self, request: web.Request) -> web.Response:
        checks = await asyncio.to_thread(self._readiness)
        ready = all(ok for ok, _ in checks.values())
        body = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
        return web.json_response({"ready": ready, "checks": body}, status=200 if ready else 503)

    def _readiness(self) -> dict[str, tuple[bool, str]]:
        checks: dict[str, tuple[bool, str]] = {}
        try:
            with transaction(self.engine) as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = (True, "reachable")
        except Exception as exc:
            checks["database"] = (False, str(exc)[:200])
        from monitor.services.kafka_broker import broker_answers

        up = broker_answers(self.settings.kafka_bootstrap, timeout=2.0)
        checks["kafka"] = (up, "reachable" if up else "no answer")
        now = time.time()
        for role, beat in read_heartbeats(self.settings).items():
            if role == "web":
                continue
            age = now - float(beat.get("heartbeat", 0))  # type: ignore[arg-type]
            checks[f"role:{role}"] = (age < HEARTBEAT_STALE_SECONDS, f"heartbeat {age:.0f}s ago")
        return checks

    async def metrics(self, request: web.Request) -> web.Response:
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            from prometheus_client import REGISTRY

            registry = REGISTRY
        payload = generate_latest(registry)
        payload += await asyncio.to_thread(self.gauges.render)
        return web.Response(body=payload, headers={"Content-Type": CONTENT_TYPE_LATEST})

    # --- subscribers --------------------------------------------------------------------
    def _claims(self, request: web.Request, purpose: str) -> TokenClaims | web.Response:
        client = request.remote or "?"
        if not self.limiter.allow(client):
            return _page("Too many requests", "<p>Please wait a minute and try again.</p>", 429)
        try:
            return verify_token(
                request.match_info["token"],
                self.settings.token_key(),
                purpose,  # type: ignore[arg-type]
                datetime.now(UTC),
            )
        except InvalidToken as exc:
            log.warning("web.token_rejected", purpose=purpose, reason=str(exc), client=client)
            return _page("Link not valid", "<p>This link is not valid or has expired.</p>", 400)

    async def unsubscribe_page(self, request: web.Request) -> web.Response:
        claims = self._claims(request, "unsubscribe")
        if isinstance(claims, web.Response):
            return claims
        token = html.escape(request.match_info["token"])
        return _page(
            "Unsubscribe",
            f"<form method='post' action='/u/{token}'><p>Stop these alert emails?</p>"
            "<button type='submit'>Unsubscribe</button></form>",
        )

    async def unsubscribe(self, request: web.Request) -> web.Response:
        claims = self._claims(request, "unsubscribe")
        if isinstance(claims, web.Response):
            return claims
        await asyncio.to_thread(self._unsubscribe, claims)
        log.info(
            "subscriber.unsubscribed",
            subscriber_id=claims.subscriber_id,
            subscription_id=claims.subscription_id,
        )
        return _page("Unsubscribed", "<p>You will not receive these emails any more.</p>")

    def _unsubscribe(self, claims: TokenClaims) -> None:
        now = datetime.now(UTC)
        with transaction(self.engine) as conn:
            if claims.subscription_id is not None:
                subscriber_store.set_subscription(
                    conn, claims.subscription_id, now=now, paused=True
                )
                remaining = [
                    s
                    for s in subscriber_store.list_subscriptions(conn, claims.subscriber_id)
                    if not s.paused
                ]
                if remaining:
                    return
            subscriber_store.set_subscriber(
                conn, claims.subscriber_id, status="unsubscribed", status_reason="one-click"
            )

    async def confirm(self, request: web.Request) -> web.Response:
        claims = self._claims(request, "confirm")
        if isinstance(claims, web.Response):
            return claims

        def _confirm() -> None:
            with transaction(self.engine) as conn:
                subscriber_store.set_subscriber(
                    conn, claims.subscriber_id, confirmed=True, confirmed_at=datetime.now(UTC)
                )

        await asyncio.to_thread(_confirm)
        log.info("subscriber.confirmed", subscriber_id=claims.subscriber_id)
        return _page("Subscription confirmed", "<p>Alerts will now reach your inbox.</p>")

    async def preferences(self, request: web.Request) -> web.Response:
        claims = self._claims(request, "preferences")
        if isinstance(claims, web.Response):
            return claims
        forms = await asyncio.to_thread(self._stored_forms, claims.subscriber_id)
        saved = request.query.get("saved", "")
        return self._preferences_page(
            request, forms, saved=int(saved) if saved.isdigit() else None
        )

    def _preferences_page(
        self, request: web.Request, forms: list[FormState], *, saved: int | None = None,
        status: int = 200,
    ) -> web.Response:
        action = f"/p/{request.match_info['token']}"
        body = render_preferences(action, forms, self._vocabulary(), saved=saved)
        return _page("Your alert preferences", body, status)

    def _vocabulary(self) -> Vocabulary:
        return topic_vocabulary(self.settings.topic_file)

    def _stored_forms(self, subscriber_id: int) -> list[FormState]:
        with transaction(self.engine) as conn:
            person = subscriber_store.get_subscriber(conn, subscriber_id)
            rows = subscriber_store.list_subscriptions(conn, subscriber_id)
        if person is None:
            return []
        return [FormState(s.id, s.name, s.paused, stored_values(s, person)) for s in rows]

    async def change_preference(self, request: web.Request) -> web.Response:
        claims = self._claims(request, "preferences")
        if isinstance(claims, web.Response):
            return claims
        form = await request.post()
        try:
            subscription_id = int(str(form.get("subscription", "")))
        except ValueError:
            return _page("Bad request", "<p>Missing subscription.</p>", 400)
        action = str(form.get("action"))
        if action == "save":
            fields = {name: [str(v) for v in form.getall(name, [])] for name in form}
            return await self._save_preferences(request, claims, subscription_id, fields)
        paused = action == "pause"

        def _change() -> bool:
            with transaction(self.engine) as conn:
                owned = {
                    s.id for s in subscriber_store.list_subscriptions(conn, claims.subscriber_id)
                }
                if subscription_id not in owned:
                    return False
                return subscriber_store.set_subscription(
                    conn, subscription_id, now=datetime.now(UTC), paused=paused
                )

        if not await asyncio.to_thread(_change):
            return _page("Not found", "<p>No such subscription.</p>", 404)
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

        def _save() -> tuple[str, list[FormState]]:
            with transaction(self.engine) as conn:
                person = subscriber_store.get_subscriber(conn, claims.subscriber_id)
                rows = subscriber_store.list_subscriptions(conn, claims.subscriber_id)
                mine = next((s for s in rows if s.id == subscription_id), None)
                if person is None or mine is None:
                    return "missing", []
                checked = check_preferences(posted_input(values, person), vocabulary)
                if isinstance(checked, list):
                    forms = [
                        FormState(s.id, s.name, s.paused, values, checked)
                        if s.id == subscription_id
                        else FormState(s.id, s.name, s.paused, stored_values(s, person))
                        for s in rows
                    ]
                    return "refused", forms
                subscriber_store.set_subscription(
                    conn, subscription_id, now=datetime.now(UTC), **checked.subscription_values()
                )
                subscriber_store.set_subscriber(conn, person.id, time_zone=checked.time_zone)
                return "saved", []

        outcome, forms = await asyncio.to_thread(_save)
        if outcome == "missing":
            return _page("Not found", "<p>No such subscription.</p>", 404)
        if outcome == "refused":
            log.info("web.preferences_refused", subscriber_id=claims.subscriber_id,
                     subscription_id=subscription_id,
                     fields=sorted({p.field for f in forms for p in f.problems}))
            return self._preferences_page(request, forms, status=422)
        log.info("web.preferences_saved", subscriber_id=claims.subscriber_id,
                 subscription_id=subscription_id)
        raise web.HTTPSeeOther(f"/p/{request.match_info['token']}?saved={subscription_id}")


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    webapp = WebApp(settings, engine)
    runner = web.AppRunner(webapp.app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.web_host, settings.web_port)
    await site.start()
    log.info("web.listening", host=settings.web_host, port=settings.web_port)
    try:
        while not stop.is_set():
            write_heartbeat(settings, "web", state="running", port=settings.web_port)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=5.0)
    finally:
        await runner.cleanup()
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
