"""GET /f/{key}.atom and /f/{key}.json: a subscription's private feeds, for feed readers.

The key in the path is the credential (monitor/delivery/feed_keys.py): a key of the wrong
shape is refused before any look-up, an unknown or revoked one is a 404, and a subscriber
who unsubscribed gets 410 Gone. Responses carry ETag and Last-Modified and answer 304 to a
reader that already has them. Requests are rate limited per client, like the token links,
and the key never reaches a log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.delivery.feed_keys import feed_key_hash, looks_like_feed_key
from monitor.delivery.syndication import (
    FeedHead,
    RenderedFeed,
    http_date,
    not_modified,
    render_atom,
    render_json_feed,
)
from monitor.logs import get_logger
from monitor.notify.links import feed_urls
from monitor.store import alert_feeds
from monitor.store.db import transaction
from monitor.web.limits import RateLimiter

log = get_logger(__name__)

# Feed readers poll; a minute of caching in between is harmless and spares the database.
CACHE_CONTROL = "private, max-age=60"
_GONE_STATUSES = frozenset({"unsubscribed"})


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: int
    feed: RenderedFeed | None = None
    subscription_id: int | None = None


class AlertFeeds:
    """The two feed routes; ``client`` says who a request comes from (for rate limits)."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        limiter: RateLimiter,
        client: Callable[[web.Request], str],
    ) -> None:
        self.settings, self.engine, self.limiter, self.client = settings, engine, limiter, client

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/f/{key}.atom", self.atom), web.get("/f/{key}.json", self.json)]

    async def atom(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "atom")

    async def json(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "json")

    async def _serve(self, request: web.Request, kind: str) -> web.StreamResponse:
        if not self.limiter.allow(self.client(request)):
            return web.Response(status=429, text="Too many requests; poll less often.\n",
                                headers={"Retry-After": "60"})
        key = request.match_info["key"]
        if not looks_like_feed_key(key):
            return _plain(404, "No such feed.")
        outcome = await asyncio.to_thread(self._load, key, kind)
        if outcome.feed is None:
            text = "This subscription has ended." if outcome.status == 410 else "No such feed."
            return _plain(outcome.status, text)
        feed = outcome.feed
        headers = {
            "ETag": feed.etag,
            "Last-Modified": http_date(feed.last_modified),
            "Cache-Control": CACHE_CONTROL,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }
        if not_modified(
            request.headers.get("If-None-Match"),
            request.headers.get("If-Modified-Since"),
            feed.etag,
            feed.last_modified,
        ):
            return web.Response(status=304, headers=headers)
        log.info("feed.served", subscription_id=outcome.subscription_id, kind=kind,
                 bytes=len(feed.body))
        headers["Content-Type"] = feed.content_type
        return web.Response(body=feed.body, headers=headers)

    def _load(self, key: str, kind: str) -> _Outcome:
        with transaction(self.engine) as conn:
            owner = alert_feeds.feed_owner(conn, feed_key_hash(key))
            if owner is None:
                return _Outcome(404)
            if owner.subscriber_status in _GONE_STATUSES:
                return _Outcome(410, subscription_id=owner.subscription_id)
            entries = alert_feeds.feed_entries(conn, owner.subscription_id)
        urls = feed_urls(self.settings.public_url, key)
        head = FeedHead(
            subscription_id=owner.subscription_id,
            title=f"monitor: {owner.name}" if owner.name else "monitor",
            public_url=self.settings.public_url,
            atom_url=urls.atom,
            json_url=urls.json,
            updated=owner.created_at or datetime.now(UTC),
        )
        feed = render_atom(head, entries) if kind == "atom" else render_json_feed(head, entries)
        return _Outcome(200, feed, owner.subscription_id)


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text + "\n", headers={"Cache-Control": "no-store"})
