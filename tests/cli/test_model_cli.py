"""`monitor model train` and the MONITOR_CLASSIFIER_MODEL switch, as users run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"


def monitor(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "MONITOR_VAR_DIR": str(cwd / "var"), "MONITOR_LOG_FORMAT": "console"}
    full.pop("MONITOR_CLASSIFIER_MODEL", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env={**full, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_train_writes_the_same_weights_twice(tmp_path: Path) -> None:
    lines = (DATA / "dev2.jsonl").read_text(encoding="utf-8").splitlines()[:70]
    lines += (DATA / "dev-ukru.jsonl").read_text(encoding="utf-8").splitlines()[:30]
    pool = tmp_path / "slice.jsonl"
    pool.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = []
    for name in ("a.model.json", "b.model.json"):
        done = monitor(
            "model", "train", "--data", str(pool), "--out", str(tmp_path / name), cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        assert "100 items" in done.stdout and "veto below" in done.stdout
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["trained_on"]["files"] == ["slice.jsonl"] and data["ngram_weights"]


def test_train_without_the_pool_says_what_to_do(tmp_path: Path) -> None:
    done = monitor("model", "train", "--out", str(tmp_path / "x.json"), cwd=tmp_path)
    assert done.returncode == 2
    assert "--data" in done.stderr and not (tmp_path / "x.json").exists()


def test_the_switch_lets_the_model_veto_in_eval(tmp_path: Path) -> None:
    def figures(setting: str) -> dict[str, int]:
        done = monitor(
            "eval",
            str(DATA / "dev-ukru.jsonl"),  # where the retrained model vetoes a false alarm
            "--json",
            "--resamples",
            "0",
            cwd=tmp_path,
            env={"MONITOR_CLASSIFIER_MODEL": setting},
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        return {
            key: int(value)
            for key, value in report["all_items"]["overall"]["classifier"]["counts"].items()
        }

    off, on = figures("off"), figures("on")
    assert (on["tp"], on["fp"]) != (off["tp"], off["fp"])  # the model vetoed something
    assert on["tp"] + on["fp"] < off["tp"] + off["fp"]  # only ever removes
    assert on["tp"] + on["fn"] == off["tp"] + off["fn"]


def test_a_bad_switch_value_is_refused(tmp_path: Path) -> None:
    done = monitor("config", cwd=tmp_path, env={"MONITOR_CLASSIFIER_MODEL": "maybe"})
    assert done.returncode != 0
    assert "classifier_model" in done.stderr.lower()


def topic_with_rescue(tmp_path: Path, rescue_above: float | None) -> Path:
    """A copy of the shipped topic file and weights, with the rescue threshold set as asked
    (the topic's bytes unchanged, so the weights still fit it)."""
    seeds = PROJECT_ROOT / "seeds" / "topics"
    topic = tmp_path / "ukraine-latam.toml"
    topic.write_bytes((seeds / "ukraine-latam.toml").read_bytes())
    weights = json.loads((seeds / "ukraine-latam.model.json").read_bytes())
    weights["policy"].pop("rescue_above", None)
    if rescue_above is not None:
        weights["policy"]["rescue_above"] = rescue_above
    (tmp_path / "ukraine-latam.model.json").write_text(json.dumps(weights))
    return topic


def test_the_switch_lets_the_model_rescue_in_eval_and_classify(tmp_path: Path) -> None:
    # A threshold low enough that the shipped weights rescue something on a dev set.
    topic = topic_with_rescue(tmp_path, 0.05)

    def counts(setting: str) -> dict[str, int]:
        done = monitor(
            "eval",
            str(DATA / "dev-ukru.jsonl"),
            "--json",
            "--resamples",
            "0",
            cwd=tmp_path,
            env={"MONITOR_CLASSIFIER_MODEL": setting, "MONITOR_TOPIC_FILE": str(topic)},
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        found = report["all_items"]["overall"]["classifier"]["counts"]
        return {key: int(value) for key, value in found.items()}

    category, rescue = counts("category"), counts("rescue")
    assert rescue["tp"] + rescue["fp"] > category["tp"] + category["fp"]  # it added stories
    assert rescue["fn"] <= category["fn"]  # and never removed one
    assert rescue["tp"] + rescue["fn"] == category["tp"] + category["fn"]

    story = {
        "id": 1,
        "title": "Chilean volunteers return from Ukraine",
        "text": "Three Chilean volunteers who fought in Ukraine returned to Santiago.",
        "lang": "en",
    }
    verdicts = {}
    for setting in ("category", "all"):
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "classify"],
            cwd=tmp_path,
            env={
                **os.environ,
                "MONITOR_VAR_DIR": str(tmp_path / "var"),
                "MONITOR_CLASSIFIER_MODEL": setting,
                "MONITOR_TOPIC_FILE": str(topic),
            },
            input=json.dumps(story) + "\n",
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        verdicts[setting] = json.loads(done.stdout)
    assert not verdicts["category"]["relevant"]
    assert verdicts["all"]["relevant"]
    heads = [e for e in verdicts["all"]["matched"] if e["rule"] == "relevance:model"]
    assert heads and "(rules: not relevant, because score" in heads[0]["term"]


def test_the_rescue_refuses_weights_without_its_threshold(tmp_path: Path) -> None:
    topic = topic_with_rescue(tmp_path, None)
    done = monitor(
        "eval",
        str(DATA / "dev-ukru.jsonl"),
        "--resamples",
        "0",
        cwd=tmp_path,
        env={"MONITOR_CLASSIFIER_MODEL": "rescue", "MONITOR_TOPIC_FILE": str(topic)},
    )
    assert done.returncode != 0
    assert "rescue threshold" in done.stderr and "monitor model train" in done.stderr


def _cv_rows(report: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """The CV table's (setting, group) -> TP/FP/FN."""
    rows = {}
    for line in report.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[6].count("/") == 2 and cells[0] != "setting":
            tp, fp, fn = (int(n) for n in cells[6].split("/"))
            rows[(cells[0], cells[1])] = (tp, fp, fn)
    return rows


def test_cv_reports_each_setting_as_its_policy_allows(tmp_path: Path) -> None:
    """`monitor model cv` on a small labeled file: the rules' row is what `monitor eval`
    gives (the rules are not trained); a veto only removes verdicts and a rescue only adds
    them, so their rows sit on either side of the rules'."""
    data = str(DATA / "blind12.jsonl")  # retired into the dev pool; its settings differ
    done = monitor("model", "cv", "--data", data, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = _cv_rows(done.stdout)
    settings = {"rules", "rules + veto", "rules + rescue", "rules + rescue + veto", "co-occurrence"}
    assert {setting for setting, _ in rows} == settings
    evaluated = monitor(
        "eval", data, "--json", cwd=tmp_path, env={"MONITOR_CLASSIFIER_MODEL": "off"}
    )
    counts = json.loads(evaluated.stdout)["all_items"]["overall"]["classifier"]["counts"]
    rules = rows[("rules", "all")]
    assert rules == (counts["tp"], counts["fp"], counts["fn"])
    vetoed, rescued, both = (
        rows[(s, "all")] for s in ("rules + veto", "rules + rescue", "rules + rescue + veto")
    )
    assert vetoed[0] <= rules[0] and vetoed[1] <= rules[1]
    assert rescued[0] >= rules[0] and rescued[1] >= rules[1]
    assert both[0] <= rescued[0] and both[1] <= rescued[1]
    assert vetoed != rescued  # each setting is its own policy
    assert sum(rules[:1] + rules[2:]) == sum(vetoed[:1] + vetoed[2:])  # the relevant stay relevant
