"""Polling decisions: server hints after success, jittered capped backoff after errors, lying validators."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.feeds.schedule import (
    DEFAULT_MAX_BACKOFF,
    RETRY_AFTER_LIMIT,
    next_poll_after_error,
    next_poll_after_success,
    parse_cache_control_max_age,
    parse_expires,
    parse_http_date,
    parse_retry_after,
    validators_lie,
)

NOW = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


# ---------------------------------------------------------------- header parsing


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Fri, 01 Mar 2024 12:01:30 GMT", 90.0),  # IMF-fixdate
        ("Friday, 01-Mar-24 12:02:00 GMT", 120.0),  # RFC 850
        ("Fri Mar  1 12:00:30 2024", 30.0),  # asctime
        ("Thu, 29 Feb 2024 12:00:00 GMT", 0.0),  # in the past: now
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("max-age=300", 300.0),
        ("public, max-age=600, must-revalidate", 600.0),
        ('max-age="60"', 60.0),
        ("MAX-AGE=30", 30.0),
        ("s-maxage=100", None),  # shared caches only
        ("max-age=0", 0.0),
        ("no-cache, max-age=600", None),
        ("no-store", None),
        ("private", None),
        ("max-age=abc", None),
        (None, None),
    ],
)
def test_parse_cache_control_max_age(value: str | None, seconds: float | None) -> None:
    assert parse_cache_control_max_age(value) == seconds


def test_parse_expires_uses_the_response_date_when_given() -> None:
    expires = "Fri, 01 Mar 2024 13:00:00 GMT"
    assert parse_expires(expires, NOW) == 3600.0
    assert (
        parse_expires(expires, NOW, date_header="Fri, 01 Mar 2024 12:30:00 GMT") == 1800.0
    )  # skew-proof
    assert parse_expires("Fri, 01 Mar 2024 11:00:00 GMT", NOW) is None  # already expired
    assert parse_expires("0", NOW) is None
    assert parse_http_date("not a date") is None


# ---------------------------------------------------------------- after success


def after_success(**overrides: object) -> timedelta:
    arguments: dict[str, object] = {
        "base_interval": 15 * MINUTE,
        "min_interval": 5 * MINUTE,
        "max_interval": 6 * HOUR,
        "jitter": 0.0,
    }
    arguments.update(overrides)
    return next_poll_after_success(NOW, **arguments) - NOW  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hints", "delay"),
    [
        ({}, 15 * MINUTE),
        ({"ttl_minutes": 60}, HOUR),
        ({"ttl_minutes": 5}, 15 * MINUTE),  # hints only ever lengthen
        ({"sy_interval": 3600.0}, HOUR),  # WordPress: hourly × 1
        ({"cache_control": "max-age=1800"}, 30 * MINUTE),
        ({"expires": "Fri, 01 Mar 2024 14:00:00 GMT"}, 2 * HOUR),
        (
            {"ttl_minutes": 60, "cache_control": "max-age=7200", "sy_interval": 1800.0},
            2 * HOUR,
        ),  # the largest
        ({"ttl_minutes": 60 * 24 * 7}, 6 * HOUR),  # clamped to max_interval
        ({"base_interval": MINUTE}, 5 * MINUTE),  # clamped to min_interval
        (
            {"ttl_minutes": 0, "sy_interval": -1.0, "cache_control": "no-store"},
            15 * MINUTE,
        ),  # junk ignored
    ],
)
def test_success_takes_the_largest_hint_clamped(hints: dict[str, object], delay: timedelta) -> None:
    assert after_success(**hints) == delay


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=600))
def test_success_jitter_stays_in_bounds(seed: int, ttl: int) -> None:
    delay = after_success(
        jitter=0.2, ttl_minutes=ttl or None, rng=random.Random(seed)
    ).total_seconds()
    unjittered = after_success(ttl_minutes=ttl or None).total_seconds()
    assert unjittered * 0.8 - 1e-6 <= delay <= unjittered * 1.2 + 1e-6
    assert delay >= 5 * 60  # never below min_interval
    assert delay <= 6 * 3600  # never above max_interval
    if ttl:
        assert delay >= min(ttl * 60, 6 * 3600) - 1e-6  # never sooner than the server asked


def test_success_jitter_is_deterministic_with_a_seeded_rng() -> None:
    first = after_success(jitter=0.1, rng=random.Random(7))
    assert first == after_success(jitter=0.1, rng=random.Random(7))
    assert first != after_success(jitter=0.1, rng=random.Random(8))


# ---------------------------------------------------------------- after errors


def after_error(error_count: int, seed: int = 1, **overrides: object) -> float:
    arguments: dict[str, object] = {
        "error_count": error_count,
        "base_interval": 15 * MINUTE,
        "rng": random.Random(seed),
    }
    arguments.update(overrides)
    return (next_poll_after_error(NOW, **arguments) - NOW).total_seconds()  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-3, max_value=10**9), st.integers(min_value=0, max_value=2**32))
def test_full_jitter_backoff_bounds(error_count: int, seed: int) -> None:
    delay = after_error(error_count, seed)
    attempt = max(error_count, 1)
    ceiling = min(DEFAULT_MAX_BACKOFF.total_seconds(), 900 * 2.0 ** min(attempt - 1, 60))
    assert 900 <= delay <= ceiling  # never sooner than a healthy poll, never past the cap


def test_backoff_grows_then_caps_at_six_hours() -> None:
    ceilings = [max(after_error(n, seed) for seed in range(200)) for n in (1, 2, 3, 4, 30)]
    assert ceilings[0] == 900
    assert 900 < ceilings[1] <= 1800 < ceilings[2] <= 3600 < ceilings[3] <= 7200
    assert 5 * 3600 < ceilings[4] <= 6 * 3600


def test_retry_after_is_a_floor_in_seconds_or_as_a_date() -> None:
    assert after_error(1, retry_after=7200.0) == 7200
    assert after_error(1, retry_after="7200") == 7200
    assert after_error(1, retry_after="Fri, 01 Mar 2024 15:00:00 GMT") == 3 * 3600
    assert after_error(1, retry_after=10.0) == 900  # below the backoff: the backoff stands
    assert after_error(1, retry_after="garbage") == 900


def test_no_server_can_switch_a_feed_off() -> None:
    assert after_error(1, retry_after=10**9) == RETRY_AFTER_LIMIT.total_seconds()
    assert after_error(10**6) <= DEFAULT_MAX_BACKOFF.total_seconds()


def test_decorrelated_jitter() -> None:
    previous = 20 * MINUTE
    delays = [
        after_error(3, seed, strategy="decorrelated", previous_delay=previous)
        for seed in range(300)
    ]
    assert all(900 <= d <= 3 * 1200 for d in delays)
    assert len(set(delays)) > 250  # actually random
    capped = after_error(3, 1, strategy="decorrelated", previous_delay=10 * HOUR, max_backoff=HOUR)
    assert capped <= 3600


def test_error_backoff_is_deterministic_with_a_seeded_rng() -> None:
    assert after_error(4, 42) == after_error(4, 42)
    assert after_error(4, 42) != after_error(4, 43)


def test_naive_now_is_taken_as_utc() -> None:
    naive = datetime(2024, 3, 1, 12, 0)
    result = next_poll_after_error(naive, error_count=1, base_interval=MINUTE, rng=random.Random(1))
    assert result.tzinfo == UTC


# ---------------------------------------------------------------- lying validators


@pytest.mark.parametrize(
    ("previous", "current", "audited_304", "etag_unchanged", "lie"),
    [
        (["a", "b"], ["c", "a", "b"], True, True, True),  # 304 + same ETag, yet a new item
        (["a", "b"], ["c", "a", "b"], True, False, True),  # said 304 moments ago, content differs
        (["a", "b"], ["c", "a", "b"], False, True, True),  # a static ETag over changing content
        (["a", "b"], ["c", "a", "b"], False, False, False),  # honest change
        (["a", "b"], ["a", "b"], True, True, False),  # honest 304
        (["a", "b", "z"], ["a", "b"], True, True, False),  # trimmed old items are not evidence
        ([], ["c", "d"], False, True, False),  # same ETag, but nothing known to compare with
        ([], ["c", "d"], True, False, True),  # the audit's 304 needs no comparison
        ([], [], True, True, False),
    ],
)
def test_validators_lie(
    previous: list[str], current: list[str], audited_304: bool, etag_unchanged: bool, lie: bool
) -> None:
    known = set(current) & set(previous)
    new = set(current) - known
    assert validators_lie(
        new_items=len(new), known_items=len(known), audited_304=audited_304,
        etag_unchanged=etag_unchanged,
    ) is lie
