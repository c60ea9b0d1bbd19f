"""Operators: named in MONITOR_OPERATORS or by ``monitor operator add``; they sign in with
a link like readers, and get a subscriber row (no subscriptions) the first time."""

from __future__ import annotations

import os
import subprocess
import sys

from monitor.config import Settings
from tests.web.helpers import person
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site


def monitor(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **settings.as_env(), "MONITOR_LOG_FORMAT": "console"}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_operators_named_in_config_or_by_command_sign_in_as_operators(run: Run) -> None:
    async def body(site: Site) -> None:
        added = monitor(site.settings, "operator", "add", "Desk@Example.org")
        assert added.returncode == 0, added.stderr
        assert "desk@example.org: added" in added.stdout
        again = monitor(site.settings, "operator", "add", "desk@example.org")
        assert "already an operator" in again.stdout
        listed = monitor(site.settings, "operator", "list")
        assert "ops@example.org\t(MONITOR_OPERATORS)" in listed.stdout
        assert "desk@example.org\t(monitor operator add)" in listed.stdout
        bad = monitor(site.settings, "operator", "add", "not an address")
        assert bad.returncode != 0 and "Traceback" not in bad.stderr
        assert "ops@example.org" in bad.stderr or "address" in bad.stderr

        person(site.engine, "reader@example.org")
        for email, operator in (
            ("ops@example.org", True),
            ("desk@example.org", True),
            ("reader@example.org", False),
        ):
            site.client.session.cookie_jar.clear()
            await site.sign_in(email)
            _, page = await site.get("/latest")
            assert (f"{email} · operator" in page) is operator, email

        removed = monitor(site.settings, "operator", "remove", "desk@example.org")
        assert removed.returncode == 0 and "removed" in removed.stdout
        _, page = await site.get("/latest")
        assert "desk@example.org" not in page  # the reader is signed in now
        site.client.session.cookie_jar.clear()
        await site.sign_in("desk@example.org")  # a subscriber row now, so still a reader
        _, page = await site.get("/latest")
        assert "desk@example.org · operator" not in page and "desk@example.org" in page

    run(body, operators="ops@example.org")
