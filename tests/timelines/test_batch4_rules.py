"""Structural rules read from batch 4's errors (gold-test4.jsonl, dev data since it was
scored once): each on the real sentence that showed the error, with the real cue lists."""

from __future__ import annotations

from monitor.matching.text import fold
from monitor.matching.topic import Topic
from monitor.timelines.cues import TimelineCues
from monitor.timelines.features import Sighting, told_as_done
from tests.timelines.test_extract import entries, run

SUMMIT = (
    "Este fin de semana se llevará a cabo en Suiza la Cumbre para la Paz en Ucrania, con la "
    "participación confirmada de los presidentes de Argentina, Colombia, Chile, Ecuador y "
    "República Dominicana."
)


def sighting(clause: str) -> Sighting:
    return Sighting(
        headline=False,
        own_clause=True,
        distance=2,
        states=1,
        sentence_number=1,
        clause=fold(clause),
        counterpart_clause=False,
        counterpart_sentence=True,
        latam_leader=True,
    )


def test_taking_part_in_a_summit_still_to_come_is_no_act_yet() -> None:
    # b5-050: attendance without a position is an encounter; a refusal stays an act
    assert not told_as_done("peace-plan", [sighting(SUMMIT)], None)
    assert told_as_done("peace-plan", [sighting(SUMMIT)], "rejected")
    assert told_as_done("peace-plan", [sighting("Petro asistió a la Cumbre para la Paz")], None)
    # an aim is not taking part either ("buscará ampliar … el apoyo a la fórmula de paz")
    aim = "buscará ampliar la cooperación bilateral y el apoyo chileno a la fórmula de paz"
    assert not told_as_done("peace-plan", [sighting(aim)], None)


def test_a_summit_still_to_come_gives_no_peace_step(topic: Topic, cues: TimelineCues) -> None:
    timeline = run(topic, cues, "Cumbre para la Paz en Ucrania: quiénes asistirán", SUMMIT)
    assert not {e for e in entries(timeline) if e[1] == "peace-plan"}


def test_a_tally_of_states_is_no_countrys_vote(topic: Topic, cues: TimelineCues) -> None:
    # b5-174: "35 se abstiveram" is the tally; Brazil's own vote is "a favor"
    timeline = run(
        topic,
        cues,
        "Na ONU, 143 países votam contra anexação de territórios ucranianos",
        "Uma resolução que condena a anexação de quatro territórios ucranianos pela Rússia foi "
        "aprovada na Assembleia-Geral da Organização das Nações Unidas (ONU), na quarta-feira, "
        "12 de outubro. O Brasil foi um dos 143 países que se posicionaram a favor do projeto; 35 se "
        "abstiveram e 5 votaram contra.",
    )
    assert ("BR", "un-vote", "for") in entries(timeline)
    assert ("BR", "un-vote", "abstain") not in entries(timeline)


def test_against_the_aggression_is_the_resolutions_object(topic: Topic, cues: TimelineCues) -> None:
    # b7-013: Mexico voted for a resolution "en contra de la agresión de Rusia"
    timeline = run(
        topic,
        cues,
        "Misión de México destaca resolución histórica en la ONU",
        'La misión de México en las ( ONU ) calificó como una "resolución histórica" que el '
        "país, junto a otras 140 naciones, se hayan pronunciado en contra de la agresión de "
        "Rusia a Ucrania.",
    )
    assert ("MX", "un-vote", "against") not in entries(timeline)


def test_a_plan_or_group_of_the_country_is_its_alternative(
    topic: Topic, cues: TimelineCues
) -> None:
    # b5-191, b5-162: a plan or group the country authored states its own proposal
    vieira = (
        "Menos de cinco horas depois do anúncio do grupo da paz, o chanceler Mauro Vieira se "
        "reuniu em Nova York com o chefe da diplomacia russa, Sergei Lavrov."
    )
    plan = run(topic, cues, "EUA questionam plano de paz de Brasil e China para Ucrânia", vieira)
    assert ("BR", "peace-plan", "alternative") in entries(plan)
    group = run(
        topic,
        cues,
        "Lula e Zelensky na ONU",
        'A reunião se trata de uma iniciativa do grupo "Amigos da Paz", fundado por Brasil e '
        "China no ano passado com a intenção de propor uma solução pacífica para a guerra na "
        "Ucrânia.",
    )
    assert ("BR", "peace-plan", "alternative") in entries(group)
    # someone else's plan is no position of the country's
    other = run(topic, cues, "Brasil comenta plano de paz de Zelensky para a Ucrânia", vieira)
    assert ("BR", "peace-plan", "alternative") not in entries(other)


def test_a_state_named_as_the_place_of_anothers_meeting_is_a_venue(
    topic: Topic, cues: TimelineCues
) -> None:
    # b7-168: Ecuador's president met Zelensky in Argentina; Argentina did not meet anyone
    timeline = run(
        topic,
        cues,
        "Presidente de Ecuador se reúne con Zelensky en Argentina",
        "Noboa, que participó este domingo en Buenos Aires en la toma de posesión del "
        "gobernante argentino, Javier Milei, aprovechó su viaje para conversar con otros jefes "
        "de Estado, incluido Zelensky.",
    )
    assert ("EC", "meeting", None) in entries(timeline)
    assert ("AR", "meeting", None) not in entries(timeline)
    # a list of places with no other state is the list's own (e091: Lavrov's tour)
    tour = run(
        topic,
        cues,
        "Lavrov thanks Caracas, Managua and Havana for their stance on Ukraine",
        "Russian Foreign Minister Sergei Lavrov wrapped up a Latin American tour this week "
        "with stops in Caracas, Managua and Havana, where he thanked his hosts for refusing to "
        "join Western sanctions and for their position on what Moscow calls its special "
        "military operation in Ukraine.",
    )
    assert ("VE", "visit", None) in entries(tour)


def test_a_plan_or_a_wish_is_no_decision_yet_but_a_plan_denied_is_a_refusal() -> None:
    # b5-138, b7-210: "wants to transfer", "pretende fazer a doação" (labeling notes: a plan)
    wants = "Argentina wants to transfer to Ukraine two Mi-171E transport helicopters"
    assert not told_as_done("arms-security", [sighting(wants)])
    pretends = "a Força Aérea Argentina pretende fazer a doação ao Estado ucraniano"
    assert not told_as_done("arms-security", [sighting(pretends)])
    # b6-147: "was not planning to send Soviet-era weapons" is Ecuador's refusal, an act
    refusal = "the country was not planning to send Soviet-era weapons to Ukraine"
    assert told_as_done("arms-security", [sighting(refusal)])


def test_a_request_earlier_in_the_sentence_governs_the_cues_clause() -> None:
    # b6-056: the list of what Kyiv asked for is no Brazilian aid
    asked = Sighting(
        headline=False,
        own_clause=False,
        distance=12,
        states=1,
        sentence_number=3,
        clause=fold("cobertores, alimentos, água potável"),
        counterpart_clause=False,
        counterpart_sentence=True,
        latam_leader=False,
        lead_in=fold("O governo ucraniano pediu que o Brasil enviasse mais ajuda humanitária: "),
    )
    assert not told_as_done("humanitarian", [asked])
    # a resolution "asks" for things: the vote stays one (d057)
    assert told_as_done("un-vote", [asked])
    # b6-096: Kyiv wanting Brazil to take part in aid is a request
    assert not told_as_done(
        "humanitarian", [sighting("A Ucrânia quer que o presidente participe de uma ajuda")]
    )


def test_a_future_told_by_an_adjective_or_participle_is_still_a_plan() -> None:
    # b7-130 "la posibilidad de una futura visita", b5-130 "O encontro está agendado"
    assert not told_as_done("visit", [sighting("incluyó la posibilidad de una futura visita")])
    assert not told_as_done("meeting", [sighting("O encontro está agendado para a manhã")])
    assert told_as_done("meeting", [sighting("O encontro aconteceu na manhã de sábado")])
