"""The dispatcher role: drains the channel ledger to webhooks, Slack, Teams and Telegram.

Per pass: claim a batch (lease taken, attempt counted, committed) → post each message
(concurrently across hosts; per host at most ``dispatch_per_host`` at once and
``dispatch_host_spacing`` apart) → mark each at once. What an answer means is decided by
:mod:`monitor.delivery.outcomes`; the request is built by :mod:`monitor.delivery.channels`;
this module only moves data. Every outbound connection goes through the feed poller's
address policy (same ``allow_private_addresses`` setting), and redirects are not followed.
See monitor/store/channel_ledger.py for the one window in which a crash can repeat a send.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy import Engine
from yarl import URL

from monitor.config import Settings
from monitor.delivery.channels import OutboundRequest, Target, format_request
from monitor.delivery.content import ChannelMessage
from monitor.delivery.outcomes import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    Outcome,
    classify_failure,
    classify_response,
    refused_outcome,
)
from monitor.delivery.secrets import DestinationCipher
from monitor.errors import ConfigError, StoreError
from monitor.feeds.hosts import AddressPolicy, HostLimiter, PolicyResolver, RefusedAddressError
from monitor.logs import get_logger
from monitor.runtime.failpoints import failpoint
from monitor.runtime.heartbeat import write_heartbeat
from monitor.runtime.processes import pid_alive
from monitor.store import channel_ledger as ledger
from monitor.store.db import make_engine, transaction

log = get_logger(__name__)

LEASE = timedelta(seconds=120)
CLAIM_BATCH = 50
DETAIL_BYTES = 500


@dataclass(frozen=True, slots=True)
class Reply:
    """What came back from one post: a status (None: nothing answered) and its words."""

    status: int | None
    headers: dict[str, str]
    detail: str


def address_policy(settings: Settings) -> AddressPolicy:
    """The feed poller's policy, with the same private-address setting."""
    return AddressPolicy(allow_private=settings.allow_private_addresses)


def make_session(settings: Settings) -> aiohttp.ClientSession:
    """An HTTP session whose resolver refuses what the address policy refuses."""
    connector = aiohttp.TCPConnector(
        resolver=PolicyResolver(address_policy(settings)), ttl_dns_cache=60, limit=100
    )
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        timeout=aiohttp.ClientTimeout(total=settings.dispatch_timeout),
    )


def target_of(settings: Settings, cipher: DestinationCipher, kind: str, target: str,
              secret: str | None) -> Target:
    """The decrypted target of a destination row (Telegram's URL carries the bot token)."""
    opened = cipher.open(target)
    if kind == "telegram":
        token = settings.telegram_bot_token.get_secret_value()
        base = settings.telegram_api_url.rstrip("/")
        return Target(kind, f"{base}/bot{token}/sendMessage", chat_id=opened)
    return Target(kind, opened, secret=cipher.open(secret) if secret else "")


def scrub(text: str, target: Target, hint: str) -> str:
    """``text`` with the target's secrets replaced by its hint (errors may quote a URL)."""
    for secret in (target.url, target.chat_id, target.secret, URL(target.url).path):
        if secret and len(secret) > 3:
            text = text.replace(secret, hint)
    return text


async def post(
    session: aiohttp.ClientSession, request: OutboundRequest, policy: AddressPolicy
) -> Reply:
    """POST once; a refused address or a network failure comes back as a Reply without
    status, and never as an exception."""
    refusal = policy.url_refusal(URL(request.url))
    if refusal is not None:
        raise RefusedAddressError(URL(request.url).host or "", [refusal])
    try:
        async with session.post(
            request.url, data=request.body, headers=request.headers, allow_redirects=False
        ) as response:
            raw = await response.content.read(DETAIL_BYTES)
            return Reply(
                response.status,
                dict(response.headers),
                raw.decode("utf-8", "replace").strip(),
            )
    except aiohttp.ClientConnectorDNSError as exc:
        if isinstance(exc.os_error, RefusedAddressError):
            raise exc.os_error from None
        return Reply(None, {}, f"DNS lookup failed for {exc.host}")
    except aiohttp.ClientConnectorError as exc:
        return Reply(None, {}, f"could not connect to {exc.host}:{exc.port}")
    except TimeoutError:
        return Reply(None, {}, "timed out waiting for the receiver")
    except aiohttp.ClientError as exc:
        return Reply(None, {}, f"network error: {type(exc).__name__}")


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        worker: str | None = None,
        claim_batch: int = CLAIM_BATCH,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.claim_batch = claim_batch
        self.cipher = DestinationCipher(settings.destination_keys())
        self.policy = address_policy(settings)
        self.limiter = HostLimiter(settings.dispatch_per_host, settings.dispatch_host_spacing)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:dispatcher:{settings.app_id}"
        self.stopping = False
        self.sent = 0
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = make_session(self.settings)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _is_dead_here(self, owner: str) -> bool:
        if owner == self.worker:
            return True
        host, _, rest = owner.partition(":")
        pid, _, role = rest.partition(":")
        if host != socket.gethostname() or not pid.isdigit() or not role.startswith("dispatcher"):
            return False
        return not pid_alive(int(pid))

    async def recover(self) -> int:
        def _recover() -> int:
            with transaction(self.engine) as conn:
                return ledger.recover_interrupted(
                    conn, workers=self._is_dead_here, now=datetime.now(UTC)
                )

        count = await asyncio.to_thread(_recover)
        if count:
            log.warning("dispatcher.recovered_interrupted", count=count)
        return count

    async def pass_once(self, now: datetime | None = None) -> int:
        """Send every claimable message once; return how many were sent."""
        sent = 0
        while not self.stopping:
            claimed_at = asyncio.get_running_loop().time()
            claimed = await asyncio.to_thread(self._claim, now)
            if not claimed:
                break
            results = await asyncio.gather(*(self._deliver(m, claimed_at) for m in claimed))
            sent += sum(results)
        self.sent += sent
        return sent

    def _claim(self, now: datetime | None) -> list[ledger.ClaimedMessage]:
        with transaction(self.engine) as conn:
            return ledger.claim_messages(
                conn,
                now=now or datetime.now(UTC),
                worker=self.worker,
                lease=LEASE,
                limit=self.claim_batch,
            )

    async def _deliver(self, message: ledger.ClaimedMessage, claimed_at: float) -> bool:
        """Post one claimed message and mark it; True when the receiver took it."""
        if self.stopping:
            await asyncio.to_thread(self._release, message)
            return False
        try:
            target = target_of(
                self.settings,
                self.cipher,
                message.destination_kind,
                message.target,
                message.signing_secret,
            )
        except ConfigError as exc:
            # The key changed: nothing can be sent there until it is restored (or the
            # destination added again); retried later, the destination left as it is.
            log.error("channel.undecryptable", destination_id=message.destination_id, error=str(exc))
            failed = classify_failure(
                str(exc),
                datetime.now(UTC),
                attempts=message.attempts,
                max_attempts=self.settings.dispatch_max_attempts,
                jitter=random.random(),
                base=self.settings.dispatch_retry_base,
                cap=self.settings.dispatch_retry_cap,
            )
            await self._finish(message, failed)
            return False
        # Sent only while the lease surely holds (a host's queue can be long).
        deadline = claimed_at + LEASE.total_seconds() * 0.75
        outcome = await self.send(message, target, deadline)
        if outcome is None:
            log.info("channel.lease_expired", delivery_id=message.delivery_id)
            await asyncio.to_thread(self._release, message)
            return False
        if outcome.kind == "sent":
            # Accepted: mark at once; this is the window that can repeat a send.
            failpoint("dispatcher.after_accept")
        await self._finish(message, outcome)
        return outcome.kind == "sent"

    async def send(
        self, message: ledger.ClaimedMessage, target: Target, deadline: float | None = None
    ) -> Outcome | None:
        content = ChannelMessage.from_payload(message.payload)
        now = datetime.now(UTC)
        if target.kind == "telegram" and not self.settings.telegram_bot_token.get_secret_value():
            return classify_failure(
                "no Telegram bot token: set MONITOR_TELEGRAM_BOT_TOKEN",
                now,
                attempts=message.attempts,
                max_attempts=self.settings.dispatch_max_attempts,
                jitter=random.random(),
                base=self.settings.dispatch_retry_base,
                cap=self.settings.dispatch_retry_cap,
            )
        request = format_request(
            content, target, delivery_id=message.delivery_id, timestamp=int(now.timestamp())
        )
        found = await deliver_request(
            self.session(), request, self.policy, self.limiter,
            attempts=message.attempts, max_attempts=self.settings.dispatch_max_attempts,
            deadline=deadline, retry_base=self.settings.dispatch_retry_base,
            retry_cap=self.settings.dispatch_retry_cap,
        )
        if found is None:
            return None
        outcome = Outcome(
            found.kind,
            scrub(found.reason, target, message.target_hint),
            found.retry_at,
            found.disable,
        )
        fields = {
            "destination_id": message.destination_id,
            "delivery_id": message.delivery_id,
            "channel": message.destination_kind,
            "destination": message.target_hint,
            "attempts": message.attempts,
        }
        if outcome.kind == "sent":
            log.info("channel.sent", **fields)
        elif outcome.kind == "transient":
            log.warning("channel.failed", retry_at=outcome.retry_at, error=outcome.reason, **fields)
        else:
            log.error("channel.rejected", disabled=outcome.disable, error=outcome.reason, **fields)
        return outcome

    def _release(self, message: ledger.ClaimedMessage) -> None:
        with transaction(self.engine) as conn:
            ledger.release_message(conn, message)

    def _mark(self, message: ledger.ClaimedMessage, outcome: Outcome) -> None:
        now = datetime.now(UTC)
        with transaction(self.engine) as conn:
            ledger.finish_message(
                conn,
                message,
                outcome=outcome.kind,
                detail=outcome.reason,
                now=now,
                retry_at=outcome.retry_at,
            )
            if outcome.disable:
                ledger.set_enabled(
                    conn, message.destination_id, enabled=False, reason=outcome.reason, now=now
                )

    async def _finish(self, message: ledger.ClaimedMessage, outcome: Outcome) -> None:
        delay = 0.2
        while True:
            try:
                await asyncio.to_thread(self._mark, message, outcome)
                return
            except StoreError as exc:
                # Must not give up: an unmarked accepted message would be sent again.
                log.warning("dispatcher.mark_retry", delivery_id=message.delivery_id, error=str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def run(self, stop: asyncio.Event, *, once: bool = False, interval: float = 1.0) -> None:
        await self.recover()
        delay = interval
        try:
            while not stop.is_set():
                try:
                    await self.pass_once()
                    delay = interval
                except StoreError as exc:
                    log.warning("dispatcher.store_unavailable", error=str(exc), retry_in=delay)
                    delay = min(delay * 2, 30.0)
                write_heartbeat(self.settings, "dispatcher", state="running", sent=self.sent)
                if once:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
        finally:
            await self.close()


async def deliver_request(
    session: aiohttp.ClientSession,
    request: OutboundRequest,
    policy: AddressPolicy,
    limiter: HostLimiter,
    *,
    attempts: int,
    max_attempts: int,
    deadline: float | None = None,
    retry_base: float = BACKOFF_BASE,
    retry_cap: float = BACKOFF_CAP,
) -> Outcome | None:
    """Post ``request`` within its host's limits and decide what the answer means.

    None when the host's turn came after ``deadline`` (event-loop time): the lease may be
    gone by then, and another dispatcher may own the message, so it is not sent.
    """
    host = URL(request.url).host or ""
    try:
        async with limiter.slot(host):
            if deadline is not None and asyncio.get_running_loop().time() > deadline:
                return None
            reply = await post(session, request, policy)
    except RefusedAddressError as exc:
        return refused_outcome(str(exc))
    now = datetime.now(UTC)
    if reply.status is None:
        return classify_failure(
            reply.detail,
            now,
            attempts=attempts,
            max_attempts=max_attempts,
            jitter=random.random(),
            base=retry_base,
            cap=retry_cap,
        )
    return classify_response(
        reply.status,
        reply.headers,
        now,
        attempts=attempts,
        max_attempts=max_attempts,
        jitter=random.random(),
        detail=reply.detail[:200] if reply.status >= 300 else "",
        body=reply.detail,
        base=retry_base,
        cap=retry_cap,
    )


def run_dispatcher(settings: Settings, *, once: bool = False) -> int:
    async def main() -> None:
        stop = asyncio.Event()
        engine = make_engine(settings.db_url, timeout=settings.db_timeout)
        dispatcher = Dispatcher(settings, engine)
        loop = asyncio.get_running_loop()

        def _stop() -> None:
            dispatcher.stopping = True
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _stop)
        log.info("dispatcher.starting", allow_private=settings.allow_private_addresses)
        try:
            await dispatcher.run(stop, once=once)
        finally:
            engine.dispose()

    asyncio.run(main())
    return 0
