"""Digest due times in the subscriber's zone, across DST changes, and the periods they cover."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from monitor.errors import UnknownTimeZone
from monitor.notify.policy import (
    DeliverySettings,
    digest_period,
    local_day_start,
    next_digest_due,
    previous_digest_due,
)
from monitor.notify.timezones import local_instants


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def daily(zone: str, at: time = time(8, 0)) -> DeliverySettings:
    return DeliverySettings(mode="daily", time_zone=zone, local_time=at)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # New York springs forward on 2026-03-08: 08:00 EST is 13:00Z, 08:00 EDT is 12:00Z.
        ("America/New_York", utc(2026, 3, 7, 12, 0), utc(2026, 3, 7, 13, 0)),
        ("America/New_York", utc(2026, 3, 7, 13, 0), utc(2026, 3, 8, 12, 0)),
        ("America/New_York", utc(2026, 3, 8, 12, 0), utc(2026, 3, 9, 12, 0)),
        # ...and falls back on 2026-11-01.
        ("America/New_York", utc(2026, 10, 31, 12, 0), utc(2026, 11, 1, 13, 0)),
        # Kyiv: EET (+2) until 2026-03-29 03:00, then EEST (+3); back on 2026-10-25.
        ("Europe/Kyiv", utc(2026, 3, 28, 6, 0), utc(2026, 3, 29, 5, 0)),
        ("Europe/Kyiv", utc(2026, 10, 24, 5, 0), utc(2026, 10, 25, 6, 0)),
        # São Paulo has had no DST since 2019: 08:00 is always 11:00Z.
        ("America/Sao_Paulo", utc(2026, 11, 27, 10, 59), utc(2026, 11, 27, 11, 0)),
        ("America/Sao_Paulo", utc(2026, 11, 27, 11, 0), utc(2026, 11, 28, 11, 0)),
        # ...but did in 2018: BRST (-2) from 2018-11-04, so 08:00 was 10:00Z.
        ("America/Sao_Paulo", utc(2018, 11, 3, 11, 0), utc(2018, 11, 4, 10, 0)),
    ],
)
def test_daily_digest_is_due_at_local_eight_across_dst(
    zone: str, after: datetime, expected: datetime
) -> None:
    due = next_digest_due(daily(zone), after)
    assert due == expected
    assert due.astimezone(ZoneInfo(zone)).time() == time(8, 0)


def test_daily_periods_are_23_and_25_hours_on_dst_days() -> None:
    settings = daily("America/New_York")
    spring = digest_period(settings, utc(2026, 3, 8, 12, 0))
    autumn = digest_period(settings, utc(2026, 11, 1, 13, 0))
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    assert spring.label == "2026-03-08"
    assert spring.key == "daily.20260308T1200Z"
    assert spring.name == "Daily digest"


def test_nonexistent_local_time_moves_past_the_jump() -> None:
    # 02:30 never happens in New York on 2026-03-08; it means 03:30 EDT.
    settings = daily("America/New_York", time(2, 30))
    due = next_digest_due(settings, utc(2026, 3, 7, 12, 0))
    assert due == utc(2026, 3, 8, 7, 30)
    assert due.astimezone(ZoneInfo("America/New_York")).time() == time(3, 30)
    # São Paulo's 2018 jump was at midnight: 00:30 on 2018-11-04 became 01:30 BRST.
    midnight = daily("America/Sao_Paulo", time(0, 30))
    assert next_digest_due(midnight, utc(2018, 11, 3, 12, 0)) == utc(2018, 11, 4, 3, 30)


def test_repeated_local_time_fires_once_at_its_first_occurrence() -> None:
    settings = daily("America/New_York", time(1, 30))
    first = next_digest_due(settings, utc(2026, 10, 31, 12, 0))
    assert first == utc(2026, 11, 1, 5, 30)  # 01:30 EDT; 01:30 EST (06:30Z) is skipped
    assert next_digest_due(settings, first) == utc(2026, 11, 2, 6, 30)
    # São Paulo 2018-02-17: 23:30 happened twice when clocks went back at midnight.
    repeated = daily("America/Sao_Paulo", time(23, 30))
    once = next_digest_due(repeated, utc(2018, 2, 17, 12, 0))
    assert once == utc(2018, 2, 18, 1, 30)
    assert next_digest_due(repeated, once) == utc(2018, 2, 19, 2, 30)


def test_local_instants_reports_both_occurrences_of_a_repeated_time() -> None:
    from datetime import date

    zone = ZoneInfo("Europe/Kyiv")
    assert local_instants(date(2026, 10, 25), time(3, 30), zone) == (
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 1, 30),
    )
    assert local_instants(date(2026, 3, 29), time(3, 30), zone) == (utc(2026, 3, 29, 1, 30),)


def test_weekly_digest_on_the_chosen_local_weekday() -> None:
    settings = DeliverySettings(
        mode="weekly", time_zone="Europe/Kyiv", local_time=time(9, 0), weekday=0
    )
    due = next_digest_due(settings, utc(2026, 11, 27, 12, 0))  # a Friday
    local = due.astimezone(ZoneInfo("Europe/Kyiv"))
    assert (local.date().isoformat(), local.time(), local.weekday()) == (
        "2026-11-30",
        time(9, 0),
        0,
    )
    period = digest_period(settings, due)
    assert period.end - period.start == timedelta(days=7)
    assert period.label == "week to 2026-11-30"
    # The week containing the October change is an hour longer.
    october = digest_period(settings, next_digest_due(settings, utc(2026, 10, 24, 0, 0)))
    assert october.end - october.start == timedelta(days=7, hours=1)


def test_hourly_digest_follows_local_whole_hours() -> None:
    kathmandu = DeliverySettings(mode="hourly", time_zone="Asia/Kathmandu")  # +05:45
    assert next_digest_due(kathmandu, utc(2026, 11, 27, 11, 0)) == utc(2026, 11, 27, 11, 15)
    new_york = DeliverySettings(mode="hourly", time_zone="America/New_York")
    dues = [utc(2026, 11, 1, 4, 30)]
    for _ in range(3):
        dues.append(next_digest_due(new_york, dues[-1]))
    # 01:00 EDT, 01:00 EST, 02:00 EST: one per real hour through the repeated hour.
    assert dues[1:] == [utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 6, 0), utc(2026, 11, 1, 7, 0)]
    assert digest_period(new_york, dues[2]).label == "2026-11-01 01:00"


def test_hourly_digests_skip_quiet_hours_and_cover_the_night() -> None:
    settings = DeliverySettings(
        mode="hourly", time_zone="America/Sao_Paulo", quiet_start=time(22, 0), quiet_end=time(7, 0)
    )
    evening = utc(2026, 11, 27, 23, 30)  # 20:30 local
    assert next_digest_due(settings, evening) == utc(2026, 11, 28, 0, 0)  # 21:00 local
    morning = next_digest_due(settings, utc(2026, 11, 28, 0, 0))
    assert morning == utc(2026, 11, 28, 10, 0)  # 07:00 local
    period = digest_period(settings, morning)
    assert period.start == utc(2026, 11, 28, 0, 0)


ZONES = [
    "America/Sao_Paulo",
    "Europe/Kyiv",
    "America/New_York",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "UTC",
]


@hypothesis_settings(deadline=None)
@given(
    st.sampled_from(ZONES),
    st.sampled_from(["daily", "weekly", "hourly"]),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.integers(min_value=0, max_value=6),
    st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2035, 1, 1)),
)
def test_periods_tile_time_without_gaps_or_overlaps(
    zone: str, mode: str, at: time, weekday: int, naive_after: datetime
) -> None:
    settings = DeliverySettings(mode=mode, time_zone=zone, local_time=at, weekday=weekday)  # type: ignore[arg-type]
    after = naive_after.replace(tzinfo=UTC)
    due = next_digest_due(settings, after)
    assert due > after
    period = digest_period(settings, due)
    assert period.start <= after < period.end == due
    assert previous_digest_due(settings, due) == period.start
    assert next_digest_due(settings, period.start) == due
    following = digest_period(settings, next_digest_due(settings, due))
    assert following.start == due
    longest = {
        "hourly": timedelta(hours=1, minutes=30),
        "daily": timedelta(hours=26),
        "weekly": timedelta(days=7, hours=2),
    }
    assert period.end - period.start <= longest[mode]


def test_local_day_start_when_midnight_does_not_exist() -> None:
    # São Paulo, 2018-11-04: the day began at 01:00 BRST (03:00Z).
    assert local_day_start(utc(2018, 11, 4, 15, 0), "America/Sao_Paulo") == utc(2018, 11, 4, 3, 0)
    assert local_day_start(utc(2026, 11, 27, 2, 0), "America/Sao_Paulo") == utc(2026, 11, 26, 3, 0)


def test_naive_datetimes_and_unknown_zones_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_digest_due(daily("UTC"), datetime(2026, 11, 27, 8, 0))
    with pytest.raises(UnknownTimeZone):
        DeliverySettings(mode="daily", time_zone="Mars/Olympus_Mons")
