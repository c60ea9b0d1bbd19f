"""Topic changes reach a running worker without a restart.

The worker asks :meth:`TopicWatcher.check` every ``MONITOR_TOPIC_RELOAD_SECONDS``. It
compares a cheap fingerprint of the topic files (names, sizes, modification times:
``topic_fingerprint``) with the last one; only a change makes it load and validate the new
set. A valid set replaces the old one in one assignment (a batch classifies with the old
set or the new one, never a mix); an invalid one is logged with the file, line and problem,
and the old set stays in use until the files change again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from monitor.errors import ModelFileError, TopicFileError
from monitor.logs import get_logger
from monitor.matching.model.linear import model_path_for
from monitor.matching.topic_set import TopicSet, classify_all, load_topic_set
from monitor.models import Classification

log = get_logger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


def topic_fingerprint(paths: Sequence[Path]) -> Fingerprint:
    """(path, size, mtime in ns) of each file; a file that vanished counts as (-1, -1)."""
    out = []
    for path in paths:
        try:
            stat = os.stat(path)
            out.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append((str(path), -1, -1))
    return tuple(out)


class LiveTopics:
    """The topic set in use; ``classify`` always reads the current one (a swap is atomic)."""

    def __init__(self, topics: TopicSet) -> None:
        self.topics = topics

    def classify(self, title: str, text: str, lang: str | None) -> Mapping[str, Classification]:
        return classify_all(self.topics, title, text, lang, lean=True)


class TopicWatcher:
    """Reloads ``live`` when the files ``list_files`` names change (see the module doc);
    ``models`` other than "off": their weights files too (a retrained model is picked up
    the same way)."""

    def __init__(
        self,
        live: LiveTopics,
        list_files: Callable[[], list[Path]],
        *,
        models: str = "off",
    ) -> None:
        self.live = live
        self.list_files = list_files
        self.models = models
        self.seen = self._fingerprint()

    def _fingerprint(self) -> Fingerprint:
        try:
            files = self.list_files()
            if self.models != "off":
                files = files + [model_path_for(path) for path in files]
            return topic_fingerprint(files)
        except TopicFileError:
            return ()  # an empty directory: a change, reported by check()

    def check(self) -> bool:
        """Reload if the files changed; True when a new set was swapped in."""
        current = self._fingerprint()
        if current == self.seen:
            return False
        self.seen = current
        try:
            topics = load_topic_set(self.list_files(), models=self.models)
        except (TopicFileError, ModelFileError) as exc:
            log.error(
                "topics.reload_failed",
                error=str(exc),
                kept=list(self.live.topics.ids),
                hint="fix the file (`monitor topic check FILE`); the old topics stay in use",
            )
            return False
        self.live.topics = topics
        log.info("topics.reloaded", topics=list(topics.ids))
        return True
