"""HTTP calls that return (status, body) whatever the status, and a subscriber to act on."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, add_subscription


def call(
    url: str,
    data: bytes | None = None,
    *,
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def person(
    engine: Any, email: str = "reader@example.org", *, confirmed: bool = True, **subscription: Any
) -> tuple[int, int]:
    """A subscriber with one subscription: (subscriber id, subscription id)."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"filters": {}, "name": "LatAm", **subscription}
    with transaction(engine) as conn:
        pid, _ = add_subscriber(conn, email, confirmed=confirmed, now=now)
        sid = add_subscription(conn, pid, now=now, **values)
    return pid, sid
