"""Finding and checking a topic's weights file (``<topic stem>.model.json`` beside it).

A weights file belongs to one version of one topic file: its rule signals are computed by
that file's gazetteer and weights, so a model trained for another version would read
shifted signals. ``check_model`` refuses such a file with a ModelFileError that says how to
retrain; a topic without a weights file simply runs on its rules.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from monitor.errors import ModelFileError
from monitor.matching.model.linear import (
    RETRAIN,
    LinearModel,
    file_sha256,
    load_model,
    model_path_for,
)
from monitor.matching.model.signals import signal_names
from monitor.matching.topic import Topic

# The MONITOR_CLASSIFIER_MODEL settings that let the model add a story the rules reject.
RESCUING = ("rescue", "all")


def topic_model(topic: Topic, topic_path: Path, use: str = "on") -> LinearModel | None:
    """The topic's checked model, or None when it has no weights file (or ``use`` is
    "off"). ``use`` is MONITOR_CLASSIFIER_MODEL: "on" the veto and the category opinion,
    "veto" the relevance veto only, "category" the category opinion only, "rescue" the
    rescue and the category opinion, "all" the three."""
    path = model_path_for(topic_path)
    if use == "off" or not path.is_file():
        return None
    model = load_model(path)
    problem = model_problem(model, topic, file_sha256(topic_path))
    if problem:
        raise ModelFileError(path, f"{problem}; retrain with `{RETRAIN} --topic-file {topic_path}`")
    if use == "category" and model.category is None:
        raise ModelFileError(path, f"it has no category opinion; retrain with `{RETRAIN}`")
    if use in RESCUING and model.policy.rescue_above is None:
        raise ModelFileError(
            path, f"it has no rescue threshold (rescue_above); retrain with `{RETRAIN}`"
        )
    policy = replace(
        model.policy,
        veto=use in ("on", "veto", "all"),
        category=use in ("on", "category", "rescue", "all"),
        rescue=use in RESCUING,
    )
    return replace(model, policy=policy)


def model_problem(model: LinearModel, topic: Topic, topic_sha256: str) -> str | None:
    """Why ``model`` cannot serve ``topic`` (whose file has this SHA-256), or None."""
    if model.topic_id != topic.topic_id:
        return f"trained for topic {model.topic_id!r}, not {topic.topic_id!r}"
    if model.signal_names != signal_names(topic):
        return "its rule signals (categories, languages) differ from the topic file's"
    if model.topic_sha256 != topic_sha256:
        return "trained for another version of the topic file"
    return None
