"""The preferences page tells a subscriber that their stored query is disabled, and why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.notify.tokens import make_token
from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, add_subscription
from tests.web.helpers import call

NINE_OPERANDS = " NEAR/1 ".join("abcdefghi")


def test_a_query_refused_by_a_newer_limit_is_shown_as_disabled(web: Any) -> None:
    settings, engine, base = web
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        pid, _ = add_subscriber(conn, "reader@example.org", confirmed=True, now=now)
        add_subscription(conn, pid, now=now, filters={}, name="Old", query=NINE_OPERANDS)
        add_subscription(conn, pid, now=now, filters={}, name="Fine", query="Lula")
    token = make_token(settings.token_key(), "preferences", pid, None, now)
    status, body = call(f"{base}/p/{token}")
    assert status == 200
    old, fine = body.split("<section")[1:3]
    assert "Old" in old and "no longer accepted" in old and "too many operands" in old
    assert "not-delivered" in old and "role='note'" in old
    assert "Fine" in fine and "no longer accepted" not in fine
