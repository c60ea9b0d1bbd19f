"""`subscriber list` and `feed list` print for people, and `--json` prints for scripts."""

from __future__ import annotations

import json
import re

from tests import PROJECT_ROOT
from tests.cli.conftest import Cli

FEED_KEYS = {
    "id", "url", "name", "outlet", "language", "interval_seconds", "state", "state_reason",
    "next_poll_at", "last_polled_at", "last_success_at", "last_status", "error_count",
    "last_error", "items_published",
}
SUBSCRIBER_KEYS = {
    "id", "email", "name", "time_zone", "language", "confirmed", "confirmed_at", "status",
    "status_reason",
    "created_at", "subscriptions",
}
SUBSCRIPTION_KEYS = {
    "id", "name", "query", "topic", "filters", "mode", "digest_time", "digest_weekday", "quiet",
    "daily_cap", "volume_alerts", "paused", "problems",
}
FILTER_KEYS = {"countries", "categories", "languages", "outlets", "min_score"}
PYTHON_REPRS = re.compile(r"\{'|\['|\bNone\b|datetime\.|\w+Row\(")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_feed_list_for_people_and_for_scripts(monitor_cli: Cli) -> None:
    assert monitor_cli("feed", "import", str(PROJECT_ROOT / "seeds/feeds/feeds.toml")).returncode == 0
    assert monitor_cli("feed", "pause", "2").returncode == 0
    human = monitor_cli("feed", "list").stdout
    assert not PYTHON_REPRS.search(human), human
    assert "MENAFN – Ukraine — MENAFN, en  [paused (paused by operator)]" in human
    assert re.search(r"next poll \d{4}-\d\d-\d\d \d\d:\d\d UTC", human), human
    assert "last polled never" in human and human.rstrip().endswith("6 feeds")
    feeds = json.loads(monitor_cli("feed", "list", "--json").stdout)
    assert len(feeds) == 6 and all(set(f) == FEED_KEYS for f in feeds)
    assert feeds[1]["state"] == "paused" and ISO_UTC.match(feeds[1]["next_poll_at"])
    assert feeds[0]["interval_seconds"] is None and feeds[0]["last_polled_at"] is None


def test_subscriber_list_for_people_and_for_scripts(monitor_cli: Cli) -> None:
    csv = PROJECT_ROOT / "seeds" / "subscribers" / "sample.csv"
    assert monitor_cli("subscriber", "import", str(csv), "--confirmed").returncode == 0
    assert monitor_cli("subscriber", "add", "new@example.org", "--countries", "br",
                       "--mode", "weekly", "--digest-weekday", "fri",
                       "--tz", "Europe/Kyiv").returncode == 0
    human = monitor_cli("subscriber", "list").stdout
    assert not PYTHON_REPRS.search(human), human
    assert "daily at 08:00 Europe/Kyiv" in human
    assert "immediate, quiet 22:00-07:00 America/Asuncion, at most 20 emails a day" in human
    assert "weekly on Friday at 08:00 Europe/Kyiv" in human and "filters: countries BR" in human
    assert re.search(r"confirmed \d{4}-\d\d-\d\d \d\d:\d\d UTC", human) and "unconfirmed" in human
    assert human.rstrip().endswith("4 subscribers, 4 subscriptions")
    people = json.loads(monitor_cli("subscriber", "list", "--json").stdout)
    assert [set(p) for p in people] == [SUBSCRIBER_KEYS] * 4
    subscriptions = [s for p in people for s in p["subscriptions"]]
    assert all(set(s) == SUBSCRIPTION_KEYS and set(s["filters"]) == FILTER_KEYS
               for s in subscriptions)
    assert ISO_UTC.match(people[0]["confirmed_at"]) and people[3]["confirmed_at"] is None
    assert subscriptions[1]["quiet"] == {"start": "22:00", "end": "07:00"}
    assert {s["topic"] for s in subscriptions} == {"ukraine-latam"}  # the sample's default
    assert subscriptions[3]["filters"]["countries"] == ["BR"] and subscriptions[3]["problems"] == []
