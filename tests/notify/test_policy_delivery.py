"""Quiet hours, daily caps and the per-alert delivery decision."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from monitor.notify.policy import (
    DeliverySettings,
    decide_delivery,
    held_period,
    in_quiet_hours,
    parse_local_time,
    release_time,
    within_daily_cap,
)

SAO_PAULO = "America/Sao_Paulo"  # UTC-03 all year since 2019
NIGHT = (time(22, 0), time(7, 0))


def local_sp(day: int, hour: int, minute: int = 0) -> datetime:
    """A São Paulo wall-clock time in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) + timedelta(hours=3)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (21, 59, False),
        (22, 0, True),
        (23, 30, True),
        (0, 0, True),
        (6, 59, True),
        (7, 0, False),
        (12, 0, False),
    ],
)
def test_quiet_hours_span_midnight(hour: int, minute: int, quiet: bool) -> None:
    assert in_quiet_hours(local_sp(27, hour, minute), SAO_PAULO, *NIGHT) is quiet


def test_quiet_hours_within_one_day_and_empty_window() -> None:
    lunch = (time(12, 0), time(13, 0))
    assert in_quiet_hours(local_sp(27, 12, 30), SAO_PAULO, *lunch)
    assert not in_quiet_hours(local_sp(27, 13, 0), SAO_PAULO, *lunch)
    assert not in_quiet_hours(local_sp(27, 12, 30), SAO_PAULO, time(12, 0), time(12, 0))


def test_release_time_is_the_end_of_the_current_window() -> None:
    assert release_time(local_sp(27, 23, 0), SAO_PAULO, *NIGHT) == local_sp(28, 7, 0)
    assert release_time(local_sp(28, 2, 0), SAO_PAULO, *NIGHT) == local_sp(28, 7, 0)
    not_quiet = local_sp(27, 15, 0)
    assert release_time(not_quiet, SAO_PAULO, *NIGHT) == not_quiet


def test_release_time_across_a_dst_night() -> None:
    # New York springs forward during the night of 2026-03-07/08: 07:00 EDT is 11:00Z.
    evening = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)  # 22:00 EST on the 7th
    assert in_quiet_hours(evening, "America/New_York", *NIGHT)
    assert release_time(evening, "America/New_York", *NIGHT) == datetime(
        2026, 3, 8, 11, 0, tzinfo=UTC
    )


def test_release_time_in_a_repeated_hour_is_still_in_the_future() -> None:
    # Quiet 01:00-01:30 on New York's fall-back night; now is the *second* 01:15 (EST).
    now = datetime(2026, 11, 1, 6, 15, tzinfo=UTC)
    window = (time(1, 0), time(1, 30))
    assert in_quiet_hours(now, "America/New_York", *window)
    assert release_time(now, "America/New_York", *window) == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("sent", "cap", "fits"),
    [(0, None, True), (500, None, True), (0, 0, False), (2, 3, True), (3, 3, False), (4, 3, False)],
)
def test_daily_cap(sent: int, cap: int | None, fits: bool) -> None:
    assert within_daily_cap(sent, cap) is fits


def immediate(**overrides: object) -> DeliverySettings:
    values: dict[str, object] = {"mode": "immediate", "time_zone": SAO_PAULO}
    values.update(overrides)
    return DeliverySettings(**values)  # type: ignore[arg-type]


def test_immediate_alert_is_sent_now() -> None:
    now = local_sp(27, 15, 0)
    decision = decide_delivery(now, immediate(quiet_start=NIGHT[0], quiet_end=NIGHT[1]), 0)
    assert (decision.action, decision.send_at) == ("send", now)


def test_alerts_in_quiet_hours_are_held_together_until_the_window_ends() -> None:
    settings = immediate(quiet_start=NIGHT[0], quiet_end=NIGHT[1])
    late = decide_delivery(local_sp(27, 22, 5), settings, 0)
    early = decide_delivery(local_sp(28, 5, 40), settings, 0)
    assert late.action == early.action == "hold"
    # The same send_at is what bundles them into one email.
    assert late.send_at == early.send_at == local_sp(28, 7, 0)
    bundle = held_period(settings, late.send_at, held_since=local_sp(27, 22, 5))
    assert bundle.key == "held.20261128T1000Z"
    assert bundle.label == "2026-11-28 07:00"


def test_over_cap_alerts_roll_into_the_next_catch_up_digest() -> None:
    settings = immediate(daily_cap=3, quiet_start=NIGHT[0], quiet_end=NIGHT[1])
    assert decide_delivery(local_sp(27, 15, 0), settings, 2).action == "send"
    over = decide_delivery(local_sp(27, 15, 0), settings, 3)
    assert over.action == "digest"
    assert over.send_at == local_sp(28, 8, 0)
    assert over.reason == "daily cap reached"
    # The cap wins over quiet hours: the alert waits for the digest, not the window end.
    assert decide_delivery(local_sp(27, 23, 0), settings, 3).send_at == local_sp(28, 8, 0)


def test_digest_modes_wait_for_their_digest() -> None:
    now = local_sp(27, 9, 10)
    daily = decide_delivery(now, DeliverySettings(mode="daily", time_zone=SAO_PAULO), 0)
    hourly = decide_delivery(now, DeliverySettings(mode="hourly", time_zone=SAO_PAULO), 0)
    assert (daily.action, daily.send_at) == ("digest", local_sp(28, 8, 0))
    assert (hourly.action, hourly.send_at) == ("digest", local_sp(27, 10, 0))


@pytest.mark.parametrize(
    "overrides",
    [
        {"mode": "sometimes"},
        {"weekday": 7},
        {"quiet_start": time(22, 0)},
        {"daily_cap": -1},
        {"local_time": time(8, 0, tzinfo=UTC)},
    ],
)
def test_invalid_settings_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        immediate(**overrides)


def test_parse_local_time() -> None:
    assert parse_local_time("08:00") == time(8, 0)
    assert parse_local_time(" 22:30 ") == time(22, 30)
    for bad in ["8", "25:00", "08:61", "０８:００", "08-00"]:
        with pytest.raises(ValueError):
            parse_local_time(bad)
