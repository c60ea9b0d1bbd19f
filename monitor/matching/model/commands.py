"""What ``monitor model train`` and ``monitor model cv`` call (no argparse).

Both read the **dev pool**: every labeled set of the topic that is no longer blind
(``DEV_POOL``, paths relative to a checkout; ``--data`` names others). A blind set is
added here only once it is retired (docs/evaluation.md says which).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from monitor.errors import InputFileError
from monitor.matching.baseline import cooccurrence_baseline
from monitor.matching.bootstrap import BootstrapPlan
from monitor.matching.classifier import category_decision, classify, explain
from monitor.matching.commands import labeled_items
from monitor.matching.evaluation import LabeledItem, Verdict, figures
from monitor.matching.model.linear import dump_model, model_path_for
from monitor.matching.model.ngrams import NgramScheme
from monitor.matching.topic import load_topic

if TYPE_CHECKING:  # train needs scikit-learn (the train extra): imported only when used
    from monitor.matching.model.train import Example

DEV_POOL = (
    "tests/data/dev-news.jsonl",
    "tests/data/dev2.jsonl",
    "tests/data/dev3.jsonl",
    "tests/data/dev-ukru.jsonl",
    "tests/data/holdout.jsonl",
    "tests/data/blind3.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind4.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind5.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind6.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind7.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind8.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind9.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind10.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind11.jsonl",  # retired into the pool (docs/evaluation.md)
    "tests/data/blind12.jsonl",  # retired into the pool (docs/evaluation.md)
)


def read_pool(paths: Sequence[Path]) -> tuple[list[LabeledItem], list[str | None]]:
    """The labeled items of the files and their URLs (grouping reads them)."""
    items: list[LabeledItem] = []
    urls: list[str | None] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(
                f"{path}: cannot read it ({exc}); run from a checkout or pass --data FILE"
            ) from exc
        items += labeled_items(text, str(path))
        for line in text.splitlines():
            if line.strip():
                url = orjson.loads(line).get("url")
                urls.append(url if isinstance(url, str) else None)
    return items, urls


def train(
    topic_path: Path,
    data: Sequence[Path],
    out: Path | None = None,
    *,
    seed: int | None = None,
) -> str:
    """Fit on the pool, write the weights file (default: beside the topic file), say what."""
    from monitor.matching.model import train as fitting  # scikit-learn: the train extra

    topic = load_topic(topic_path)
    items, urls = read_pool(data)
    scheme = NgramScheme()
    examples = fitting.prepare(topic, items, urls, scheme)
    model = fitting.train_model(
        topic,
        topic_path,
        examples,
        [path.name for path in data],
        scheme=scheme,
        seed=fitting.SEED if seed is None else seed,
    )
    out = out or model_path_for(topic_path)
    out.write_bytes(dump_model(model))
    return (
        f"{out}: {len(examples)} items ({sum(i.relevant for i in items)} relevant) from "
        f"{len(data)} files, {len(model.ngram_weights)} n-gram weights, "
        f"veto below {model.policy.veto_below:.2f}, rescue at {model.policy.rescue_above:.2f}"
    )


def cross_validation(topic_path: Path, data: Sequence[Path], *, seed: int | None = None) -> str:
    """Grouped 5-fold cross-validation on the pool: the rules alone, with the model's veto
    (``on``), its rescue (``rescue``) and both (``all``), beside the co-occurrence
    baseline; then the rescue's out-of-fold curve."""
    from monitor.matching.model import train as fitting

    topic = load_topic(topic_path)
    items, urls = read_pool(data)
    examples = fitting.prepare(topic, items, urls, NgramScheme())

    def rule_verdict(item: LabeledItem) -> Verdict:
        result = classify(topic, item.title, item.text, item.lang or None)
        return Verdict(result.relevant, result.category, result.countries)

    def rules_category(item: LabeledItem) -> str:
        return category_decision(topic, explain(topic, item.title, item.text)).category

    result = fitting.cross_validate(
        examples,
        rule_verdict,
        seed=fitting.SEED if seed is None else seed,
        categories=topic.categories.names,
        rules_category=rules_category,
        baseline=lambda item: cooccurrence_baseline(topic, item.title, item.text),
    )
    plan = BootstrapPlan(resamples=0)
    rules = figures(result.rules, plan)
    settings = {
        "rules": rules.classifier,
        **{
            label: figures(result.settings[setting], plan).classifier
            for label, setting in (
                ("rules + veto", "on"),
                ("rules + rescue", "rescue"),
                ("rules + rescue + veto", "all"),
            )
        },
        "co-occurrence": rules.baseline,
    }
    lines = [
        f"{len(examples)} items, {len({e.group for e in examples})} near-duplicate groups, "
        f"{fitting.FOLDS} folds; veto thresholds per fold: "
        + ", ".join(f"{t:.2f}" for t in result.veto_thresholds)
        + "; rescue thresholds per fold: "
        + ", ".join(f"{t:.2f}" for t in result.rescue_thresholds),
        "",
        "| setting | group | n | P | R | F1 | TP/FP/FN | category |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for name, scores in settings.items():
        for group in rules.groups:
            a = scores[group]
            category = "" if name == "co-occurrence" else f"{a.category_accuracy:.3f}"
            lines.append(
                f"| {name} | {group} | {a.n} | {a.precision:.3f} | {a.recall:.3f} | "
                f"{a.f1:.3f} | {a.tp}/{a.fp}/{a.fn} | {category} |"
            )
    lines += ["", *rescue_curve(examples, result.probabilities)]
    return "\n".join(lines)


def rescue_curve(examples: Sequence[Example], probabilities: Mapping[int, float]) -> list[str]:
    """Rules + rescue at each fixed threshold on the outer folds' probabilities: the curve
    itself, not a choice (picking its best point would be tuning on the test folds)."""
    from monitor.matching.model.train import RESCUE_THRESHOLDS

    lines = [
        "Rescue at a fixed threshold (out-of-fold probabilities; a curve, not a choice):",
        "",
        "| rescue at | rescued | of them relevant | P | R | F1 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rules_tp = sum(e.signals.rules_relevant and e.item.relevant for e in examples)
    rules_fp = sum(e.signals.rules_relevant and not e.item.relevant for e in examples)
    positives = sum(e.item.relevant for e in examples)
    for threshold in (0.5, *RESCUE_THRESHOLDS[1:]):
        rescued = [
            e
            for i, e in enumerate(examples)
            if not e.signals.rules_relevant
            and e.signals.gates_open
            and probabilities[i] >= threshold
        ]
        good = sum(e.item.relevant for e in rescued)
        tp, fp = rules_tp + good, rules_fp + len(rescued) - good
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / positives if positives else 0.0
        f1 = 2 * tp / (2 * tp + fp + positives - tp) if positives else 0.0
        lines.append(
            f"| {threshold:.2f} | {len(rescued)} | {good} | {precision:.3f} | {recall:.3f} | "
            f"{f1:.3f} |"
        )
    return lines
