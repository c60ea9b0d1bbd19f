"""`monitor eval timeline GOLD` beside `monitor eval FILE`, and `monitor timeline COUNTRY`
exporting CSV and iCalendar from a real store (both databases)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from monitor.matching.classifier import classify
from monitor.matching.topic import load_topic
from monitor.store import stories as store
from monitor.store.db import make_engine, transaction
from tests import PROJECT_ROOT
from tests.cli.conftest import Cli

GOLD = str(PROJECT_ROOT / "tests" / "data" / "timeline" / "gold.jsonl")
HOLDOUT = str(PROJECT_ROOT / "tests" / "data" / "holdout.jsonl")
TOPIC = PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml"


def monitor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONITOR_VAR_DIR": str(cwd / "var"), "MONITOR_LOG_FORMAT": "console"}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_eval_timeline_reports_each_portion_and_json_agrees(tmp_path: Path) -> None:
    done = monitor("eval", "timeline", GOLD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line.split() for line in done.stdout.splitlines()[2:5]}
    assert set(lines) == {"dev", "test", "all"}
    data = json.loads(monitor("eval", "timeline", GOLD, "--json", cwd=tmp_path).stdout)
    for portion, cells in lines.items():
        numbers = data["portions"][portion]
        assert cells[1] == str(numbers["stories"])
        # The text has 3 decimals, the JSON 4: compare within the text's rounding (0.6575
        # in JSON prints as 0.658 from the exact 48/73, while round(0.6575, 3) is 0.657).
        assert float(cells[2]) == pytest.approx(numbers["entry_precision"], abs=5.1e-4)
        assert float(cells[3]) == pytest.approx(numbers["entry_recall"], abs=5.1e-4)
    assert data["portions"]["all"]["stories"] >= 100
    listed = monitor("eval", "timeline", GOLD, "--errors", cwd=tmp_path).stdout
    assert "disagreements" in listed and "disagreements" not in done.stdout
    # Which stories the classifier dropped is an item-level verdict: only with --errors.
    assert data["not_relevant_count"] > 0 and "not_relevant" not in data
    assert "(--errors lists them)" in done.stdout
    dropped = json.loads(monitor("eval", "timeline", GOLD, "--json", "--errors", cwd=tmp_path).stdout)
    assert len(dropped["not_relevant"]) == data["not_relevant_count"]
    assert all(story_id in listed for story_id in dropped["not_relevant"])


def test_corrections_change_the_gold_that_is_scored(tmp_path: Path) -> None:
    before = json.loads(monitor("eval", "timeline", GOLD, "--json", "--errors", cwd=tmp_path).stdout)
    missed = before["not_relevant"][0]  # a story whose entries the extractor cannot find
    gold = next(
        json.loads(x) for x in Path(GOLD).read_text().splitlines() if json.loads(x)["id"] == missed
    )
    wrong = gold["entries"][0]
    fixes = tmp_path / "corrections.jsonl"
    fixes.write_text(
        json.dumps(
            {"story": missed, "country": wrong["country"], "kind": wrong["kind"], "remove": True}
        )
        + "\n"
    )
    after = json.loads(
        monitor(
            "eval", "timeline", GOLD, "--corrections", str(fixes), "--json", cwd=tmp_path
        ).stdout
    )
    old, new = before["portions"]["all"], after["portions"]["all"]
    assert new["entries"]["gold"] == old["entries"]["gold"] - 1
    assert new["entry_recall"] > old["entry_recall"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"story": "nope", "country": "BR", "stance": "neutral"}\n')
    refused = monitor("eval", "timeline", GOLD, "--corrections", str(bad), cwd=tmp_path)
    assert refused.returncode != 0 and "nope" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_eval_of_a_file_is_still_the_classifier_report(tmp_path: Path) -> None:
    done = monitor("eval", HOLDOUT, "--resamples", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "micro precision" in done.stdout and "timeline" not in done.stdout
    extra = monitor("eval", HOLDOUT, GOLD, cwd=tmp_path)
    assert extra.returncode != 0 and "one labeled file" in extra.stderr
    bare = monitor("eval", "timeline", cwd=tmp_path)
    assert bare.returncode != 0 and "GOLD" in bare.stderr and "Traceback" not in bare.stderr


def test_eval_timeline_cv_cross_validates_the_precision_filter(tmp_path: Path) -> None:
    gold3 = str(PROJECT_ROOT / "tests" / "data" / "timeline" / "gold-test3.jsonl")
    done = monitor("eval", "timeline", GOLD, gold3, "--cv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("grouped 5-fold cross-validation")
    before = next(line for line in lines if line.startswith("rules + check"))
    after = next(line for line in lines if line.startswith("rules + filter"))
    gold_entries = {line.split("/")[-1].split()[0] for line in (before, after)}
    assert len(gold_entries) == 1  # both over every gold entry of both files
    assert {line.split()[0] for line in lines if line.startswith("  ") and "->" in line} == {
        "dev",
        "test",
        "test3",
    }
    bare = monitor("eval", "timeline", "--cv", cwd=tmp_path)
    assert bare.returncode != 0 and "GOLD" in bare.stderr and "Traceback" not in bare.stderr


def test_eval_timeline_filter_keeps_a_subset_of_the_entries(tmp_path: Path) -> None:
    done = monitor("eval", "timeline", GOLD, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    filtered = json.loads(done.stdout)["portions"]["all"]["entries"]
    rules = monitor("eval", "timeline", GOLD, "--no-filter", "--json", cwd=tmp_path)
    before = json.loads(rules.stdout)["portions"]["all"]["entries"]
    assert filtered["gold"] == before["gold"]
    assert filtered["made"] < before["made"] and filtered["right"] <= before["right"]
    text = monitor("eval", "timeline", GOLD, "--no-filter", cwd=tmp_path).stdout
    assert "(rules alone, no precision filter)" in text.splitlines()[0]


def test_eval_timeline_names_a_missing_or_undecodable_gold_file(tmp_path: Path) -> None:
    missing = monitor("eval", "timeline", str(tmp_path / "none.jsonl"), cwd=tmp_path)
    assert missing.returncode == 66 and "none.jsonl" in missing.stderr
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe{}")
    undecodable = monitor("eval", "timeline", str(binary), cwd=tmp_path)
    assert undecodable.returncode == 2 and "binary.jsonl is not UTF-8" in undecodable.stderr
    assert "Traceback" not in missing.stderr + undecodable.stderr


STORIES = [
    # (published, title, text)
    (
        datetime(2023, 9, 20, 15, tzinfo=UTC),
        "Lula and Zelensky meet for first time on UN sidelines",
        "Brazilian President Luiz Inácio Lula da Silva and Ukrainian President Volodymyr Zelensky "
        "met on Wednesday in New York. Lula said Brazil would keep working for a negotiated "
        "solution.",
    ),
    (
        datetime(2023, 10, 15, 9, tzinfo=UTC),
        "Lula talks to Zelensky by phone",
        "President Lula da Silva spoke with Ukrainian President Volodymyr Zelensky by phone.",
    ),
    (
        datetime(2023, 9, 21, 9, tzinfo=UTC),
        "Milei meets Zelensky in Kyiv",
        "Argentine President Javier Milei met Volodymyr Zelensky in Kyiv.",
    ),
]


def store_stories(db_url: str) -> list[int]:
    topic = load_topic(TOPIC)
    engine = make_engine(db_url)
    ids: list[int] = []
    try:
        with transaction(engine) as conn:
            for published, title, text in STORIES:
                (sid,) = store.insert_stories(
                    conn,
                    [
                        {
                            "title": title,
                            "text": text,
                            "url": f"https://example.org/{len(ids)}",
                            "lang": "en",
                            "credited_outlet": "Reuters",
                            "title_key": title.lower(),
                            "simhash": 0,
                            "published_at": published,
                            "first_seen_at": published + timedelta(hours=1),
                            **store.band_columns(0),
                        }
                    ],
                )
                verdict = classify(topic, title, text, "en")
                assert verdict.relevant
                store.insert_alerts(conn, {sid: verdict}, topic.topic_id, now=published)
                ids.append(sid)
    finally:
        engine.dispose()
    return ids


def test_export_csv_and_ics_from_the_store(db_url: str, monitor_cli: Cli, tmp_path: Path) -> None:
    meeting_id, _later_id, _other_id = store_stories(db_url)
    period = ("--from", "2023-09-01", "--to", "2023-09-30")
    done = monitor_cli("timeline", "Brazil", *period, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {r["story_id"] for r in rows} == {str(meeting_id)}  # not October, not Argentina
    kinds = {r["kind"]: r for r in rows}
    assert "meeting" in kinds and kinds["meeting"]["country"] == "BR"
    assert kinds["meeting"]["quote"] == STORIES[0][1]  # the headline is the first sentence
    assert kinds["stance"]["value"] == "neutral" and "negotiated" in kinds["stance"]["quote"]
    # the precision filter kept the meeting and says why; a stance has no filter
    assert kinds["meeting"]["why"].startswith("0.") and "+" in kinds["meeting"]["why"]
    assert kinds["stance"]["why"] == ""
    out = tmp_path / "br.ics"
    ics = monitor_cli("timeline", "br", *period, "--format", "ics", "--output", str(out))
    assert ics.returncode == 0, ics.stderr
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert len(events) == len(rows)
    assert {str(e["uid"]) for e in events} == {f"{meeting_id}-BR-{r['kind']}@monitor" for r in rows}
    assert all(e.decoded("dtstart") == datetime(2023, 9, 20).date() for e in events)
    wrong = monitor_cli("timeline", "Narnia")
    assert wrong.returncode != 0 and "unknown country" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    bad_day = monitor_cli("timeline", "BR", "--from", "2023-13-01")
    assert bad_day.returncode != 0 and "YYYY-MM-DD" in bad_day.stderr


def test_corrected_stories_export_as_gold_that_eval_scores(
    db_url: str, monitor_cli: Cli, tmp_path: Path
) -> None:
    from monitor.store.timeline_corrections import add_correction
    from monitor.timelines.review import RowCorrection

    meeting_id, _later_id, _other_id = store_stories(db_url)
    engine = make_engine(db_url)
    try:
        with transaction(engine) as conn:
            fix = RowCorrection(str(meeting_id), "BR", "stance", "set", "stance", "supports")
            assert add_correction(conn, fix, subscriber_id=None, now=datetime.now(UTC))
            assert (
                add_correction(
                    conn,
                    RowCorrection("999999", "BR", "call", "remove"),
                    subscriber_id=None,
                    now=datetime.now(UTC),
                )
                is None
            )
    finally:
        engine.dispose()
    period = ("--from", "2023-09-01", "--to", "2023-10-31")
    gold = tmp_path / "reviewed.jsonl"
    done = monitor_cli("timeline", "BR", *period, "--format", "gold", "--output", str(gold))
    assert done.returncode == 0, done.stderr
    (line,) = [json.loads(text) for text in gold.read_text(encoding="utf-8").splitlines()]
    assert line["id"] == str(meeting_id) and line["countries"] == ["BR"]
    assert line["stances"] == {"BR": "supports"}  # the analyst's word, not the extractor's
    assert {"country": "BR", "kind": "meeting", "value": None} in line["entries"]
    scored = monitor("eval", "timeline", str(gold), "--json", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    test = json.loads(scored.stdout)["portions"]["test"]
    assert test["entries"]["right"] == test["entries"]["gold"] >= 1
    assert test["stances"] == {"right": 0, "made": 1, "gold": 1}  # extractor said neutral


def test_eval_timeline_reads_a_story_with_every_loaded_topic_or_the_one_given(
    tmp_path: Path,
) -> None:
    """As the timeline does: a story only the Russia–Latin America topic calls relevant
    has its entries found; ``--topic-file`` restricts the reading to one topic (the founding
    topic alone finds nothing in it)."""
    title = "Lula meets Putin in Moscow"
    text = (
        "Brazilian President Luiz Inácio Lula da Silva met Russian President Vladimir Putin "
        "in Moscow on Friday."
    )
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "g1", "title": title, "text": text, "date": "2026-12-01", "lang": "en",
                "split": "test",
                "entries": [
                    {"country": "BR", "kind": "meeting", "value": None, "quote": title},
                    {"country": "BR", "kind": "visit", "value": None, "quote": title},
                ],
                "stances": {}, "stance_quotes": {},
            }
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    both = json.loads(monitor("eval", "timeline", str(gold), "--json", cwd=tmp_path).stdout)
    assert both["not_relevant_count"] == 0
    assert both["portions"]["all"]["entry_recall"] == 1.0
    founding = PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml"
    one = monitor("eval", "timeline", str(gold), "--json", "--topic-file", str(founding), cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    alone = json.loads(one.stdout)
    assert alone["not_relevant_count"] == 1
    assert alone["portions"]["all"]["entry_recall"] == 0.0
