"""Alerts follow threads: the fan-out's fold decision and the digest's one entry per
thread (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.notify.thread_alerts import (
    FOLDED,
    also_reported_line,
    fold_by_thread,
    grouped_with_thread,
    one_per_thread,
)
from monitor.store.outbox import NewDelivery

NOW = datetime(2023, 9, 20, 18, tzinfo=UTC)
WINDOW = timedelta(hours=12)


def delivery(subscriber: int, story: int, mode: str = "immediate") -> NewDelivery:
    return NewDelivery(subscriber, subscriber * 10, story, story * 100, mode, NOW)


def statuses(out: list[NewDelivery]) -> list[tuple[int, int, str]]:
    return [(d.subscriber_id, d.story_id, d.status) for d in out]


def test_the_first_report_of_a_thread_is_sent_and_the_rest_folded_per_subscriber() -> None:
    wanted = [delivery(1, 11), delivery(2, 11), delivery(1, 12), delivery(2, 13), delivery(1, 14)]
    thread_of = {11: 5, 12: 5, 13: 5, 14: 6}
    out = fold_by_thread(wanted, thread_of, {}, now=NOW, window=WINDOW)
    assert statuses(out.deliveries) == [
        (1, 11, "pending"),
        (2, 11, "pending"),
        (1, 12, FOLDED),
        (2, 13, FOLDED),
        (1, 14, "pending"),  # another thread
    ]
    assert out.opened == {(5, 1): NOW, (5, 2): NOW, (6, 1): NOW}
    assert out.folded == {(5, 1): 1, (5, 2): 1}


@pytest.mark.parametrize(
    ("alerted_ago", "status"),
    [
        (timedelta(hours=1), FOLDED),
        (timedelta(hours=11, minutes=59), FOLDED),
        (timedelta(hours=12), "pending"),  # the window has passed: the thread's update
        (timedelta(days=3), "pending"),
    ],
)
def test_an_earlier_alert_folds_reports_within_the_window(
    alerted_ago: timedelta, status: str
) -> None:
    out = fold_by_thread(
        [delivery(1, 11)], {11: 5}, {(5, 1): NOW - alerted_ago}, now=NOW, window=WINDOW
    )
    assert statuses(out.deliveries) == [(1, 11, status)]
    assert (status == "pending") == ((5, 1) in out.opened)


def test_a_story_joined_through_another_days_report_is_sent_and_opens_a_new_window() -> None:
    """Story 12 joined thread 5 through a report of another day (not grouped): it may be
    another event, so it is sent although 11 opened the window, and reopens it, so 13 (a
    same-day report of 12's) folds into 12's alert."""
    later = NOW + timedelta(hours=2)
    wanted = [delivery(1, 12), delivery(1, 13)]
    out = fold_by_thread(
        wanted, {11: 5, 12: 5, 13: 5}, {(5, 1): NOW}, now=later, window=WINDOW, apart={12}
    )
    assert statuses(out.deliveries) == [(1, 12, "pending"), (1, 13, FOLDED)]
    assert out.opened == {(5, 1): later} and out.folded == {(5, 1): 1}


@pytest.mark.parametrize(
    ("new", "matched_days", "grouped"),
    [
        (True, None, True),  # the thread's first report
        (False, 0, True),  # joined through a report of the same day
        (False, 1, False),  # through the day before's: alerted on its own
        (False, 7, False),  # a preview a week ahead
        (False, None, False),  # no record of what it matched: alerted on its own
    ],
)
def test_which_threaded_stories_are_grouped_with_their_thread(
    new: bool, matched_days: int | None, grouped: bool
) -> None:
    assert grouped_with_thread(new, matched_days) is grouped


def test_digests_unthreaded_stories_and_a_zero_window_are_never_folded() -> None:
    wanted = [delivery(1, 11, "daily"), delivery(1, 12, "daily"), delivery(1, 20), delivery(1, 21)]
    thread_of = {11: 5, 12: 5}
    out = fold_by_thread(wanted, thread_of, {}, now=NOW, window=WINDOW)
    assert {d.status for d in out.deliveries} == {"pending"} and not out.folded
    zero = fold_by_thread(
        [delivery(1, 11), delivery(1, 12)], thread_of, {(5, 1): NOW}, now=NOW, window=timedelta(0)
    )
    assert {d.status for d in zero.deliveries} == {"pending"} and not zero.opened


def test_a_digest_keeps_the_first_entry_of_each_thread_and_counts_the_rest() -> None:
    entries = ["a", "b", "c", "d", "e"]
    stories = [11, 12, 20, 13, 21]
    kept = one_per_thread(entries, stories, {11: 5, 12: 5, 13: 5, 21: 6})
    assert kept == [("a", 2), ("c", 0), ("e", 0)]


def test_also_reported_is_said_in_each_language_with_its_plural() -> None:
    assert also_reported_line(1) == "also reported by 1 outlet"
    assert also_reported_line(4) == "also reported by 4 outlets"
    assert also_reported_line(4, "es") == "también informado por 4 medios"
    assert also_reported_line(1, "pt") == "também noticiado por 1 veículo"
