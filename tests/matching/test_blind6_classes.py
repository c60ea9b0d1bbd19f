"""The classes blind6's errors showed (issue 16), in the topic file and not in code.

Sentences written for this file in the style of the dev stories, not copied from blind6:
each case failed with the topic file of commit 1687cdf (before these classes) unless its
comment says it is a guard.
"""

from __future__ import annotations

import pytest

from monitor.matching.classifier import classify
from monitor.matching.topic import Topic


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        # the region's economic outlook after the invasion (IMF, forecasts)
        (
            "en",
            "IMF: Central America hit by economic fallout of Russia's war in Ukraine",
            "WASHINGTON (Reuters) – Central America and the Caribbean face economic risks from "
            "Russia's invasion of Ukraine, with inflationary pressures on food, an "
            "International Monetary Fund official said.",
        ),
        # Russian fuel bought by a country's companies as business
        (
            "pt",
            "Diesel da Rússia vira negócio bilionário para importadoras no Paraguai",
            "Empresas paraguaias importaram óleo diesel da Rússia desde a invasão da Ucrânia, "
            "e empresários do setor temem tarifas americanas.",
        ),
        # a community's campaign and mobilisation, even when it names humanitarian aid
        (
            "pt",
            "Descendentes de ucranianos no Uruguai fazem campanha para ajudar país em guerra",
            "Entidades de descendentes ucranianos no Uruguai lançaram campanha para ajudar a "
            "população da Ucrânia; já foram arrecadados 50 mil dólares.",
        ),
        (
            "pt",
            "Comunidade ucraniana no Brasil mobiliza apoio após quatro anos de guerra",
            "A comunidade ucraniana no Brasil organiza um dia de mobilização para renovar o "
            "apoio à Ucrânia e ao esforço de ajuda humanitária.",
        ),
    ],
)
def test_blind6_hard_negatives_stay_out(topic: Topic, lang: str, title: str, text: str) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched


def test_a_foreign_minister_on_buying_russian_fuel_is_a_state_act(topic: Topic) -> None:
    """Guard (dev-news d041's class): the fuel negative yields to a minister speaking."""
    result = classify(
        topic,
        "Chile wants to buy Russian diesel, foreign minister says",
        "Chile is looking to buy Russian diesel, its foreign minister said on Tuesday, "
        "despite Western sanctions imposed on Moscow over its invasion of Ukraine.",
        "en",
    )
    assert result.relevant and result.category == "trade-economy", result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text", "category", "rule"),
    [
        (
            "en",
            "Russia restricts Guatemala's coffee imports over military equipment for Ukraine",
            "Russia restricted imports of Guatemalan coffee after reports that military "
            "equipment from Guatemala would be sent to Kyiv.",
            "trade-economy",
            "retaliation-over-arms-is-trade",
        ),
        (
            "es",
            "Rusia inicia una guerra del banano con Honduras por las armas",
            "Moscú lanzó una guerra del banano contra Honduras por el envío a Ucrania de armas "
            "de fabricación rusa.",
            "trade-economy",
            "retaliation-over-arms-is-trade",
        ),
        (
            "pt",
            "Lula liga para Zelensky para tratar do fim da guerra",
            "O presidente Lula conversou por telefone com Volodymyr Zelensky e propôs uma "
            "reunião para tratar do fim da guerra na Ucrânia.",
            "peace-plan",
            "meeting-about-peace",
        ),
        (
            "uk",
            "Україна закриває посольство в Нікарагуа",
            "Україна ухвалила рішення закрити своє посольство в Нікарагуа через вербування "
            "громадян Нікарагуа до російської армії.",
            "other",
            "embassy-closure-is-other",
        ),
        (
            "en",
            "Ukraine to close its embassy in Havana over Cuban recruits",
            "Ukraine will close its embassy in Havana, citing Cuba's inaction over the "
            "recruitment of Cuban citizens into Russia's army.",
            "other",
            "embassy-closure-is-other",
        ),
        (
            "ru",
            "Президент Перу согласился поехать на конференцию по Украине в Швейцарии",
            "Президент Перу согласился поменять планы и поехать на конференцию по Украине в "
            "Швейцарии.",
            "peace-plan",
            None,
        ),
    ],
)
def test_blind6_categories(
    topic: Topic, lang: str, title: str, text: str, category: str, rule: str | None
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == category, result.matched
    if rule:
        assert any(e.rule == f"category:{rule}" for e in result.matched), result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text", "category"),
    [
        # guards (passed before): nationals killed in combat and talks with leaders, the
        # wording blind6 taught ("mortos em combate", "talks with") on top of older cues
        (
            "pt",
            "Itamaraty: 12 paraguaios foram mortos em combate na guerra da Ucrânia",
            "O Ministério das Relações Exteriores informou que 12 paraguaios "
            "foram registrados como mortos em combate na guerra da Ucrânia.",
            "security-military",
        ),
        (
            "en",
            "Zelensky talks with leaders of Peru and Uruguay",
            "Ukrainian President Volodymyr Zelensky, facing Russia's war, talks with leaders "
            "of Peru and Uruguay, seeking support from Latin America.",
            "summit-visit",
        ),
        (
            "es",
            "Cancillería de Bolivia coordina la asistencia consular a sus nacionales en Ucrania",
            "La Cancillería de Bolivia coordina la protección consular y la asistencia a sus "
            "nacionales en Ucrania con los países de la región.",
            "humanitarian",
        ),
    ],
)
def test_blind6_state_acts(topic: Topic, lang: str, title: str, text: str, category: str) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == category, result.matched


def test_the_dominican_republic_by_its_short_russian_name(topic: Topic) -> None:
    result = classify(
        topic,
        "Украина откроет посольство в Доминикане",
        "Украина планирует открыть посольство в Доминикане до конца года.",
        "ru",
    )
    assert result.relevant and result.countries == ("DO",), result.matched
