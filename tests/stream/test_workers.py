"""Worker processes against the real broker: dead letters, and two workers sharing the load."""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select

from bench.corpus import corpus
from monitor.store.db import transaction
from monitor.store.tables import story_sources
from monitor.stream.codec import encode_item
from monitor.stream.dead_letters import list_letters, replay
from monitor.stream.topics import ensure_topics
from tests.chaos.harness import StreamPublisher
from tests.roles import Roles, read_topic, wait_until


def _stored(engine: Any) -> int:
    with transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(story_sources)).scalar_one())


def _raw_send(settings: Any, values: list[bytes], topic: str | None = None,
              key: bytes | None = b"k") -> None:
    """Publish raw bytes, bypassing the codec (to the items topic unless told otherwise)."""
    from monitor.stream.kafka_python import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True,
                             acks="all")
    for value in values:
        producer.send(topic or settings.items_topic, key=key, value=value).get(timeout=30)
    producer.close()


def test_poison_items_go_to_the_dead_letter_topic_and_can_be_replayed(
    engines: Any,
    pg_url: str, kafka_bootstrap: str, make_settings: Any, tmp_path: Path
) -> None:
    settings = make_settings(database_url=pg_url, item_max_attempts=2)
    ensure_topics(settings)
    engine = engines(settings.db_url)
    good = corpus(20, seed=31)
    poison = dataclasses.replace(good[0], item_id="poison", title="NUL \x00 in a title",
                                 title_key="poison")  # PostgreSQL refuses NUL in text
    _raw_send(settings, [b"not json at all", json.dumps({"v": 99}).encode(),
                         encode_item(poison)] + [encode_item(i) for i in good])
    roles = Roles(settings, tmp_path / "logs").start("worker")
    try:
        wait_until(lambda: _stored(engine) == 20, 90, what="the good items")
        wait_until(lambda: len(read_topic(settings, settings.dead_letter_topic)) == 3, 60,
                   what="three dead letters")
        assert roles["worker"].alive  # poison never stops the stream
    finally:
        roles.stop_all()
    letters = list_letters(settings, limit=10)
    errors = " | ".join(str(letter["error"]) for letter in letters)
    assert "not JSON" in errors and "wire version" in errors and "NUL" in errors.upper()

    # Replay: readable letters go back to the items topic; each letter is replayed once.
    fixed = {"error": "test", "failed_at": time.time(),
             "value": encode_item(dataclasses.replace(good[1], item_id="replayed",
                                                      title_key="replayed")).decode()}
    _raw_send(settings, [orjson.dumps(fixed)], topic=settings.dead_letter_topic, key=None)

    def published() -> Counter[str]:
        ids: Counter[str] = Counter()
        for record in read_topic(settings):
            try:
                ids[str(orjson.loads(record.value).get("item_id", "?"))] += 1
            except orjson.JSONDecodeError:
                ids["(not json)"] += 1
        return ids

    before = published()
    replayed, unreadable = replay(settings, limit=10)
    assert (replayed, unreadable) == (2, 2)  # the poison item and the fixed one; 2 unreadable
    assert replay(settings, limit=10) == (0, 0)
    assert published() - before == Counter({"poison": 1, "replayed": 1})


def test_two_workers_share_partitions_and_one_takes_over_when_the_other_dies(
    engines: Any,
    pg_url: str, kafka_bootstrap: str, make_settings: Any, tmp_path: Path
) -> None:
    from monitor.stream.kafka_python import KafkaAdminClient, KafkaError

    settings = make_settings(database_url=pg_url, partitions=4, kafka_session_timeout=6.0)
    ensure_topics(settings)
    engine = engines(settings.db_url)
    items = corpus(3000, seed=41)
    roles = Roles(settings, tmp_path / "logs")
    roles.procs["a"] = roles.start("worker").procs.pop("worker")
    roles.procs["b"] = roles.start("worker").procs.pop("worker")

    def members() -> list[list[int]]:
        try:
            with KafkaAdminClient(bootstrap_servers=kafka_bootstrap) as admin:
                group = admin.describe_groups([settings.app_id])[settings.app_id]
        except KafkaError as error:
            if error.retriable:  # e.g. the group's coordinator is still being elected
                return []
            raise
        if group["group_state"] != "Stable":
            return []
        out = []
        for member in group["members"]:
            assignment = member["member_assignment"]
            if not isinstance(assignment, dict):  # decoded only once the group is stable
                return []
            out.append(sorted(p for a in assignment["assigned_partitions"] for p in a["partitions"]))
        return out

    publisher = StreamPublisher(settings, items, rate=300.0)
    try:
        wait_until(lambda: len(members()) == 2 and all(members()), 60, what="two members")
        shared = members()
        assert sorted(p for m in shared for p in m) == [0, 1, 2, 3]
        publisher.start()
        wait_until(lambda: _stored(engine) > 500, 60, what="both workers busy")
        roles["a"].kill()
        wait_until(lambda: members() == [[0, 1, 2, 3]], 60, what="the survivor to take all partitions")
        publisher.join(120)
        wait_until(lambda: _stored(engine) == len(items), 120, what="every item stored")
    finally:
        roles.stop_all()
    with transaction(engine) as conn:
        distinct = conn.execute(select(func.count(func.distinct(story_sources.c.item_id)))).scalar_one()
    assert distinct == len(items) == _stored(engine)
    # Faust's data directory sits under var_dir, not in the directory the workers started in.
    assert (settings.var_dir / "faust" / settings.app_id / "v1").is_dir()
    assert not (Path.cwd() / f"{settings.app_id}-data").exists()
