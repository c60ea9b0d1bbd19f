"""The one check of a subscriber's preferences, and the worker refusing exactly what it refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.catalogs import catalog, explain
from monitor.store.subscribers import SubscriberRow, SubscriptionRow
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.subscriptions.preferences import (
    Preferences,
    PreferencesInput,
    Vocabulary,
    check_preferences,
    input_from_row,
    topic_vocabulary,
)
from tests import PROJECT_ROOT

VOCABULARY = topic_vocabulary(PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml")
GOOD = PreferencesInput(email="Desk@Newsroom.example", name="  LatAm   desk ")


def problems_of(**changes: object) -> dict[str, str]:
    result = check_preferences(replace(GOOD, **changes), VOCABULARY)  # type: ignore[arg-type]
    assert isinstance(result, list), f"accepted: {result}"
    return {p.field: p.message for p in result}


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("digest_weekday", 9, "0 (Monday) to 6"),
        ("digest_weekday", "someday", "0 (Monday) to 6"),
        ("daily_cap", -1, "from 0 to 1000"),
        ("daily_cap", "2.5", "whole number"),
        ("daily_cap", 10**12, "from 0 to 1000"),
        ("countries", "BR,XX", "XX"),
        ("countries", "UA", "UA"),  # a real country, but the topic never reports it
        ("min_score", 5, "never be reached"),
        ("min_score", "nan", "number from 0 to 1"),
        ("min_score", "-0.1", "never be reached"),
        ("time_zone", "Mars/Olympus", "unknown time zone"),
        ("time_zone", "localtime", "unknown time zone"),
        ("time_zone", "", "required"),
        ("digest_time", "25:00", "HH:MM"),
        ("digest_time", "8h", "HH:MM"),
        ("quiet", "22:00", "22:00-07:00"),
        ("quiet", "22:00-24:00", "22:00-07:00"),
        ("quiet", "07:00-07:00", "same time"),
        ("categories", "peace-plan,sports", "sports"),
        ("categories", "energy-nuclear", "energy-nuclear"),  # Russia's, not loaded here
        ("query", "Brazil AND category:sports", "sports"),
        ("languages", "en,english", "english"),
        ("languages", "und", "und"),
        ("mode", "sometimes", "immediate, hourly, daily, weekly"),
        ("query", "Zelensk* AND (Brazil", "at position"),
        ("email", "not-an-address", "not an email address"),
        ("name", "Ana\r\nBcc: x@example.org", "control characters"),
        ("outlets", ["MENAFN", 7], "expected text"),
    ],
)
def test_each_setting_that_can_never_deliver_is_refused_naming_its_field(
    field: str, value: object, says: str
) -> None:
    problems = problems_of(**{field: value})
    assert list(problems) == [field]
    assert says in problems[field]


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of(digest_weekday=9, daily_cap=-1, countries="XX", min_score=5)
    assert set(problems) == {"digest_weekday", "daily_cap", "countries", "min_score"}


def test_accepted_preferences_are_normalized() -> None:
    result = check_preferences(
        replace(
            GOOD,
            time_zone="america/sao_paulo",
            countries="py, br,PY",
            categories="Humanitarian",
            languages="pt-BR, es, eng",
            min_score="0.5",
            mode="Weekly",
            digest_time="7:05",
            digest_weekday="fri",
            quiet="22:00–07:00",
            daily_cap="0",
            query="  Lula NEAR/5 peace ",
        ),
        VOCABULARY,
    )
    assert isinstance(result, Preferences)
    assert result.email == "desk@newsroom.example" and result.name == "LatAm desk"
    assert result.time_zone == "America/Sao_Paulo"
    assert result.filters.countries == ("PY", "BR") and result.filters.languages == ("pt", "es", "en")
    assert result.filters.categories == ("humanitarian",) and result.filters.min_score == 0.5
    assert (result.mode, result.digest_time, result.digest_weekday) == ("weekly", time(7, 5), 4)
    assert result.quiet == (time(22, 0), time(7, 0)) and result.daily_cap == 0
    assert result.query == "Lula NEAR/5 peace"
    assert result.subscription_values()["quiet_start"] == "22:00"


# --- the worker's index drops exactly what the check refuses ---------------------------------
_SOMETIMES_BAD = {
    "time_zone": st.sampled_from(["UTC", "Europe/Kyiv", "Mars/Olympus", ""]),
    "query": st.sampled_from([None, "Lula", "Zelensk* AND (Brazil", "peace NEAR/5 Lula"]),
    "countries": st.sampled_from([(), ("BR",), ("XX",), ("br", "AR")]),
    "categories": st.sampled_from([(), ("humanitarian",), ("sports",)]),
    "languages": st.sampled_from([(), ("en",), ("english",)]),
    "min_score": st.sampled_from([None, 0.4, 5.0, -1.0]),
    "mode": st.sampled_from(["immediate", "daily", "weekly", "often"]),
    "digest_time": st.sampled_from(["08:00", "23:59", "24:00", "8"]),
    "digest_weekday": st.sampled_from([0, 6, 7, -1]),
    "quiet": st.sampled_from([(None, None), ("22:00", "07:00"), ("22:00", None), ("7", "8")]),
    "daily_cap": st.sampled_from([None, 0, 20, -1]),
}


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries(_SOMETIMES_BAD))
def test_the_worker_refuses_a_stored_row_exactly_when_the_entry_check_does(
    values: dict[str, object],
) -> None:
    quiet = values.pop("quiet")
    assert isinstance(quiet, tuple)
    subscriber = SubscriberRow(1, "desk@example.org", "", str(values.pop("time_zone")), True, "active")
    filters = {
        key: list(values.pop(key))  # type: ignore[call-overload]
        for key in ("countries", "categories", "languages")
    }
    filters["min_score"] = values.pop("min_score")
    row = SubscriptionRow(
        id=7, subscriber_id=1, name="desk", filters=filters, quiet_start=quiet[0],
        quiet_end=quiet[1], **values,  # type: ignore[arg-type]
    )
    index = SubscriptionIndex(vocabulary=VOCABULARY)
    index.load([(row, subscriber)])
    accepted = isinstance(check_preferences(input_from_row(row, subscriber), VOCABULARY), Preferences)
    assert len(index) == (1 if accepted else 0)


def test_an_index_without_a_topic_accepts_any_two_letter_code_only() -> None:
    loose = Vocabulary()
    assert isinstance(check_preferences(replace(GOOD, countries="UA"), loose), Preferences)
    assert isinstance(check_preferences(replace(GOOD, countries="UKR"), loose), list)


def test_the_worker_logs_why_it_drops_a_subscription(caplog: pytest.LogCaptureFixture) -> None:
    subscriber = SubscriberRow(1, "desk@example.org", "", "UTC", True, "active")
    row = SubscriptionRow(id=3, subscriber_id=1, name="x", query=None, digest_weekday=9)
    index = SubscriptionIndex(vocabulary=VOCABULARY)
    with caplog.at_level("ERROR", logger="monitor.subscriptions.fanout"):
        index.load([(row, subscriber)])
    assert len(index) == 0
    (record,) = [r for r in caplog.records if r.getMessage() == "subscription.settings_invalid"]
    assert record.subscription_id == 3  # type: ignore[attr-defined]
    assert any("digest_weekday" in p for p in record.problems)  # type: ignore[attr-defined]


def test_the_loaded_topics_decide_which_categories_exist() -> None:
    """With both topics loaded, each topic's categories can be filtered on (the union)."""
    topics = PROJECT_ROOT / "seeds" / "topics"
    both = topic_vocabulary(topics / "russia-latam.toml", topics / "ukraine-latam.toml")
    for entry in (
        replace(GOOD, categories="energy-nuclear,peace-plan"),
        replace(GOOD, query="Brazil AND category:media-influence"),
    ):
        assert isinstance(check_preferences(entry, both), Preferences)
        assert isinstance(check_preferences(entry, VOCABULARY), list)


OPEN = Vocabulary()  # no loaded topics: any two-letter country, any topic slug
# One input per ``refused.*`` catalog message: (changes, field refused, message, vocabulary).
REFUSALS: list[tuple[dict[str, object], str, str, Vocabulary]] = [
    ({"email": ""}, "email", "email_required", VOCABULARY),
    ({"email": "not-an-address"}, "email", "not_email", VOCABULARY),
    ({"name": "a\x00b"}, "name", "one_line", VOCABULARY),
    ({"name": "x" * 201}, "name", "too_long", VOCABULARY),
    ({"time_zone": ""}, "time_zone", "time_zone_required", VOCABULARY),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "unknown_time_zone", VOCABULARY),
    ({"language": "xx"}, "language", "language", VOCABULARY),
    ({"query": "Brazil AND (Lula"}, "query", "query", VOCABULARY),
    ({"query": "Brazil AND category:sports"}, "query", "unknown_query_categories", VOCABULARY),
    ({"topic": "no such"}, "topic", "not_topic_id", OPEN),
    ({"topic": "sports"}, "topic", "unknown_topic", VOCABULARY),
    ({"countries": [3]}, "countries", "not_text", VOCABULARY),
    ({"outlets": "a\x00b"}, "outlets", "plain_text", VOCABULARY),
    ({"outlets": ",".join(f"o{n}" for n in range(51))}, "outlets", "too_many", VOCABULARY),
    ({"countries": "BRA"}, "countries", "country_codes", OPEN),
    ({"countries": "BR,XX"}, "countries", "unknown_countries", VOCABULARY),
    ({"categories": "sports"}, "categories", "unknown_categories", VOCABULARY),
    ({"languages": "english"}, "languages", "unknown_languages", VOCABULARY),
    ({"outlets": "x" * 301}, "outlets", "outlet_too_long", VOCABULARY),
    ({"min_score": "nan"}, "min_score", "not_score", VOCABULARY),
    ({"daily_cap": "lots"}, "daily_cap", "not_cap", VOCABULARY),
    ({"min_score": 5}, "min_score", "score_range", VOCABULARY),
    ({"mode": "sometimes"}, "mode", "mode", VOCABULARY),
    ({"digest_time": "25:00"}, "digest_time", "clock", VOCABULARY),
    ({"digest_weekday": 9}, "digest_weekday", "weekday", VOCABULARY),
    ({"quiet": "22:00"}, "quiet", "quiet_format", VOCABULARY),
    ({"quiet": "07:00-07:00"}, "quiet", "quiet_same", VOCABULARY),
    ({"daily_cap": -1}, "daily_cap", "daily_cap", VOCABULARY),
    ({"volume_alerts": "maybe"}, "volume_alerts", "flag", VOCABULARY),
    ({"topic": "all"}, "query", "all_needs_query", VOCABULARY),
]


def test_each_refusal_is_a_catalog_message_that_every_language_says() -> None:
    """The English catalog's text is the problem's message (what the CLI prints); every
    other catalog says it in its own words with the same values; no message is unused."""
    seen = set()
    for changes, name, key, vocabulary in REFUSALS:
        result = check_preferences(replace(GOOD, **changes), vocabulary)  # type: ignore[arg-type]
        assert isinstance(result, list), changes
        (problem,) = [p for p in result if p.field == name]
        assert problem.key == f"refused.{key}", (changes, problem)
        assert explain(catalog("en"), problem) == problem.message
        for language in ("es", "pt", "uk"):
            said = explain(catalog(language), problem)
            assert said != problem.message, (language, key)
            assert all(str(value) in said for _, value in problem.values), (language, said)
        seen.add(problem.key)
    assert seen == {key for key in catalog("en").messages if key.startswith("refused.")}
