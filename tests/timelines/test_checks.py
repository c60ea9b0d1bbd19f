"""The per-clause tense-and-negation check, visit destinations and foreign-subject clauses,
on real sentences of the labeled sets (tests/data/timeline/) and the real cue lists."""

from __future__ import annotations

import pytest

from monitor.matching.text import fold
from monitor.matching.topic import Topic
from monitor.timelines.cues import TimelineCues
from monitor.timelines.features import Sighting, clause_markers, told_as_done
from tests.timelines.test_extract import entries, run


def sighting(clause: str) -> Sighting:
    return Sighting(
        headline=False,
        own_clause=True,
        distance=2,
        states=1,
        sentence_number=1,
        clause=fold(clause),
        counterpart_clause=True,
        counterpart_sentence=True,
        latam_leader=True,
    )


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("Petro will meet for the first time with President Zelensky", (True, False, False)),
        ("el presidente se reunirá con Zelensky en Kiev", (True, False, False)),
        ("Lula e Zelensky não se encontram em Hiroshima", (False, True, False)),
        ("canceled his participation in the Peace Summit", (False, True, False)),
        ("invitó a visitar Ucrania al presidente de Uruguay", (False, False, True)),
        ("Lula met Zelensky in Hiroshima on Sunday", (False, False, False)),
        ("O presidente recebeu o embaixador no Palácio", (False, False, False)),
    ],
)
def test_clause_markers_read_future_negation_and_requests(
    clause: str, expected: tuple[bool, bool, bool]
) -> None:
    assert clause_markers(fold(clause)) == expected


@pytest.mark.parametrize(
    ("kind", "clauses", "done"),
    [
        # an encounter only planned, or cancelled, did not happen
        ("meeting", ["Petro will meet with President Zelensky"], False),
        ("visit", ["desiste de viajar a Moscú", "no viajará a Moscú"], False),
        # …unless another sentence tells it as done
        ("meeting", ["Petro will meet Zelensky", "Petro met Zelensky on Sunday"], True),
        # a refusal or an announced decision is itself the act for the other kinds
        ("arms-security", ["his country would not hand over its Russian-made weapons"], True),
        ("trade", ["México no impondrá sanciones económicas a Rusia"], True),
        ("humanitarian", ["the government will provide humanitarian aid"], True),
        # a request, a proposal received or a mere aim is not
        ("arms-security", ["the United States asked Colombia for its weapons"], False),
        ("trade", ["Ukraine proposed to Argentina and Chile a free trade zone"], False),
        ("trade", ["they agreed to strengthen diplomatic and commercial ties"], False),
    ],
)
def test_told_as_done_by_kind(kind: str, clauses: list[str], done: bool) -> None:
    assert told_as_done(kind, [sighting(c) for c in clauses]) is done


def test_a_meeting_only_announced_is_no_entry(topic: Topic, cues: TimelineCues) -> None:
    # b4-004 (gold-test3): the meeting was still to come; gold has no entry
    timeline = run(
        topic,
        cues,
        "Petro will meet for the first time with President Zelensky of Ukraine in Switzerland",
        "Colombian President Gustavo Petro will meet for the first time with his Ukrainian "
        "counterpart, Volodymyr Zelensky, during the peace conference to be held in Switzerland.",
    )
    assert ("CO", "meeting", None) not in entries(timeline)


def test_the_same_meeting_told_as_done_is_one(topic: Topic, cues: TimelineCues) -> None:
    timeline = run(
        topic,
        cues,
        "Petro met President Zelensky of Ukraine in Switzerland",
        "Colombian President Gustavo Petro met his Ukrainian counterpart, Volodymyr Zelensky, "
        "during the peace conference in Switzerland.",
    )
    assert ("CO", "meeting", None) in entries(timeline)


def test_a_visit_goes_where_its_words_say(topic: Topic, cues: TimelineCues) -> None:
    # b4-004: Petro's visit to Sweden is no visit to Ukraine or Russia
    sweden = run(
        topic,
        cues,
        "Petro met President Zelensky of Ukraine after making an official visit to Sweden",
        "",
    )
    assert ("CO", "visit", None) not in entries(sweden)
    # a visit to Kyiv is the Latin American leader's
    kyiv = run(topic, cues, "Lula makes an official visit to Kyiv and meets Zelensky", "")
    assert ("BR", "visit", None) in entries(kyiv)


def test_a_visit_to_a_list_of_states_is_each_of_theirs(topic: Topic, cues: TimelineCues) -> None:
    # b4-165 (gold-test3): the Ukrainian minister's trip to Argentina and Chile
    timeline = run(
        topic,
        cues,
        "La Viceprimera Ministra de Ucrania, Yuliya Sviridenko, tras su visita a Argentina y "
        "Chile esta semana, constató la presencia de interés conjunto en inversiones",
        "",
    )
    assert {("AR", "visit", None), ("CL", "visit", None)} <= entries(timeline)


def test_a_visit_elsewhere_names_its_host_only(topic: Topic, cues: TimelineCues) -> None:
    # b4-231: Zelensky's visit to Argentina is not one to Ecuador, Paraguay or Uruguay
    timeline = run(
        topic,
        cues,
        "Zelensky thanks Latin American leaders for their support",
        "Volodymyr Zelensky addressed his fight against the Russian invasion with the leaders "
        "of Ecuador, Paraguay and Uruguay during his visit to Argentina to attend the "
        "presidential inauguration.",
    )
    made = entries(timeline)
    assert not {(c, "visit", None) for c in ("EC", "PY", "UY")} & made


def test_a_foreign_leaders_act_on_a_latin_american_state_is_not_its(
    topic: Topic, cues: TimelineCues
) -> None:
    # b4-158 (gold-test3): Zelensky informing Peña about the peace formula is no position
    timeline = run(
        topic,
        cues,
        "President of Ukraine had a video call with the President of Paraguay",
        "Volodymyr Zelenskyy informed Santiago Peña Palacios about the meetings at the level of "
        "national security advisors on the points of the Peace Formula.",
    )
    made = entries(timeline)
    assert ("PY", "peace-plan", None) not in made
    assert ("PY", "call", None) in made


def test_importance_is_no_trade(topic: Topic, cues: TimelineCues) -> None:
    # b4-075: "the importance of Chile's full involvement" read "import*" as trade
    timeline = run(
        topic,
        cues,
        "Zelensky spoke with the President of Chile Gabriel Boric by phone",
        "Zelensky emphasized the importance of Chile's full involvement in the Peace Formula.",
    )
    assert ("CL", "trade", None) not in entries(timeline)
