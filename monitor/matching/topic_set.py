"""Several topics at once: the topic files of a directory, loaded and used together.

"A second topic is a second file": the worker loads every ``*.toml`` of
``MONITOR_TOPIC_DIR`` (or only ``MONITOR_TOPIC_FILE`` when that is set) into a
:class:`TopicSet` and classifies each story with every topic. The text is folded and its
language guessed once per story, not once per topic; each topic then runs its own
spotter and scanner. Pure apart from ``load_topic_set`` reading the files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from monitor.errors import TopicFileError
from monitor.matching.classifier import classify_folded, guess_language
from monitor.matching.model.linear import LinearModel
from monitor.matching.model.loading import topic_model
from monitor.matching.text import fold_text
from monitor.matching.topic import Topic, load_topic
from monitor.models import Classification


@dataclass(frozen=True, slots=True)
class TopicSet:
    """The loaded topics, in file-name order (ids are unique), and the learned models of
    those that have one (only when MONITOR_CLASSIFIER_MODEL=on)."""

    topics: tuple[Topic, ...]
    models: Mapping[str, LinearModel] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(topic.topic_id for topic in self.topics)

    def categories(self) -> tuple[str, ...]:
        """Every topic's categories, first seen first: what a category filter may name."""
        names: dict[str, None] = {}
        for topic in self.topics:
            names.update(dict.fromkeys(topic.categories.names))
        return tuple(names)

    def country_names(self) -> dict[str, str]:
        """Every topic's countries (code → name)."""
        names: dict[str, str] = {}
        for topic in self.topics:
            for code, name in topic.country_names.items():
                names.setdefault(code, name)
        return names


def topic_files(topic_dir: Path, topic_file: Path | None) -> list[Path]:
    """The files to load: just ``topic_file`` when given, else the directory's ``*.toml``
    in name order. Raises TopicFileError when there is nothing to load."""
    if topic_file is not None:
        return [topic_file]
    try:
        paths = sorted(p for p in topic_dir.glob("*.toml") if p.is_file())
    except OSError as exc:
        raise TopicFileError(topic_dir, "", f"cannot list the directory: {exc}") from exc
    if not paths:
        raise TopicFileError(topic_dir, "", "no topic files (*.toml) in this directory")
    return paths


def read_topic_names(paths: Iterable[Path]) -> dict[str, str]:
    """Each file's ``[topic]`` id → name, without compiling the topic (what emails need).
    Raises TopicFileError for a file that cannot be read or has no ``[topic]`` id."""
    names: dict[str, str] = {}
    for path in paths:
        try:
            meta = tomllib.loads(path.read_text(encoding="utf-8")).get("topic", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise TopicFileError(path, "topic", f"cannot read it: {exc}") from exc
        topic_id = meta.get("id") if isinstance(meta, dict) else None
        if not isinstance(topic_id, str) or not topic_id:
            raise TopicFileError(path, "topic.id", "missing (`monitor topic check FILE`)")
        names[topic_id] = str(meta.get("name") or topic_id)
    return names


def load_topic_set(paths: Iterable[Path], *, models: str = "off") -> TopicSet:
    """Load and compile each file; the first bad file's TopicFileError, or a duplicate id.

    ``models`` (MONITOR_CLASSIFIER_MODEL; "off" none): also each topic's weights file,
    when it has one (ModelFileError if it is unusable or stale)."""
    topics: list[Topic] = []
    loaded: dict[str, LinearModel] = {}
    seen: dict[str, Path] = {}
    for path in paths:
        topic = load_topic(path)
        if topic.topic_id in seen:
            raise TopicFileError(
                path, "topic.id", f"{topic.topic_id!r} is already the id of {seen[topic.topic_id]}"
            )
        seen[topic.topic_id] = path
        topics.append(topic)
        model = topic_model(topic, path, models)
        if model is not None:
            loaded[topic.topic_id] = model
    return TopicSet(tuple(topics), loaded)


def classify_all(
    topics: TopicSet, title: str, text: str, lang: str | None = None, *, lean: bool = False
) -> Mapping[str, Classification]:
    """Each topic's verdict on one story (topic id → verdict), folding the text once."""
    folded_title, folded_text = fold_text(title), fold_text(text)
    guesses: dict[tuple[str, ...], str | None] = {}
    verdicts: dict[str, Classification] = {}
    for topic in topics.topics:
        story_lang = lang
        if story_lang is None:
            if topic.languages not in guesses:
                guesses[topic.languages] = guess_language(topic.languages, title, text)
            story_lang = guesses[topic.languages]
        verdicts[topic.topic_id] = classify_folded(
            topic,
            folded_title,
            folded_text,
            story_lang,
            lean=lean,
            model=topics.models.get(topic.topic_id),
        )
    return verdicts
