"""What every API request passes before a handler runs: the key, its scope, its budget,
and a JSON body read within limits. The I/O shell; each decision is a pure function in
keys.py, quota.py or paging.py.

Refusals are problem+json: 401 (no key, a malformed, unknown or revoked key, with
``WWW-Authenticate: Bearer``), 403 (the key lacks the scope), 429 (its bucket is empty,
with Retry-After), 413/415/400 for a body that is too big, not JSON or not parseable.
A handler's own error (a bug) is logged and answered 500 without a traceback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.errors import StoreError
from monitor.logs import get_logger
from monitor.store import api_keys as key_store
from monitor.store.db import transaction
from monitor.web.api.keys import api_key_hash, bearer_key, looks_like_api_key
from monitor.web.api.problems import ApiProblem
from monitor.web.api.quota import TouchThrottle, retry_after
from monitor.web.limits import TokenBuckets

log = get_logger(__name__)

# A subscription is under 4 KiB of JSON; 16 KiB leaves room and refuses anything else.
MAX_BODY = 16 * 1024
_UNAUTHORIZED = (("WWW-Authenticate", 'Bearer realm="monitor"'),)


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated request, as a handler sees it (no aiohttp types)."""

    holder: key_store.KeyHolder
    params: Mapping[str, str]
    path: Mapping[str, str]
    body: Any
    now: datetime


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[Engine, Settings, Call], Reply]


def json_response(reply: Reply) -> web.Response:
    headers = {"Cache-Control": "no-store", **dict(reply.headers)}
    if reply.body is None:
        return web.Response(status=reply.status, headers=headers)
    headers["Content-Type"] = "application/json"
    return web.Response(status=reply.status, body=orjson.dumps(reply.body), headers=headers)


# Unknown keys per client address: each costs a database look-up, so a client that keeps
# presenting them is refused (429) before the look-up once this bucket is spent.
STRANGER_BURST = 20
STRANGER_RATE = 0.2


class Door:
    def __init__(
        self, settings: Settings, engine: Engine, client: Callable[[web.Request], str]
    ) -> None:
        self.settings, self.engine, self.client = settings, engine, client
        self.buckets = TokenBuckets(settings.api_rate_limit, settings.api_burst)
        self.strangers = TokenBuckets(STRANGER_RATE, STRANGER_BURST)
        self.touches = TouchThrottle()

    def endpoint(self, scope: str, handler: Handler) -> Callable[[web.Request], Any]:
        """``handler`` behind the door, for ``scope`` ("read" or "write")."""

        async def serve(request: web.Request) -> web.StreamResponse:
            try:
                return json_response(await self._serve(request, scope, handler))
            except ApiProblem as problem:
                return problem.response()
            except StoreError as exc:
                log.warning("api.store_error", path=request.path, error=str(exc)[:200])
                return ApiProblem(
                    503, "unavailable", "the database did not answer; try again shortly",
                    headers=(("Retry-After", "5"),),
                ).response()
            except Exception as exc:  # a bug: say so without a traceback
                log.error("api.failed", path=request.path, error=repr(exc)[:300])
                return ApiProblem(500, "internal", "the server failed; this is logged").response()

        return serve

    async def _serve(self, request: web.Request, scope: str, handler: Handler) -> Reply:
        key = bearer_key(request.headers.get("Authorization"))
        if key is None:
            raise ApiProblem(401, "unauthorized",
                             "send an API key as 'Authorization: Bearer KEY' "
                             "(monitor subscriber api-key add)", headers=_UNAUTHORIZED)
        if not looks_like_api_key(key):
            raise ApiProblem(401, "unauthorized", "that is not an API key of this server",
                             headers=_UNAUTHORIZED)
        body = await self._body(request) if request.method in ("POST", "PATCH") else None
        client = self.client(request)
        wait = self.strangers.peek(client, time.monotonic())
        if wait > 0:
            raise ApiProblem(429, "rate-limit",
                             f"too many unknown keys from here; retry in {retry_after(wait)} s",
                             headers=(("Retry-After", retry_after(wait)),))
        holder = await asyncio.to_thread(self._holder, api_key_hash(key))
        if holder is None:
            self.strangers.take(client, time.monotonic())
            log.warning("api.unknown_key", client=client)
            raise ApiProblem(401, "unauthorized", "unknown or revoked API key",
                             headers=_UNAUTHORIZED)
        if scope not in holder.scopes:
            raise ApiProblem(403, "scope",
                             f"this key lacks the '{scope}' scope; create a key with "
                             f"--scope {scope}")
        clock = time.monotonic()
        wait = self.buckets.take(holder.key_id, clock)
        if wait > 0:
            log.info("api.rate_limited", key_id=holder.key_id)
            raise ApiProblem(429, "rate-limit",
                             f"this key's request budget is spent; retry in {retry_after(wait)} s",
                             headers=(("Retry-After", retry_after(wait)),))
        now = datetime.now(UTC)
        call = Call(holder, {k: request.query[k] for k in request.query},
                    dict(request.match_info), body, now)
        touch = self.touches.due(holder.key_id, clock)
        reply = await asyncio.to_thread(self._run, handler, call, touch)
        log.info("api.request", key_id=holder.key_id, subscriber_id=holder.subscriber_id,
                 method=request.method, route=request.match_info.route.resource.canonical
                 if request.match_info.route.resource else request.path, status=reply.status)
        return reply

    def _holder(self, key_hash: str) -> key_store.KeyHolder | None:
        with transaction(self.engine) as conn:
            return key_store.key_holder(conn, key_hash)

    def _run(self, handler: Handler, call: Call, touch: bool) -> Reply:
        if touch:
            try:
                with transaction(self.engine) as conn:
                    key_store.touch_api_key(conn, call.holder.key_id, now=call.now)
            except StoreError as exc:  # bookkeeping: never worth failing the reader's request
                log.warning("api.touch_failed", key_id=call.holder.key_id, error=str(exc)[:200])
        return handler(self.engine, self.settings, call)

    async def _body(self, request: web.Request) -> Any:
        if request.content_type != "application/json":
            raise ApiProblem(415, "media-type", "send the body as application/json")
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise ApiProblem(413, "too-large", f"the body is at most {MAX_BODY} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.settings.web_read_timeout):
                while chunk := await request.content.read(4096):
                    size += len(chunk)
                    if size > MAX_BODY:
                        raise ApiProblem(413, "too-large", f"the body is at most {MAX_BODY} bytes")
                    chunks.append(chunk)
        except TimeoutError:
            raise ApiProblem(408, "timeout", "the body did not arrive in time") from None
        try:
            return orjson.loads(b"".join(chunks))
        except orjson.JSONDecodeError as exc:
            raise ApiProblem(400, "bad-json", f"the body is not JSON: {exc}") from None


def problem_middleware_for(prefix: str) -> Any:
    """aiohttp's own refusals (no such route, wrong method, body over the server's limit)
    under ``prefix`` as problem+json too."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith(prefix):
            return await handler(request)  # type: ignore[no-any-return]
        try:
            return await handler(request)  # type: ignore[no-any-return]
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            headers: tuple[tuple[str, str], ...] = ()
            if "Allow" in exc.headers:
                headers = (("Allow", exc.headers["Allow"]),)
            detail = {404: "no such endpoint; see /api/v1/openapi.json",
                      405: "this endpoint does not take that method"}.get(exc.status, exc.reason)
            return ApiProblem(exc.status, "http", detail, headers=headers).response()

    return middleware
