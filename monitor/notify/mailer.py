"""The mailer role: assembles due deliveries into emails and drains the outbox over SMTP.

With ``MONITOR_MAILER_PROCESSES`` above 1, the role is that many processes, each owning the
subscribers of one partition (``subscriber_id % N``, monitor/store/partition.py) for
assembly and claims alike, so a subscriber's caps, bundles and digests are decided by one
process, and the two cores of a small machine both compose and send.

Per email: claim (attempt recorded, lease taken, committed; 50 emails per claim) → SMTP →
mark sent, committed at once (while the next email goes over SMTP). With
``MONITOR_SMTP_CONNECTIONS`` above 1, that many emails are in flight at once, each on its
own SMTP connection (and a crash can repeat each of them: the window below, per flow). Transient failures retry with exponential backoff and jitter; permanent (5xx)
failures stop retries for that email and show in `monitor subscriber failures`. See
monitor/store/outbox.py for the one window in which a crash can repeat a send.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from monitor import metrics
from monitor.config import Settings
from monitor.errors import PermanentDeliveryError, StoreError, TransientDeliveryError
from monitor.logs import get_logger
from monitor.notify.assemble import Assembler, sender_of
from monitor.notify.transport import Transport, make_transport
from monitor.notify.volume import VolumeWatch, watch_is_due
from monitor.runtime.failpoints import failpoint
from monitor.runtime.heartbeat import write_heartbeat
from monitor.runtime.processes import pid_alive
from monitor.store import outbox
from monitor.store.db import (
    make_engine,
    open_connection,
    store_errors,
    transaction,
    transaction_on,
)
from monitor.store.partition import EVERY_SUBSCRIBER, Partition
from monitor.store.raw_marks import RawMarks

log = get_logger(__name__)

LEASE = timedelta(seconds=120)
# Emails claimed per transaction (three statements for the lot). Sent one by one, each
# marked at once; at ~300 emails/s a batch is well inside its lease.
CLAIM_BATCH = 50
# Assembly rounds (of up to 500 subscriptions each) one pass runs at most; the next pass
# goes on where it stopped.
MAX_ASSEMBLY_ROUNDS = 40
# Seconds between heartbeats written during a pass (readiness calls a role stale at 30).
HEARTBEAT_EVERY = 5.0


def mailer_partition(instance: str | None, processes: int) -> Partition:
    """The partition a supervised mailer process owns, from its instance name ("mailer",
    "mailer-2" … as `monitor run` names them): "mailer-k" owns partition k-1 of
    ``processes``. A process without one (``--role mailer --once``, tests) owns every
    subscriber."""
    if processes == 1 or not instance:
        return EVERY_SUBSCRIBER
    role, _, number = instance.partition("-")
    if role != "mailer" or (number and not number.isdigit()):
        raise ValueError(f"{instance!r} is not a mailer instance name (mailer, mailer-2 …)")
    index = int(number or "1") - 1
    if not 0 <= index < processes:
        raise ValueError(f"{instance!r} is beyond MONITOR_MAILER_PROCESSES={processes}")
    return Partition(index, processes)


def heartbeat_due(last: float, clock: float, every: float = HEARTBEAT_EVERY) -> bool:
    """Whether a pass in progress writes the mailer's heartbeat now (monotonic seconds)."""
    return clock - last >= every


def assembly_continues(queued: int, *, stopping: bool) -> bool:
    """Whether a pass runs another assembly round: the last one queued emails (so more
    may be due) and the mailer is not stopping. A round that queued nothing ends the
    pass's assembly; anything it left (paused, deferred) waits for the next pass."""
    return queued > 0 and not stopping


async def _first_of(task: asyncio.Future[int], event: asyncio.Event) -> None:
    """Wait until ``task`` is done or ``event`` is set."""
    waiter = asyncio.ensure_future(event.wait())
    either: set[asyncio.Future[Any]] = {task, waiter}
    try:
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


def backoff(attempts: int, *, base: float = 5.0, cap: float = 1800.0) -> timedelta:
    """Full-jitter exponential backoff: 5 s, 10 s, 20 s … capped at 30 min."""
    return timedelta(seconds=random.uniform(0.5, 1.0) * min(cap, base * 2 ** max(0, attempts - 1)))


class Mailer:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        transport: Transport,
        *,
        worker: str | None = None,
        claim_batch: int = CLAIM_BATCH,
        partition: Partition = EVERY_SUBSCRIBER,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.transport = transport
        self.claim_batch = claim_batch
        self.partition = partition
        self.assembler = Assembler(settings, engine, partition=partition)
        self.volume = VolumeWatch(settings, engine)
        self._volume_checked: float | None = None  # monotonic time of the last check
        self.sender = sender_of(settings).address
        # host:pid names this process, so a restarted mailer can tell which in-flight
        # attempts belonged to a process that is gone (and several mailers can share a host);
        # the role part names the partition when there are several ("mailer-2").
        role = "mailer" if partition.count == 1 else f"mailer-{partition.index + 1}"
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{role}:{settings.app_id}"
        self.stopping = False
        # The marks' connection, held for a pass: one pool checkout and liveness ping per
        # pass instead of one per email. Used by one mark at a time.
        self._marks: Connection | None = None
        self._raw_marks: RawMarks | None = None  # PostgreSQL: marks on the driver's cursor
        self._marking = asyncio.Lock()  # made again by each pass, in its own loop
        # Called between claimed batches: a pass lasts as long as the digest it sends, and
        # the mailer role's heartbeat must not go stale meanwhile (run() sets it).
        self.progress: Callable[[], None] = lambda: None

    async def recover(self) -> int:
        def _recover() -> int:
            with transaction(self.engine) as conn:
                return outbox.recover_interrupted(
                    conn, workers=self._is_dead_here, now=datetime.now(UTC)
                )

        count = await asyncio.to_thread(_recover)
        if count:
            log.warning("mailer.recovered_interrupted", count=count)
        return count

    def _is_dead_here(self, worker: str) -> bool:
        """True for a mailer process of this host that no longer runs (or this process's
        own earlier incarnation, for a fixed ``worker`` name in tests)."""
        if worker == self.worker:
            return True
        host, _, rest = worker.partition(":")
        pid, _, role = rest.partition(":")
        if host != socket.gethostname() or not pid.isdigit() or not role.startswith("mailer"):
            return False
        return not pid_alive(int(pid))

    async def pass_once(self, now: datetime | None = None) -> int:
        """Assemble what is due and send every claimable email once. Returns emails sent.

        Assembly runs on a thread while this loop sends: each assembly round (up to 500
        subscriptions, one transaction) makes its emails claimable as it commits, and they
        go out while the next round is composed, so the SMTP server's and the database's
        work overlaps the mailer's (see :func:`assembly_rounds`). The pass ends when the
        assembly is done and nothing is left to claim.

        Claimed emails go out over up to ``transport.connections`` SMTP connections at
        once (``MONITOR_SMTP_CONNECTIONS``): while one waits for the server's reply, the
        next is sent on another. An email's outcome is marked as soon as the server
        answers; each sending flow's mark commits while its next email goes over SMTP
        (one mark in flight per flow, awaited before the flow's next mark; marks share
        one connection, one at a time), so the accept-to-mark window of each email is
        the one of a single flow. ``now`` (tests only) pretends the pass happens at
        another time.
        """
        await self._watch_volumes(now)
        loop = asyncio.get_running_loop()
        committed = asyncio.Event()  # set each time an assembly round has queued emails

        def queued() -> None:
            loop.call_soon_threadsafe(committed.set)

        assembly = asyncio.ensure_future(asyncio.to_thread(self._assemble_due, now, queued))
        flows = max(1, int(getattr(self.transport, "connections", 1)))
        self._marking = asyncio.Lock()
        sent = 0
        try:
            while not self.stopping:
                assembled = assembly.done()  # read before the claim: nothing can follow
                committed.clear()
                claimed = await asyncio.to_thread(self._claim, now)
                if not claimed:
                    if assembled:
                        break
                    await _first_of(assembly, committed)
                    continue
                queue = iter(claimed)  # each flow takes the next email not yet taken
                async with asyncio.TaskGroup() as group:
                    counts = [
                        group.create_task(self._flow(queue))
                        for _ in range(min(flows, len(claimed)))
                    ]
                sent += sum(task.result() for task in counts)
                self.progress()
        finally:
            # A thread cannot be cancelled: the pass ends with its assembly.
            await asyncio.wait({assembly})
            await asyncio.to_thread(self._close_marks)
        assembly.result()  # an assembly failure (StoreError …) is the pass's failure
        return sent

    def _assemble_due(self, now: datetime | None, queued: Callable[[], None]) -> int:
        """Assembly rounds until one queues nothing (on the pass's thread); ``queued`` is
        called after each round that committed emails."""
        total = 0
        for _ in range(MAX_ASSEMBLY_ROUNDS):
            count = self.assembler.run_once(now)
            total += count
            if count:
                queued()
            if not assembly_continues(count, stopping=self.stopping):
                break
        return total

    async def _flow(self, emails: Iterator[outbox.ClaimedEmail]) -> int:
        """Send emails from ``emails`` one after another, marking each; returns how many
        were sent. Several flows share the iterator (and the transport's connections)."""
        sent = 0
        marking: asyncio.Task[None] | None = None
        try:
            for email in emails:
                outcome = await self._send(email)
                if outcome is None:
                    continue
                if marking is not None:
                    await marking
                marking = asyncio.create_task(self._finish(email, *outcome))
                sent += outcome[0] == "sent"
        finally:
            if marking is not None:
                await marking
        return sent

    async def _watch_volumes(self, now: datetime | None) -> None:
        """Queue spike and silence messages when a check is due. A failure here is logged
        and retried at the next check: it never holds back the emails already due. With
        several mailer processes, the first one checks (its messages go out through the
        process owning each subscriber)."""
        if self.partition.index != 0:
            return
        clock = time.monotonic()
        if not watch_is_due(self._volume_checked, clock, self.settings.volume_check_interval):
            return
        self._volume_checked = clock
        try:
            await asyncio.to_thread(self.volume.run_once, now)
        except StoreError:
            raise
        except Exception as exc:
            log.exception("volume.check_failed", error=str(exc))

    def _close_marks(self) -> None:
        marks, self._marks = self._marks, None
        raw, self._raw_marks = self._raw_marks, None
        if raw is not None:
            with contextlib.suppress(Exception):
                raw.close()
        if marks is not None:
            with contextlib.suppress(Exception):  # a broken connection: the pool drops it
                marks.close()

    def _mark(
        self, email: outbox.ClaimedEmail, outcome: str, detail: str, retry_at: datetime | None
    ) -> None:
        """Record one outcome in its own commit, on the pass's marks connection."""
        try:
            if self._marks is None:
                marks = open_connection(self.engine)
                self._marks = marks
                if outbox.marks_in_one_statement(marks):
                    # Each mark is one statement: autocommit spares BEGIN and COMMIT, and
                    # the driver's cursor SQLAlchemy's per-statement work.
                    with store_errors():
                        self._marks = marks.execution_options(isolation_level="AUTOCOMMIT")
                        self._raw_marks = RawMarks(self._marks)
            now = datetime.now(UTC)
            if self._raw_marks is not None:
                self._raw_marks.finish_attempt(
                    email, outcome=outcome, detail=detail, now=now, retry_at=retry_at
                )
                return
            with transaction_on(self._marks) as conn:
                outbox.finish_attempt(
                    conn, email, outcome=outcome, detail=detail, now=now, retry_at=retry_at
                )
        except StoreError:
            self._close_marks()  # the next try opens a fresh one
            raise

    def _claim(self, now: datetime | None = None) -> list[outbox.ClaimedEmail]:
        with transaction(self.engine) as conn:
            return outbox.claim_emails(
                conn,
                now=now or datetime.now(UTC),
                worker=self.worker,
                lease=LEASE,
                limit=self.claim_batch,
                partition=self.partition,
            )

    async def _send(self, email: outbox.ClaimedEmail) -> tuple[str, str, datetime | None] | None:
        """Hand one email to SMTP; return how to mark it (outcome, detail, retry time).

        None when stopping: the email stays leased-but-unsent, and recover() at the next
        start makes it due again.
        """
        if self.stopping:
            return None
        try:
            reply = await self.transport.send(
                email.raw,
                sender=self.sender,
                recipient=email.recipient,
                message_id=email.message_id,
            )
        except TransientDeliveryError as exc:
            give_up = email.attempts >= self.settings.mail_max_attempts
            metrics.EMAILS_FAILED.labels(email.kind, str(give_up).lower()).inc()
            log.warning(
                "email.failed",
                email_id=email.id,
                attempts=email.attempts,
                permanent=give_up,
                error=str(exc),
            )
            if give_up:
                return "permanent", str(exc), None
            return "transient", str(exc), datetime.now(UTC) + backoff(email.attempts)
        except PermanentDeliveryError as exc:
            metrics.EMAILS_FAILED.labels(email.kind, "true").inc()
            log.error("email.rejected", email_id=email.id, error=str(exc))
            return "permanent", str(exc), None
        # Accepted by the server: mark it at once; this is the window that can repeat a send.
        failpoint("mailer.after_accept")
        metrics.EMAILS_SENT.labels(email.kind).inc()
        log.info(
            "email.sent",
            email_id=email.id,
            subscriber_id=email.subscriber_id,
            kind=email.kind,
            message_id=email.message_id,
        )
        return "sent", reply, None

    async def _finish(
        self, email: outbox.ClaimedEmail, outcome: str, detail: str, retry_at: datetime | None
    ) -> None:
        delay = 0.2
        while True:
            try:
                async with self._marking:  # the marks' connection serves one at a time
                    await asyncio.to_thread(self._mark, email, outcome, detail, retry_at)
                return
            except StoreError as exc:
                # Must not give up: an unmarked accepted email would be sent again.
                log.warning("mailer.mark_retry", email_id=email.id, error=str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def run(self, stop: asyncio.Event, *, once: bool = False, interval: float = 1.0) -> None:
        beaten = 0.0

        def beat() -> None:
            nonlocal beaten
            if heartbeat_due(beaten, time.monotonic()):
                beaten = time.monotonic()
                write_heartbeat(self.settings, "mailer", state="running")

        self.progress = beat
        await self.recover()
        delay = interval
        while not stop.is_set():
            try:
                await self.pass_once()
                delay = interval
            except StoreError as exc:
                log.warning("mailer.store_unavailable", error=str(exc), retry_in=delay)
                delay = min(delay * 2, 30.0)
            write_heartbeat(self.settings, "mailer", state="running")
            if once:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
        await self.transport.close()


def run_mailer(
    settings: Settings, *, once: bool = False, partition: Partition = EVERY_SUBSCRIBER
) -> int:
    async def main() -> None:
        stop = asyncio.Event()
        engine = make_engine(settings.db_url, timeout=settings.db_timeout)
        mailer = Mailer(settings, engine, make_transport(settings), partition=partition)
        loop = asyncio.get_running_loop()

        def _stop() -> None:
            mailer.stopping = True
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _stop)
        log.info(
            "mailer.starting",
            smtp=settings.smtp_host or None,
            outbox=None if settings.smtp_host else str(settings.outbox_path),
            partition=str(partition),
        )
        try:
            await mailer.run(stop, once=once)
        finally:
            engine.dispose()

    asyncio.run(main())
    return 0
