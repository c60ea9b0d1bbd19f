"""`monitor subscriber add/edit/import` refuse what could never deliver, and import is idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from monitor.exits import ExitCode
from monitor.store import subscribers as store
from monitor.store.db import transaction
from tests import PROJECT_ROOT
from tests.cli.conftest import Cli

SAMPLE = PROJECT_ROOT / "seeds" / "subscribers" / "sample.csv"


def stored(engines: Any, cli_settings: Any) -> tuple[list[Any], list[Any]]:
    with transaction(engines(cli_settings.db_url)) as conn:
        return store.list_subscribers(conn), store.list_subscriptions(conn)


def test_add_refuses_settings_that_can_never_deliver_and_stores_nothing(
    monitor_cli: Cli, engines: Any, cli_settings: Any
) -> None:
    bad = monitor_cli(
        "subscriber", "add", "desk@example.org", "--digest-weekday", "9", "--daily-cap", "-1",
        "--countries", "BR,XX", "--min-score", "5", "--tz", "Mars/Olympus",
        "--digest-time", "25:00", "--quiet", "22:00", "--categories", "sports",
        "--languages", "english",
    )
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert "Traceback" not in bad.stderr
    for flag in ("--digest-weekday", "--daily-cap", "--countries", "--min-score", "--tz",
                 "--digest-time", "--quiet", "--categories", "--languages"):
        assert f"  {flag}: " in bad.stderr, flag
    assert "XX" in bad.stderr and "nothing was stored" in bad.stderr
    assert stored(engines, cli_settings) == ([], [])


def test_edit_refuses_a_bad_value_and_keeps_the_stored_one(
    monitor_cli: Cli, engines: Any, cli_settings: Any
) -> None:
    ok = monitor_cli("subscriber", "add", "desk@example.org", "--daily-cap", "5", "--confirmed")
    assert ok.returncode == 0, ok.stderr
    bad = monitor_cli("subscriber", "edit", "1", "--daily-cap", "-1", "--digest-weekday", "8")
    assert bad.returncode == 2 and "--daily-cap" in bad.stderr and "--digest-weekday" in bad.stderr
    assert stored(engines, cli_settings)[1][0].daily_cap == 5
    good = monitor_cli("subscriber", "edit", "1", "--countries", "py,ar", "--digest-weekday", "sun")
    assert good.returncode == 0, good.stderr
    (subscription,) = stored(engines, cli_settings)[1]
    assert subscription.filters["countries"] == ["PY", "AR"] and subscription.digest_weekday == 6
    assert subscription.daily_cap == 5  # untouched by an edit that did not name it


def test_importing_the_same_file_twice_changes_nothing(
    monitor_cli: Cli, engines: Any, cli_settings: Any, tmp_path: Path
) -> None:
    first = monitor_cli("subscriber", "import", str(SAMPLE), "--confirmed")
    assert first.returncode == 0, first.stderr
    second = monitor_cli("subscriber", "import", str(SAMPLE), "--confirmed")
    assert second.returncode == 0, second.stderr
    people, subscriptions = stored(engines, cli_settings)
    assert len(people) == 3 and len(subscriptions) == 3  # not doubled
    assert "3 created, 0 updated, 0 unchanged, 0 refused" in first.stdout
    assert "0 created, 0 updated, 3 unchanged, 0 refused" in second.stdout
    assert [line.split(":")[1].strip() for line in second.stdout.splitlines()[:3]] == [
        "unchanged desk@newsroom.example", "unchanged embassy@mfa.example",
        "unchanged analyst@ngo.example",
    ]
    # The same row with its filters in another order and case is the same subscription.
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text(
        "email,categories,mode,digest_time,time_zone\n"
        "ANALYST@ngo.example,\"UN-multilateral, humanitarian\",daily,08:00,Europe/Kyiv\n"
    )
    again = monitor_cli("subscriber", "import", str(shuffled))
    assert "line 2: unchanged analyst@ngo.example" in again.stdout, again.stdout
    assert len(stored(engines, cli_settings)[1]) == 3


def test_an_import_with_bad_rows_imports_the_good_ones_and_names_the_bad(
    monitor_cli: Cli, engines: Any, cli_settings: Any, tmp_path: Path
) -> None:
    assert monitor_cli("subscriber", "import", str(SAMPLE), "--confirmed").returncode == 0
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "email,name,time_zone,query,countries,mode,digest_weekday,daily_cap\n"
        "new@example.org,New,UTC,Lula,,immediate,,\n"  # line 2: created
        "bad@example.org,Bad,UTC,,XX,weekly,9,-1\n"  # line 3: refused
        'desk@newsroom.example,Latin America desk,America/Sao_Paulo,,,"daily",,\n'  # 4: updated
        '"multi@example.org","Two\nlines",UTC,,,immediate,,\n'  # line 5, spans two lines
        "after@example.org,After,Nowhere/Else,,,immediate,,\n"  # line 7: refused
    )
    result = monitor_cli("subscriber", "import", str(mixed), "--confirmed")
    assert result.returncode == 1  # scripts notice that rows were refused
    lines = result.stdout.splitlines()
    assert lines[0].startswith("line 2: created new@example.org")
    assert lines[1].startswith("line 3: refused bad@example.org")
    for field in ("countries", "digest_weekday", "daily_cap"):
        assert field in lines[1]
    assert lines[2].startswith("line 4: updated desk@newsroom.example") and "mode" in lines[2]
    assert lines[3].startswith("line 5: refused multi@example.org") and "name" in lines[3]
    assert lines[4].startswith("line 7: refused after@example.org") and "time_zone" in lines[4]
    assert "1 created, 1 updated, 0 unchanged, 3 refused (5 rows)" in result.stdout
    people, subscriptions = stored(engines, cli_settings)
    assert sorted(p.email for p in people) == sorted(
        ["desk@newsroom.example", "embassy@mfa.example", "analyst@ngo.example", "new@example.org"]
    )
    desk = next(s for s in subscriptions if s.name == "Latin America desk")
    assert desk.mode == "daily" and len(subscriptions) == 4


def test_an_import_with_an_unknown_column_is_refused_whole(
    monitor_cli: Cli, engines: Any, cli_settings: Any, tmp_path: Path
) -> None:
    typo = tmp_path / "typo.csv"
    typo.write_text("email,coutries\nnew@example.org,BR\n")
    result = monitor_cli("subscriber", "import", str(typo))
    assert result.returncode == 2 and "unknown column 'coutries'" in result.stderr
    assert stored(engines, cli_settings) == ([], [])
    missing = monitor_cli("subscriber", "import", str(tmp_path / "nowhere.csv"))
    assert missing.returncode == ExitCode.NO_FILE and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_adding_the_same_subscription_twice_keeps_one(
    monitor_cli: Cli, engines: Any, cli_settings: Any
) -> None:
    args = ("subscriber", "add", "desk@example.org", "--query", "Lula", "--confirmed")
    assert "created" in monitor_cli(*args).stdout
    assert "unchanged" in monitor_cli(*args).stdout
    listed = json.loads(monitor_cli("subscriber", "list", "--json").stdout)
    assert len(listed) == 1 and len(listed[0]["subscriptions"]) == 1


def test_topic_is_chosen_validated_against_the_loaded_topics_and_listed(
    monitor_cli: Cli, engines: Any, cli_settings: Any
) -> None:
    bad = monitor_cli("subscriber", "add", "desk@example.org", "--topic", "ukraine")
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert "  --topic: unknown topic 'ukraine'" in bad.stderr
    assert "russia-latam, ukraine-latam, or all" in bad.stderr  # the valid choices
    lonely = monitor_cli("subscriber", "add", "desk@example.org", "--topic", "all")
    assert lonely.returncode == 2 and "  --query: " in lonely.stderr and '"all"' in lonely.stderr
    assert stored(engines, cli_settings) == ([], [])

    for args in (
        ("ua@example.org",),  # the default: the founding topic
        ("ru@example.org", "--topic", "Russia-LatAm"),  # any case, stored as the file's id
        ("all@example.org", "--topic", "all", "--query", "Rosneft"),
    ):
        done = monitor_cli("subscriber", "add", *args, "--confirmed")
        assert done.returncode == 0, done.stderr
    topics = {s.subscriber_id: s.topic for s in stored(engines, cli_settings)[1]}
    assert topics == {1: "ukraine-latam", 2: "russia-latam", 3: "all"}

    listed = monitor_cli("subscriber", "list")
    assert listed.stdout.count("      topic: ") == 3 and "      topic: russia-latam" in listed.stdout
    as_json = json.loads(monitor_cli("subscriber", "list", "--json").stdout)
    assert [p["subscriptions"][0]["topic"] for p in as_json] == [
        "ukraine-latam", "russia-latam", "all"
    ]
    moved = monitor_cli("subscriber", "edit", "1", "--topic", "russia-latam")
    assert moved.returncode == 0, moved.stderr
    refused = monitor_cli("subscriber", "edit", "1", "--topic", "nope")
    assert refused.returncode == 2 and "loaded topics: russia-latam, ukraine-latam" in refused.stderr
    assert stored(engines, cli_settings)[1][0].topic == "russia-latam"


def test_the_subscribers_language_is_set_checked_and_kept_from_cli_and_csv(
    monitor_cli: Cli, engines: Any, cli_settings: Any, tmp_path: Path
) -> None:
    bad = monitor_cli("subscriber", "add", "mesa@example.org", "--language", "fr")
    assert bad.returncode == 2 and "  --language: unknown language 'fr'" in bad.stderr
    assert "en, es, pt, uk" in bad.stderr and stored(engines, cli_settings) == ([], [])
    ok = monitor_cli("subscriber", "add", "mesa@example.org", "--language", "ES", "--confirmed")
    assert ok.returncode == 0, ok.stderr
    assert stored(engines, cli_settings)[0][0].language == "es"
    again = monitor_cli("subscriber", "add", "mesa@example.org", "--countries", "BR", "--confirmed")
    assert again.returncode == 0 and stored(engines, cli_settings)[0][0].language == "es"  # kept
    edited = monitor_cli("subscriber", "edit", "1", "--language", "pt")
    assert edited.returncode == 0, edited.stderr
    assert stored(engines, cli_settings)[0][0].language == "pt"
    listed = monitor_cli("subscriber", "list", "--json")
    assert json.loads(listed.stdout)[0]["language"] == "pt"
    csv = tmp_path / "people.csv"
    csv.write_text(
        "email,language,countries\n"
        "mesa@example.org,,BR\n"  # empty: keeps pt
        "nova@example.org,es,\n"
        "desk@example.org,UK,\n"
        "mala@example.org,klingon,\n",
        encoding="utf-8",
    )
    imported = monitor_cli("subscriber", "import", str(csv), "--confirmed")
    assert imported.returncode == 1 and "line 5: refused mala@example.org" in imported.stdout
    assert "unknown language 'klingon'" in imported.stdout
    languages = {p.email: p.language for p in stored(engines, cli_settings)[0]}
    assert languages == {"mesa@example.org": "pt", "nova@example.org": "es", "desk@example.org": "uk"}
