"""The `monitor` command as users type it (real processes, real database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "seeds" / "fixtures"


@pytest.fixture
def run(db_url: str, make_settings: Any) -> Any:
    settings = make_settings(database_url=db_url, smtp_password="hunter2-secret")

    def call(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **settings.as_env(), "MONITOR_LOG_FORMAT": "console"}
        return subprocess.run([sys.executable, "-m", "monitor", *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)

    return call


def test_feed_check_prints_items_or_one_clear_error(run: Any, tmp_path: Path) -> None:
    ok = run("feed", "check", str(FIXTURES / "example-menafn-feed.xml"), "--outlet", "MENAFN")
    assert ok.returncode == 0, ok.stderr
    items = [json.loads(line) for line in ok.stdout.splitlines()]
    assert len(items) == 3
    seed = next(i for i in items if "Diplomatic Horizon" in i["title"])
    assert seed["original_outlet"] == "The Rio Times" and "(MENAFN-" not in seed["text"]
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body>not a feed</body></html>")
    bad = run("feed", "check", str(page))
    assert bad.returncode == 1
    (line,) = bad.stdout.splitlines()
    assert "HTML page" in json.loads(line)["error"]


def test_feed_registry_round_trip_with_opml(run: Any, tmp_path: Path) -> None:
    assert run("feed", "import", str(PROJECT_ROOT / "seeds" / "feeds" / "feeds.toml")).returncode == 0
    listed = run("feed", "list").stdout
    assert "riotimesonline.com/feed/" in listed and "6 feeds" in listed
    assert "paused" in run("feed", "pause", "1").stdout
    opml = tmp_path / "feeds.opml"
    assert run("feed", "export", "--output", str(opml)).returncode == 0
    assert "xmlUrl=\"https://www.riotimesonline.com/feed/\"" in opml.read_text()
    assert run("feed", "remove", "1").returncode == 0
    again = run("feed", "import", str(opml))
    assert "1 added, 5 already registered, 0 refused, 0 skipped" in again.stdout
    bad = run("feed", "add", "ftp://example.org/feed")
    assert bad.returncode == 2 and "http(s)" in bad.stderr


def test_subscriber_commands_validate_and_explain(run: Any, tmp_path: Path) -> None:
    bad_query = run("subscriber", "add", "a@example.org", "--query", "Zelensk* AND (Brazil")
    assert bad_query.returncode == 2 and "position" in bad_query.stderr
    bad_tz = run("subscriber", "add", "a@example.org", "--tz", "Mars/Olympus")
    assert bad_tz.returncode == 2 and "time zone" in bad_tz.stderr
    ok = run("subscriber", "add", "a@example.org", "--query", "Lula NEAR/5 peace",
             "--mode", "daily", "--quiet", "22:00-07:00")
    assert ok.returncode == 0 and "confirmation email queued" in ok.stdout
    assert run("subscriber", "edit", "1", "--countries", "br,ar").returncode == 0
    listed = run("subscriber", "list").stdout
    assert "a@example.org" in listed and "unconfirmed" in listed
    assert "filters: countries BR, AR" in listed
    csv = tmp_path / "people.csv"
    csv.write_text((PROJECT_ROOT / "seeds" / "subscribers" / "sample.csv").read_text())
    imported = run("subscriber", "import", str(csv), "--confirmed").stdout
    assert "3 created, 0 updated, 0 unchanged, 0 refused" in imported


def test_classify_eval_and_query_preview(run: Any) -> None:
    lines = "\n".join([
        json.dumps({"id": "a", "title": "Zelensky meets Milei in Buenos Aires",
                    "text": "Ukraine's president thanked Argentina for its support."}),
        "{broken json",
        json.dumps({"title": "Only a title"}),
    ])
    out = run("classify", stdin=lines + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["id"] == "a" and rows[0]["relevant"] and "AR" in rows[0]["countries"]
    assert "error" in rows[1] and "error" in rows[2]
    report = run("eval", str(PROJECT_ROOT / "tests" / "data" / "dev-news.jsonl")).stdout
    assert "co-occurrence baseline" in report and "pt " in report
    preview = run("query", "test", "Zelensk* AND title:Argentina OR and")
    assert preview.returncode == 0 and "warning" in preview.stdout and "match" in preview.stdout


def test_config_redacts_secrets_and_bad_settings_are_named(run: Any) -> None:
    out = run("config")
    assert out.returncode == 0 and "hunter2" not in out.stdout and "********" in out.stdout
    env = {**os.environ, "MONITOR_PARTITIONS": "zero", "MONITOR_SMTP_SECURITY": "tls"}
    bad = subprocess.run([sys.executable, "-m", "monitor", "config"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 78  # EX_CONFIG (monitor/exits.py)
    assert "MONITOR_PARTITIONS" in bad.stderr and "MONITOR_SMTP_SECURITY" in bad.stderr


def test_status_shows_feeds_and_outbox(run: Any) -> None:
    run("feed", "import", str(PROJECT_ROOT / "seeds" / "feeds" / "feeds.toml"))
    out = run("status")
    assert out.returncode == 0, out.stderr
    assert "feeds:   6 total, 6 active" in out.stdout and "outbox:" in out.stdout
