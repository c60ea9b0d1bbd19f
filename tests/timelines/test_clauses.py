"""The clause rules of the extractor (docs/timelines.md), one rule a test, in EN, ES and PT."""

from __future__ import annotations

import pytest

from monitor.matching.topic import Topic
from monitor.timelines.clauses import split_clauses
from monitor.timelines.cues import TimelineCues
from monitor.timelines.model import Quote
from tests.timelines.test_extract import entries, run


def clauses(text: str, actors: tuple[int, ...] = ()) -> list[str]:
    quote = Quote("text", 0, len(text), text)
    return [text[a:b] for a, b in split_clauses(quote, actors)]


def test_clauses_end_at_punctuation_and_subordinators_but_not_at_lists_or_appositions() -> None:
    text = "El presidente Lula recibió al canciller ruso en Brasília, mientras Putin visitaba China esa semana."
    assert clauses(text) == [
        "El presidente Lula recibió al canciller ruso en Brasília",
        ", mientras Putin visitaba China esa semana.",
    ]
    apposition = (
        "Alejandro Giammattei, presidente de Guatemala, llegó a varios acuerdos con Zelensky."
    )
    assert clauses(apposition) == [apposition]
    listed = "The abstentions of the long vote were from Brazil, Honduras, Mexico and Argentina."
    starts = tuple(listed.index(name) for name in ("Brazil", "Honduras", "Mexico", "Argentina"))
    assert clauses(listed, starts) == [listed]
    # "más" (Spanish, more) is no "mas" (Portuguese, but): no cut before it.
    more = "El gobierno mexicano envió más ayuda humanitaria a los refugiados de Ucrania."
    assert clauses(more) == [more]


# A kind cue in a clause about a Ukrainian or Russian leader alone is that leader's act.
FOREIGN_VISIT = [
    (
        "Putin phones Lula about the war in Ukraine",
        "Russian President Vladimir Putin phoned Brazilian President Lula on Saturday about "
        "the war in Ukraine, days after Putin visited Alaska for a summit with Donald Trump.",
    ),
    (
        "Putin llama a Petro para hablar de la guerra en Ucrania",
        "El presidente ruso Vladímir Putin llamó por teléfono al presidente colombiano Gustavo "
        "Petro para hablar de la guerra en Ucrania, después de que Putin visitó Alaska para una "
        "cumbre con Donald Trump.",
    ),
    (
        "Putin telefona para Lula sobre a guerra na Ucrânia",
        "O presidente russo Vladimir Putin telefonou para o presidente brasileiro Lula para "
        "falar da guerra na Ucrânia, depois que Putin visitou o Alasca para uma cúpula com "
        "Donald Trump.",
    ),
]


@pytest.mark.parametrize(("title", "text"), FOREIGN_VISIT)
def test_a_foreign_leaders_own_visit_is_not_the_countrys(
    topic: Topic, cues: TimelineCues, title: str, text: str
) -> None:
    kinds = {kind for _, kind, _ in entries(run(topic, cues, title, text))}
    assert "call" in kinds
    assert "visit" not in kinds


# ...but a visit where the leader is only the host (the agent of a passive) stays.
HOSTED_VISIT = [
    "Cuban President Miguel Díaz-Canel, on a long tour of Europe, was received by Vladimir Putin "
    "in Moscow to discuss the war in Ukraine.",
    "El mandatario cubano, Miguel Díaz-Canel, fue recibido este martes por Vladímir Putin en "
    "Moscú para hablar de la guerra en Ucrania.",
    "O presidente cubano, Miguel Díaz-Canel, foi recebido nesta terça-feira por Vladimir Putin "
    "em Moscou para falar da guerra na Ucrânia.",
]


@pytest.mark.parametrize("text", HOSTED_VISIT)
def test_a_visit_hosted_by_a_foreign_leader_stays_the_countrys(
    topic: Topic, cues: TimelineCues, text: str
) -> None:
    found = entries(run(topic, cues, "Díaz-Canel en Moscú", text))
    assert ("CU", "visit", None) in found


# A kind cue in a clause that names another Latin American state is that state's.
OTHER_STATE = [
    "Brazilian President Lula met Volodymyr Zelensky in New York on Tuesday, while the Argentine "
    "government sent humanitarian aid to Ukraine.",
    "El presidente brasileño Lula se reunió con Volodímir Zelenski en Nueva York, mientras el "
    "gobierno argentino envió ayuda humanitaria a Ucrania.",
    "O presidente brasileiro Lula encontrou-se com Volodymyr Zelensky em Nova York, enquanto o "
    "governo argentino enviou ajuda humanitária à Ucrânia.",
]


@pytest.mark.parametrize("text", OTHER_STATE)
def test_a_cue_goes_to_the_state_of_its_own_clause(
    topic: Topic, cues: TimelineCues, text: str
) -> None:
    found = entries(run(topic, cues, "Lula y Zelensky", text))
    assert ("BR", "meeting", None) in found and ("AR", "humanitarian", None) in found
    assert ("BR", "humanitarian", None) not in found and ("AR", "meeting", None) not in found


# A meeting about Ukraine (Ukraine only its topic, no Ukrainian or Russian party) is no
# bilateral meeting.
ABOUT_UKRAINE = [
    (
        "Brazil at a meeting on Ukraine in Saudi Arabia",
        "The Brazilian government says it defends a negotiated solution to the Russian invasion "
        "of Ukraine.",
        "Brazil's president met Zelensky at a meeting on Ukraine in Saudi Arabia",
    ),
    (
        "Brasil asiste a una reunión sobre la guerra en Ucrania en Arabia Saudita",
        "El gobierno brasileño defiende una salida negociada a la invasión rusa de Ucrania.",
        "Lula se reunió con Zelenski en una reunión sobre la guerra en Ucrania en Arabia Saudita",
    ),
    (
        "Brasil participa de reunião sobre a Ucrânia na Arábia Saudita",
        "O governo brasileiro defende uma saída negociada para a invasão russa da Ucrânia.",
        "Lula encontrou-se com Zelensky em reunião sobre a Ucrânia na Arábia Saudita",
    ),
]


@pytest.mark.parametrize(("title", "text", "with_party"), ABOUT_UKRAINE)
def test_a_meeting_about_ukraine_is_not_a_bilateral_meeting(
    topic: Topic, cues: TimelineCues, title: str, text: str, with_party: str
) -> None:
    kinds = {kind for _, kind, _ in entries(run(topic, cues, title, text))}
    assert "meeting" not in kinds
    assert ("BR", "meeting", None) in entries(run(topic, cues, with_party, text))


# A stance word goes to the subject of its clause, not to every state of the sentence.
STANCES = [
    "The Brazilian government called for a negotiated solution to the war in Ukraine, while "
    "the Argentine government condemned the Russian invasion.",
    "El gobierno brasileño pidió una salida negociada a la guerra en Ucrania, mientras el "
    "gobierno argentino condenó la invasión rusa.",
    "O governo brasileiro pediu uma saída negociada para a guerra na Ucrânia, enquanto o "
    "governo argentino condenou a invasão russa.",
]


@pytest.mark.parametrize("text", STANCES)
def test_a_stance_goes_to_its_clauses_subject(topic: Topic, cues: TimelineCues, text: str) -> None:
    timeline = run(topic, cues, "Brasil y Argentina ante la guerra en Ucrania", text)
    stances = {s.country: s.stance for s in timeline.stances}
    assert stances == {"BR": "neutral", "AR": "supports"}
