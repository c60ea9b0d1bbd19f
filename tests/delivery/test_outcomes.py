"""classify_response: what each receiver answer means, as a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.delivery.outcomes import (
    MAX_RETRY_AFTER,
    backoff,
    body_retry_after,
    classify_failure,
    classify_response,
    retry_after,
)

NOW = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "kind", "disable"),
    [
        (200, "sent", False),
        (202, "sent", False),  # Teams workflows answer 202
        (204, "sent", False),
        (301, "permanent", True),  # redirects are not followed
        (400, "permanent", True),
        (401, "permanent", True),
        (403, "permanent", True),
        (404, "permanent", True),
        (410, "permanent", True),
        (408, "transient", False),
        (425, "transient", False),
        (429, "transient", False),
        (500, "transient", False),
        (502, "transient", False),
        (503, "transient", False),
        (599, "transient", False),
    ],
)
def test_status_table(status: int, kind: str, disable: bool) -> None:
    outcome = classify_response(status, {}, NOW, attempts=1, max_attempts=5, jitter=0.5)
    assert (outcome.kind, outcome.disable) == (kind, disable)
    assert (outcome.retry_at is not None) == (kind == "transient")
    if kind != "sent":
        assert str(status) in outcome.reason


def test_retry_after_in_seconds_and_as_a_date_is_honoured_exactly() -> None:
    seconds = classify_response(
        429, {"Retry-After": "120"}, NOW, attempts=1, max_attempts=5, jitter=1.0
    )
    assert seconds.retry_at == NOW + timedelta(seconds=120)
    dated = classify_response(
        503,
        {"retry-after": "Sun, 06 Dec 2026 23:05:00 GMT"},
        NOW,
        attempts=1,
        max_attempts=5,
        jitter=0.0,
    )
    assert dated.retry_at == NOW + timedelta(minutes=5)
    assert retry_after({"Retry-After": "999999999"}, NOW) == MAX_RETRY_AFTER
    assert retry_after({"Retry-After": "Sun, 06 Dec 2026 22:00:00 GMT"}, NOW) == timedelta(0)
    assert retry_after({"Retry-After": "soon"}, NOW) is None


TELEGRAM_429 = (
    '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35",'
    '"parameters":{"retry_after":35}}'
)


def test_telegrams_retry_after_in_the_json_body_is_honoured() -> None:
    # Telegram's Bot API names the pause only in its body; backoff would retry in 2.5–5 s.
    outcome = classify_response(
        429, {}, NOW, attempts=1, max_attempts=5, jitter=0.0, detail="x", body=TELEGRAM_429
    )
    assert outcome.kind == "transient" and outcome.retry_at == NOW + timedelta(seconds=35)
    # Given both, the longer wait wins.
    both = classify_response(
        429, {"Retry-After": "60"}, NOW, attempts=1, max_attempts=5, jitter=0.0, body=TELEGRAM_429
    )
    assert both.retry_at == NOW + timedelta(seconds=60)
    shorter = classify_response(
        429, {"Retry-After": "2"}, NOW, attempts=1, max_attempts=5, jitter=0.0, body=TELEGRAM_429
    )
    assert shorter.retry_at == NOW + timedelta(seconds=35)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (TELEGRAM_429, timedelta(seconds=35)),
        ('{"parameters": {"retry_after": 1.5}}', timedelta(seconds=1.5)),
        ('{"parameters": {"retry_after": 99999999}}', MAX_RETRY_AFTER),
        ('{"parameters": {"retry_after": -3}}', None),
        ('{"parameters": {"retry_after": true}}', None),
        ('{"parameters": {"retry_after": "35"}}', None),
        ('{"parameters": [35]}', None),
        ('{"retry_after": 35}', None),  # not Telegram's shape
        ('{"ok": false, "parameters": {"retry_after": 3', None),  # cut off
        ("[1, 2]", None),
        ("slow down", None),
        ("", None),
    ],
)
def test_body_retry_after(body: str, expected: timedelta | None) -> None:
    assert body_retry_after(body) == expected


def test_backoff_doubles_with_jitter_and_caps() -> None:
    assert backoff(1, 0.0) == timedelta(seconds=2.5) and backoff(1, 1.0) == timedelta(seconds=5)
    assert backoff(3, 1.0) == timedelta(seconds=20)
    assert backoff(30, 1.0) == timedelta(seconds=1800)
    spread = {backoff(4, j / 10) for j in range(11)}
    assert len(spread) == 11 and max(spread) <= 2 * min(spread)


def test_the_last_transient_attempt_fails_the_message_but_keeps_the_destination() -> None:
    outcome = classify_response(503, {}, NOW, attempts=5, max_attempts=5, jitter=0.5)
    assert outcome.kind == "permanent" and not outcome.disable
    assert "gave up after 5 attempts" in outcome.reason
    timeout = classify_failure("timed out", NOW, attempts=1, max_attempts=5, jitter=0.5)
    assert timeout.kind == "transient" and timeout.retry_at is not None


def test_the_backoff_cap_bounds_the_wait_after_a_long_outage() -> None:
    # The eleventh attempt of a message that failed all through an outage.
    assert backoff(11, jitter=1.0, base=1.0) == timedelta(seconds=1024)
    assert backoff(11, jitter=1.0, base=1.0, cap=15.0) == timedelta(seconds=15)
    assert backoff(11, jitter=0.0, base=1.0, cap=15.0) == timedelta(seconds=7.5)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    failed = classify_failure("could not connect", now, attempts=11, max_attempts=40,
                              jitter=1.0, base=1.0, cap=15.0)
    assert failed.kind == "transient" and failed.retry_at == now + timedelta(seconds=15)
    answered = classify_response(503, {}, now, attempts=11, max_attempts=40, jitter=1.0,
                                 base=1.0, cap=15.0)
    assert answered.retry_at == now + timedelta(seconds=15)
