"""The decision on a table of pairs modelled on the labeled set's hard cases, and its
reasons as data."""

from __future__ import annotations

import pytest

from monitor.threads.decide import Decision, Rules, related, same_event
from monitor.threads.facts import StoryFacts
from tests.threads.conftest import facts

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
    "three distinctive terms alone": (
        facts("a", category="other", terms="belarus eritrea mali"),
        facts("b", category="un-multilateral", terms="belarus eritrea mali syria"),
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
