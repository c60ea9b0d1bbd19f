"""The classes blind7's half A showed (issue 16), in the topic file and not in code.

Sentences written for this file in the style of the dev stories, not copied from blind7:
each case failed with the topic file of commit 07213ed (before these classes) unless its
comment says it is a guard. Rules only: the category opinion never overrides a named rule.
"""

from __future__ import annotations

import pytest

from monitor.matching.classifier import classify
from monitor.matching.topic import Topic


def _rule_named(result: object, rule: str) -> bool:
    return any(e.rule == f"category:{rule}" for e in result.matched)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Costa Rica condemns Russian missile attack on Kyiv",
            "The government of Costa Rica condemned on Monday the Russian attack on the "
            "Ukrainian capital, which killed civilians, and reaffirmed its support for "
            "Ukraine's sovereignty.",
        ),
        (
            "es",
            "Panamá repudia el bombardeo ruso contra Kiev",
            "La Cancillería de Panamá repudió el ataque de Rusia contra la capital de Ucrania "
            "y expresó su solidaridad con el pueblo ucraniano.",
        ),
        (
            "pt",
            "Uruguai condena ataque da Rússia contra hospital infantil na Ucrânia",
            "O governo do Uruguai condenou o ataque russo contra um hospital infantil em Kiev "
            "e manifestou preocupação com a escalada da guerra.",
        ),
        (
            "es",
            "Chile aboga por una acción del Consejo de Seguridad ante la agresión a Ucrania",
            "El gobierno de Chile abogó por que el Consejo de Seguridad de la ONU actúe frente "
            "a la agresión de Rusia contra Ucrania y condenó los ataques contra civiles.",
        ),
        (
            "uk",
            "Гватемала засудила російський удар по Києву",
            "Міністерство закордонних справ Гватемали засудило масований удар Росії по "
            "Києву та висловило солідарність з Україною.",
        ),
    ],
)
def test_a_stance_without_an_act_is_other(topic: Topic, lang: str, title: str, text: str) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "other", result.matched
    assert _rule_named(result, "stance-without-act-is-other"), result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text", "category"),
    [
        # guard: a condemnation inside an adopted declaration stays the body's decision
        (
            "es",
            "La OEA aprobó una declaración que condena la invasión rusa de Ucrania",
            "El Consejo Permanente de la OEA aprobó la declaración con el apoyo de 21 países; "
            "Argentina, Brasil y Bolivia no la firmaron.",
            "un-multilateral",
        ),
        # guard: a condemnation beside an arms transfer stays security
        (
            "en",
            "Moscow urges Buenos Aires to stay neutral as Argentina weighs helicopters for Kyiv",
            "Russia's ambassador condemned the idea that Argentina could hand two Russian-made "
            "helicopters to Ukraine, saying Buenos Aires should keep its neutrality.",
            "security-military",
        ),
        # guard: a condemnation during a call stays the call
        (
            "pt",
            "Lula conversa por telefone com Zelensky e condena a invasão russa",
            "O presidente Lula conversou por telefone com Volodymyr Zelensky nesta quinta e "
            "condenou a invasão da Ucrânia pela Rússia.",
            "summit-visit",
        ),
    ],
)
def test_a_stance_beside_an_act_stays_the_act(
    topic: Topic, lang: str, title: str, text: str, category: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == category, result.matched
    assert not _rule_named(result, "stance-without-act-is-other"), result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Jamaica voted for the peace resolution on Ukraine at the UNSC, minister says",
            "Jamaica's foreign minister defended the country's vote for the peace text at the "
            "UN Security Council, saying the island backs a just peace in Ukraine.",
        ),
        (
            "es",
            "Ecuador votó a favor de la paz en Ucrania en el Consejo de Seguridad",
            "El canciller de Ecuador explicó que el país votó por la resolución de paz para "
            "Ucrania presentada en el Consejo de Seguridad de las Naciones Unidas.",
        ),
        (
            "pt",
            "Brasil se absteve na votação da ONU sobre plano de paz para a Ucrânia",
            "O Brasil se absteve na votação da Assembleia Geral da ONU sobre a proposta de paz "
            "para a Ucrânia, informou o Itamaraty.",
        ),
    ],
)
def test_a_un_vote_is_multilateral_whatever_it_is_about(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    """A named rule, so that the category opinion (which read "voted for peace" as
    peace-plan) cannot override it."""
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "un-multilateral", result.matched
    assert _rule_named(result, "un-vote-is-multilateral"), result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Colombia's foreign minister discusses Ukraine with Lavrov",
            "Colombia's foreign minister met Sergei Lavrov on the sidelines of the summit; "
            "the two discussed prospects for a diplomatic solution to the war in Ukraine.",
        ),
        (
            "es",
            "Petro habló con Putin sobre la guerra en Ucrania",
            "El presidente Gustavo Petro conversó por teléfono con Vladimir Putin sobre las "
            "negociaciones internacionales para poner fin al conflicto en Ucrania.",
        ),
        (
            "pt",
            "Lula defende grupo de países neutros para dialogar com Rússia e Ucrânia",
            "Durante visita à China, Lula defendeu a formação de um grupo de países neutros "
            "para dialogar com Rússia e Ucrânia e buscar uma solução diplomática.",
        ),
    ],
)
def test_a_meeting_about_a_diplomatic_solution_is_peace(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "peace-plan", result.matched
