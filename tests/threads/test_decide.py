"""The decision on a table of pairs modelled on the labeled set's hard cases, and its
reasons as data."""

from __future__ import annotations

import json
from datetime import date

import pytest

from monitor.matching.topic import Topic
from monitor.threads.decide import Decision, Rules, related, same_event
from monitor.threads.facts import StoryFacts, ThreadStory, story_facts
from tests.e2e.test_recurring_headlines import BRAZIL, BRIEF, DAYS
from tests.threads.conftest import DATA, facts

LULA_ZELENSKY = {"countries": "BR", "leader_countries": "BR", "side_people": "zelensk",
                 "people": "lula"}

CASES: dict[str, tuple[StoryFacts, StoryFacts, bool, str]] = {
    "one meeting, two types (peace-plan and summit-visit)": (
        facts("a", "2023-09-20", category="peace-plan", **LULA_ZELENSKY),
        facts("b", "2023-09-20", category="summit-visit", **LULA_ZELENSKY),
        True, "same-leaders",
    ),
    "a preview two days before the meeting": (
        facts("a", "2023-09-18", **LULA_ZELENSKY), facts("b", "2023-09-20", **LULA_ZELENSKY),
        True, "same-leaders",
    ),
    "the same two leaders six months apart (call, then meeting)": (
        facts("a", "2023-03-02", **LULA_ZELENSKY), facts("b", "2023-09-20", **LULA_ZELENSKY),
        False, "time",
    ),
    "a reply the next day": (
        facts("a", "2023-04-06", category="peace-plan", title="Lula sugere ceder a Crimeia",
              **LULA_ZELENSKY),
        facts("b", "2023-04-07", category="peace-plan", title="Kiev rejeita sugestão de Lula",
              **LULA_ZELENSKY),
        False, "reply",
    ),
    "Zelensky–Peña is not Zelensky at Milei's inauguration": (
        facts("a", "2023-12-10", countries="PY", leader_countries="PY", side_people="zelensk"),
        facts("b", "2023-12-10", countries="AR", leader_countries="AR", side_people="zelensk"),
        False, "counterparts",
    ),
    "a UN vote reported in two languages, no country in common": (
        facts("a", "2023-02-23", countries="BR", people="UNGA", category="un-multilateral"),
        facts("b", "2023-02-24", countries="NI", people="UNGA", category="un-multilateral"),
        True, "same-type",
    ),
    "two events of one type and day, no actor or term in common": (
        facts("a", "2024-06-13", countries="AR", category="security-military"),
        facts("b", "2024-06-12", countries="CU", category="security-military"),
        False, "no-common-act",
    ),
    "types differ but an actor and two distinctive terms agree": (
        facts("a", countries="MX", category="peace-plan", terms="ebrard modi"),
        facts("b", countries="MX", category="un-multilateral", terms="ebrard modi guterres"),
        True, "actor-and-terms",
    ),
    "types differ, one shared term is not enough": (
        facts("a", countries="BR", category="peace-plan", terms="vladimir"),
        facts("b", countries="BR", category="summit-visit", terms="vladimir"),
        False, "no-common-act",
    ),
    "three distinctive terms alone (a day apart, so the untyped story is not typed by it)": (
        facts("a", "2023-09-20", category="other", terms="belarus eritrea mali"),
        facts("b", "2023-09-21", category="un-multilateral", terms="belarus eritrea mali syria"),
        True, "terms",
    ),
    "a roundup beside one of its acts": (
        facts("a", "2024-06-14", countries="CO AR BR", title_countries="CO AR BR",
              category="peace-plan", leader_countries="AR"),
        facts("b", "2024-06-16", countries="AR", leader_countries="AR", category="peace-plan"),
        False, "survey",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_same_event(case: tuple[StoryFacts, StoryFacts, bool, str]) -> None:
    a, b, same, rule = case
    decision = same_event(a, b)
    assert (decision.same, decision.rule) == (same, rule)
    assert same_event(b, a).same is same  # symmetric


def test_the_reasons_are_data_and_explain_themselves() -> None:
    a = facts("a", countries="BR", category="summit-visit", terms="york")
    b = facts("b", "2023-09-21", countries="BR", category="summit-visit", terms="york")
    decision = same_event(a, b)
    assert isinstance(decision, Decision)
    by_name = {signal.name: signal for signal in decision.reasons}
    assert by_name["actors"].detail == ("BR",)
    assert by_name["terms"].detail == ("york",)
    assert by_name["time"].value == 1
    assert decision.explain().startswith("same event by same-type: time=yes (1 days apart)")


def test_the_window_is_a_rule() -> None:
    a = facts("a", "2023-09-15", **LULA_ZELENSKY)
    b = facts("b", "2023-09-20", **LULA_ZELENSKY)
    assert not same_event(a, b).same
    assert same_event(a, b, Rules(window_days=5)).same


def test_related_is_a_country_and_type_in_common_within_a_month() -> None:
    first = facts("a", "2023-04-06", countries="BR", category="peace-plan")
    reply = facts("b", "2023-04-07", countries="BR", category="peace-plan")
    later = facts("c", "2023-06-07", countries="BR", category="peace-plan")
    assert related(first, reply)
    assert not related(first, later)
    # Putin calling Ortega, then Bolsonaro in Moscow: one outside leader, no country shared
    ortega = facts("o", "2022-01-18", countries="NI", people="putin", side_people="putin")
    bolsonaro = facts("b", "2022-02-16", countries="BR", people="putin", side_people="putin")
    assert not related(ortega, bolsonaro)


# Two calls of Brazil with Ukraine a day apart, by different people (the recurring-headlines
# end-to-end test): same country, same type, no shared term. Different acts.
LULA_CALLS_ZELENSKY = facts(
    "call", "2026-12-07", countries="BR", leader_countries="BR", category="peace-plan",
    people="lula", side_people="zelensk", persons="lula zelensk",
)
VIEIRA_CALLS_KULEBA = facts(
    "tue", "2026-12-08", countries="BR", leader_countries="BR", category="peace-plan",
    people="mauro vieira", side_people="kuleba", persons="mauro+vieira kuleba",
    terms="dmytro proposal",
)

PEOPLE_CASES: dict[str, tuple[StoryFacts, StoryFacts, bool, str]] = {
    "Lula–Zelensky on Monday, Vieira–Kuleba on Tuesday": (
        LULA_CALLS_ZELENSKY, VIEIRA_CALLS_KULEBA, False, "other-people",
    ),
    "Vieira–Kuleba beside Vieira meeting an unnamed ambassador, nothing else shared": (
        VIEIRA_CALLS_KULEBA,
        facts("emb", "2026-12-09", countries="BR", leader_countries="BR",
              category="peace-plan", people="mauro vieira", persons="mauro+vieira"),
        False, "other-people",
    ),
    "the same two ministers in English and in Ukrainian (no common script)": (
        VIEIRA_CALLS_KULEBA,
        facts("uk", "2026-12-08", countries="BR", leader_countries="BR",
              category="peace-plan", people="вієйра", side_people="кулеба",
              persons="вієйрою кулеба"),
        True, "same-type",
    ),
    "one report names one more person, and they share a distinctive term": (
        facts("a", "2024-06-15", countries="CL", leader_countries="CL", category="peace-plan",
              people="gabriel boric", side_people="zelensk",
              persons="gabriel+boric zelensk", terms="territorial"),
        facts("b", "2024-06-15", countries="CL", leader_countries="CL", category="peace-plan",
              people="gabriel boric", persons="gabriel+boric", terms="territorial carta"),
        True, "same-type",
    ),
    "a full name and a short one are one person": (
        facts("a", "2023-01-30", countries="BR", leader_countries="BR", category="other",
              people="luiz inacio lula silva", persons="luiz+inacio+lula+silva"),
        facts("b", "2023-01-30", countries="BR", leader_countries="BR", category="other",
              people="lula", persons="lula"),
        True, "same-type",
    ),
    "one story names nobody: the people rule has nothing to compare": (
        facts("a", countries="BR", category="peace-plan", people="lula", persons="lula"),
        facts("b", countries="BR", category="peace-plan"),
        True, "same-type",
    ),
}


@pytest.mark.parametrize("case", PEOPLE_CASES.values(), ids=PEOPLE_CASES.keys())
def test_same_type_needs_the_same_people(case: tuple[StoryFacts, StoryFacts, bool, str]) -> None:
    a, b, same, rule = case
    decision = same_event(a, b)
    assert (decision.same, decision.rule) == (same, rule)
    assert (same_event(b, a).same, same_event(b, a).rule) == (same, rule)  # symmetric


def test_other_people_is_explained_by_who_is_missing() -> None:
    decision = same_event(LULA_CALLS_ZELENSKY, VIEIRA_CALLS_KULEBA)
    people = decision.reasons[-1]
    assert (people.name, people.holds, people.value) == ("people", False, 2)
    assert people.detail == (
        "only call: lula", "only call: zele", "only tue: kule", "only tue: maur/viei",
    )
    assert "by other-people" in decision.explain()
    assert "people=no (only call: lula" in decision.explain()


def _real(topic: Topic, story_id: str, day: str, title: str, text: str, lang: str) -> StoryFacts:
    return story_facts(topic, ThreadStory(story_id, title, text, "t", date.fromisoformat(day), lang))


def test_recurring_headlines_of_different_people_stay_apart_on_real_facts(topic: Topic) -> None:
    """The end-to-end test's stories through the real classifier: Monday's Lula–Zelensky
    call, Tuesday's Vieira–Kuleba call, Wednesday's meeting of Vieira with an ambassador.
    Before the people rule, same-type joined all three (one country, one type)."""
    monday = _real(topic, "call", "2026-12-07", "Brazil", BRAZIL["call"], "en")
    tuesday = _real(topic, "tue", "2026-12-08", BRIEF, DAYS["tuesday"], "en")
    wednesday = _real(topic, "emb", "2026-12-09", "Brazil", BRAZIL["embassy"], "en")
    for a, b in ((monday, tuesday), (tuesday, wednesday), (monday, wednesday)):
        decision = same_event(a, b)
        assert (decision.same, decision.rule) == (False, "other-people"), decision.explain()


def test_the_same_call_in_three_languages_still_joins_on_real_facts(topic: Topic) -> None:
    """Reports of the 2 March 2023 Lula–Zelensky call from the labeled set (t-050, t-051,
    t-052: English and Portuguese, different headlines) stay one event, and the same two
    ministers in English and Ukrainian join through the people rule."""
    stories = {
        json.loads(line)["id"]: json.loads(line)
        for line in (DATA / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    }
    call = [
        _real(topic, sid, s["date"], s["title"], s["text"], s["lang"])
        for sid, s in ((sid, stories[sid]) for sid in ("t-050", "t-051", "t-052"))
    ]
    for a, b in ((call[0], call[1]), (call[0], call[2]), (call[1], call[2])):
        assert same_event(a, b).same, same_event(a, b).explain()
    english = _real(topic, "en", "2026-12-08", BRIEF, DAYS["tuesday"], "en")
    ukrainian = _real(
        topic, "uk", "2026-12-08", "Вієйра і Кулеба поговорили телефоном",
        "Міністр закордонних справ Бразилії Мауро Вієйра провів телефонну розмову з "
        "Дмитром Кулебою щодо мирних переговорів.", "uk",
    )
    decision = same_event(english, ukrainian)
    assert decision.same, decision.explain()
    assert decision.reasons[-1].name == "people" and decision.reasons[-1].holds
