"""`monitor feed add/import` refuse feeds the poller could never poll, naming why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from monitor.feeds.hosts import AddressPolicy
from monitor.feeds.registry_entry import FeedEntry, FeedInput, IntervalBounds, check_feed_entry
from tests.cli.conftest import Cli

PUBLIC_ONLY = {"MONITOR_ALLOW_PRIVATE_ADDRESSES": "false"}
BOUNDS = IntervalBounds(60, 86400)


@pytest.mark.parametrize(
    ("given", "field", "says"),
    [
        (FeedInput("https://x.example/feed", interval=-5), "interval", "seconds from 60 to 86400"),
        (FeedInput("https://x.example/feed", interval="nan"), "interval", "seconds from 60"),
        (FeedInput("https://x.example/feed", interval=10**9), "interval", "seconds from 60"),
        (FeedInput("https://x.example/feed", language="xx"), "language", "unknown language"),
        (FeedInput("https://x.example/feed", language="english"), "language", "unknown language"),
        (FeedInput("ftp://x.example/feed"), "url", "http(s) URLs"),
        (FeedInput("/feed.xml"), "url", "absolute"),
        (FeedInput("http://127.0.0.1:8080/feed"), "url", "MONITOR_ALLOW_PRIVATE_ADDRESSES"),
        (FeedInput("http://10.1.2.3/feed"), "url", "private address"),
        (FeedInput("http://[::1]/feed"), "url", "loopback"),
        (FeedInput("http://2130706433/feed"), "url", "non-canonical numeric"),
        (FeedInput("http://169.254.169.254/latest/meta-data"), "url", "link-local"),
        (FeedInput("https://x.example/a b"), "url", "no spaces"),
        (FeedInput("https://x.example/feed", name="a\nb"), "name", "control characters"),
        (FeedInput("https://x.example/feed", state="deleted"), "state", "active, paused, gone"),
    ],
)
def test_check_feed_entry_refuses_with_the_field_and_why(
    given: FeedInput, field: str, says: str
) -> None:
    problems = check_feed_entry(given, policy=AddressPolicy(), bounds=BOUNDS)
    assert isinstance(problems, list), problems
    assert [p.field for p in problems] == [field] and says in problems[0].message


def test_private_addresses_are_allowed_only_when_the_setting_says_so() -> None:
    private = FeedInput("http://127.0.0.1:8080/feed")
    allowed = check_feed_entry(private, policy=AddressPolicy(allow_private=True), bounds=BOUNDS)
    assert isinstance(allowed, FeedEntry)
    metadata = FeedInput("http://169.254.169.254/latest")
    refused = check_feed_entry(metadata, policy=AddressPolicy(allow_private=True), bounds=BOUNDS)
    assert isinstance(refused, list)


def test_entries_are_normalized() -> None:
    entry = check_feed_entry(
        FeedInput(" https://x.example/feed ", name=" MENAFN  –  Ukraine ", outlet=None,
                  language="PT-br", interval="900"),
        policy=AddressPolicy(), bounds=BOUNDS,
    )
    assert entry == FeedEntry("https://x.example/feed", "MENAFN – Ukraine", "MENAFN – Ukraine",
                              "pt-BR", 900.0)


def test_feed_add_refuses_and_stores_nothing(monitor_cli: Cli) -> None:
    for args, flag in (
        (("https://x.example/feed", "--interval", "-5"), "--interval"),
        (("https://x.example/feed", "--language", "xx"), "--language"),
        (("http://127.0.0.1:8080/feed",), "URL"),
        (("http://localhost:8080/feed",), "URL"),  # a name that resolves to loopback
        (("http://10.0.0.8/rss",), "URL"),
    ):
        result = monitor_cli("feed", "add", *args, env=PUBLIC_ONLY)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert f"  {flag}: " in result.stderr and "Traceback" not in result.stderr, args
    localhost = monitor_cli("feed", "add", "http://localhost:8080/feed", env=PUBLIC_ONLY)
    assert "loopback address" in localhost.stderr
    assert json.loads(monitor_cli("feed", "list", "--json").stdout) == []
    ok = monitor_cli("feed", "add", "https://x.example/feed", "--outlet", "X", "--language", "EN",
                     "--interval", "900", env=PUBLIC_ONLY)
    assert ok.returncode == 0 and "added: feed 1" in ok.stdout, ok.stderr
    (feed,) = json.loads(monitor_cli("feed", "list", "--json").stdout)
    assert (feed["outlet"], feed["language"], feed["interval_seconds"]) == ("X", "en", 900.0)


def test_feed_import_adds_the_good_rows_and_names_the_bad(
    monitor_cli: Cli, tmp_path: Path, cli_settings: Any
) -> None:
    listing = tmp_path / "feeds.toml"
    listing.write_text(
        '[[feed]]\nurl = "https://good.example/rss"\noutlet = "Good"\n\n'
        '[[feed]]\nurl = "https://bad.example/rss"\ninterval = -1\nlanguage = "xx"\n\n'
        '[[feed]]\nurl = "http://192.168.1.1/rss"\n\n'
        '[[feed]]\nurl = "https://typo.example/rss"\noutlett = "Typo"\n\n'
        '[[feed]]\nurl = "https://other.example/rss"\nname = "Other"\n'
    )
    result = monitor_cli("feed", "import", str(listing), env=PUBLIC_ONLY)
    assert result.returncode == 1, result.stderr  # scripts notice refused rows
    lines = result.stdout.splitlines()
    assert lines[0].startswith("[[feed]] #1: added https://good.example/rss")
    assert lines[1].startswith("[[feed]] #2: refused https://bad.example/rss")
    assert "interval" in lines[1] and "language" in lines[1]
    assert lines[2].startswith("[[feed]] #3: refused http://192.168.1.1/rss")
    assert lines[3].startswith("[[feed]] #5: added https://other.example/rss")
    assert lines[4].startswith("[[feed]] #4: skipped") and "outlett" in lines[4]
    assert lines[5] == "2 added, 0 already registered, 2 refused, 1 skipped"
    urls = [f["url"] for f in json.loads(monitor_cli("feed", "list", "--json").stdout)]
    assert urls == ["https://good.example/rss", "https://other.example/rss"]
