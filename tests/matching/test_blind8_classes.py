"""The classes blind8's half A showed (issue 16), in the topic file and not in code.

Sentences written for this file in the style of the dev stories, not copied from blind8:
each case failed with the topic file of commit aa44454 (before these classes) unless its
comment says it is a guard.
"""

from __future__ import annotations

import pytest

from monitor.matching.classifier import classify
from monitor.matching.topic import Topic


def _rules_named(result: object) -> set[str]:
    return {e.rule for e in result.matched if e.rule.startswith("category:")}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Ecuador condemns Russia's aggression and calls for a ceasefire",
            "Ecuador's Foreign Ministry condemned Russia's aggression against Ukraine in a "
            "statement on Thursday and called for an immediate ceasefire.",
        ),
        (
            "es",
            "Bolivia expresa preocupación por la guerra en Ucrania y pide un alto el fuego",
            "La Cancillería de Bolivia expresó su preocupación por la escalada del conflicto "
            "entre Rusia y Ucrania y pidió un alto el fuego inmediato.",
        ),
        (
            "pt",
            "Itamaraty lamenta ataques na Ucrânia e pede cessar-fogo",
            "Em nota, o Itamaraty lamentou os ataques contra cidades da Ucrânia e pediu um "
            "cessar-fogo imediato entre Rússia e Ucrânia.",
        ),
    ],
)
def test_a_statement_calling_for_a_ceasefire_is_a_stance(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "other", result.matched
    assert _rules_named(result) == {"category:stance-without-act-is-other"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        # guard: a call about a ceasefire stays a call about peace (rule 1)
        (
            "es",
            "Petro habló por teléfono con Zelenski sobre un alto el fuego",
            "El presidente Gustavo Petro conversó por teléfono con Volodímir Zelenski sobre "
            "un posible alto el fuego en Ucrania.",
        ),
        (
            "en",
            "Lula and Putin discuss a truce in phone call",
            "Brazil's President Lula spoke by phone with Vladimir Putin about a truce in "
            "Ukraine, the Planalto said.",
        ),
    ],
)
def test_a_meeting_about_a_ceasefire_is_peace(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "peace-plan", result.matched
    assert _rules_named(result) == {"category:meeting-about-a-ceasefire"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Lula tells Putin he backs the Istanbul talks",
            "Brazil's President Luiz Inácio Lula da Silva told Vladimir Putin by phone that he "
            "supports the Istanbul talks, the Kremlin said.",
        ),
        (
            "es",
            "Boric espera avances en las negociaciones de Estambul",
            "El presidente de Chile, Gabriel Boric, dijo que espera avances en las "
            "negociaciones de Estambul entre las delegaciones.",
        ),
        (
            "pt",
            "Amorim acompanha as negociações em Istambul",
            "O assessor especial Celso Amorim disse que o Brasil acompanha as negociações em "
            "Istambul entre as delegações de Moscou e Kiev.",
        ),
        (
            "uk",
            "Лула сказав Путіну про переговори у Стамбулі",
            "Президент Бразилії Луїс Інасіу Лула да Сілва поговорив телефоном з Путіним про "
            "переговори у Стамбулі.",
        ),
    ],
)
def test_the_istanbul_talks_are_a_named_initiative(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "peace-plan", result.matched
    assert any(e.rule.startswith("initiative:istanbul-talks") for e in result.matched), (
        result.matched
    )
