"""The classes blind11's half A showed (issue 16): topic-file rules only.

Sentences written for this file in the style of the dev stories, not copied from blind11:
each case failed with the topic file of commit 7abf11e (before these classes) unless its
comment says it is a guard. Rules only:
no learned model.
"""

from __future__ import annotations

import pytest

from monitor.matching.classifier import classify
from monitor.matching.topic import Topic


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Ukrainian Society of Misiones marks its anniversary with a folk festival",
            "The Ukrainian Society of Misiones will hold three days of dances, embroidery and "
            "food in Posadas, Argentina, to mark its 90th anniversary.",
        ),
        (
            "es",
            "La Sociedad Ucraniana de Oberá celebra sus 80 años",
            "La Sociedad Ucraniana de Oberá, en Argentina, festejará su aniversario con bailes "
            "típicos, una muestra de bordados y comidas de Ucrania este sábado.",
        ),
        (
            "pt",
            "Sociedade Ucraniana de Prudentópolis faz festa de aniversário",
            "A Sociedade Ucraniana de Prudentópolis, no Paraná, Brasil, comemora 75 anos com "
            "apresentações de dança e culinária típica da Ucrânia neste domingo.",
        ),
        (
            "uk",
            "Українське товариство в Парагваї відзначило ювілей",
            "Українське товариство в Енкарнасьйоні, Парагвай, відзначило 70-річчя концертом і "
            "виставкою вишиванок, присвяченою культурі України.",
        ),
    ],
)
def test_a_community_society_s_celebration_is_not_a_state_act(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (  # a guard: English "visas" was already a humanitarian cue
            "en",
            "Argentina grants 120 visas to Ukrainians fleeing the war",
            "Argentina's immigration office granted 120 visas to Ukrainians displaced by the "
            "Russian invasion of Ukraine between April and June, the government said.",
        ),
        (  # a guard: Spanish "visas" was already a humanitarian cue
            "es",
            "Uruguay otorgó 40 visas a ucranianos por la guerra",
            "El gobierno de Uruguay otorgó 40 visas a ucranianos afectados por la guerra con "
            "Rusia, informó la Dirección Nacional de Migración.",
        ),
        (
            "pt",
            "Governo do Brasil emite vistos para ucranianos afetados pelo conflito",
            "O governo brasileiro emitiu 90 vistos para ucranianos afetados pela guerra com a "
            "Rússia em abril, segundo o Ministério da Justiça.",
        ),
        (
            "ru",
            "Мексика выдала визы украинцам, бежавшим от войны",
            "Правительство Мексики выдало визы украинцам, бежавшим от войны России против "
            "Украины, сообщил национальный институт миграции.",
        ),
        (
            "uk",
            "Чилі видало візи українцям, які тікають від війни",
            "Уряд Чилі видав 60 віз українцям, які тікають від війни Росії проти України, "
            "повідомило міністерство внутрішніх справ.",
        ),
    ],
)
def test_visas_granted_to_ukrainians_are_humanitarian(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "humanitarian", result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Ukraine's foreign minister gathers his envoys in Buenos Aires",
            "In Buenos Aires, Argentina, Ukraine's foreign minister held a working session with "
            "the heads of Ukraine's diplomatic missions in Brazil, Chile, Mexico and Peru on "
            "humanitarian aid and support for Ukraine.",
        ),
        (
            "es",
            "Canciller ucraniano reúne a sus embajadores en Lima",
            "En Lima, Perú, el canciller de Ucrania se reunió con los jefes de las misiones "
            "diplomáticas de Ucrania en Argentina, Brasil, Chile y México para coordinar el "
            "apoyo y la ayuda humanitaria.",
        ),
        (
            "pt",
            "Chanceler ucraniano reúne embaixadores em Brasília",
            "Em Brasília, Brasil, o chanceler da Ucrânia reuniu os chefes das missões "
            "diplomáticas da Ucrânia na Argentina, no Chile, no México e no Peru para discutir "
            "apoio e ajuda humanitária.",
        ),
        (
            "uk",
            "Нарада послів у Мехіко",
            "Під час візиту до Мексики міністр закордонних справ України провів нараду з "
            "керівниками дипломатичних місій України в Аргентині, Бразилії, Чилі та Перу щодо "
            "гуманітарної допомоги.",
        ),
        (
            "ru",
            "Совещание послов Украины в Сантьяго",
            "Во время визита в Чили министр иностранных дел Украины провел совещание с "
            "руководителями дипломатических миссий Украины в Аргентине, Бразилии, Мексике и "
            "Перу о гуманитарной помощи.",
        ),
    ],
)
def test_ukraine_meeting_its_own_envoys_is_not_a_state_act(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Mexico's trade negotiators study the Trump-Zelensky clash before Washington talks",
            "Mexico's negotiators are preparing for tariff talks with the United States, and "
            "analysts say the Trump-Zelensky clash shows how quickly a meeting with the White "
            "House can turn hostile for Ukraine's president.",
        ),
        (
            "es",
            "Colombia prepara su negociación con Washington tras el choque entre Trump y Zelenski",
            "Los negociadores de Colombia preparan las conversaciones arancelarias con Estados "
            "Unidos; analistas advierten que el choque entre Trump y Zelenski muestra cuán rápido "
            "una reunión en la Casa Blanca puede volverse hostil para el presidente de Ucrania.",
        ),
        (
            "pt",
            "Negociadores do Brasil estudam o bate-boca entre Trump e Zelensky antes de tarifas",
            "Os negociadores do Brasil preparam a conversa sobre tarifas com os Estados Unidos, e "
            "analistas dizem que o bate-boca entre Trump e Zelensky mostra como uma reunião na "
            "Casa Branca pode ficar hostil para o presidente da Ucrânia.",
        ),
        (
            "uk",
            "Мексика готується до переговорів із Вашингтоном після сварки Трампа і Зеленського",
            "Переговорники Мексики готуються до тарифних переговорів зі США, а аналітики кажуть, "
            "що сварка Трампа і Зеленського показала, як швидко зустріч у Білому домі може стати "
            "ворожою для президента України.",
        ),
        (
            "ru",
            "Бразилия готовится к переговорам с Вашингтоном после перепалки Трампа и Зеленского",
            "Переговорщики Бразилии готовятся к тарифным переговорам с США, а аналитики говорят, "
            "что перепалка Трампа и Зеленского показала, как быстро встреча в Белом доме может "
            "стать враждебной для президента Украины.",
        ),
    ],
)
def test_the_trump_zelensky_clash_as_a_lesson_is_not_an_act(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched


def test_a_leader_s_own_criticism_of_the_clash_stays_a_stance(topic: Topic) -> None:
    # a guard: relevant before and after (the negative's `unless`)
    result = classify(
        topic,
        "Petro criticó el choque entre Trump y Zelenski",
        "El presidente de Colombia, Gustavo Petro, criticó el choque entre Trump y Zelenski en "
        "la Casa Blanca y dijo que el presidente de Ucrania fue humillado.",
        "es",
    )
    assert result.relevant, result.matched
