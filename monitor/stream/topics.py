"""Kafka topics, created up front with their partition counts (never auto-created)."""

from __future__ import annotations

from monitor.config import Settings
from monitor.errors import ServiceError
from monitor.logs import get_logger

log = get_logger(__name__)


def topic_specs(settings: Settings) -> dict[str, dict[str, object]]:
    return {
        settings.items_topic: {
            "num_partitions": settings.partitions,
            "replication_factor": 1,
            "topic_configs": {"retention.ms": str(14 * 24 * 3600 * 1000)},
        },
        settings.dead_letter_topic: {
            "num_partitions": 1,
            "replication_factor": 1,
            "topic_configs": {"retention.ms": str(90 * 24 * 3600 * 1000)},
        },
    }


def ensure_topics(settings: Settings, *, timeout: float = 60.0) -> list[str]:
    """Create missing topics; return the names created. Existing topics are left alone."""
    from monitor.stream.kafka_python import KafkaAdminClient, KafkaError

    specs = topic_specs(settings)
    try:
        with KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap, bootstrap_timeout_ms=int(timeout * 1000)
        ) as admin:
            existing = set(admin.list_topics())
            missing = {name: spec for name, spec in specs.items() if name not in existing}
            if missing:
                admin.create_topics(missing, wait_for_metadata=True, raise_errors=False)
            existing = set(admin.list_topics())
    except KafkaError as exc:
        raise ServiceError(
            f"cannot create topics on {settings.kafka_bootstrap} (MONITOR_KAFKA_BOOTSTRAP): "
            f"{exc}. Is the broker up? Start a local one with `monitor broker start`."
        ) from exc
    not_created = set(specs) - existing
    if not_created:
        raise ServiceError(f"topics could not be created: {', '.join(sorted(not_created))}")
    if missing:
        log.info("kafka.topics.created", topics=sorted(missing))
    return sorted(missing)
