"""story_facts on real text with the real topic: actors across languages and scripts,
multilateral bodies, and the distinctive terms (names, numbers, long words)."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.matching.text import fold
from monitor.matching.topic import Topic
from monitor.threads.facts import (
    ThreadStory,
    distinctive_terms,
    institutions,
    keys_meet,
    name_keys,
    story_facts,
)
from monitor.threads.stored import from_data, to_data


def story(title: str, text: str, lang: str | None) -> ThreadStory:
    return ThreadStory("x", title, text, "test", date(2023, 9, 20), lang)


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        ("Lula and Zelensky meet in New York", "Brazil's president met Ukraine's.", "en"),
        ("Лула зустрівся із Зеленським", "Президент Бразилії Лула да Сілва.", "uk"),
        ("Lula e Zelensky se reúnem em Nova York", "O presidente do Brasil.", "pt"),
    ],
)
def test_the_same_actors_in_three_languages(
    topic: Topic, title: str, text: str, lang: str
) -> None:
    found = story_facts(topic, story(title, text, lang))
    assert found.countries == {"BR"}
    assert found.leader_countries == {"BR"}
    assert found.sides == {"UA"}


def test_multilateral_bodies_are_actors() -> None:
    assert institutions("La Asamblea General de la ONU votó") == {"UNGA"}
    assert institutions("the U.N. Security Council met; the OAS too") == {"UNSC", "OAS"}
    assert institutions("a general meeting of the assembly") == frozenset()


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Scholz visited Brasília on Monday", {"scholz"}, {"monday"}),
        ("passed 141-7 with 32 abstentions in 2023", {"141", "32"}, {"2023", "7"}),
        ("the inauguration ceremony of the president", {"inauguration"}, {"president"}),
        ("El canciller Ebrard presentó la propuesta", {"ebrard"}, {"el", "canciller"}),
    ],
)
def test_distinctive_terms(text: str, expected: set[str], absent: set[str]) -> None:
    found = distinctive_terms(text, [])
    assert expected <= found
    assert not (absent & found)


def test_gazetteer_hits_are_not_terms() -> None:
    text = "Zelensky met Scholz and Ebrard in Brasília"
    spans = [(35, 43), (0, 8), (2, 5)]  # unsorted and overlapping, as evidence can be
    assert distinctive_terms(text, spans) == {"scholz", "ebrard"}


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("", ""),
        ("\u200b\u202e", "\x00\ufeff"),  # invisible and control characters only
        ("141 " * 5000, "Zelensky " * 20000),  # long and repetitive
        ("Зеленський", "Україна і Бразилія. ✌️ 🇺🇦"),
    ],
)
def test_hostile_text_gives_facts_without_raising(topic: Topic, title: str, text: str) -> None:
    from monitor.threads.decide import same_event

    found = story_facts(topic, story(title, text, None))
    assert found.story_id == "x"
    assert same_event(found, found).rule in {"same-leaders", "same-type", "actor-and-terms",
                                             "terms", "no-common-act"}


@pytest.mark.parametrize(
    ("names", "same"),
    [
        (("Zelensky", "Зеленського"), True),
        (("Zelenskyy", "зеленський"), True),
        (("Lula", "Лулою"), True),
        (("Lula", "Лулой"), True),
        (("Milei", "Мілея"), True),
        (("Sybiha", "Сибіга"), True),
        (("Nebenzia", "Nebenzya"), True),
        (("Lula", "Vieira"), False),
        (("Zelensky", "Kuleba"), False),
        (("Luiz", "Luis"), False),
    ],
)
def test_name_keys_meet_across_scripts(names: tuple[str, str], same: bool) -> None:
    first, second = (name_keys({fold(name)}) for name in names)
    assert keys_meet(first, second) is same


def test_a_storys_names_of_one_person_are_one_person(topic: Topic) -> None:
    found = story_facts(topic, story(
        "Lula da Silva recebe Mauro Vieira",
        "O presidente Luiz Inácio Lula da Silva conversou com Lula e com Zelensky.", "pt",
    ))
    people = sorted(sorted(person) for person in found.persons)
    assert len(people) == 3, people  # Lula (three spellings), Vieira, Zelensky
    assert any("lula" in person and "luiz" in person for person in people)


def test_stored_facts_keep_their_persons_and_old_rows_have_none(topic: Topic) -> None:
    found = story_facts(topic, story("Lula e Zelensky", "Lula falou com Zelensky.", "pt"))
    data = to_data(found)
    assert data["persons"] == sorted(sorted(p) for p in found.persons) != []
    back = from_data(0, found.day, data)
    assert back.persons == found.persons
    old = {key: value for key, value in data.items() if key != "persons"}
    assert from_data(0, found.day, old).persons == frozenset()
