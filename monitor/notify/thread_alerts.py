"""Alerts follow threads: which immediate alerts a thread's later reports fold into, and
one digest entry per thread. Pure (issue 19, docs/threads.md).

An immediate subscriber is alerted of a thread once per update window
(``Settings.thread_alert_hours``): the first report of the thread sends an alert, later
reports within the window are **folded** (stored as deliveries with status ``folded``:
they stay in the subscriber's feed and count in "also reported by N outlets", but send
nothing); the first report after the window is an update and sends again, opening a new
window. A window of 0 sends every report (alerts do not follow threads). Digests and
hourly modes are not folded here: the digest lists one entry per thread instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    "one_per_thread",
]

FOLDED = "folded"  # the delivery status of a report folded into its thread's alert
IMMEDIATE = "immediate"


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
) -> ThreadFolding:
    """Mark the immediate deliveries of a thread already alerted within ``window``
    (``last_alerted``: (thread id, subscriber id) → the alert that opened the window)."""
    out = ThreadFolding()
    for delivery in wanted:
        thread_id = thread_of.get(delivery.story_id)
        if window <= timedelta(0) or delivery.mode != IMMEDIATE or thread_id is None:
            out.deliveries.append(delivery)
            continue
        key = (thread_id, delivery.subscriber_id)
        opened = out.opened.get(key) or last_alerted.get(key)
        if opened is not None and now - opened < window:
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
    the entries' stories; unthreaded stories stand alone."""
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
