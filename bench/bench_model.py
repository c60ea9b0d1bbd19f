"""Benchmark: the learned second opinion's cost beside the rules (issue 16).

Classifies the dev pool's stories (cycled) three ways in the same run on one core:

* **rules** — ``classify_folded(..., lean=True)``, the worker's call, no model;
* **rules + model** — the same call with the topic's model (``MONITOR_CLASSIFIER_MODEL=on``);
  the model runs only on the stories the rules find relevant;
* **model alone** — ``model_opinion`` (n-grams, inference and the explanation) on the
  rule-relevant stories only: what one model call costs;
* **rules + all three opinions** — ``MONITOR_CLASSIFIER_MODEL=all``: the rescue also asks
  the model about every story the rules reject with both sides named;
* **rescue alone** — ``model_opinion`` on those rejected, rescuable stories.

The shipped weights may predate the rescue (no ``rescue_above``): the rescue arms then use
a stand-in threshold, which does not change the cost (the opinion is computed either way).

Each is timed as the best of ``rounds`` passes (µs per story), the arms taking turns, with
the ratio to rules on the same stories.
Folding is cached per text (``fold_text``), so the texts are folded once before timing and
every arm gets the same cache.

    python -m bench.bench_model            # 20 rounds
    python -m bench.bench_model --quick    # 3 rounds, for CI
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running as a script: make the package importable
    sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from monitor.matching.classifier import classify_folded, relevance_logit  # noqa: E402
from monitor.matching.features import TEXT, TITLE, Features, extract_features  # noqa: E402
from monitor.matching.model.linear import LinearModel  # noqa: E402
from monitor.matching.model.loading import topic_model  # noqa: E402
from monitor.matching.model.opinion import (  # noqa: E402
    may_rescue,
    model_opinion,
)
from monitor.matching.text import FoldedText, fold_text  # noqa: E402
from monitor.matching.topic import Topic, load_topic  # noqa: E402

TOPIC = ROOT / "seeds" / "topics" / "ukraine-latam.toml"
STORIES = tuple(
    ROOT / "tests" / "data" / name
    for name in ("dev-news.jsonl", "dev2.jsonl", "dev3.jsonl", "dev-ukru.jsonl", "holdout.jsonl")
)


@dataclass(frozen=True, slots=True)
class Row:
    """One arm of the benchmark."""

    name: str
    stories: int
    micros: float
    ratio: float


Story = tuple[FoldedText, FoldedText, str | None]
RelevantStory = tuple[FoldedText, FoldedText, str | None, Features, float]


def load_stories() -> list[Story]:
    stories = []
    for path in STORIES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = orjson.loads(line)
                title, text = fold_text(data["title"]), fold_text(data["text"])
                stories.append((title, text, data.get("lang") or None))
    return stories


def best_of(
    rounds: int, arms: Sequence[tuple[Sequence[Any], Callable[[Any], object]]]
) -> list[float]:
    """Each arm's fastest pass in µs per story; the arms take turns in every round, so a
    busy moment of the shared machine hits them alike."""
    best = [float("inf")] * len(arms)
    for _ in range(rounds):
        for index, (stories, call) in enumerate(arms):
            started = time.perf_counter()
            for story in stories:
                call(story)
            best[index] = min(best[index], time.perf_counter() - started)
    return [b / max(1, len(arms[i][0])) * 1e6 for i, b in enumerate(best)]


def run(topic: Topic, model: LinearModel, rounds: int) -> list[Row]:
    stories = load_stories()
    relevant: list[RelevantStory] = []
    rescuable: list[RelevantStory] = []
    for title, text, lang in stories:
        features = extract_features(
            topic, title, text, topic.scanner.scan(title, TITLE), topic.scanner.scan(text, TEXT)
        )
        story = (title, text, lang, features, relevance_logit(topic, features))
        if classify_folded(topic, title, text, lang, lean=True).relevant:
            relevant.append(story)
        elif may_rescue(features):
            rescuable.append(story)
    rescue_above = model.policy.rescue_above or 0.9  # a stand-in: the cost is the same
    everything = replace(
        model, policy=replace(model.policy, veto=True, rescue=True, rescue_above=rescue_above)
    )

    def rules(story: Story) -> object:
        title, text, lang = story
        return classify_folded(topic, title, text, lang, lean=True)

    def with_model(story: Story) -> object:
        title, text, lang = story
        return classify_folded(topic, title, text, lang, lean=True, model=model)

    def with_all(story: Story) -> object:
        title, text, lang = story
        return classify_folded(topic, title, text, lang, lean=True, model=everything)

    def opinion(story: RelevantStory) -> object:
        title, text, lang, features, logit = story
        return model_opinion(model, topic, title, text, features, logit, lang, rules_relevant=True)

    def rescue(story: RelevantStory) -> object:
        title, text, lang, features, logit = story
        return model_opinion(
            everything, topic, title, text, features, logit, lang, rules_relevant=False
        )

    base, both, every, base_relevant, alone, base_rescuable, rescue_alone = best_of(
        rounds,
        [
            (stories, rules),
            (stories, with_model),
            (stories, with_all),
            ([(s[0], s[1], s[2]) for s in relevant], rules),
            (relevant, opinion),
            ([(s[0], s[1], s[2]) for s in rescuable], rules),
            (rescuable, rescue),
        ],
    )
    return [
        Row("rules (all stories)", len(stories), base, 1.0),
        Row("rules + model (all stories)", len(stories), both, both / base),
        Row("rules + veto, rescue, category (all stories)", len(stories), every, every / base),
        Row("rules (rule-relevant stories)", len(relevant), base_relevant, 1.0),
        Row("model alone (rule-relevant stories)", len(relevant), alone, alone / base_relevant),
        Row("rules (rejected, both sides named)", len(rescuable), base_rescuable, 1.0),
        Row(
            "rescue alone (rejected, both sides named)",
            len(rescuable),
            rescue_alone,
            rescue_alone / base_rescuable,
        ),
    ]


def markdown(rows: Sequence[Row], rounds: int) -> str:
    lines = [
        "# Learned second opinion: cost per story",
        "",
        f"Best of {rounds} passes on one core, dev pool stories (blind sets excluded).",
        "",
        "| arm | stories | µs per story | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {r.name} | {r.stories} | {r.micros:.0f} | {r.ratio:.2f} |" for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer passes, for CI")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "bench-model.md", help="Markdown file"
    )
    args = parser.parse_args(argv)
    topic = load_topic(TOPIC)
    model = topic_model(topic, TOPIC)
    if model is None:
        print("no model file beside the topic: run `monitor model train`", file=sys.stderr)
        return 1
    rounds = 3 if args.quick else 20
    table = markdown(run(topic, model, rounds), rounds)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table, encoding="utf-8")
    return 0


def pin_to_one_core() -> None:
    """Run on a single CPU, as the numbers claim (only when run as a program)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


if __name__ == "__main__":
    pin_to_one_core()
    raise SystemExit(main())
