"""Ukrainian and Russian stories give timeline entries: real sentences of
tests/data/dev-ukru.jsonl, the real topic and cue lists."""

from __future__ import annotations

import json

import pytest

from monitor.matching.classifier import classify
from monitor.matching.topic import Topic
from monitor.timelines.cues import TimelineCues
from monitor.timelines.extract import extract_timeline
from monitor.timelines.model import StoryText
from tests import PROJECT_ROOT

UKRU = PROJECT_ROOT / "tests" / "data" / "dev-ukru.jsonl"


def story(story_id: str) -> dict[str, str]:
    for line in UKRU.read_text(encoding="utf-8").splitlines():
        row: dict[str, str] = json.loads(line)
        if row["id"] == story_id:
            return row
    raise AssertionError(f"{story_id} is not in {UKRU}")


def made(topic: Topic, cues: TimelineCues, story_id: str) -> set[tuple[str, str, str | None]]:
    row = story(story_id)
    verdict = classify(topic, row["title"], row["text"], row["lang"])
    assert verdict.relevant, story_id
    text = StoryText(story_id, row["title"], row["text"], None)
    return {(e.country, e.kind, e.value) for e in extract_timeline(cues, text, verdict).entries}


@pytest.mark.parametrize(
    ("story_id", "expected"),
    [
        # "Зеленський зустрівся з президентом Гватемали Бернардо Аревало в Нью-Йорку"
        ("u-037", {("GT", "meeting", None)}),
        # "Путин поговорил с лидером Бразилии … Лулой да Силвой по телефону"
        ("u-004", {("BR", "call", None)}),
        # "Лула да Силва в телефонном разговоре с президентом РФ Владимиром Путиным…"
        ("u-005", {("BR", "call", None)}),
        # "Мексика не присоединится к санкциям против России": a refusal is a trade step
        ("u-043", {("MX", "trade", None)}),
        # "Амориму … о готовности группы «Друзья мира» организовать саммит"
        ("u-020", {("BR", "peace-plan", None)}),
    ],
)
def test_ukrainian_and_russian_stories_give_entries(
    topic: Topic, cues: TimelineCues, story_id: str, expected: set[tuple[str, str, str | None]]
) -> None:
    assert made(topic, cues, story_id) == expected


@pytest.mark.parametrize(
    ("story_id", "absent"),
    [
        # "отказалась от визита на Украину": a visit refused is none
        ("u-042", ("MX", "visit", None)),
        # "Милей планирует приехать в Украину" / "в июне посетит Украину": not yet
        ("u-010", ("AR", "visit", None)),
        # "Зеленський зробив запит на зустріч": a meeting asked for is none
        ("u-003", ("BR", "meeting", None)),
    ],
)
def test_ukrainian_and_russian_plans_refusals_and_requests_are_none(
    topic: Topic, cues: TimelineCues, story_id: str, absent: tuple[str, str, None]
) -> None:
    assert absent not in made(topic, cues, story_id)
