"""Agreement between two annotators (monitor/matching/agreement.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.errors import InputFileError
from monitor.matching.agreement import agreement, cohen_kappa, read_verdicts
from monitor.matching.evaluation import Verdict
from tests import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"


def test_kappa_is_one_for_full_agreement_and_zero_for_chance() -> None:
    assert cohen_kappa(30, 0, 0, 70) == pytest.approx(1.0)
    # yes rates 0.5 and 0.5, observed agreement 0.5 = chance
    assert cohen_kappa(25, 25, 25, 25) == pytest.approx(0.0)
    # a textbook case: 20 both, 5 + 10 disagree, 15 neither -> po 0.7, pe 0.5
    assert cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)
    assert cohen_kappa(0, 0, 0, 0) is None
    assert cohen_kappa(10, 0, 0, 0) is None  # both always say yes: chance explains it all


def test_agreement_counts_only_shared_ids_with_the_first_as_reference() -> None:
    first = {
        "a": Verdict(True, "peace-plan", ("BR",)),
        "b": Verdict(True, "other", ("MX",)),
        "c": Verdict(False, None, ()),
        "d": Verdict(True, "trade-economy", ("EC",)),
    }
    second = {
        "a": Verdict(True, "peace-plan", ("BR",)),
        "b": Verdict(True, "summit-visit", ("MX", "AR")),
        "c": Verdict(True, "humanitarian", ("HT",)),
        "e": Verdict(False, None, ()),
    }
    result = agreement(first, second)
    s = result.scores
    assert (s.n, s.tp, s.fp, s.fn, result.neither) == (3, 2, 1, 0, 0)
    assert s.category_correct == 1 and s.countries_correct == 1
    assert result.only_first == ("d",) and result.only_second == ("e",)


def test_read_verdicts_refuses_bad_lines_by_number(tmp_path: Path) -> None:
    good = json.dumps({"id": "x", "relevant": True, "category": "other", "countries": ["CU"]})
    assert read_verdicts(good, "f")["x"] == Verdict(True, "other", ("CU",))
    # a not-relevant label drops any category it carries
    stray = json.dumps({"id": "y", "relevant": False, "category": "other"})
    assert read_verdicts(stray, "f")["y"] == Verdict(False, None, ())
    with pytest.raises(InputFileError, match="f, line 2: 'relevant' must be true or false"):
        read_verdicts(good + "\n" + json.dumps({"id": "z", "relevant": "yes"}), "f")
    with pytest.raises(InputFileError, match="line 2: id 'x' twice"):
        read_verdicts(good + "\n" + good, "f")
    with pytest.raises(InputFileError, match="line 1: not JSON"):
        read_verdicts("{oops", "f")


def test_the_second_annotators_file_labels_ninety_blind8_items_under_the_rules() -> None:
    second = [
        json.loads(line)
        for line in (DATA / "agreement" / "blind8-second.jsonl").read_text().splitlines()
    ]
    blind8 = {json.loads(line)["id"] for line in (DATA / "blind8.jsonl").read_text().splitlines()}
    assert len(second) == 90 and {row["id"] for row in second} <= blind8
    categories = {
        "peace-plan", "summit-visit", "trade-economy", "security-military",
        "un-multilateral", "humanitarian", "other",
    }  # fmt: skip
    for row in second:
        assert isinstance(row["relevant"], bool) and isinstance(row["borderline"], bool)
        if row["relevant"]:
            assert row["category"] in categories, row
        else:
            assert row["category"] is None and row["countries"] == [], row
