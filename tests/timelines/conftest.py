"""The real topic and the real timeline cue lists (no fakes)."""

from __future__ import annotations

import pytest

from monitor.matching.topic import Topic, load_topic
from monitor.timelines.cues import TimelineCues, load_cues
from tests import PROJECT_ROOT

TOPIC_PATH = PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml"
GOLD_PATH = PROJECT_ROOT / "tests" / "data" / "timeline" / "gold.jsonl"


@pytest.fixture(scope="session")
def topic() -> Topic:
    return load_topic(TOPIC_PATH)


@pytest.fixture(scope="session")
def cues() -> TimelineCues:
    """The rules alone: these tests are about what the cue and clause rules find; the
    precision filter has its own (test_precision.py)."""
    return load_cues(precision=False)
