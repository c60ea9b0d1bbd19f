"""A running worker's topics change with their files: a valid change is swapped in, an
invalid one is logged and the old topics kept (the handler, a real database)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.matching.topic_set import load_topic_set, topic_files
from monitor.store.db import make_engine, transaction
from monitor.store.tables import alerts
from monitor.stream.handler import ItemHandler
from monitor.stream.topic_reload import LiveTopics, TopicWatcher, topic_fingerprint
from monitor.subscriptions.fanout import SubscriptionIndex
from tests import PROJECT_ROOT

from .test_several_topics import BOTH_TOPICS, RUSSIA_ONLY, item

SEEDS = PROJECT_ROOT / "seeds" / "topics"


def touch_later(path: Path, seconds: int) -> None:
    """Move a file's modification time on (file systems with coarse clocks)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def alert_topics(engine: object) -> set[str]:
    with transaction(engine) as conn:  # type: ignore[arg-type]
        return set(conn.execute(select(alerts.c.topic)).scalars())


def test_fingerprint_changes_with_size_time_and_presence(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text("x", encoding="utf-8")
    first = topic_fingerprint([path])
    assert topic_fingerprint([path]) == first
    touch_later(path, 5)
    assert topic_fingerprint([path]) != first
    path.unlink()
    assert topic_fingerprint([path]) == ((str(path), -1, -1),)


def test_a_new_topic_file_is_used_without_a_restart_and_a_bad_one_is_not(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    topics_dir = tmp_path / "topics"
    topics_dir.mkdir()
    shutil.copy(SEEDS / "ukraine-latam.toml", topics_dir)

    def files() -> list[Path]:
        return topic_files(topics_dir, None)

    live = LiveTopics(load_topic_set(files()))
    watcher = TopicWatcher(live, files)
    engine = make_engine(db_url)
    handler = ItemHandler(
        engine=engine, classify=live.classify, subscriptions=SubscriptionIndex(recheck_seconds=0)
    )
    try:
        assert watcher.check() is False  # nothing changed
        handler.handle([RUSSIA_ONLY])
        assert alert_topics(engine) == set()  # only Ukraine's topic is loaded

        shutil.copy(SEEDS / "russia-latam.toml", topics_dir)
        assert watcher.check() is True
        assert live.topics.ids == ("russia-latam", "ukraine-latam")
        handler.handle([item("russia-2", RUSSIA_ONLY.title + " again", RUSSIA_ONLY.text)])
        assert alert_topics(engine) == {"russia-latam"}

        # A broken edit: logged with its place, the two topics stay in use.
        russia = topics_dir / "russia-latam.toml"
        good = russia.read_text(encoding="utf-8")
        russia.write_text(good.replace("threshold = 0.5", "threshold = 5", 1), encoding="utf-8")
        touch_later(russia, 10)
        with caplog.at_level(logging.ERROR, logger="monitor.stream.topic_reload"):
            assert watcher.check() is False
        (record,) = [r for r in caplog.records if r.getMessage() == "topics.reload_failed"]
        assert "[relevance.threshold]" in getattr(record, "error")  # noqa: B009
        assert getattr(record, "kept") == ["russia-latam", "ukraine-latam"]  # noqa: B009
        assert live.topics.ids == ("russia-latam", "ukraine-latam")
        assert watcher.check() is False  # not retried until the files change again
        handler.handle([BOTH_TOPICS])
        assert alert_topics(engine) == {"russia-latam", "ukraine-latam"}

        # The fix is picked up; removing a file removes its topic.
        russia.write_text(good, encoding="utf-8")
        touch_later(russia, 20)
        assert watcher.check() is True
        russia.unlink()
        assert watcher.check() is True
        assert list(live.topics.ids) == ["ukraine-latam"]
    finally:
        engine.dispose()


def test_a_model_file_change_is_reloaded_and_a_stale_one_is_refused(tmp_path: Path) -> None:
    from monitor.matching.model.linear import load_model, model_path_for

    topics_dir = tmp_path / "topics"
    topics_dir.mkdir()
    shutil.copy(SEEDS / "ukraine-latam.toml", topics_dir)

    def files() -> list[Path]:
        return topic_files(topics_dir, None)

    live = LiveTopics(load_topic_set(files(), models="on"))
    assert live.topics.models == {}  # no weights file yet: the rules alone
    watcher = TopicWatcher(live, files, models="on")
    model_file = model_path_for(topics_dir / "ukraine-latam.toml")
    shutil.copy(model_path_for(SEEDS / "ukraine-latam.toml"), model_file)
    assert watcher.check() is True
    assert set(live.topics.models) == {"ukraine-latam"}
    before = live.topics
    # The topic file is edited but the model is not retrained: refused, old set kept.
    with (topics_dir / "ukraine-latam.toml").open("a", encoding="utf-8") as out:
        out.write("\n# edited\n")
    assert watcher.check() is False
    assert live.topics is before
    assert load_model(model_file).topic_id == "ukraine-latam"
