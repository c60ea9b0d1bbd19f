"""Consumer lag of the worker group: how many items wait in Kafka, per partition."""

from __future__ import annotations

from monitor.config import Settings


def consumer_lag(settings: Settings, timeout: float = 5.0) -> dict[int, int]:
    """Partition → (end offset − committed offset). Uncommitted partitions count from 0."""
    from monitor.stream.kafka_python import KafkaAdminClient, OffsetSpec, TopicPartition

    with KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        bootstrap_timeout_ms=int(timeout * 1000),
        request_timeout_ms=int(timeout * 1000),
    ) as admin:
        partitions = [TopicPartition(settings.items_topic, p) for p in range(settings.partitions)]
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
        # A group that never committed reads offset -1 (no error); an error here (the
        # group's coordinator not elected yet, a timeout) means the lag is unknown, not
        # that every item waits: it reaches the caller, which reports it as unknown.
        committed = admin.list_group_offsets({settings.app_id: partitions}).get(
            settings.app_id, {}
        )
    lag: dict[int, int] = {}
    for tp in partitions:
        end = ends[tp].offset if tp in ends else 0
        done = getattr(committed.get(tp), "offset", -1)
        lag[tp.partition] = max(0, end - max(done, 0))
    return lag
