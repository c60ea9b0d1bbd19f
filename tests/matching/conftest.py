"""Shared fixtures: the real topic file and the real dev set (no fakes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from monitor.matching.topic import Topic, load_topic

ROOT = Path(__file__).resolve().parents[2]
TOPIC_PATH = ROOT / "seeds" / "topics" / "ukraine-latam.toml"
RUSSIA_TOPIC_PATH = ROOT / "seeds" / "topics" / "russia-latam.toml"
DEV_SET_PATH = ROOT / "tests" / "data" / "dev-news.jsonl"
# A second development set written blind (by someone who never saw the classifier).
DEV2_SET_PATH = ROOT / "tests" / "data" / "dev2.jsonl"
# Real stories gathered for issue 16's classes (initiatives, state media, precedence,
# hard negatives), labeled before the classifier saw them, then used to build the rules.
DEV3_SET_PATH = ROOT / "tests" / "data" / "dev3.jsonl"


@pytest.fixture(scope="session")
def topic() -> Topic:
    return load_topic(TOPIC_PATH)


@pytest.fixture(scope="session")
def dev_items() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEV_SET_PATH.read_text(encoding="utf-8").splitlines()]
