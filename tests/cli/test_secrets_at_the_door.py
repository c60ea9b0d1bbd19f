"""Secrets at start: placeholder token secrets are refused with a way to make a good one,
docker-compose cannot start without one, and no password in a URL is printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import load_settings
from monitor.errors import ConfigError
from monitor.exits import ExitCode
from monitor.redaction import redact_url
from tests import PROJECT_ROOT

SOUND = "3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f8a0c1e3b5d"


def monitor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret",
    [
        "change-me-in-production",  # docker-compose's former default
        "changeme",
        "CHANGE_ME_0123456789abcdef0123456789abcdef",
        "secret",
        "test",
        "test-secret-0123456789abcdef0123456789abcdef",
        "your-secret-here",
        "0123456789abcdef",  # random-looking but 16 characters
    ],
)
def test_placeholder_or_short_token_secrets_are_refused(secret: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(var_dir=tmp_path, token_secret=secret)
    message = str(refused.value)
    assert "MONITOR_TOKEN_SECRET" in message
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in message
    assert repr(secret) not in message  # the refusal does not print the secret


def test_sound_or_empty_secrets_are_accepted(tmp_path: Path) -> None:
    assert load_settings(var_dir=tmp_path, token_secret=SOUND).token_key() == SOUND.encode()
    generated = load_settings(var_dir=tmp_path).token_key()  # empty: generated into var dir
    assert len(generated) == 64 and (tmp_path / "token.key").exists()


def test_former_secrets_verify_but_placeholders_are_refused_there_too(tmp_path: Path) -> None:
    former = "7c1e9a3f5b0d2e8c"  # 16 random characters: once acceptable
    settings = load_settings(
        var_dir=tmp_path, token_secret=SOUND, token_old_secrets=f" {former} , 5e0c2a8f4d6b1e9c3a7f"
    )
    assert settings.token_keys() == [SOUND.encode(), former.encode(), b"5e0c2a8f4d6b1e9c3a7f"]
    assert "7c1e" not in str(settings.redacted())
    with pytest.raises(ConfigError, match="MONITOR_TOKEN_OLD_SECRETS"):
        load_settings(var_dir=tmp_path, token_old_secrets="change-me-in-production")


@pytest.mark.parametrize("role", [["config"], ["run", "--role", "web"]])
def test_the_daemon_refuses_to_start_with_the_compose_placeholder(
    role: list[str], tmp_path: Path
) -> None:
    done = monitor(
        *role, MONITOR_TOKEN_SECRET="change-me-in-production", MONITOR_VAR_DIR=str(tmp_path)
    )
    assert done.returncode == ExitCode.CONFIG, done.stderr
    assert "token_hex(32)" in done.stderr and "Traceback" not in done.stderr


def test_docker_compose_requires_the_secret_and_publishes_on_loopback_only() -> None:
    compose = (PROJECT_ROOT / "docker-compose.yml").read_text()
    (line,) = [line for line in compose.splitlines() if "MONITOR_TOKEN_SECRET:" in line]
    # ${VAR:?message}: compose stops with the message when the variable is unset or empty.
    assert re.search(r'"\$\{MONITOR_TOKEN_SECRET:\?[^}]*token_hex\(32\)[^}]*\}"', line), line
    assert ":-" not in line and "change-me" not in compose
    published = re.findall(r"ports:\s*\[([^\]]*)\]", compose)
    assert published, "no ports found"
    for ports in published:
        for port in re.findall(r'"([^"]+)"', ports):
            assert port.startswith("127.0.0.1:"), f"{port} is published on every interface"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:////srv/monitor/var/monitor.db", "sqlite:////srv/monitor/var/monitor.db"),
        ("postgresql+psycopg://u:hunter2@db/monitor", "postgresql+psycopg://u:****@db/monitor"),
        ("postgresql+psycopg://u@db/monitor", "postgresql+psycopg://u@db/monitor"),
        ("postgresql+psycopg://u:@db/monitor", "postgresql+psycopg://u:@db/monitor"),
        (
            "postgresql+psycopg://u@db/monitor?password=hunter2",
            "postgresql+psycopg://u@db/monitor?password=****",
        ),
        (
            "postgresql+psycopg://u@db/m?sslmode=require&sslpassword=hunter2&connect_timeout=5",
            "postgresql+psycopg://u@db/m?sslmode=require&sslpassword=****&connect_timeout=5",
        ),
        ("https://h/feed?PWD=hunter2&pass=x&Api-Key=k", "https://h/feed?PWD=****&pass=****&Api-Key=****"),
        ("https://h/x?secret=a&token=b&q=c", "https://h/x?secret=****&token=****&q=c"),
        ("https://h/x?password=&user=a", "https://h/x?password=&user=a"),  # nothing to hide
        # SQLAlchemy reads the password up to the first '@', '/', '?' and '#' included.
        ("postgresql://u:p/a?ss#w@db/m?password=z#f", "postgresql://u:****@db/m?password=****#f"),
        ("postgresql://u:hunter2@db/m#frag", "postgresql://u:****@db/m#frag"),
        # An '@' in a path or query is not userinfo.
        ("https://h/path@x?user=a@b", "https://h/path@x?user=a@b"),
        ("not a url", "not a url"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_monitor_config_prints_no_password_from_the_query_string(tmp_path: Path) -> None:
    done = monitor(
        "config",
        MONITOR_VAR_DIR=str(tmp_path),
        MONITOR_DATABASE_URL="postgresql+psycopg://u@db/monitor?password=hunter2&sslmode=prefer",
        MONITOR_TOKEN_OLD_SECRETS="5e0c2a8f4d6b1e9c3a7f",
    )
    assert done.returncode == 0, done.stderr
    assert "hunter2" not in done.stdout and "5e0c2a8f" not in done.stdout
    assert "postgresql+psycopg://u@db/monitor?password=****&sslmode=prefer" in done.stdout
