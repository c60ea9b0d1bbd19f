"""Each signal on a table of pairs written as facts."""

from __future__ import annotations

import pytest

from monitor.threads.facts import StoryFacts
from monitor.threads.signals import (
    days_apart,
    distinct_counterparts,
    is_reply,
    is_survey,
    reply_to,
    same_two_leaders,
    same_type,
    shared_actors,
    shared_terms,
    survey_beside_act,
)
from tests.threads.conftest import facts


@pytest.mark.parametrize(
    ("a", "b", "window", "holds", "days"),
    [
        ("2023-09-20", "2023-09-20", 2, True, 0),
        ("2023-09-18", "2023-09-20", 2, True, 2),
        ("2023-09-20", "2023-09-17", 2, False, 3),
        ("2023-03-02", "2023-09-20", 2, False, 202),
    ],
)
def test_days_apart(a: str, b: str, window: int, holds: bool, days: int) -> None:
    signal = days_apart(facts(day=a), facts(day=b), window)
    assert (signal.holds, signal.value) == (holds, days)


@pytest.mark.parametrize(
    ("a", "b", "holds", "detail"),
    [
        (facts(countries="BR"), facts(countries="BR AR"), True, ("BR",)),
        (facts(countries="BR"), facts(countries="AR"), False, ()),
        (facts(people="UNGA"), facts(people="UNGA"), True, ("UNGA",)),
        (facts(countries="BR", people="lula"), facts(people="lula"), True, ("lula",)),
        (facts(), facts(), False, ()),
    ],
)
def test_shared_actors(a: StoryFacts, b: StoryFacts, holds: bool, detail: tuple[str, ...]) -> None:
    signal = shared_actors(a, b)
    assert (signal.holds, signal.detail) == (holds, detail)


@pytest.mark.parametrize(
    ("a", "b", "holds"),
    [
        (facts(leader_countries="PY"), facts(leader_countries="AR"), True),  # Peña vs Milei
        (facts(leader_countries="AR PY"), facts(leader_countries="AR"), False),
        (facts(leader_countries="BR"), facts(), False),  # one names no leader: unknown
        # Headlines: "Peña expresa a Zelenski…" (PY) beside "Zelensky at Milei's…" (AR)
        (facts(title_countries="PY"), facts(title_countries="AR"), True),
        # …but a vote's headline picks one voter among many
        (facts(title_countries="BR", category="un-multilateral"),
         facts(title_countries="NI", category="un-multilateral"), False),
    ],
)
def test_distinct_counterparts(a: StoryFacts, b: StoryFacts, holds: bool) -> None:
    assert distinct_counterparts(a, b).holds is holds


@pytest.mark.parametrize(
    ("a", "b", "holds"),
    [
        (facts(leader_countries="BR", side_people="zelensk"),
         facts(leader_countries="BR", side_people="zelensk"), True),
        (facts(leader_countries="BR", side_people="putin"),
         facts(leader_countries="BR", side_people="zelensk"), False),  # Lula–Putin, Lula–Zelensky
        (facts(leader_countries="BR", side_people="zelensk"),
         facts(leader_countries="AR", side_people="zelensk"), False),
    ],
)
def test_same_two_leaders(a: StoryFacts, b: StoryFacts, holds: bool) -> None:
    assert same_two_leaders(a, b).holds is holds


@pytest.mark.parametrize(
    ("a", "b", "holds"),
    [
        ("summit-visit", "summit-visit", True),
        ("summit-visit", "un-multilateral", False),
        (None, None, False),  # no type is not a shared type
    ],
)
def test_same_type(a: str | None, b: str | None, holds: bool) -> None:
    assert same_type(facts(category=a), facts(category=b)).holds is holds


def test_shared_terms_counts_and_lists_them() -> None:
    signal = shared_terms(facts(terms="141 scholz leopard"), facts(terms="leopard 141 york"))
    assert (signal.holds, signal.value, signal.detail) == (True, 2, ("141", "leopard"))
    assert not shared_terms(facts(terms="york"), facts(terms="ebrard")).holds


@pytest.mark.parametrize(
    ("title", "reply"),
    [
        ("Kiev rejeita sugestão de Lula sobre a Crimeia", True),
        ("Zelenskiy rebuffs China-Brazil peace proposal at UN", True),
        ("They welcome our peace proposal in Ukraine", True),
        # A report of the reactions to an act is a new development (blind set 3, half A).
        ("Invitación a Putin a la toma de protesta genera reacciones", True),
        ("Convite a Putin gera reações no Itamaraty", True),
        ("World reactions to Lula's remarks on Crimea", True),
        ("Lula rechaça enviar munição à Ucrânia", False),  # a refusal is an act, not a reply
        ("Lula and Zelensky meet in New York", False),
    ],
)
def test_is_reply(title: str, reply: bool) -> None:
    assert is_reply(title) is reply


def test_reply_beside_an_act_holds_but_two_replies_do_not() -> None:
    act = facts("a", title="China and Brazil launch Friends of Peace")
    answer = facts("b", title="Zelenskiy rebuffs China-Brazil peace proposal")
    assert reply_to(act, answer).holds and reply_to(act, answer).detail == ("b",)
    assert not reply_to(answer, facts("c", title="Kyiv rejects the plan")).holds


@pytest.mark.parametrize(
    ("title_countries", "category", "survey"),
    [
        ("CO AR BR", "peace-plan", True),
        ("VE CU BO NI SV", "un-multilateral", False),  # a vote names many countries
        ("AR", "summit-visit", False),
    ],
)
def test_is_survey(title_countries: str, category: str, survey: bool) -> None:
    assert is_survey(facts(title_countries=title_countries, category=category)) is survey


def test_survey_beside_act() -> None:
    roundup = facts("r", title_countries="CO AR BR", category="peace-plan")
    act = facts("a", title_countries="AR", category="peace-plan")
    assert survey_beside_act(roundup, act).holds
    assert not survey_beside_act(roundup, roundup).holds
