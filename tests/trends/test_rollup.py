"""The stored counts' rule (``rollup``): a story counts once per key in the hour of its
first alert naming it, later hours naming it again are kept as repeats, a batch's change
is the difference of two contributions, and hours answer only zones whose days begin on
whole hours."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from monitor.trends.local_days import day_runs
from monitor.trends.rollup import (
    ANY_KIND,
    BUCKET_SECONDS,
    answers,
    bucket_of,
    contributions,
    delta,
)

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = int(NINE.timestamp())


def alert(story: int, minute: int, countries: list[str], category: str | None, outlet: str | None):  # type: ignore[no-untyped-def]
    moment = datetime.fromtimestamp(HOUR + minute * 60, UTC)
    return SimpleNamespace(
        story_id=story,
        created_at=moment,
        countries=countries,
        category=category,
        credited_outlet=outlet,
    )


def test_a_story_counts_once_per_key_in_its_first_hour() -> None:
    rows = [
        alert(1, 10, ["BR", "BR"], "peace-plan", "Télam"),
        alert(1, 20, ["BR", "AR"], "peace-plan", "Télam"),  # same hour: nothing new but AR
    ]
    rollup = contributions(rows)
    assert rollup.counts == {
        (HOUR, ANY_KIND, ""): 1,
        (HOUR, "country", "BR"): 1,
        (HOUR, "country", "AR"): 1,
        (HOUR, "category", "peace-plan"): 1,
        (HOUR, "outlet", "Télam"): 1,
    }
    assert rollup.repeats == set()


def test_a_key_named_again_hours_later_is_a_repeat_with_its_first_hour() -> None:
    rows = [
        alert(7, 150, ["BR"], "", None),  # 11:30, listed first, counted second
        alert(7, 5, ["BR", "MX"], None, ""),
    ]
    rollup = contributions(rows)
    later = HOUR + 2 * BUCKET_SECONDS
    assert rollup.counts == {
        (HOUR, ANY_KIND, ""): 1,
        (HOUR, "country", "BR"): 1,
        (HOUR, "country", "MX"): 1,
    }
    assert rollup.repeats == {(7, ANY_KIND, "", later, HOUR), (7, "country", "BR", later, HOUR)}


def test_the_change_of_a_batch_is_after_minus_before_in_key_order() -> None:
    before = [alert(3, 0, ["AR"], "trade-economy", "Clarín")]
    after = [*before, alert(3, 90, ["UA"], "peace-plan", "Clarín")]
    recredited = [alert(3, 0, ["AR"], "trade-economy", None)]  # the story row is gone
    assert delta(contributions(before), contributions(after)) == {
        (HOUR + BUCKET_SECONDS, "category", "peace-plan"): 1,
        (HOUR + BUCKET_SECONDS, "country", "UA"): 1,
    }
    assert delta(contributions(before), contributions(recredited)) == {
        (HOUR, "outlet", "Clarín"): -1
    }
    changes = delta(contributions([]), contributions(after))
    assert list(changes) == sorted(changes)


def test_hours_are_utc_hours() -> None:
    assert bucket_of(datetime(2026, 3, 2, 9, 59, 59, 999999, tzinfo=UTC)) == HOUR
    assert bucket_of(datetime(2026, 3, 2, 6, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))) == HOUR


def test_hours_answer_whole_hour_zones_across_daylight_saving_only() -> None:
    march = (date(2026, 3, 1), date(2026, 4, 30))
    assert answers(day_runs(*march, ZoneInfo("Europe/Madrid")))  # a 23-hour day
    assert answers(day_runs(*march, ZoneInfo("America/Sao_Paulo")))
    assert not answers(day_runs(*march, ZoneInfo("Asia/Kolkata")))  # +05:30
    assert not answers(day_runs(*march, ZoneInfo("Australia/Lord_Howe")))  # 30-minute shift
    # Caracas was -04:30 until 1 May 2016, -04:00 after: a period across the change is not
    assert not answers(day_runs(date(2016, 4, 25), date(2016, 5, 5), ZoneInfo("America/Caracas")))
    assert answers(day_runs(date(2016, 5, 2), date(2016, 5, 5), ZoneInfo("America/Caracas")))
