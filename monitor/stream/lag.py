"""Consumer lag of the worker group: how many items wait in Kafka, per partition."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from monitor.config import Settings

RETRY_PAUSE_SECONDS = 0.25
T = TypeVar("T")


def worth_retrying(error: BaseException, remaining_seconds: float) -> bool:
    """Ask again only for an answer Kafka says will come (``retriable``: the group's
    coordinator still loading after a broker restart, a leader being elected) and only
    while the caller's time allows another try."""
    return bool(getattr(error, "retriable", False)) and remaining_seconds > RETRY_PAUSE_SECONDS


def consumer_lag(settings: Settings, timeout: float = 5.0) -> dict[int, int]:
    """Partition → (end offset − committed offset). Uncommitted partitions count from 0.

    A broker that has just started answers "coordinator not available" until it has
    loaded the group offsets; that is a wait, not an unknown lag, so it is asked again
    within ``timeout`` (``ask_within``). Any other error, or one still there at the
    deadline, reaches the caller, which reports the lag as unknown.
    """
    return ask_within(lambda left: _lag_once(settings, left), timeout)


def ask_within(
    ask: Callable[[float], T],
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> T:
    """``ask(seconds left)`` until it answers, asked again only after an error
    ``worth_retrying`` and only while ``timeout`` lasts."""
    deadline = clock() + timeout
    while True:
        try:
            return ask(max(deadline - clock(), RETRY_PAUSE_SECONDS))
        except Exception as exc:
            if not worth_retrying(exc, deadline - clock()):
                raise
            pause(RETRY_PAUSE_SECONDS)


def _lag_once(settings: Settings, timeout: float) -> dict[int, int]:
    from monitor.stream.kafka_python import KafkaAdminClient, OffsetSpec, TopicPartition

    with KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        bootstrap_timeout_ms=int(timeout * 1000),
        request_timeout_ms=int(timeout * 1000),
    ) as admin:
        partitions = [TopicPartition(settings.items_topic, p) for p in range(settings.partitions)]
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
        # A group that never committed reads offset -1 (no error).
        committed = admin.list_group_offsets({settings.app_id: partitions}).get(settings.app_id, {})
    lag: dict[int, int] = {}
    for tp in partitions:
        end = ends[tp].offset if tp in ends else 0
        done = getattr(committed.get(tp), "offset", -1)
        lag[tp.partition] = max(0, end - max(done, 0))
    return lag
