"""Run the extractor over a labeled set and score each portion (dev, test, any other
split the file names, such as a later held-out batch ``test3``, and all).

The stories are classified with the topics exactly as the worker would, and read as the
timeline reads them (``readings.merged_timeline``: each topic that calls the story relevant,
the first of each kind kept); a gold story no topic calls relevant yields no entries, and
its entries count as missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.matching.classifier import classify
from monitor.matching.topic import Topic
from monitor.timelines.cues import TimelineCues
from monitor.timelines.extract import extract_timeline
from monitor.timelines.gold import GoldStory
from monitor.timelines.model import StoryText, StoryTimeline
from monitor.timelines.readings import merged_timeline
from monitor.timelines.scoring import TimelineScore, score_timelines

PORTIONS = ("dev", "test", "all")  # always reported; other splits come before "all"


@dataclass(frozen=True, slots=True)
class TimelineMeasure:
    """The scores by portion and how many gold stories the classifier let through."""

    scores: dict[str, TimelineScore]
    not_relevant: tuple[str, ...]  # gold story ids the classifier calls irrelevant


def measure_timelines(
    topics: Sequence[Topic], cues: TimelineCues, gold: Sequence[GoldStory]
) -> TimelineMeasure:
    predicted: dict[str, StoryTimeline] = {}
    not_relevant: list[str] = []
    for story in gold:
        text = StoryText(story.story_id, story.title, story.text, story.date)
        readings = []
        for topic in topics:
            verdict = classify(topic, story.title, story.text, story.lang)
            if verdict.relevant:
                readings.append((topic.topic_id, extract_timeline(cues, text, verdict)))
        if not readings:
            not_relevant.append(story.story_id)
        predicted[story.story_id] = merged_timeline(readings)
    scores = {
        portion: score_timelines(
            [s for s in gold if portion == "all" or s.split == portion], predicted
        )
        for portion in portions_of(gold)
    }
    return TimelineMeasure(scores, tuple(not_relevant))


def portions_of(gold: Sequence[GoldStory]) -> tuple[str, ...]:
    """dev and test, then the file's other splits by name, then all."""
    others = sorted({s.split for s in gold} - set(PORTIONS))
    return (*PORTIONS[:-1], *others, PORTIONS[-1])


def format_measure(measure: TimelineMeasure, name: str, *, errors: bool = False) -> str:
    """The plain-text report ``monitor eval timeline`` prints."""
    lines = [
        f"timeline evaluation of {name}",
        f"{'portion':<8} {'stories':>7}  {'entry P':>7}  {'entry R':>7}  {'right/made/gold':<16}"
        f"{'stance acc':>10}  {'right/gold':<10}  {'stance P':>8}  right/made",
    ]
    for portion, s in measure.scores.items():
        if not s.stories:
            continue
        entries = f"{s.correct_entries}/{s.predicted_entries}/{s.gold_entries}"
        stances = f"{s.correct_stances}/{s.gold_stances}"
        lines.append(
            f"{portion:<8} {s.stories:>7}  {s.precision:7.3f}  {s.recall:7.3f}  {entries:<16}"
            f"{s.stance_accuracy:10.3f}  {stances:<10}  {s.stance_precision:8.3f}  "
            f"{s.correct_stances}/{s.predicted_stances}"
        )
    if measure.not_relevant:
        # Which stories, only when errors are asked for: a gold batch drawn from the
        # classifier's sealed blind set must not show its items' verdicts (aggregates only).
        which = f": {', '.join(measure.not_relevant)}" if errors else " (--errors lists them)"
        lines.append(
            f"the classifier calls {len(measure.not_relevant)} gold stories irrelevant "
            f"(their entries count as missed){which}"
        )
    if errors:
        lines.append("disagreements (all portions):")
        lines += [f"  {m.story_id} {m.what}: {m.detail}" for m in measure.scores["all"].misses]
    return "\n".join(lines)


def measure_json(measure: TimelineMeasure, *, errors: bool = False) -> dict[str, object]:
    """The report as JSON-ready data, for scripts; the irrelevant stories' ids only with
    ``errors`` (as in the text)."""
    return {
        "portions": {
            portion: {
                "stories": s.stories,
                "entry_precision": round(s.precision, 4),
                "entry_recall": round(s.recall, 4),
                "entries": {
                    "right": s.correct_entries,
                    "made": s.predicted_entries,
                    "gold": s.gold_entries,
                },
                "stance_accuracy": round(s.stance_accuracy, 4),
                "stance_precision": round(s.stance_precision, 4),
                "stances": {
                    "right": s.correct_stances,
                    "made": s.predicted_stances,
                    "gold": s.gold_stances,
                },
            }
            for portion, s in measure.scores.items()
        },
        "not_relevant_count": len(measure.not_relevant),
        **({"not_relevant": list(measure.not_relevant)} if errors else {}),
    }
