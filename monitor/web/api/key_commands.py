"""``monitor subscriber api-key add|list|revoke``: a reader's API keys (no argparse here).

A new key is printed once and never again: only its SHA-256 is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.config import Settings
from monitor.errors import InputError, Problem
from monitor.store import api_keys as key_store
from monitor.store.db import transaction
from monitor.store.migrate import checked_database
from monitor.store.subscribers import get_subscriber
from monitor.web.api.keys import SCOPES, granted_scopes, new_api_key
from monitor.web.api.shapes import key_line

MAX_NAME = 200


def _subscriber_key(who: str) -> int | str:
    return int(who) if who.isdigit() else who


def add_key(settings: Settings, who: str, name: str, scope: str) -> int:
    if scope not in SCOPES:
        raise InputError("api key refused", [Problem("scope", f"one of {', '.join(SCOPES)}")])
    name = " ".join(name.split())
    if len(name) > MAX_NAME or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise InputError("api key refused", [Problem("name", f"plain text, at most {MAX_NAME} characters")])
    with checked_database(settings) as engine:
        made = new_api_key()
        with transaction(engine) as conn:
            person = get_subscriber(conn, _subscriber_key(who))
            if person is None:
                raise InputError(f"no subscriber {who!r} (see `monitor subscriber list`)")
            key_id = key_store.add_api_key(
                conn, person.id, name=name, prefix=made.prefix, key_hash=made.key_hash,
                scopes=granted_scopes(scope), now=datetime.now(UTC),
            )
    print(f"api key {key_id} for subscriber {person.id} ({', '.join(granted_scopes(scope))}):")
    print(f"  {made.secret}")
    print("Shown once: store it now. Use it as 'Authorization: Bearer KEY' on /api/v1.")
    return 0


def list_keys(settings: Settings, who: str | None) -> int:
    with (
        checked_database(settings) as engine,
        transaction(engine) as conn,
    ):
        subscriber_id = None
        if who is not None:
            person = get_subscriber(conn, _subscriber_key(who))
            if person is None:
                raise InputError(f"no subscriber {who!r} (see `monitor subscriber list`)")
            subscriber_id = person.id
        rows = key_store.list_api_keys(conn, subscriber_id)
    for row in rows:
        print(key_line(row))
    if not rows:
        print("no api keys")
    return 0


def revoke_key(settings: Settings, key_id: int) -> int:
    with (
        checked_database(settings) as engine,
        transaction(engine) as conn,
    ):
        done = key_store.revoke_api_key(conn, key_id, now=datetime.now(UTC))
    if not done:
        raise InputError(f"no active api key {key_id} (see `monitor subscriber api-key list`)")
    print(f"api key {key_id} revoked; its requests now answer 401")
    return 0
