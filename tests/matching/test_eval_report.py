"""``monitor eval``'s text and JSON, on the five hand-computed items of five_items.py."""

from __future__ import annotations

import json

from monitor.matching.bootstrap import BootstrapPlan
from monitor.matching.eval_report import format_report, report_json
from monitor.matching.evaluation import EvalReport, build_report

from .five_items import FIVE

NO_INTERVALS = BootstrapPlan(resamples=0)


def _report(plan: BootstrapPlan = NO_INTERVALS) -> EvalReport:
    return build_report(FIVE, "five.jsonl", plan)


def test_text_tables_show_the_hand_computed_figures() -> None:
    lines = format_report(_report()).splitlines()
    assert lines[0] == "Evaluation of five.jsonl: 5 items, 3 relevant, 1 flagged AMBIGUOUS/Borderline"
    assert "all      5 |  0.667  0.667  0.667     2/1/1  0.500  0.500 |  0.500  0.667  0.571" in lines
    assert "es       3 |  1.000  0.500  0.667     1/0/1  0.000  0.000 |  0.500  0.500  0.500" in lines
    assert "items: micro precision 1.000 (2/2), micro recall 0.667 (2/3)." in lines
    assert "Without the 1 item flagged AMBIGUOUS/Borderline (4 items left):" in lines
    # without item 2, es has nothing predicted relevant: precision and category undefined
    assert "es       2 |      -  0.000  0.000     0/0/1      -      - |  0.000  0.000  0.000" in lines


def test_text_confusion_matrix_is_aligned() -> None:
    text = format_report(_report())
    block = text[text.index("Category confusion") :].splitlines()[1:5]
    assert block == [
        "                 1   2   3",
        "1 peace-plan     1   1   .",
        "2 summit-visit   .   .   1",
        "3 not relevant   1   .   1",
    ]


def test_text_states_the_bootstrap_and_its_intervals() -> None:
    text = format_report(_report(BootstrapPlan(resamples=300, seed=9)))
    assert "95% confidence intervals" in text and "300 resamples, seed 9." in text
    rows = [line for line in text.splitlines() if line.startswith("en ") and "|" not in line]
    # en holds a TP and an FP: recall and category can only be 1.000 in any resample
    # that draws the TP, and precision runs from 0 (FP only) to 1 (TP only)
    assert rows[0].split() == [
        "en", "0.000-1.000", "1.000-1.000", "0.000-1.000", "1.000-1.000", "1.000-1.000",
    ]
    assert "Confidence intervals: none (0 resamples)." in format_report(_report())


def test_text_lists_the_misclassified_items_only_when_asked() -> None:
    quiet = format_report(_report())
    assert "Misclassified: 3 items (relevance 2, category 1, countries 1)." in quiet
    assert "title 2" not in quiet and "`--errors`" in quiet
    loud = format_report(_report(), errors=True).splitlines()
    start = loud.index("Misclassified (3):")
    assert loud[start + 1 : start + 3] == [
        "  2 es category/countries (flagged): labeled peace-plan [AR BR]; "
        "predicted summit-visit [AR]",
        "      title 2",
    ]


def test_json_has_stable_keys_and_the_same_figures() -> None:
    data = report_json(_report(BootstrapPlan(resamples=50)))
    json.dumps(data)  # serialisable as it is
    assert list(data) == [
        "source", "items", "relevant", "flagged", "bootstrap", "all_items", "unflagged",
        "misclassified", "errors",
    ]
    assert data["bootstrap"] == {
        "method": "percentile", "unit": "item", "resamples": 50, "seed": 16, "level": 0.95,
    }
    overall = data["all_items"]["overall"]["classifier"]
    assert overall["counts"]["tp"] == 2 and overall["f1"] == 2 / 3
    assert overall["countries_micro_recall"] == 2 / 3
    assert set(overall["intervals"]) == {
        "precision", "recall", "f1", "category_accuracy", "countries_exact",
    }
    assert set(overall["intervals"]["f1"]) == {"low", "high", "resamples_defined"}
    assert list(data["all_items"]["languages"]) == ["en", "es"]
    assert data["all_items"]["confusion"] == {
        "labels": ["peace-plan", "summit-visit", "not relevant"],
        "rows_labeled_columns_predicted": [[1, 1, 0], [0, 0, 1], [1, 0, 1]],
    }
    unflagged_es = data["unflagged"]["languages"]["es"]["classifier"]
    assert unflagged_es["precision"] is None and unflagged_es["recall"] == 0.0
    assert data["misclassified"] == {"items": 3, "relevance": 2, "category": 1, "countries": 1}
    assert data["errors"] is None


def test_json_errors_when_asked() -> None:
    errors = report_json(_report(), errors=True)["errors"]
    assert [e["id"] for e in errors] == ["2", "3", "4"]
    assert errors[1] == {
        "id": "3",
        "lang": "es",
        "flagged": False,
        "problems": ["relevance"],
        "labeled": {"relevant": True, "category": "summit-visit", "countries": ["MX"]},
        "predicted": {"relevant": False, "category": None, "countries": []},
        "title": "title 3",
    }


def test_no_flagged_items_no_second_section() -> None:
    unflagged = [o for o in FIVE if not o.item.flagged]
    text = format_report(build_report(unflagged, "four.jsonl", NO_INTERVALS))
    assert "Without the" not in text and "0 flagged" in text
