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


def named_with(existing: list[str], prefixes: list[str]) -> list[str]:
    """The topics that belong to one of ``prefixes`` (each a run's whole name, e.g.
    ``test-1a2b3c4d5e``: its own ``.items`` and Faust's ``-…`` internal topics)."""
    return sorted(name for name in existing if any(name.startswith(p) for p in prefixes))


def drop_topics(bootstrap: str, prefixes: list[str], *, timeout: float = 10.0) -> list[str]:
    """Delete the scratch topics of finished test or benchmark runs; return their names.

    A broker that keeps every run's topics loads each of their partitions when it starts:
    thousands of leftover partitions made a restart take minutes on a developer's machine.
    """
    from monitor.stream.kafka_python import KafkaAdminClient

    with KafkaAdminClient(
        bootstrap_servers=bootstrap,
        bootstrap_timeout_ms=int(timeout * 1000),
        request_timeout_ms=int(timeout * 1000),
    ) as admin:
        doomed = named_with(list(admin.list_topics()), prefixes)
        if doomed:
            admin.delete_topics(doomed, timeout_ms=int(timeout * 1000))
    if doomed:
        log.info("kafka.topics.deleted", count=len(doomed))
    return doomed
