"""`monitor subscriber destination …` as users run it: real processes, a real database and a
loopback receiver; refusals at the door, redaction, the test action."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import orjson

from tests.delivery.receivers import Receivers, json_of

SLACK = "/services/T000/B000/slack-secret-path-Z9"
MATTERMOST = "/hooks/mattermost-secret-path-M7"


def test_destination_commands_refuse_redact_test_and_remove(
    db_url: str, make_settings: Any, receivers: Receivers
) -> None:
    settings = make_settings(database_url=db_url)
    token = "987654:cli-bot-token-should-never-print"

    def monitor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        full = {
            **os.environ,
            **settings.as_env(),
            "MONITOR_LOG_FORMAT": "console",
            "MONITOR_DESTINATIONS_ALLOW_HTTP": "true",
            "MONITOR_TELEGRAM_BOT_TOKEN": token,
            **env,
        }
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            env=full,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert monitor("subscriber", "add", "desk@example.org", "--confirmed").returncode == 0
    url = receivers.url(SLACK)

    refused = monitor("subscriber", "destination", "add", "1", "--webhook", "ftp://example.org/x")
    assert refused.returncode == 2 and "must start with https://" in refused.stderr
    private = monitor(
        "subscriber", "destination", "add", "1", "--slack", url,
        MONITOR_ALLOW_PRIVATE_ADDRESSES="false",
    )
    assert private.returncode == 2 and "loopback address" in private.stderr
    assert "MONITOR_ALLOW_PRIVATE_ADDRESSES" in private.stderr  # says what to do
    both = monitor("subscriber", "destination", "add", "1", "--slack", url, "--teams", url)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    missing = monitor("subscriber", "destination", "add", "99", "--slack", url)
    assert missing.returncode == 2 and "no subscription 99" in missing.stderr
    listed = monitor("subscriber", "destination", "list", "--json")
    assert orjson.loads(listed.stdout) == []  # nothing refused was stored

    added = monitor("subscriber", "destination", "add", "1", "--slack", url)
    assert added.returncode == 0, added.stderr
    chat = monitor("subscriber", "destination", "add", "1", "--telegram", "-1009876543210")
    assert chat.returncode == 0, chat.stderr
    room = monitor("subscriber", "destination", "add", "1", "--mattermost", receivers.url(MATTERMOST))
    assert room.returncode == 0, room.stderr
    listed = monitor("subscriber", "destination", "list")
    config = monitor("config")
    for output in (added, chat, room, listed, config):
        for secret in ("slack-secret-path", "mattermost-secret-path", "9876543210", token):
            assert secret not in output.stdout + output.stderr
    assert f"slack    http://127.0.0.1:{receivers.port}/****  enabled" in listed.stdout
    assert "telegram chat ****210  enabled" in listed.stdout
    assert f"mattermost http://127.0.0.1:{receivers.port}/****  enabled" in listed.stdout

    tried = monitor("subscriber", "destination", "test", "1")
    assert tried.returncode == 0 and "test message delivered" in tried.stdout
    (got,) = receivers.at(SLACK)
    assert "Test message from monitor" in orjson.dumps(json_of(got)).decode()
    tried = monitor("subscriber", "destination", "test", "3")
    assert tried.returncode == 0 and "test message delivered" in tried.stdout
    (got,) = receivers.at(MATTERMOST)
    assert json_of(got)["text"].startswith("#### Test message from monitor")

    removed = monitor("subscriber", "destination", "remove", "1")
    assert removed.returncode == 0
    listed = monitor("subscriber", "destination", "list", "--json")
    assert [d["kind"] for d in orjson.loads(listed.stdout)] == ["telegram", "mattermost"]
    gone = monitor("subscriber", "destination", "test", "1")
    assert gone.returncode == 2 and "no destination 1" in gone.stderr
