"""`feed export` then `feed import` gives back the registry: outlets, intervals, paused feeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests import PROJECT_ROOT
from tests.cli.conftest import Cli


def test_cli_round_trip_keeps_outlets_and_paused_feeds(monitor_cli: Cli, tmp_path: Path) -> None:
    seeds = PROJECT_ROOT / "seeds" / "feeds" / "feeds.toml"
    assert monitor_cli("feed", "import", str(seeds)).returncode == 0
    assert monitor_cli("feed", "pause", "2").returncode == 0
    before = monitor_cli("feed", "list", "--json").stdout
    opml = tmp_path / "feeds.opml"
    assert monitor_cli("feed", "export", "--output", str(opml)).returncode == 0
    for feed_id in range(1, 7):
        assert monitor_cli("feed", "remove", str(feed_id)).returncode == 0
    again = monitor_cli("feed", "import", str(opml))
    def config(listing: str) -> list[tuple[Any, ...]]:
        return sorted((f["url"], f["name"], f["outlet"], f["language"], f["interval_seconds"],
                       f["state"], f["state_reason"]) for f in json.loads(listing))

    after = config(monitor_cli("feed", "list", "--json").stdout)
    assert after == config(before)
    assert again.returncode == 0 and "6 added, 0 already registered, 0 refused, 0 skipped" in again.stdout
    assert ("https://menafn.com/rss/menafn_ukraine.xml", "MENAFN – Ukraine", "MENAFN", "en", None,
            "paused", "paused by operator") in after
