"""`monitor subscriber api-key add|list|revoke` as users run it, on both databases."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from monitor.store.db import make_engine
from monitor.store.tables import api_keys
from monitor.web.api.keys import api_key_hash
from tests.cli.conftest import Cli


def test_a_key_is_shown_once_listed_without_its_secret_revoked_and_erased_with_its_reader(
    monitor_cli: Cli, cli_settings: Any
) -> None:
    added = monitor_cli("subscriber", "add", "desk@example.org", "--confirmed")
    assert added.returncode == 0, added.stderr
    made = monitor_cli("subscriber", "api-key", "add", "desk@example.org", "--name",
                       "desk script", "--scope", "write")
    assert made.returncode == 0, made.stderr
    key = re.search(r"mk_[a-z0-9]{8}_[A-Za-z0-9_\-]{43}", made.stdout)
    assert key and "Shown once" in made.stdout
    engine = make_engine(cli_settings.db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(api_keys)).one()
        assert row.key_hash == api_key_hash(key.group(0)) and row.scopes == "read write"

        listed = monitor_cli("subscriber", "api-key", "list")
        assert listed.returncode == 0 and key.group(0) not in listed.stdout
        assert f"key {row.id} " in listed.stdout and "'desk script'" in listed.stdout
        assert "active" in listed.stdout

        refused = monitor_cli("subscriber", "api-key", "add", "nobody@example.org")
        assert refused.returncode != 0 and "no subscriber" in refused.stderr
        assert "Traceback" not in refused.stderr

        assert monitor_cli("subscriber", "api-key", "revoke", str(row.id)).returncode == 0
        again = monitor_cli("subscriber", "api-key", "revoke", str(row.id))
        assert again.returncode != 0 and "no active api key" in again.stderr
        assert "revoked" in monitor_cli("subscriber", "api-key", "list").stdout

        gone = monitor_cli("subscriber", "delete", "desk@example.org")
        assert gone.returncode == 0, gone.stderr
        with engine.connect() as conn:
            assert conn.execute(select(api_keys)).all() == []
    finally:
        engine.dispose()
