"""The local broker: start, reuse when already up, stop cleanly, topics created up front."""

from __future__ import annotations

from pathlib import Path

from monitor.services import kafka_broker


def test_broker_starts_is_reused_and_stops(tmp_path: Path) -> None:
    run_dir = tmp_path / "kafka"
    port, controller = 19192, 19193
    bootstrap = f"127.0.0.1:{port}"
    assert not kafka_broker.broker_answers(bootstrap)
    try:
        assert kafka_broker.start(run_dir, port=port, controller_port=controller) == "started"
        assert kafka_broker.broker_answers(bootstrap)
        pid = int((run_dir / "broker.pid").read_text())
        # Idempotent: a second start finds the running broker and leaves it alone.
        assert kafka_broker.start(run_dir, port=port, controller_port=controller) == "reused"
        assert int((run_dir / "broker.pid").read_text()) == pid
        assert (run_dir / "kraft-logs" / "meta.properties").exists()
    finally:
        stopped = kafka_broker.stop(run_dir)
    assert stopped
    assert not kafka_broker.broker_answers(bootstrap)
    assert (
        "shut down completed" in (run_dir / "broker.out").read_text()
        or not (run_dir / "broker.pid").exists()
    )
    assert kafka_broker.stop(run_dir) is False


def test_topics_are_created_with_configured_partitions(kafka_bootstrap: str, make_settings) -> None:  # type: ignore[no-untyped-def]
    from monitor.stream.kafka_python import KafkaAdminClient
    from monitor.stream.topics import ensure_topics

    settings = make_settings(partitions=6)
    created = ensure_topics(settings)
    assert created == sorted([settings.items_topic, settings.dead_letter_topic])
    assert ensure_topics(settings) == []  # already there: nothing to do
    with KafkaAdminClient(bootstrap_servers=kafka_bootstrap) as admin:
        described = {t["name"]: t for t in admin.describe_topics([settings.items_topic])}
    assert len(described[settings.items_topic]["partitions"]) == 6
