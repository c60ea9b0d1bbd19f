"""``monitor operator add|remove|list``: the workspace's operators named by command.

Operators named in MONITOR_OPERATORS need no row; these are the others. Adding one does
not send anything: the person signs in on the sign-in page like any reader.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from monitor.config import Settings
from monitor.config_rules import address_list_problem
from monitor.errors import ConfigError
from monitor.store import sessions as session_store
from monitor.store.db import transaction
from monitor.store.migrate import checked_database

Action = Literal["add", "remove", "list"]


def run_operator_command(settings: Settings, action: Action, email: str | None) -> int:
    """Add, remove or list operators; prints one line per result. Exit code 0, or 1 when
    there was nothing to remove."""
    if action != "list":
        address = (email or "").strip().lower()
        problem = address_list_problem(address) if address else "give an address"
        if problem or "," in address:
            raise ConfigError(
                f"monitor operator {action}: {problem or 'one address at a time'} "
                "(e.g. monitor operator add ops@example.org)"
            )
    with (
        checked_database(settings) as engine,
        transaction(engine) as conn,
    ):
        if action == "list":
            named = sorted(settings.operator_addresses())
            for name in named:
                print(f"{name}\t(MONITOR_OPERATORS)")
            for name in session_store.operator_addresses(conn):
                print(f"{name}\t(monitor operator add)")
            return 0
        if action == "add":
            added = session_store.add_operator(conn, address, now=datetime.now(UTC))
            print(f"{address}: {'added' if added else 'already an operator'}")
            return 0
        removed = session_store.remove_operator(conn, address)
        print(f"{address}: {'removed' if removed else 'was not added by command'}")
        return 0 if removed else 1
