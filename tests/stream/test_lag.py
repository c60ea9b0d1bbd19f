"""The worker group's lag read from the real broker: a group that never committed owes
every item, and one that committed owes the rest; a broker that does not answer is an
error for the caller to report as unknown, never a reading; a broker still loading the
group offsets is asked again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.services import kafka_broker
from monitor.stream.kafka_python import (
    KafkaConsumer,
    KafkaError,
    KafkaProducer,
    OffsetAndMetadata,
    TopicPartition,
)
from monitor.stream.lag import consumer_lag
from monitor.stream.topics import ensure_topics


def _publish(settings: Any, counts: dict[int, int]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    for partition, count in counts.items():
        for n in range(count):
            producer.send(settings.items_topic, value=b"%d" % n, partition=partition).get(30)
    producer.close()


def test_a_group_that_never_committed_owes_every_item_and_a_commit_pays_it(
    make_settings: Any,
) -> None:
    settings = make_settings(partitions=2)
    ensure_topics(settings)
    _publish(settings, {0: 3, 1: 5})
    assert consumer_lag(settings) == {0: 3, 1: 5}

    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.app_id,
        enable_auto_commit=False,
    )
    try:
        first = TopicPartition(settings.items_topic, 0)
        consumer.commit({first: OffsetAndMetadata(2, "", -1)})
    finally:
        consumer.close()
    assert consumer_lag(settings) == {0: 1, 1: 5}


def test_a_broker_that_does_not_answer_is_an_error_not_a_reading(make_settings: Any) -> None:
    settings = make_settings(kafka_bootstrap="127.0.0.1:1")
    with pytest.raises(KafkaError):
        consumer_lag(settings, timeout=1.0)


def test_a_broker_that_has_just_started_gives_a_reading_not_an_error(
    make_settings: Any, tmp_path: Path
) -> None:
    """A fresh broker answers "coordinator not available" until it has created and loaded
    the group offsets (as after the restart a chaos test does to the shared broker); the
    lag is asked again within its timeout instead of being reported as unknown."""
    port, controller = 19194, 19195
    run_dir = tmp_path / "kafka"
    try:
        kafka_broker.start(run_dir, port=port, controller_port=controller)
        settings = make_settings(partitions=2, kafka_bootstrap=f"127.0.0.1:{port}")
        ensure_topics(settings)
        _publish(settings, {0: 2, 1: 1})
        assert consumer_lag(settings, timeout=20.0) == {0: 2, 1: 1}
    finally:
        kafka_broker.stop(run_dir)
