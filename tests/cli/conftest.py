"""The `monitor` command run as users run it: a real process against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli_settings(db_url: str, make_settings: Any) -> Any:
    """Settings of a test's `monitor` processes (both databases, own var dir)."""
    return make_settings(database_url=db_url)


@pytest.fixture
def monitor_cli(cli_settings: Any) -> Cli:
    """Run ``monitor ARGS…`` with the test's settings; ``env`` adds or overrides variables."""

    def call(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
        full = {**os.environ, **cli_settings.as_env(), "MONITOR_LOG_FORMAT": "console",
                **(env or {})}
        return subprocess.run([sys.executable, "-m", "monitor", *args], env=full, input=stdin,
                              capture_output=True, text=True, timeout=120)

    return call
