"""The /api/v1 routes, installed on the web role's application in one call."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from aiohttp import web
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.web.api import reader, reads, search, subscriptions, threads, timelines, trends
from monitor.web.api.door import Door, problem_middleware_for
from monitor.web.api.openapi import document

PREFIX = "/api/v1"


class ApiV1:
    def __init__(
        self, settings: Settings, engine: Engine, client: Callable[[web.Request], str]
    ) -> None:
        """``client`` says who a request comes from (behind trusted proxies too)."""
        self.door = Door(settings, engine, client)
        self._openapi = orjson.dumps(document())

    def install(self, app: web.Application) -> None:
        """Add the routes, and the middleware that answers aiohttp's own 404/405/413 under
        the prefix as problem+json."""
        app.middlewares.append(problem_middleware_for(PREFIX + "/"))
        app.add_routes(self.routes())

    def routes(self) -> list[web.RouteDef]:
        read, write = "read", "write"
        e = self.door.endpoint
        return [
            web.get(f"{PREFIX}/openapi.json", self.openapi),
            web.get(f"{PREFIX}/stories", e(read, reads.list_stories)),
            web.get(f"{PREFIX}/stories/{{id}}", e(read, reads.get_story)),
            web.get(f"{PREFIX}/alerts", e(read, reads.list_alerts)),
            web.get(f"{PREFIX}/threads", e(read, threads.list_threads)),
            web.get(f"{PREFIX}/threads/{{id}}", e(read, threads.get_thread)),
            web.get(f"{PREFIX}/search", e(read, search.search)),
            web.get(f"{PREFIX}/trends", e(read, trends.trends)),
            web.get(f"{PREFIX}/countries/{{code}}/timeline", e(read, timelines.timeline)),
            web.get(f"{PREFIX}/me", e(read, reader.get_reader)),
            web.patch(f"{PREFIX}/me", e(write, reader.update_reader)),
            web.get(f"{PREFIX}/subscriptions", e(read, subscriptions.list_subscriptions)),
            web.post(f"{PREFIX}/subscriptions", e(write, subscriptions.create_subscription)),
            web.get(f"{PREFIX}/subscriptions/{{id}}", e(read, subscriptions.get_subscription)),
            web.patch(f"{PREFIX}/subscriptions/{{id}}",
                      e(write, subscriptions.update_subscription)),
            web.delete(f"{PREFIX}/subscriptions/{{id}}",
                       e(write, subscriptions.delete_subscription)),
        ]

    async def openapi(self, request: web.Request) -> web.Response:
        return web.Response(body=self._openapi, content_type="application/json",
                            headers={"Cache-Control": "public, max-age=300"})
