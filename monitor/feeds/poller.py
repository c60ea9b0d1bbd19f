"""The poller role: fetch due feeds, publish their new items to Kafka, then save feed state.

One poll of one feed, start to end:

    due feed → fetch (conditional GET, polite per host) → parse → normalize
             → drop items this feed already published → publish to Kafka (every ack checked)
             → save seen ids, validators, schedule (one transaction)

Feed state is saved only after the broker acknowledged the items, so a crash in between
re-polls and re-publishes rather than loses; item ids make re-publication harmless. Errors
are recorded on the feed (last error, count, next poll with backoff); a feed is never
disabled for failing, only paused by an operator or when its publisher says 410 Gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from monitor import metrics
from monitor.config import Settings
from monitor.errors import FeedError, FetchError, PublishError, StoreError
from monitor.feeds.fetcher import FetchLimits, FetchResult, Validators, fetch_feed, make_session
from monitor.feeds.hosts import AddressPolicy, HostLimiter
from monitor.feeds.normalize import normalize_feed
from monitor.feeds.parse import parse_feed
from monitor.feeds.publisher import ItemPublisher
from monitor.feeds.schedule import (
    next_poll_after_error,
    next_poll_after_success,
    validators_lie,
)
from monitor.logs import get_logger
from monitor.models import FeedItem
from monitor.runtime.failpoints import failpoint
from monitor.runtime.heartbeat import write_heartbeat
from monitor.store import feeds as feed_store
from monitor.store.db import make_engine, transaction
from monitor.store.feeds import FeedRow

log = get_logger(__name__)

SEEN_RETENTION = timedelta(days=180)  # seen-item ids older than this are forgotten
PRUNE_EVERY = 6 * 3600.0
AUDIT_EVERY = 20  # after about one 304 in this many, re-fetch unconditionally to check it
PUBLISH_RETRY = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed_id: int
    status: str  # new-items | unchanged | not-modified | error | gone
    published: int = 0
    error: str | None = None


class Poller:
    def __init__(
        self,
        settings: Settings,
        engine: Any,
        publisher: ItemPublisher,
        session: aiohttp.ClientSession,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.publisher = publisher
        self.session = session
        self.limits = limits_from(settings)
        self.policy = policy_from(settings)
        self.host_limiter = HostLimiter(settings.http_per_host, settings.http_host_spacing)
        self.rng = rng or random.Random()
        self._slots = asyncio.Semaphore(settings.poll_concurrency)

    async def poll_due(self) -> list[PollOutcome]:
        """Poll every feed that is due now (bounded batch); return what happened to each."""
        now = datetime.now(UTC)

        def _due() -> list[FeedRow]:
            with transaction(self.engine) as conn:
                return feed_store.due_feeds(conn, now, self.settings.poll_concurrency * 5)

        due = await asyncio.to_thread(_due)
        return list(await asyncio.gather(*(self._bounded(feed) for feed in due)))

    async def _bounded(self, feed: FeedRow) -> PollOutcome:
        async with self._slots:
            try:
                return await self.poll_feed(feed)
            except StoreError:
                raise
            except Exception as exc:  # a bug must not stop the other feeds
                log.exception("feed.poll_crashed", feed_id=feed.id, error=repr(exc))
                await self._record_error(feed, f"internal error: {exc!r}", status=None)
                return PollOutcome(feed.id, "error", error=repr(exc))

    async def poll_feed(self, feed: FeedRow) -> PollOutcome:
        now = datetime.now(UTC)
        validators = Validators(feed.etag, feed.last_modified) if feed.trust_validators else None
        try:
            result = await fetch_feed(
                self.session,
                feed.url,
                validators=validators,
                limits=self.limits,
                address_policy=self.policy,
                host_limiter=self.host_limiter,
            )
            if result.not_modified and self.rng.random() < 1 / AUDIT_EVERY:
                audit = await fetch_feed(
                    self.session,
                    result.url,
                    validators=None,
                    limits=self.limits,
                    address_policy=self.policy,
                    host_limiter=self.host_limiter,
                )
                return await self._handle_body(feed, audit, now, audited_304=True)
        except FetchError as exc:
            metrics.FEED_POLLS.labels("error").inc()
            if exc.permanent and exc.status == 410:
                await self._mark_gone(feed, exc.reason)
                return PollOutcome(feed.id, "gone", error=exc.reason)
            await self._record_error(
                feed, exc.reason, status=exc.status, retry_after=exc.retry_after
            )
            return PollOutcome(feed.id, "error", error=exc.reason)
        if result.not_modified:
            metrics.FEED_POLLS.labels("not-modified").inc()
            await self._record_success(feed, result, now, server_interval=feed.server_interval)
            return PollOutcome(feed.id, "not-modified")
        return await self._handle_body(feed, result, now, audited_304=False)

    async def _handle_body(
        self, feed: FeedRow, result: FetchResult, now: datetime, *, audited_304: bool
    ) -> PollOutcome:
        try:
            parsed = await asyncio.to_thread(
                parse_feed,
                result.content,
                url=result.url,
                content_type=result.content_type,
                fetched_at=now,
            )
        except FeedError as exc:
            metrics.FEED_POLLS.labels("error").inc()
            await self._record_error(feed, exc.reason, status=result.status)
            return PollOutcome(feed.id, "error", error=exc.reason)
        normalized = normalize_feed(parsed, outlet=feed.outlet or None, feed_id=feed.id)
        for warning in normalized.warnings:
            log.info("feed.warning", feed_id=feed.id, warning=str(warning))
        items = list(normalized.items)
        metrics.ITEMS_FETCHED.inc(len(items))

        def _known() -> set[str]:
            with transaction(self.engine) as conn:
                return feed_store.known_item_ids(conn, feed.id, [i.item_id for i in items])

        known = await asyncio.to_thread(_known)
        new = [item for item in items if item.item_id not in known]
        # Validators that claim "unchanged" while the content changed cannot be trusted.
        etag_unchanged = bool(result.etag) and result.etag == feed.etag and feed.trust_validators
        lying = validators_lie(
            new_items=len(new),
            known_items=len(known),
            audited_304=audited_304,
            etag_unchanged=etag_unchanged,
        )
        if lying:
            log.warning(
                "feed.validators_untrusted",
                feed_id=feed.id,
                new_items=len(new),
                reason="304" if audited_304 else "same ETag, new items",
            )
        try:
            await asyncio.to_thread(self.publisher.publish, new)
        except PublishError as exc:
            # Nothing saved: the next poll fetches and publishes these items again.
            metrics.FEED_POLLS.labels("error").inc()
            await self._record_error(
                feed,
                f"not published: {exc}",
                status=result.status,
                retry_after=PUBLISH_RETRY.total_seconds(),
                count=False,
            )
            return PollOutcome(feed.id, "error", error=str(exc))
        if new:
            failpoint("poller.after_publish")  # crash test: acknowledged, state not saved
        metrics.ITEMS_PUBLISHED.inc(len(new))
        metrics.FEED_POLLS.labels("new-items" if new else "unchanged").inc()
        hint = parsed.update_interval_seconds or (
            parsed.ttl_minutes * 60.0 if parsed.ttl_minutes else None
        )
        await self._record_success(
            feed,
            result,
            now,
            server_interval=hint,
            new_items=new,
            trust_validators=feed.trust_validators and not lying,
        )
        if new:
            log.info("feed.published", feed_id=feed.id, items=len(new), url=result.url)
        return PollOutcome(feed.id, "new-items" if new else "unchanged", published=len(new))

    # --- state --------------------------------------------------------------------------
    def _base_interval(self, feed: FeedRow) -> timedelta:
        return timedelta(seconds=feed.poll_interval or self.settings.poll_interval)

    async def _record_success(
        self,
        feed: FeedRow,
        result: FetchResult,
        now: datetime,
        *,
        server_interval: float | None,
        new_items: list[FeedItem] | None = None,
        trust_validators: bool | None = None,
    ) -> None:
        next_at = next_poll_after_success(
            now,
            base_interval=self._base_interval(feed),
            min_interval=timedelta(seconds=self.settings.poll_min_interval),
            max_interval=timedelta(seconds=self.settings.poll_max_interval),
            cache_control=result.cache_control,
            expires=result.expires,
            date_header=result.date,
            sy_interval=server_interval,
            rng=self.rng,
        )
        values: dict[str, Any] = {
            "last_polled_at": now,
            "last_success_at": now,
            "next_poll_at": next_at,
            "error_count": 0,
            "last_error": None,
            "last_status": result.status,
            "server_interval": server_interval,
            "updated_at": now,
        }
        if result.status == 200:
            values.update(etag=result.etag, last_modified=result.last_modified)
        if trust_validators is not None:
            values["trust_validators"] = trust_validators
        if new_items:
            values["items_published"] = feed.items_published + len(new_items)
        moved_to = result.permanent_redirect_to

        def _save() -> None:
            with transaction(self.engine) as conn:
                if new_items:
                    feed_store.mark_items_seen(conn, feed.id, [i.item_id for i in new_items], now)
                if (
                    moved_to
                    and moved_to != feed.url
                    and feed_store.get_feed(conn, moved_to) is None
                ):
                    values["url"] = moved_to
                    log.info("feed.moved", feed_id=feed.id, old=feed.url, new=moved_to)
                feed_store.record_poll(conn, feed.id, **values)

        await self._save(_save)

    async def _record_error(
        self,
        feed: FeedRow,
        reason: str,
        *,
        status: int | None,
        retry_after: float | None = None,
        count: bool = True,
    ) -> None:
        now = datetime.now(UTC)
        errors = feed.error_count + 1 if count else max(feed.error_count, 1)
        next_at = next_poll_after_error(
            now,
            error_count=errors,
            base_interval=timedelta(seconds=min(self._base_interval(feed).total_seconds(), 300)),
            max_backoff=timedelta(seconds=self.settings.poll_max_backoff),
            retry_after=retry_after,
            rng=self.rng,
        )
        metrics.FEED_ERRORS.labels(str(feed.id)).inc()
        log.warning(
            "feed.error",
            feed_id=feed.id,
            url=feed.url,
            status=status,
            error=reason,
            errors=errors,
            next_poll_at=next_at.isoformat(timespec="seconds"),
        )

        def _save() -> None:
            with transaction(self.engine) as conn:
                feed_store.record_poll(
                    conn,
                    feed.id,
                    last_polled_at=now,
                    next_poll_at=next_at,
                    error_count=errors,
                    last_error=reason[:2000],
                    last_status=status,
                    updated_at=now,
                )

        await self._save(_save)

    async def _mark_gone(self, feed: FeedRow, reason: str) -> None:
        log.warning("feed.gone", feed_id=feed.id, url=feed.url, reason=reason)

        def _save() -> None:
            with transaction(self.engine) as conn:
                now = datetime.now(UTC)
                feed_store.set_state(conn, feed.id, "gone", reason, now)
                feed_store.record_poll(
                    conn,
                    feed.id,
                    last_polled_at=now,
                    last_status=410,
                    last_error=reason,
                    error_count=feed.error_count + 1,
                )

        await self._save(_save)

    async def _save(self, work: Any) -> None:
        delay = 0.5
        while True:
            try:
                await asyncio.to_thread(work)
                return
            except StoreError as exc:
                log.warning("poller.store_unavailable", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


def limits_from(settings: Settings) -> FetchLimits:
    return FetchLimits(
        connect_timeout=min(10.0, settings.http_timeout),
        total_timeout=settings.http_timeout,
        max_bytes=settings.http_max_bytes,
        user_agent=settings.http_user_agent,
    )


def policy_from(settings: Settings) -> AddressPolicy:
    return AddressPolicy(allow_private=settings.allow_private_addresses)


async def run_forever(settings: Settings, stop: asyncio.Event, *, once: bool = False) -> None:
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    publisher = await _connect_publisher(settings, stop)
    if publisher is None:
        return
    session = make_session(limits_from(settings), policy_from(settings))
    poller = Poller(settings, engine, publisher, session)
    pruned_at = -PRUNE_EVERY  # prune on the first pass, then every PRUNE_EVERY seconds
    try:
        while not stop.is_set():
            if time.monotonic() - pruned_at > PRUNE_EVERY:
                pruned_at = time.monotonic()
                await asyncio.to_thread(_forget_old_items, engine)
            try:
                outcomes = await poller.poll_due()
            except StoreError as exc:
                log.warning("poller.store_unavailable", error=str(exc))
                outcomes = []
            write_heartbeat(settings, "poller", state="running", polled=len(outcomes))
            if once:
                break
            delay = 1.0 if outcomes else 2.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
    finally:
        await session.close()
        await asyncio.to_thread(publisher.close)
        engine.dispose()


def _forget_old_items(engine: Any) -> None:
    """Keep the seen-ids table bounded; a forgotten item that reappears is harmless
    (published again, stored once)."""
    try:
        with transaction(engine) as conn:
            dropped = feed_store.forget_old_items(conn, datetime.now(UTC) - SEEN_RETENTION)
        if dropped:
            log.info("feed.seen_items_pruned", count=dropped)
    except StoreError as exc:
        log.warning("poller.prune_failed", error=str(exc))


async def _connect_publisher(settings: Settings, stop: asyncio.Event) -> ItemPublisher | None:
    delay = 1.0
    while not stop.is_set():
        try:
            return await asyncio.to_thread(
                ItemPublisher, settings.kafka_bootstrap, settings.items_topic
            )
        except PublishError as exc:
            log.warning("poller.broker_unavailable", error=str(exc), retry_in=delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, 30.0)
    return None


def run_poller(settings: Settings, *, once: bool = False) -> int:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_forever(settings, stop, once=once)

    asyncio.run(main())
    return 0
