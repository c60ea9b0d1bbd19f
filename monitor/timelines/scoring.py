"""Score extracted timelines against a labeled set: entry precision/recall, stance accuracy.

An entry counts as right when story, country, kind and value all match the gold. Stance
accuracy is over the gold's stances (a missing or different stance is wrong); stance
precision is over the extractor's stances (one the gold lacks is wrong). A gold story
that names its labeled ``countries`` is scored on those countries only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.timelines.gold import EntryKey, GoldStory
from monitor.timelines.model import StoryTimeline


@dataclass(frozen=True, slots=True)
class Miss:
    """One disagreement, for the error listing: ``extra`` (not in gold) or ``missed``."""

    story_id: str
    what: str
    detail: str


@dataclass(frozen=True, slots=True)
class TimelineScore:
    """Counts and rates over one portion of a labeled set."""

    stories: int
    gold_entries: int
    predicted_entries: int
    correct_entries: int
    gold_stances: int
    correct_stances: int
    predicted_stances: int
    misses: tuple[Miss, ...]

    @property
    def precision(self) -> float:
        return _rate(self.correct_entries, self.predicted_entries)

    @property
    def recall(self) -> float:
        return _rate(self.correct_entries, self.gold_entries)

    @property
    def stance_accuracy(self) -> float:
        return _rate(self.correct_stances, self.gold_stances)

    @property
    def stance_precision(self) -> float:
        predicted_right = self.correct_stances  # a right stance is always a gold one
        return _rate(predicted_right, self.predicted_stances)


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def score_timelines(
    gold: Sequence[GoldStory], predicted: Mapping[str, StoryTimeline]
) -> TimelineScore:
    """Compare each gold story with what the extractor made of it."""
    gold_entries = predicted_entries = correct = 0
    gold_stances = correct_stances = predicted_stances = 0
    misses: list[Miss] = []
    for story in gold:
        timeline = predicted.get(story.story_id, StoryTimeline((), ()))
        labeled = story.countries
        made: set[EntryKey] = {
            (e.country, e.kind, e.value)
            for e in timeline.entries
            if labeled is None or e.country in labeled
        }
        gold_entries += len(story.entries)
        predicted_entries += len(made)
        correct += len(made & story.entries)
        misses += [
            Miss(story.story_id, "extra", _show(k)) for k in sorted(made - story.entries, key=str)
        ]
        misses += [
            Miss(story.story_id, "missed", _show(k)) for k in sorted(story.entries - made, key=str)
        ]
        said = {
            s.country: s.stance for s in timeline.stances if labeled is None or s.country in labeled
        }
        predicted_stances += len(said)
        gold_stances += len(story.stances)
        for country, stance in story.stances.items():
            if said.get(country) == stance:
                correct_stances += 1
        for country in sorted(set(said) | set(story.stances)):
            if said.get(country) != story.stances.get(country):
                detail = f"{country} stance {said.get(country)} (gold {story.stances.get(country)})"
                misses.append(Miss(story.story_id, "stance", detail))
    return TimelineScore(
        stories=len(gold),
        gold_entries=gold_entries,
        predicted_entries=predicted_entries,
        correct_entries=correct,
        gold_stances=gold_stances,
        correct_stances=correct_stances,
        predicted_stances=predicted_stances,
        misses=tuple(misses),
    )


def _show(key: EntryKey) -> str:
    country, kind, value = key
    return f"{country} {kind}" + (f":{value}" if value else "")
