"""Volume alerts: which unusual volumes are worth a message now, and to whom. Pure.

The detector (``spikes.judge_day``) judges a day's count against the days before it. A
watch runs through the day, so it judges **today so far** for spikes — a partial day can
only be below its full count, so a spike found early is real — and **yesterday**, a whole
day, for silences (today's count is incomplete until midnight and would look silent every
morning). Keys are per topic (``ukraine-latam/country:BR``): a Russia–Latin America story
is not Ukraine–Brazil coverage. The cooldown (``spikes.after_cooldown``) keeps a key
quiet for three days unless its spike grows by half.

A subscription that follows volume alerts follows the keys its filters name: its
countries and its categories; a subscription that names neither follows every country
and category of its topic (of every topic, for "all"). A subscription with a stored query
also follows its query's own volume: the key ``ukraine-latam/query:42`` (its topic, its
id) counts the alerted stories the query matches (``query_series``), judged by the same
detector and cooldown, and only that subscription follows it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from typing import Any

from monitor.subscriptions.topic_choice import ALL_TOPICS
from monitor.trends.spikes import Kind, SpikePolicy, VolumeVerdict, after_cooldown, judge_day
from monitor.trends.volumes import CATEGORY, COUNTRY

TOP_STORIES = 5
# The key kind of a stored query's own volume (``ukraine-latam/query:42``: subscription 42).
QUERY = "query"


@dataclass(frozen=True, slots=True)
class VolumeKey:
    """``ukraine-latam/country:BR`` as its parts."""

    topic: str
    kind: str  # country | category
    name: str

    @classmethod
    def parse(cls, key: str) -> VolumeKey:
        topic, _, rest = key.partition("/")
        kind, _, name = rest.partition(":")
        return cls(topic, kind, name)

    def __str__(self) -> str:
        return f"{self.topic}/{self.kind}:{self.name}"


def topic_key(topic: str, key: str) -> str:
    """``tally``'s ``country:BR`` under ``topic``."""
    return f"{topic}/{key}"


def query_key(topic: str, subscription_id: int) -> str:
    """The volume key of subscription ``subscription_id``'s stored query."""
    return f"{topic}/{QUERY}:{subscription_id}"


def query_series(
    rows: Iterable[Any], first_day: date, last_day: date, *, zone: tzinfo = UTC
) -> list[int]:
    """A query's matched stories per day from ``first_day`` to ``last_day``: each story
    once, on the day of its first alert (as ``volumes.tally`` counts a key). ``rows``: the
    alert rows the query matched. Pure."""
    days = (last_day - first_day).days + 1
    series = [0] * days
    counted: set[int] = set()
    for row in sorted(rows, key=lambda r: r.created_at):
        index = (row.created_at.astimezone(zone).date() - first_day).days
        if 0 <= index < days and row.story_id not in counted:
            counted.add(row.story_id)
            series[index] += 1
    return series


def watch_window(today: date, policy: SpikePolicy) -> tuple[date, date]:
    """The days whose counts a watch needs: yesterday's baseline through today."""
    return today - timedelta(days=policy.baseline_days + 1), today


def verdicts_due(
    counts: Mapping[str, Sequence[int]],
    today: date,
    last_alerts: Mapping[tuple[str, Kind], VolumeVerdict],
    policy: SpikePolicy,
) -> list[VolumeVerdict]:
    """Today's spikes and yesterday's silences that the cooldown lets through.

    ``counts`` maps each key to its daily counts over ``watch_window(today)`` (oldest
    first, today last); ``last_alerts`` holds each (key, kind)'s latest alert.
    """
    days = policy.baseline_days
    candidates: list[VolumeVerdict] = []
    for key, series in sorted(counts.items()):
        if len(series) != days + 2:
            raise ValueError(f"{key}: {len(series)} daily counts, expected {days + 2}")
        spike = judge_day(key, today, series[-1], series[1:-1], policy)
        if spike.kind == "spike":
            candidates.append(spike)
        quiet = judge_day(key, today - timedelta(days=1), series[-2], series[:-2], policy)
        if quiet.kind == "silence":
            candidates.append(quiet)
    return after_cooldown(candidates, last_alerts, policy)


def follows(
    filters: Mapping[str, Any], topic: str, key: VolumeKey, *, subscription_id: int | None = None
) -> bool:
    """Does a subscription (its ``filters``, ``topic`` and id) follow ``key``'s volume? A
    query's key is followed by its own subscription only."""
    if key.kind == QUERY:
        return subscription_id is not None and key.name == str(subscription_id)
    if topic not in (ALL_TOPICS, key.topic):
        return False
    countries = list(filters.get("countries") or ())
    categories = list(filters.get("categories") or ())
    if not countries and not categories:
        return True
    if key.kind == COUNTRY:
        return key.name in countries
    if key.kind == CATEGORY:
        return key.name in categories
    return False


def top_stories(
    rows: Iterable[Any],
    key: VolumeKey,
    limit: int = TOP_STORIES,
    *,
    among: Collection[int] = (),
) -> list[Any]:
    """The day's alerted stories behind ``key``'s count, best score first (each once); for
    a query's key, the stories ``among`` the query's matches (whatever their topic)."""
    chosen: dict[int, Any] = {}
    for row in rows:
        if key.kind == QUERY:
            if row.story_id not in among:
                continue
        elif row.topic != key.topic:
            continue
        if key.kind == COUNTRY and key.name not in (row.countries or ()):
            continue
        if key.kind == CATEGORY and row.category != key.name:
            continue
        kept = chosen.get(row.story_id)
        if kept is None or (row.score or 0.0) > (kept.score or 0.0):
            chosen[row.story_id] = row
    ranked = sorted(chosen.values(), key=lambda r: (-(r.score or 0.0), -r.story_id))
    return ranked[:limit]
