"""The two clause decisions (``acts.act_status``: did the act happen; ``acts.act_party``:
whose act is it) and the clause split they read, each on new sentences written for these
tests (none is gold text), in EN/ES/PT and UK/RU where the decision applies; then the
extractor keeping an entry only when both say it is the country's act."""

from __future__ import annotations

import pytest

from monitor.matching.topic import Topic
from monitor.timelines.acts import (
    ANNOUNCED,
    DENIED,
    HAPPENED,
    OTHER,
    PLANNED,
    REQUESTED,
    UNCERTAIN,
    Actor,
    act_agent,
    act_party,
    act_speaker,
    act_status,
    counts_as_act,
)
from monitor.timelines.clauses import split_clauses
from monitor.timelines.cues import TimelineCues
from monitor.timelines.model import Quote
from tests.timelines.test_extract import entries, run

# --- did the act happen ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "lang"),
    [
        ("the foreign minister met his Ukrainian counterpart in Geneva on Friday", "en"),
        ("la canciller se reunió con su par ucraniano en Ginebra el viernes", "es"),
        ("o chanceler encontrou-se com o colega ucraniano em Genebra na sexta", "pt"),
        ("міністр зустрівся з українським колегою в Женеві у п'ятницю", "uk"),
        ("министр встретился с украинским коллегой в Женеве в пятницу", "ru"),
    ],
)
def test_an_act_told_in_the_past_happened(clause: str, lang: str) -> None:
    assert act_status(clause, lang) == HAPPENED


@pytest.mark.parametrize(
    ("clause", "lang"),
    [
        ("the government will send two field hospitals to Kharkiv", "en"),
        ("el gobierno enviará dos hospitales de campaña a Járkov", "es"),
        ("o governo vai enviar dois hospitais de campanha a Kharkiv", "pt"),
        ("o governo prometeu dois hospitais de campanha para Kharkiv", "pt"),
        ("уряд надішле два польові госпіталі, як і буде домовлено", "uk"),
        ("правительство пообещало два полевых госпиталя для Харькова", "ru"),
    ],
)
def test_a_decision_told_in_the_future_is_announced(clause: str, lang: str) -> None:
    assert act_status(clause, lang) == ANNOUNCED


@pytest.mark.parametrize(
    ("clause", "lang"),
    [
        ("the president plans to travel to Kyiv before the summer", "en"),
        ("el mandatario quiere viajar a Kiev antes del verano", "es"),
        ("o presidente pretende viajar a Kiev antes do verão", "pt"),
        ("the envoy proposed a contact group of neutral countries", "en"),
        ("el canciller propuso una mesa de países neutrales", "es"),
        ("президент планує поїздку до Києва до літа", "uk"),
        ("президент намерен посетить Киев до лета", "ru"),
    ],
)
def test_a_plan_wish_or_proposal_is_planned(clause: str, lang: str) -> None:
    assert act_status(clause, lang) == PLANNED


@pytest.mark.parametrize(
    ("clause", "lang"),
    [
        ("Kyiv asked the government for generators and blankets", "en"),
        ("Kiev pidió al gobierno generadores y mantas", "es"),
        ("Kiev pediu ao governo geradores e cobertores", "pt"),
        ("Київ звернувся з проханням про генератори", "uk"),
        ("Киев попросил правительство о генераторах", "ru"),
    ],
)
def test_an_act_asked_for_is_requested(clause: str, lang: str) -> None:
    assert act_status(clause, lang) == REQUESTED


@pytest.mark.parametrize(
    ("clause", "lang"),
    [
        ("the minister did not travel to Moscow after all", "en"),
        ("el ministro canceló su viaje a Moscú", "es"),
        ("el ministro no asistió a la reunión en Moscú", "es"),
        ("o ministro não viajou a Moscou", "pt"),
        ("міністр скасував поїздку до Москви", "uk"),
        ("министр не поехал в Москву", "ru"),
    ],
)
def test_a_negated_or_cancelled_act_is_denied(clause: str, lang: str) -> None:
    assert act_status(clause, lang) == DENIED


def test_spanish_no_negates_any_verb_only_in_spanish() -> None:
    # "no acudió" is no verb form the language-blind list knows; Portuguese "no" is "in the"
    assert act_status("el canciller no acudió al encuentro con Lavrov", "es") == DENIED
    assert act_status("o chanceler chegou no encontro com Lavrov", "pt") == HAPPENED


@pytest.mark.parametrize(
    ("clause", "lang"),
    [
        ("the army could hand over six helicopters to Ukraine", "en"),
        ("analizan el posible envío de cascos a Ucrania", "es"),
        ("o exército poderia entregar seis helicópteros à Ucrânia", "pt"),
        ("армія може передати шість гелікоптерів Україні", "uk"),
        ("армия может передать шесть вертолетов Украине", "ru"),
    ],
)
def test_a_possible_or_unconfirmed_act_is_uncertain(clause: str, lang: str) -> None:
    assert act_status(clause, lang) == UNCERTAIN


def test_possible_qualifying_another_noun_leaves_the_act_told() -> None:
    assert act_status("ante una posible represalia, Quito entregó los radares", "es") == HAPPENED


def test_accented_and_headline_futures_are_read_only_where_they_exist() -> None:
    assert act_status("la delegación llegará a Kiev el lunes", "es") == ANNOUNCED
    assert act_status("a delegação chegará a Kiev na segunda", "pt") == ANNOUNCED
    assert act_status("Boric to visit Kyiv", "en", headline=True) == ANNOUNCED
    assert act_status("Boric to visit Kyiv", "en") == HAPPENED  # not a headline: an infinitive


@pytest.mark.parametrize(
    ("kind", "value", "kept"),
    [
        ("meeting", None, {HAPPENED}),
        ("visit", None, {HAPPENED}),
        ("peace-plan", None, {HAPPENED}),  # taking part in a summit is an encounter
        ("arms-security", None, {HAPPENED, ANNOUNCED, DENIED}),  # a refusal is the act
        ("humanitarian", None, {HAPPENED, ANNOUNCED, DENIED}),
        ("un-vote", "for", {HAPPENED, ANNOUNCED, DENIED}),
        ("peace-plan", "alternative", {HAPPENED, ANNOUNCED, DENIED, PLANNED}),  # its proposal
    ],
)
def test_which_statuses_count_as_the_act_by_kind(
    kind: str, value: str | None, kept: set[str]
) -> None:
    statuses = {HAPPENED, ANNOUNCED, PLANNED, REQUESTED, DENIED, UNCERTAIN}
    assert {s for s in statuses if counts_as_act(kind, s, value)} == kept


# --- whose act is it -------------------------------------------------------------------------


def actors(clause: str, *named: tuple[str, str]) -> list[Actor]:
    """Actors at the first place each name occurs in ``clause``."""
    found = []
    for name, party in named:
        at = clause.index(name)
        found.append(Actor(at, at + len(name), party))
    return found


@pytest.mark.parametrize(
    ("clause", "named", "cue", "party"),
    [
        # the subject before the verb, not the preposition's object
        ("Zelensky thanked Uruguay for the aid", [("Zelensky", "ukraine"), ("Uruguay", "UY")],
         "aid", ("ukraine",)),
        ("Uruguay sent the aid together with Zelensky's team",
         [("Uruguay", "UY"), ("Zelensky", "ukraine")], "aid", ("UY",)),
        ("Con Zelensky presente, Uruguay anunció la ayuda",
         [("Zelensky", "ukraine"), ("Uruguay", "UY")], "ayuda", ("UY",)),
        ("Com Zelensky presente, o Uruguai anunciou a ajuda",
         [("Zelensky", "ukraine"), ("Uruguai", "UY")], "ajuda", ("UY",)),
        ("Зеленський подякував Уругваю за допомогу",
         [("Зеленський", "ukraine"), ("Уругваю", "UY")], "допомогу", ("ukraine",)),
        # a list of states is one subject
        ("Chile, Peru and Uruguay joined the sanctions",
         [("Chile", "CL"), ("Peru", "PE"), ("Uruguay", "UY")], "sanctions", ("CL", "PE", "UY")),
        ("Chile, Perú y Uruguay se sumaron a las sanciones",
         [("Chile", "CL"), ("Perú", "PE"), ("Uruguay", "UY")], "sanciones", ("CL", "PE", "UY")),
        # a speaker's verb of saying before the cue: no subject of the reported act
        ("Washington said the helmets were shipped to Kyiv",
         [("Washington", OTHER)], "helmets", ()),
        ("Washington afirmó que los cascos fueron enviados a Kiev",
         [("Washington", OTHER)], "cascos", ()),
        ("Washington afirmou que os capacetes foram enviados a Kiev",
         [("Washington", OTHER)], "capacetes", ()),
        # nobody named before the cue: the caller inherits the sentence's subject
        ("the aid arrived in Kyiv on Monday", [], "aid", ()),
    ],
)  # fmt: skip
def test_act_party_is_the_subject_before_the_cue(
    clause: str, named: list[tuple[str, str]], cue: str, party: tuple[str, ...]
) -> None:
    assert act_party(clause, actors(clause, *named), clause.index(cue)) == party


@pytest.mark.parametrize(
    ("clause", "named", "cue", "agent"),
    [
        ("sanctions imposed by the United States hit Caracas",
         [("United States", OTHER)], "sanctions", OTHER),
        ("sanciones impuestas por Estados Unidos golpean a Caracas",
         [("Estados Unidos", OTHER)], "sanciones", OTHER),
        ("sanções impostas pelos Estados Unidos atingem Caracas",
         [("Estados Unidos", OTHER)], "sanções", OTHER),
        # an agent that is no state: volunteers recruited online are nobody's government
        ("jóvenes reclutados por internet para el frente", [], "reclutados", OTHER),
        ("jovens recrutados pela internet para a frente", [], "recrutados", OTHER),
        ("young men recruited by online agencies", [], "recruited", OTHER),
        # a third state owning a noun cue
        ("las sanciones de Estados Unidos contra Caracas", [("Estados Unidos", OTHER)],
         "sanciones", OTHER),
        # a known agent
        ("la ayuda enviada por Putin a La Habana", [("Putin", "russia")], "ayuda", "russia"),
        # no agent: an active clause
        ("Chile sent helmets to Kyiv", [("Chile", "CL")], "helmets", None),
    ],
)  # fmt: skip
def test_act_agent_reads_passives_and_owners(
    clause: str, named: list[tuple[str, str]], cue: str, agent: str | None
) -> None:
    found = actors(clause, *named)
    assert act_agent(clause, found, clause.index(cue)) == agent
    if agent is not None:
        assert act_party(clause, found, clause.index(cue)) == (agent,)


@pytest.mark.parametrize(
    ("sentence", "named", "cue", "speaker"),
    [
        ("Kuleba met Paraguay's minister and stressed that the peace formula is the only way",
         [("Kuleba", "ukraine"), ("Paraguay", "PY")], "peace formula", ("ukraine",)),
        ("Kuleba se reunió con el canciller de Paraguay y subrayó que la fórmula de paz es la vía",
         [("Kuleba", "ukraine"), ("Paraguay", "PY")], "fórmula de paz", ("ukraine",)),
        ("Kuleba encontrou o chanceler do Paraguai e destacou que a fórmula de paz é o caminho",
         [("Kuleba", "ukraine"), ("Paraguai", "PY")], "fórmula de paz", ("ukraine",)),
        ("Кулеба зустрівся з міністром Парагваю та наголосив, що формула миру безальтернативна",
         [("Кулеба", "ukraine"), ("Парагваю", "PY")], "формула миру", ("ukraine",)),
        # no verb of saying: nobody's words
        ("Paraguay backed the peace formula at the summit", [("Paraguay", "PY")],
         "peace formula", ()),
    ],
)  # fmt: skip
def test_act_speaker_is_who_says_the_words_holding_the_cue(
    sentence: str, named: list[tuple[str, str]], cue: str, speaker: tuple[str, ...]
) -> None:
    assert act_speaker(sentence, actors(sentence, *named), sentence.index(cue)) == speaker


# --- the clause split the decisions read -----------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "second"),
    [
        ("The minister praised the summit's host and confirmed the shipment of helmets",
         "and confirmed the shipment of helmets"),
        ("El ministro elogió al anfitrión de la cumbre y confirmó el envío de cascos",
         "y confirmó el envío de cascos"),
        ("O ministro elogiou o anfitrião da cúpula e confirmou o envio de capacetes",
         "e confirmou o envio de capacetes"),
        ("Міністр оборони похвалив господаря саміту та підтвердив відправку шоломів до Києва",
         "та підтвердив відправку шоломів до Києва"),
    ],
)  # fmt: skip
def test_and_before_a_past_verb_starts_a_clause(sentence: str, second: str) -> None:
    clauses = split_clauses(Quote("text", 0, len(sentence), sentence))
    assert [sentence[a:b] for a, b in clauses][-1] == second


def test_and_between_nouns_starts_no_clause() -> None:
    sentence = "Lula and Putin discussed grain and fertilizer shipments in Kazan"
    assert split_clauses(Quote("text", 0, len(sentence), sentence)) == [(0, len(sentence))]


# --- the extractor keeps an act that happened, of the country, with Ukraine or Russia -------


def test_a_third_states_passive_act_is_not_the_countrys(topic: Topic, cues: TimelineCues) -> None:
    theirs = run(
        topic,
        cues,
        "Venezuela y Rusia firman acuerdos energéticos",
        "El gobierno venezolano firmó con Rusia nuevos acuerdos energéticos pese a la guerra en "
        "Ucrania. La economía del "
        "país fue golpeada por sanciones de Estados Unidos durante años.",
    )
    assert ("VE", "trade", None) not in entries(theirs)
    mine = run(
        topic,
        cues,
        "Venezuela y Rusia firman acuerdos energéticos",
        "El gobierno venezolano firmó con Rusia nuevos acuerdos energéticos pese a la guerra en "
        "Ucrania. Caracas rechazó "
        "las sanciones contra Moscú durante años.",
    )
    assert ("VE", "trade", None) in entries(mine)


def test_another_pairs_meeting_is_no_meeting_of_the_country(
    topic: Topic, cues: TimelineCues
) -> None:
    theirs = run(
        topic,
        cues,
        "Петро: встреча Путина и Трампа дает надежду на мир в Украине",
        "Президент Колумбии Густаво Петро прокомментировал войну в Украине.",
    )
    assert ("CO", "meeting", None) not in entries(theirs)
    mine = run(
        topic,
        cues,
        "Петро: встреча с Путиным дает надежду на мир в Украине",
        "Президент Колумбии Густаво Петро прокомментировал войну в Украине.",
    )
    assert ("CO", "meeting", None) in entries(mine)


@pytest.mark.parametrize(
    "text",
    [
        "Colombian President Gustavo Petro told Vladimir Putin that Colombia backs direct "
        "talks of Russia and Ukraine.",
        "Президент Колумбии Густаво Петро сказал Владимиру Путину, что Колумбия поддерживает "
        "переговоры России и Украины.",
    ],
)
def test_the_war_parties_own_talks_are_no_meeting_of_the_country(
    topic: Topic, cues: TimelineCues, text: str
) -> None:
    assert ("CO", "meeting", None) not in entries(run(topic, cues, "Petro", text))


def test_a_trade_topic_only_discussed_is_no_trade_act(topic: Topic, cues: TimelineCues) -> None:
    talked = run(
        topic,
        cues,
        "Paraguay y Ucrania conversan",
        "El canciller de Paraguay se reunió con el canciller de Ucrania, Dmytro Kuleba; "
        "discutieron el comercio de granos.",
    )
    assert ("PY", "trade", None) not in entries(talked)
    assert ("PY", "meeting", None) in entries(talked)
    signed = run(
        topic,
        cues,
        "Paraguay y Ucrania firman acuerdo",
        "El canciller de Paraguay se reunió con el canciller de Ucrania, Dmytro Kuleba; "
        "firmaron un acuerdo de comercio de granos.",
    )
    assert ("PY", "trade", None) in entries(signed)


def test_a_proposed_meeting_is_none_but_a_proposed_plan_is_the_countrys_alternative(
    topic: Topic, cues: TimelineCues
) -> None:
    proposed = run(
        topic,
        cues,
        "Petro propone mediar entre Rusia y Ucrania",
        "El presidente de Colombia, Gustavo Petro, propuso un encuentro con Vladimir Putin "
        "sobre la guerra en Ucrania.",
    )
    assert ("CO", "meeting", None) not in entries(proposed)
    met = run(
        topic,
        cues,
        "Petro y Putin",
        "El presidente de Colombia, Gustavo Petro, tuvo un encuentro con Vladimir Putin "
        "sobre la guerra en Ucrania.",
    )
    assert ("CO", "meeting", None) in entries(met)
    plan = run(
        topic,
        cues,
        "Petro propone un plan de paz",
        "El presidente de Colombia, Gustavo Petro, propuso un plan de paz para la guerra entre "
        "Rusia y Ucrania.",
    )
    assert ("CO", "peace-plan", "alternative") in entries(plan)


def test_a_blocs_own_meeting_is_no_meeting_of_its_host(topic: Topic, cues: TimelineCues) -> None:
    theirs = run(
        topic,
        cues,
        "Belize hosts regional leaders on the war in Ukraine",
        "Belize's prime minister read out a letter from Volodymyr Zelensky at the meeting of "
        "the Caricom heads of government in Belmopan.",
    )
    assert ("BZ", "meeting", None) not in entries(theirs)
    mine = run(
        topic,
        cues,
        "Belize meets Ukraine",
        "Belize's prime minister held a meeting with Ukraine's foreign minister Dmytro Kuleba "
        "in Belmopan.",
    )
    assert ("BZ", "meeting", None) in entries(mine)


def test_a_peace_position_in_a_ukrainian_speakers_words_is_not_the_countrys(
    topic: Topic, cues: TimelineCues
) -> None:
    theirs = run(
        topic,
        cues,
        "Kuleba habló con el canciller de Chile",
        "Dmytro Kuleba habló con el canciller de Chile y subrayó que la fórmula de paz "
        "ucraniana es el único camino.",
    )
    assert ("CL", "peace-plan", None) not in entries(theirs)
    mine = run(
        topic,
        cues,
        "Chile respalda la fórmula de paz",
        "El canciller de Chile respaldó la fórmula de paz de Ucrania en Kiev.",
    )
    assert any(k[:2] == ("CL", "peace-plan") for k in entries(mine))
