"""The volume watch's pure decisions: what is due, who follows it, what it shows."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Literal

import pytest

from monitor.notify.volume_words import volume_heading
from monitor.notify.wording import words
from monitor.subscriptions.preferences import PreferencesInput, Vocabulary, check_preferences
from monitor.trends.spikes import SpikePolicy, VolumeVerdict
from monitor.trends.watch import (
    VolumeKey,
    follows,
    top_stories,
    verdicts_due,
    watch_window,
)

TODAY = date(2026, 12, 7)
POLICY = SpikePolicy()
BR = "ukraine-latam/country:BR"


def series(baseline: int, yesterday: int, today: int) -> list[int]:
    """Counts over the watch's window: the baseline days, yesterday, today."""
    return [baseline] * POLICY.baseline_days + [yesterday, today]


def test_the_window_is_yesterdays_baseline_through_today() -> None:
    first, last = watch_window(TODAY, POLICY)
    assert (last - first).days + 1 == POLICY.baseline_days + 2
    assert last == TODAY


def test_a_spike_today_is_due() -> None:
    (due,) = verdicts_due({BR: series(1, 1, 9)}, TODAY, {}, POLICY)
    assert (due.key, due.day, due.kind, due.observed) == (BR, TODAY, "spike", 9)


def test_a_silence_is_judged_on_yesterday_never_on_the_unfinished_day() -> None:
    # A busy key with nothing yet this morning: no silence for today.
    assert verdicts_due({BR: series(8, 8, 0)}, TODAY, {}, POLICY) == []
    # Nothing all of yesterday: a silence, dated yesterday.
    (due,) = verdicts_due({BR: series(8, 0, 0)}, TODAY, {}, POLICY)
    assert (due.kind, due.day, due.observed) == ("silence", date(2026, 12, 6), 0)


def test_the_cooldown_holds_a_repeat_until_the_spike_grows_by_half() -> None:
    raised = VolumeVerdict(BR, TODAY, "spike", 9, 1.0, 1e-6)
    last: dict[tuple[str, Literal["spike", "silence"]], VolumeVerdict] = {(BR, "spike"): raised}
    assert verdicts_due({BR: series(1, 1, 12)}, TODAY, last, POLICY) == []
    (grown,) = verdicts_due({BR: series(1, 1, 14)}, TODAY, last, POLICY)
    assert grown.observed == 14


def test_ordinary_days_are_not_due() -> None:
    assert verdicts_due({BR: series(3, 3, 4)}, TODAY, {}, POLICY) == []


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="expected 16"):
        verdicts_due({BR: [1, 2, 3]}, TODAY, {}, POLICY)


@pytest.mark.parametrize(
    ("filters", "topic", "key", "expected"),
    [
        ({}, "ukraine-latam", BR, True),
        ({}, "russia-latam", BR, False),
        ({}, "all", BR, True),
        ({"countries": ["BR"]}, "ukraine-latam", BR, True),
        ({"countries": ["AR"]}, "ukraine-latam", BR, False),
        ({"countries": ["AR"]}, "ukraine-latam", "ukraine-latam/category:peace-plan", False),
        (
            {"categories": ["peace-plan"]},
            "ukraine-latam",
            "ukraine-latam/category:peace-plan",
            True,
        ),
        ({"categories": ["peace-plan"]}, "ukraine-latam", BR, False),
        ({"countries": ["BR"], "categories": ["trade-economy"]}, "all", BR, True),
    ],
)
def test_who_follows_a_key(
    filters: dict[str, list[str]], topic: str, key: str, expected: bool
) -> None:
    assert follows(filters, topic, VolumeKey.parse(key)) is expected


def test_keys_read_and_print_the_same() -> None:
    key = VolumeKey.parse(BR)
    assert (key.topic, key.kind, key.name) == ("ukraine-latam", "country", "BR")
    assert str(key) == BR


def _row(
    story_id: int, topic: str, countries: list[str], category: str, score: float
) -> SimpleNamespace:
    return SimpleNamespace(
        story_id=story_id, topic=topic, countries=countries, category=category, score=score
    )


def test_top_stories_are_the_keys_own_best_first_each_once() -> None:
    rows = [
        _row(1, "ukraine-latam", ["BR"], "summit-visit", 0.7),
        _row(2, "ukraine-latam", ["AR"], "summit-visit", 0.99),  # another country
        _row(3, "russia-latam", ["BR"], "summit-visit", 0.99),  # another topic
        _row(4, "ukraine-latam", ["BR", "AR"], "peace-plan", 0.9),
        _row(1, "ukraine-latam", ["BR"], "summit-visit", 0.8),  # the same story again
    ]
    chosen = top_stories(rows, VolumeKey.parse(BR))
    assert [(r.story_id, r.score) for r in chosen] == [(4, 0.9), (1, 0.8)]
    peace = top_stories(rows, VolumeKey.parse("ukraine-latam/category:peace-plan"), limit=1)
    assert [r.story_id for r in peace] == [4]


def test_the_heading_says_what_is_unusual_and_when_in_the_readers_words() -> None:
    spike = VolumeVerdict(BR, TODAY, "spike", 14, 3.06, 1e-7)
    english = volume_heading(spike, topic_name="Ukraine–LatAm", today=TODAY, w=words("en"))
    assert english == "Ukraine–LatAm · Brazil: 14 stories today against a usual 3.1"
    spanish = volume_heading(spike, topic_name="Ucrania–AL", today=TODAY, w=words("es"))
    assert spanish == "Ucrania–AL · Brasil: 14 noticias hoy, frente a 3,1 habituales"
    quiet = VolumeVerdict(BR, date(2026, 12, 6), "silence", 1, 8.0, 1e-4)
    assert volume_heading(quiet, topic_name="T", today=TODAY, w=words("en")) == (
        "T · Brazil: only 1 story yesterday against a usual 8.0"
    )
    assert volume_heading(quiet, topic_name="T", today=TODAY, w=words("pt")) == (
        "T · Brasil: apenas 1 notícia ontem, contra 8,0 habituais"
    )
    peace = "ukraine-latam/category:peace-plan"
    category = VolumeVerdict(peace, date(2026, 12, 1), "spike", 6, 1.0, 1e-5)
    assert volume_heading(category, topic_name="T", today=TODAY, w=words("en")) == (
        "T · Peace plan: 6 stories on 2026-12-01 against a usual 1.0"
    )


@pytest.mark.parametrize(
    ("given", "expected"), [("yes", True), ("off", False), (True, True), ("", False)]
)
def test_following_volumes_is_a_checked_yes_or_no(given: str | bool, expected: bool) -> None:
    vocabulary = Vocabulary.from_codes(["BR"], ["peace-plan"])
    checked = check_preferences(
        PreferencesInput(email="a@example.org", volume_alerts=given), vocabulary
    )
    assert not isinstance(checked, list)
    assert checked.volume_alerts is expected
    assert checked.subscription_values()["volume_alerts"] is expected


def test_a_bad_yes_or_no_is_refused_with_what_to_give() -> None:
    vocabulary = Vocabulary.from_codes(["BR"], ["peace-plan"])
    problems = check_preferences(
        PreferencesInput(email="a@example.org", volume_alerts="maybe"), vocabulary
    )
    assert isinstance(problems, list)
    assert [(p.field, "give true or false" in p.message) for p in problems] == [
        ("volume_alerts", True)
    ]
