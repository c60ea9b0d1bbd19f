"""What ``monitor model train`` and ``monitor model cv`` call (no argparse).

Both read the **dev pool**: every labeled set of the topic that is no longer blind
(``DEV_POOL``, paths relative to a checkout; ``--data`` names others). A blind set is
added here only once it is retired (docs/evaluation.md says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson

from monitor.errors import InputFileError
from monitor.matching.bootstrap import BootstrapPlan
from monitor.matching.classifier import classify
from monitor.matching.commands import labeled_items
from monitor.matching.evaluation import LabeledItem, Verdict, figures
from monitor.matching.model.linear import dump_model, model_path_for
from monitor.matching.model.ngrams import NgramScheme
from monitor.matching.topic import load_topic

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
        f"veto below {model.policy.veto_below:.2f}"
    )


def cross_validation(topic_path: Path, data: Sequence[Path], *, seed: int | None = None) -> str:
    """Grouped 5-fold cross-validation on the pool: rules alone vs rules + model veto."""
    from monitor.matching.model import train as fitting

    topic = load_topic(topic_path)
    items, urls = read_pool(data)
    examples = fitting.prepare(topic, items, urls, NgramScheme())

    def rule_verdict(item: LabeledItem) -> Verdict:
        result = classify(topic, item.title, item.text, item.lang or None)
        return Verdict(result.relevant, result.category, result.countries)

    result = fitting.cross_validate(
        examples,
        rule_verdict,
        seed=fitting.SEED if seed is None else seed,
        categories=topic.categories.names,
    )
    plan = BootstrapPlan(resamples=0)
    rules, learned = figures(result.rules, plan), figures(result.with_model, plan)
    lines = [
        f"{len(examples)} items, {len({e.group for e in examples})} near-duplicate groups, "
        f"{fitting.FOLDS} folds; veto thresholds per fold: "
        + ", ".join(f"{t:.2f}" for t in result.thresholds),
        "| group | n | rules P | rules R | rules F1 | rules cat | model P | model R | "
        "model F1 | model cat |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for group in rules.groups:
        a, b = rules.classifier[group], learned.classifier[group]
        lines.append(
            f"| {group} | {a.n} | {a.precision:.3f} | {a.recall:.3f} | {a.f1:.3f} | "
            f"{a.category_accuracy:.3f} | {b.precision:.3f} | {b.recall:.3f} | {b.f1:.3f} | "
            f"{b.category_accuracy:.3f} |"
        )
    return "\n".join(lines)
