"""Alerts follow threads: which immediate alerts a thread's later reports fold into, and
one digest entry per thread. Pure (issue 19, docs/threads.md).

An immediate subscriber is alerted of a thread once per update window
(``Settings.thread_alert_hours``): the first report of the thread sends an alert, later
reports within the window are **folded** (stored as deliveries with status ``folded``:
they stay in the subscriber's feed and count in "also reported by N outlets", but send
nothing); the first report after the window is an update and sends again, opening a new
window. A window of 0 sends every report (alerts do not follow threads). Digests and
hourly modes are not folded here: the digest lists one entry per thread instead.

Only a report **grouped** with its thread folds or is listed under it
(:func:`grouped_with_thread`): one that joined its thread through a report of another day
is kept in the thread for readers but alerted, and listed, on its own, and its alert opens
a new window. A false join then costs an email, not an event nobody hears of.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from monitor.notify.wording import words
from monitor.store.outbox import NewDelivery

__all__ = [
    "FOLDED",
    "ThreadFolding",
    "also_reported_line",
    "fold_by_thread",
    "grouped_with_thread",
    "one_per_thread",
]

FOLDED = "folded"  # the delivery status of a report folded into its thread's alert
IMMEDIATE = "immediate"


def grouped_with_thread(new: bool, matched_days: int | None) -> bool:
    """Does a story's alert (and digest entry) go with its thread's? A thread's first
    story, and a story that joined it by matching a report of the same day, yes; one that
    joined through a report of another day, no.

    Why: on every labeled pair set the same-event decision was far surer within a day
    than across days (pairs it called one event: 219 of 222 right on the same day, 136 of
    165 across days), and folding a falsely joined story loses that event for immediate
    subscribers. On blind set 2 replayed as one stream, folding every join left 6 of 51
    events with no alert; folding same-day joins only, 1 (docs/threads.md, "Which joins
    fold an alert").
    """
    return new or matched_days == 0


@dataclass(slots=True)
class ThreadFolding:
    """The fan-out's decision for one batch: the deliveries (folded ones marked), the
    (thread, subscriber) windows opened now, and how many reports each window folded."""

    deliveries: list[NewDelivery] = field(default_factory=list)
    opened: dict[tuple[int, int], datetime] = field(default_factory=dict)
    folded: dict[tuple[int, int], int] = field(default_factory=dict)


def fold_by_thread(
    wanted: Sequence[NewDelivery],
    thread_of: Mapping[int, int],
    last_alerted: Mapping[tuple[int, int], datetime],
    *,
    now: datetime,
    window: timedelta,
    apart: Collection[int] = frozenset(),
) -> ThreadFolding:
    """Mark the immediate deliveries of a thread already alerted within ``window``
    (``last_alerted``: (thread id, subscriber id) → the alert that opened the window).
    Stories in ``apart`` (threaded, not grouped with their thread) are sent whatever the
    window, and open a new one."""
    out = ThreadFolding()
    for delivery in wanted:
        thread_id = thread_of.get(delivery.story_id)
        if window <= timedelta(0) or delivery.mode != IMMEDIATE or thread_id is None:
            out.deliveries.append(delivery)
            continue
        key = (thread_id, delivery.subscriber_id)
        opened = out.opened.get(key) or last_alerted.get(key)
        if delivery.story_id not in apart and opened is not None and now - opened < window:
            out.deliveries.append(replace(delivery, status=FOLDED))
            out.folded[key] = out.folded.get(key, 0) + 1
            continue
        out.opened[key] = now
        out.deliveries.append(delivery)
    return out


T = TypeVar("T")


def one_per_thread(
    entries: Sequence[T], story_ids: Sequence[int], thread_of: Mapping[int, int]
) -> list[tuple[T, int]]:
    """A digest's entries, one per thread: the first entry of each thread (in the given
    order) and how many more of the thread's stories the digest holds. ``story_ids`` are
    the entries' stories; unthreaded stories, and stories ``thread_of`` leaves out (not
    grouped with their thread), stand alone."""
    kept: list[tuple[T, int]] = []
    position_of: dict[int, int] = {}  # thread → position in kept
    for entry, story_id in zip(entries, story_ids, strict=True):
        thread_id = thread_of.get(story_id)
        if thread_id is None:
            kept.append((entry, 0))
            continue
        at = position_of.get(thread_id)
        if at is None:
            position_of[thread_id] = len(kept)
            kept.append((entry, 0))
        else:
            first, more = kept[at]
            kept[at] = (first, more + 1)
    return kept


def also_reported_line(count: int, language: str = "en") -> str:
    """ "also reported by 4 outlets", from the shared catalogs (monitor/locales)."""
    return words(language).text("email.also_reported", count=count)
