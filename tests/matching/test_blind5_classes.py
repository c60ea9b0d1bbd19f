"""The classes blind5's errors showed (issue 16), in the topic file and not in code.

Sentences written for this file in the style of the dev stories, not copied from blind5:
each case failed with the topic file of commit 715df25 (before these classes) unless its
comment says it is a guard that already passed.
"""

from __future__ import annotations

import pytest

from monitor.matching.classifier import classify
from monitor.matching.topic import Topic


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        # diaspora protests, the plural and an awareness act outside an embassy
        (
            "en",
            "Ukrainian diasporas in South America protest invasion",
            "SANTIAGO/LIMA (Reuters) – Hundreds of Ukrainians living in Chile and Peru "
            "gathered on Sunday to protest the invasion of Ukraine by Russian forces.",
        ),
        (
            "es",
            "Bogotá: ucranianos frente a la embajada de Rusia",
            "Para crear conciencia sobre los ataques a Ucrania, la comunidad de ese país "
            "colgó una bandera frente a la embajada de Rusia en Bogotá, Colombia.",
        ),
        # exporters hit by the war or by sanctions: no act between governments
        (
            "es",
            "La guerra en Ucrania golpea al sector exportador de Costa Rica",
            "San José – El conflicto entre Rusia y Ucrania preocupa al sector exportador "
            "costarricense: Rusia es uno de los principales destinos del café de Costa Rica.",
        ),
        (
            "es",
            "Bananeros de Guatemala, afectados por las sanciones a Moscú",
            "Los bananeros de Guatemala se han visto afectados por las sanciones impuestas a "
            "Rusia por su ofensiva en Ucrania, y miles de cajas quedaron sin vender.",
        ),
        (
            "en",
            "Chile's diesel imports from Russia jump as the war in Ukraine drags on",
            "Chilean diesel imports from Russia rose sharply last year as the war in Ukraine "
            "dragged on; the economy ministry said purchases were made by private agents "
            "following supply and demand.",
        ),
        # guard (passed before): fertilizer prices in a farm economy
        (
            "pt",
            "Preço do adubo sobe no Paraguai com a guerra na Ucrânia",
            "A guerra entre a Rússia e a Ucrânia tem afetado o agronegócio do Paraguai: o "
            "aumento do adubo já pesa no bolso do produtor rural.",
        ),
    ],
)
def test_blind5_hard_negatives_stay_out(topic: Topic, lang: str, title: str, text: str) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        # guards: a ban in retaliation for an arms transfer stays on topic (dev2's class),
        # whatever exporters and growers the story also names
        (
            "es",
            "Rusia prohíbe importación de banano de Ecuador tras el canje de armas",
            "Los exportadores ecuatorianos temen pérdidas: Moscú prohibió la importación de "
            "banano en represalia por el envío a Ucrania de armas de origen ruso.",
        ),
        (
            "pt",
            "Rússia proíbe importação de flores da Colômbia",
            "Os exportadores colombianos temem perdas depois que Moscou suspendeu a "
            "importação em retaliação ao envio de armas russas à Ucrânia.",
        ),
    ],
)
def test_a_ban_over_arms_stays_on_topic_with_exporters_named(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "trade-economy", result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "pt",
            "Assessor de Lula chega a Kiev para conversar com Zelensky",
            "O assessor especial Celso Amorim chegou a Kiev para conversar com Volodymyr "
            "Zelensky sobre um possível acordo de paz com a Rússia.",
        ),
        (
            "es",
            "Petro habló por teléfono con Zelenski",
            "El presidente Gustavo Petro conversó por teléfono con Volodímir Zelenski sobre "
            "los esfuerzos por la paz entre Rusia y Ucrania.",
        ),
        (
            "en",
            "Boric and Zelensky meet in Santiago",
            "President Gabriel Boric met Volodymyr Zelensky in Santiago; the leaders discussed "
            "a possible peace deal to end Russia's war on Ukraine.",
        ),
        (
            "pt",
            "Chefe de gabinete de Zelensky liga para Amorim",
            "Andrii Iermak ligou para Celso Amorim e reforçou o interesse numa cúpula pela paz "
            "com participação do Brasil e da Ucrânia.",
        ),
    ],
)
def test_a_meeting_about_a_peace_deal_is_peace_plan(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "peace-plan", result.matched
    assert any(e.rule == "category:meeting-about-peace" for e in result.matched)


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Argentina received 300 Ukrainians since the invasion",
            "Argentina received at least 300 Ukrainians since the start of the war; the "
            "government granted humanitarian visas and residence permits.",
        ),
        (
            "es",
            "México recibió a 200 ucranianos desde el inicio de la guerra",
            "México recibió a 200 ucranianos; el gobierno concedió visas humanitarias a "
            "quienes huyen de la guerra en Ucrania.",
        ),
        (
            "pt",
            "Brasil recebeu 120 ucranianos após o início da guerra",
            "O governo brasileiro concedeu vistos humanitários a ucranianos que fogem da "
            "guerra; o Brasil recebeu 120 pessoas até março.",
        ),
    ],
)
def test_humanitarian_visas_are_humanitarian(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "humanitarian", result.matched
    assert any(e.rule == "category:humanitarian-visas-are-humanitarian" for e in result.matched)


@pytest.mark.parametrize(
    ("lang", "title", "text", "category"),
    [
        # a leader's terms for a settlement, said at a BRICS call, are the leader's act
        # (passed before at the BRICS negative's old weight; it checks the exception holds
        # at the heavier weight the trip below needs)
        (
            "ru",
            "Урегулирование конфликта на Украине возможно только с учетом интересов сторон",
            "БРАЗИЛИА, 8 сентября. /ТАСС/. Урегулирование конфликта на Украине возможно, "
            "только если будут учтены интересы сторон, заявил президент Бразилии Лула да "
            "Силва на саммите БРИКС.",
            "peace-plan",
        ),
        # a trip to a BRICS summit with the war only as Putin's backdrop is the bloc's
        (
            "pt",
            "Lula parte para cúpula do Brics em Kazan",
            "O presidente Lula embarcou para Kazan, na Rússia, para a cúpula do Brics; Putin "
            "não foi à cúpula anterior por causa de um mandado ligado à guerra na Ucrânia.",
            None,
        ),
    ],
)
def test_a_brics_summit_is_the_blocs_business_unless_a_settlement_is_stated(
    topic: Topic, lang: str, title: str, text: str, category: str | None
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant is (category is not None), result.matched
    assert result.category == category


def test_an_announced_meeting_is_a_visit(topic: Topic) -> None:
    result = classify(
        topic,
        "The presidents of Ukraine and Mexico will meet for the first time",
        "Mexican President Claudia Sheinbaum will meet with President Volodymyr Zelensky; "
        "the Embassy of Ukraine in Mexico confirmed the date.",
        "en",
    )
    assert result.relevant and result.category == "summit-visit", result.matched


def test_an_inauguration_is_not_paraguays_capital(topic: Topic) -> None:
    result = classify(
        topic,
        "Ucrania invitó al presidente Orsi a una visita oficial",
        "El presidente uruguayo Yamandú Orsi se encontró con el canciller de Ucrania en la "
        "asunción de José Antonio Kast.",
        "es",
    )
    assert result.relevant and "PY" not in result.countries, result.countries
