"""Scratch topics are deleted by their run's prefix, and only theirs: the suite and the
benchmarks clean up after themselves so a broker does not load thousands of dead
partitions at every start."""

from __future__ import annotations

from typing import Any

from monitor.stream.kafka_python import KafkaAdminClient
from monitor.stream.topics import drop_topics, ensure_topics, named_with


def test_a_prefix_owns_its_topics_and_faust_internal_ones_only() -> None:
    existing = [
        "test-aaaaaaaaaa.items",
        "test-aaaaaaaaaa.items.dlq",
        "test-aaaaaaaaaa-__assignor-__leader",
        "test-bbbbbbbbbb.items",
        "monitor.items",
        "__consumer_offsets",
    ]
    assert named_with(existing, ["test-aaaaaaaaaa"]) == [
        "test-aaaaaaaaaa-__assignor-__leader",
        "test-aaaaaaaaaa.items",
        "test-aaaaaaaaaa.items.dlq",
    ]
    assert named_with(existing, []) == []
    assert named_with(existing, ["test-cccccccccc"]) == []


def test_dropping_one_run_leaves_another_run_s_topics(make_settings: Any) -> None:
    gone = make_settings(topic_prefix="test-dropme0001", app_id="test-dropme0001")
    kept = make_settings(topic_prefix="test-keepme0001", app_id="test-keepme0001")
    ensure_topics(gone)
    ensure_topics(kept)

    dropped = drop_topics(gone.kafka_bootstrap, ["test-dropme0001"])

    assert dropped == sorted([gone.items_topic, gone.dead_letter_topic])
    with KafkaAdminClient(bootstrap_servers=kept.kafka_bootstrap) as admin:
        left = set(admin.list_topics())
    assert gone.items_topic not in left and gone.dead_letter_topic not in left
    assert {kept.items_topic, kept.dead_letter_topic} <= left
    drop_topics(kept.kafka_bootstrap, ["test-keepme0001"])
