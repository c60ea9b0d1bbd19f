"""Score the same-event decision on labeled story pairs (``monitor eval threads``).

``load_stories`` and ``load_pairs`` read the two JSON Lines files and refuse bad input at
the door with an :class:`~monitor.errors.InputFileError` naming the file and line (not
UTF-8, not JSON, a missing or mistyped field, a date that is not ISO, a duplicate id, a
pair naming an unknown story, an empty file). ``score_pairs`` is pure: pairwise
precision, recall and F1 over the labeled pairs, the counts, and the wrong verdicts with
their reasons. ``format_report`` renders it; ``evaluate_threads`` ties them together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from monitor.errors import InputFileError
from monitor.json_lines import read_json_lines
from monitor.matching.topic import Topic
from monitor.threads.decide import DEFAULT_RULES, Decision, Rules, same_event
from monitor.threads.facts import StoryFacts, ThreadStory, story_facts
from monitor.threads.group import Thread, group_stories, stories_per_thread
from monitor.threads.replay import AlertReplay, events_of, replay_alerts

__all__ = [
    "LabeledPair",
    "PairReport",
    "evaluate_threads",
    "format_report",
    "load_pairs",
    "load_stories",
    "score_pairs",
]

STORY_FORMAT = (
    "stories are JSON Lines with id, title, text, source, date (ISO, e.g. 2023-12-10) and lang"
)
PAIR_FORMAT = 'pairs are JSON Lines like {"a": "id1", "b": "id2", "same_event": true}'


@dataclass(frozen=True, slots=True)
class LabeledPair:
    """Two story ids and whether a labeler said they report the same event."""

    a: str
    b: str
    same_event: bool


@dataclass(frozen=True, slots=True)
class PairReport:
    """Pairwise figures of the decision on a labeled set, and the wrong verdicts."""

    stories: int
    pairs: int
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    errors: tuple[tuple[LabeledPair, Decision], ...]
    threads: tuple[Thread, ...] = ()
    replay: AlertReplay | None = None

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        labeled = self.true_positives + self.false_negatives
        return self.true_positives / labeled if labeled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_stories(path: str | Path) -> list[ThreadStory]:
    """The stories of a JSON Lines file; InputFileError naming the first bad line."""
    path = Path(path)
    stories: list[ThreadStory] = []
    seen: set[str] = set()
    for number, data in read_json_lines(path):
        problem = _story_problem(data)
        if problem:
            raise InputFileError(f"{path}, line {number}: {problem}. {STORY_FORMAT}")
        story_id = str(data["id"])
        if story_id in seen:
            raise InputFileError(f"{path}, line {number}: id {story_id!r} appears twice")
        seen.add(story_id)
        stories.append(
            ThreadStory(
                story_id=story_id,
                title=data["title"],
                text=data["text"],
                source=data["source"],
                day=date.fromisoformat(data["date"][:10]),
                lang=data.get("lang") or None,
            )
        )
    if not stories:
        raise InputFileError(f"{path}: no stories. {STORY_FORMAT}")
    return stories


def _story_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "expected a JSON object"
    for key in ("id", "title", "text", "source", "date"):
        if key not in data:
            return f"missing field {key!r}"
    if isinstance(data["id"], bool) or not isinstance(data["id"], str | int):
        return "field 'id' must be a string or a number"
    for key in ("title", "text", "source", "date"):
        if not isinstance(data[key], str):
            return f"field {key!r} must be a string"
    if data.get("lang") is not None and not isinstance(data["lang"], str):
        return "field 'lang' must be a string"
    try:
        date.fromisoformat(data["date"][:10])
    except ValueError:
        return f"field 'date' is not an ISO date: {data['date'][:40]!r}"
    return None


def load_pairs(path: str | Path, story_ids: set[str]) -> list[LabeledPair]:
    """The labeled pairs of a JSON Lines file, each naming two known stories."""
    path = Path(path)
    pairs = []
    for number, data in read_json_lines(path):
        problem = _pair_problem(data, story_ids)
        if problem:
            raise InputFileError(f"{path}, line {number}: {problem}. {PAIR_FORMAT}")
        pairs.append(LabeledPair(str(data["a"]), str(data["b"]), data["same_event"]))
    if not pairs:
        raise InputFileError(f"{path}: no pairs. {PAIR_FORMAT}")
    return pairs


def _pair_problem(data: Any, story_ids: set[str]) -> str | None:
    if not isinstance(data, dict):
        return "expected a JSON object"
    for key in ("a", "b", "same_event"):
        if key not in data:
            return f"missing field {key!r}"
    if not isinstance(data["same_event"], bool):
        return "field 'same_event' must be true or false"
    for key in ("a", "b"):
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, str | int):
            return f"field {key!r} must be a story id"
        if str(value) not in story_ids:
            return f"story {str(value)!r} is not in the stories file"
    if str(data["a"]) == str(data["b"]):
        return "a pair needs two different stories"
    return None


def score_pairs(
    facts: Mapping[str, StoryFacts],
    pairs: Sequence[LabeledPair],
    rules: Rules = DEFAULT_RULES,
) -> PairReport:
    """Pairwise precision and recall of ``same_event`` against the labels."""
    tp = fp = fn = tn = 0
    errors = []
    for pair in pairs:
        decision = same_event(facts[pair.a], facts[pair.b], rules)
        if decision.same and pair.same_event:
            tp += 1
        elif decision.same:
            fp += 1
            errors.append((pair, decision))
        elif pair.same_event:
            fn += 1
            errors.append((pair, decision))
        else:
            tn += 1
    return PairReport(
        stories=len(facts),
        pairs=len(pairs),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        true_negatives=tn,
        errors=tuple(errors),
        threads=tuple(group_stories(facts.values(), rules)),
        replay=replay_alerts(
            facts,
            events_of(
                sorted({s for pair in pairs for s in (pair.a, pair.b)}),
                ((pair.a, pair.b) for pair in pairs if pair.same_event),
            ),
            rules,
        ),
    )


def evaluate_threads(topic: Topic, stories_path: str | Path, pairs_path: str | Path) -> PairReport:
    """Read, check and score a stories file and a pairs file."""
    stories = load_stories(stories_path)
    pairs = load_pairs(pairs_path, {s.story_id for s in stories})
    facts = {s.story_id: story_facts(topic, s) for s in stories}
    return score_pairs(facts, pairs)


def format_report(report: PairReport, *, errors: bool = False) -> str:
    """The report as text: the figures, the counts, the threads, and optionally the errors."""
    threads = report.threads
    linked = sum(1 for t in threads if t.follows is not None)
    lines = [
        f"event threads: {report.stories} stories, {report.pairs} labeled pairs "
        f"({report.true_positives + report.false_negatives} same event)",
        f"  precision {report.precision:.3f}   recall {report.recall:.3f}   f1 {report.f1:.3f}",
        f"  true positives {report.true_positives}, false positives {report.false_positives}, "
        f"false negatives {report.false_negatives}, true negatives {report.true_negatives}",
        f"  grouped: {len(threads)} threads ({linked} linked to an earlier thread), "
        f"{stories_per_thread(threads):.2f} stories per thread",
    ]
    if report.replay is not None:
        replay = report.replay
        lines.append(
            f"  immediate alerts, the paired stories replayed as one stream (worst-case window):"
            f" {replay.shipped.alerts} alerts for {replay.stories} stories of {replay.events}"
            f" events; events with no alert {len(replay.shipped.lost)}"
            f" (folding every join: {replay.every_join.alerts} alerts,"
            f" {len(replay.every_join.lost)} events with no alert)"
        )
        if errors and replay.shipped.lost:
            lines.append("  events with no alert (first story): " + ", ".join(replay.shipped.lost))
    if errors:
        lines.append("wrong verdicts:")
        for pair, decision in report.errors:
            label = "false positive" if decision.same else "false negative"
            lines.append(f"  {label} {pair.a} ~ {pair.b}: {decision.explain()}")
    return "\n".join(lines)
