"""How far two annotators agree on the same items.

A classifier's figures on a labeled set mean little without the ceiling the labels
themselves allow: when a second person, reading the same written rules, agrees with the
first on relevance with F1 0.91, a goal of 0.97 asks the classifier to agree with one
annotator better than another annotator does. ``monitor eval agreement FIRST SECOND``
reads two label files of the same items (only ``id``, ``relevant``, ``category`` and
``countries`` are read) and reports, on the items both labeled, the first as reference:
relevance P/R/F1 (symmetric in F1), Cohen's kappa, category and countries agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitor.errors import InputFileError
from monitor.json_lines import json_lines
from monitor.matching.evaluation import Scores, Verdict

AGREEMENT_FORMAT = (
    "eval agreement needs two JSON Lines files of labels: id, relevant (true/false), and "
    "optionally category and countries"
)


@dataclass(frozen=True, slots=True)
class Agreement:
    """The counts on the items both files label, and the ids only one of them has."""

    scores: Scores
    neither: int  # both say not relevant
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.scores.tp, self.scores.fn, self.scores.fp, self.neither)


def cohen_kappa(both: int, first_only: int, second_only: int, neither: int) -> float | None:
    """Cohen's kappa of two yes/no annotations: agreement beyond what chance would give
    two annotators with these yes rates (None when chance alone explains everything)."""
    n = both + first_only + second_only + neither
    if not n:
        return None
    observed = (both + neither) / n
    first_yes = (both + first_only) / n
    second_yes = (both + second_only) / n
    chance = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    if chance == 1:
        return None
    return (observed - chance) / (1 - chance)


def agreement(first: Mapping[str, Verdict], second: Mapping[str, Verdict]) -> Agreement:
    """The second annotator's labels scored against the first's, item by item."""
    shared = [item_id for item_id in first if item_id in second]
    counts: dict[Scores, int] = {}
    neither = 0
    for item_id in shared:
        scores = Scores.of(first[item_id], second[item_id])
        counts[scores] = counts.get(scores, 0) + 1
        neither += not (first[item_id].relevant or second[item_id].relevant)
    total = Scores.total(counts)
    return Agreement(
        scores=total,
        neither=neither,
        only_first=tuple(i for i in first if i not in second),
        only_second=tuple(i for i in second if i not in first),
    )


def read_verdicts(text: str, source: str) -> dict[str, Verdict]:
    """The labels of a JSON Lines text by id; InputFileError naming the first bad line."""
    verdicts: dict[str, Verdict] = {}
    for number, data in json_lines(text, source):
        if not isinstance(data, dict) or "id" not in data:
            raise InputFileError(f"{source}, line {number}: no 'id'. {AGREEMENT_FORMAT}")
        if not isinstance(data.get("relevant"), bool):
            raise InputFileError(
                f"{source}, line {number}: 'relevant' must be true or false. {AGREEMENT_FORMAT}"
            )
        item_id = str(data["id"])
        if item_id in verdicts:
            raise InputFileError(f"{source}, line {number}: id {item_id!r} twice")
        relevant = data["relevant"]
        verdicts[item_id] = Verdict(
            relevant,
            data.get("category") if relevant else None,
            tuple(data.get("countries") or ()) if relevant else (),
        )
    if not verdicts:
        raise InputFileError(f"{source}: no labels. {AGREEMENT_FORMAT}")
    return verdicts


def format_agreement(result: Agreement, first: str, second: str) -> str:
    """The report ``monitor eval agreement`` prints."""
    s = result.scores

    def figure(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [
        f"Agreement of {second} with {first} (the first as reference), on {s.n} items both label",
        f"relevance: both {s.tp}, first only {s.fn}, second only {s.fp}, neither {result.neither}",
        f"  P {figure(s.value('precision'))}  R {figure(s.value('recall'))}  "
        f"F1 {figure(s.value('f1'))}  Cohen's kappa {figure(result.kappa)}",
        f"category agreement where both say relevant: {figure(s.value('category_accuracy'))} "
        f"({s.category_correct}/{s.tp})",
        f"countries exactly the same there: {figure(s.value('countries_exact'))} "
        f"({s.countries_correct}/{s.tp})",
    ]
    if result.only_first or result.only_second:
        lines.append(
            f"not compared: {len(result.only_first)} ids only in {first}, "
            f"{len(result.only_second)} only in {second}"
        )
    return "\n".join(lines)
