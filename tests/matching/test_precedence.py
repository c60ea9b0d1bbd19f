"""Category precedence (issue 16): each rule of the topic file, in en, es and pt.

Each precedence rule of the topic file is checked on realistic sentences in English,
Spanish and Portuguese (written for this file, in the style of the stories in dev3.jsonl),
and the evidence must name the rule that decided. Every case failed before the rules (the
category came from the heaviest cues, or the story was not relevant at all).
"""

from __future__ import annotations

import pytest

from monitor.matching.classifier import classify
from monitor.matching.precedence import (
    FALLBACK,
    HEAVIEST_CUES,
    PrecedenceRule,
    decide_category,
)
from monitor.matching.topic import Topic

# rule name -> (lang, title, text, category)
RULE_CASES: list[tuple[str, str, str, str, str]] = [
    (
        "meeting-about-peace",
        "en",
        "Amorim meets Wang Yi in Rio on the Friends of Peace",
        "Brazil's presidential adviser Celso Amorim met Chinese Foreign Minister Wang Yi in "
        "Rio de Janeiro to discuss how the Friends of Peace group can promote talks on the "
        "Ukraine crisis.",
        "peace-plan",
    ),
    (
        "meeting-about-peace",
        "es",
        "Petro se reunirá con Zelenski en la cumbre de paz en Suiza",
        "El presidente colombiano, Gustavo Petro, viajará a Suiza y tiene prevista una reunión "
        "con Volodímir Zelenski durante la cumbre sobre la fórmula de paz de Ucrania.",
        "peace-plan",
    ),
    (
        "meeting-about-peace",
        "pt",
        "Vieira se reúne com chanceler ucraniano sobre a fórmula de paz",
        "O chanceler Mauro Vieira se reuniu com seu homólogo ucraniano, que pediu o apoio do "
        "Brasil à fórmula de paz do presidente Zelensky.",
        "peace-plan",
    ),
    (
        "recruitment-is-security",
        "en",
        "Cuba uncovers trafficking ring sending its citizens to fight for Russia",
        "Cuba's foreign ministry said it had uncovered a human trafficking network that "
        "recruited Cuban citizens living in Russia to fight in the war in Ukraine, and that "
        "criminal proceedings had begun.",
        "security-military",
    ),
    (
        "recruitment-is-security",
        "es",
        "Cancillería alerta sobre reclutamiento de colombianos para la guerra en Ucrania",
        "La Cancillería de Colombia advirtió que redes de reclutamiento ofrecen contratos a "
        "exmilitares colombianos para combatir en Ucrania y pidió a los ciudadanos denunciar "
        "las ofertas.",
        "security-military",
    ),
    (
        "recruitment-is-security",
        "pt",
        "Itamaraty alerta para recrutamento de brasileiros para lutar na Ucrânia",
        "O Itamaraty informou que acompanha casos de brasileiros recrutados por redes de "
        "tráfico de pessoas para lutar na guerra da Ucrânia e prestou assistência consular às "
        "famílias.",
        "security-military",
    ),
    (
        "retaliation-over-arms-is-trade",
        "en",
        "Russia bans Ecuadorian bananas after Quito's arms swap",
        "Russia announced an import ban on bananas from five Ecuadorian exporters weeks after "
        "Ecuador agreed to send old Soviet-made weapons to the United States for Ukraine.",
        "trade-economy",
    ),
    (
        "retaliation-over-arms-is-trade",
        "es",
        "Rusia prohíbe la importación de bananas de Ecuador por el envío de armas a Ucrania",
        "En represalia por el canje de armas de fabricación rusa con Estados Unidos, que "
        "terminarían en Ucrania, Rusia suspendió la importación de bananas de Ecuador.",
        "trade-economy",
    ),
    (
        "retaliation-over-arms-is-trade",
        "pt",
        "Rússia proíbe a importação de bananas do Equador após troca de armas",
        "A Rússia proibiu a importação de bananas do Equador em retaliação à decisão de Quito "
        "de enviar armamento de fabricação russa aos Estados Unidos, com destino à Ucrânia.",
        "trade-economy",
    ),
    (
        "peace-proposal-at-the-un",
        "en",
        "Mexico presents its peace plan for Ukraine at the UN Security Council",
        "Foreign Minister Marcelo Ebrard presented to the UN Security Council Mexico's "
        "proposal of a committee for dialogue and peace in Ukraine with Pope Francis and "
        "Narendra Modi.",
        "peace-plan",
    ),
    (
        "peace-proposal-at-the-un",
        "es",
        "México lleva a la ONU su plan de paz para Ucrania",
        "El canciller Marcelo Ebrard presentó ante el Consejo de Seguridad de la ONU la "
        "propuesta de paz de México: un comité para el diálogo y la paz en Ucrania.",
        "peace-plan",
    ),
    (
        "peace-proposal-at-the-un",
        "pt",
        "Na ONU, Brasil defende plano de paz para a Ucrânia",
        "Na Assembleia Geral das Nações Unidas, o presidente Lula defendeu o plano de paz "
        "de seis pontos que Brasil e China propuseram para a guerra na Ucrânia.",
        "peace-plan",
    ),
    # A call about a settlement (not a named initiative) is also about peace (blind4).
    (
        "meeting-about-peace",
        "en",
        "Lula and Putin speak by phone about the war",
        "President Lula spoke by phone with Vladimir Putin on Monday; the call focused on "
        "a negotiated settlement of the conflict in Ukraine, the Brazilian presidency said.",
        "peace-plan",
    ),
    (
        "meeting-about-peace",
        "es",
        "Boric conversa con Zelenski sobre el conflicto",
        "El presidente Gabriel Boric conversó por teléfono con Volodímir Zelenski sobre una "
        "solución negociada del conflicto y el alto el fuego en Ucrania.",
        "peace-plan",
    ),
    (
        "meeting-about-peace",
        "pt",
        "Lula recebe telefonema de Putin sobre a Ucrânia",
        "O presidente Lula recebeu um telefonema de Vladimir Putin e reiterou a disposição "
        "do Brasil de contribuir para uma saída pacífica para o conflito na Ucrânia.",
        "peace-plan",
    ),
    (
        "meeting-about-peace",
        "uk",
        "Зеленський зустрівся з президентом Аргентини",
        "Президент України Володимир Зеленський зустрівся з президентом Аргентини. Сторони "
        "обговорили впровадження Формули миру.",
        "peace-plan",
    ),
    (
        "meeting-about-peace",
        "ru",
        "Лавров провел переговоры с министром иностранных дел Бразилии",
        "Министр иностранных дел России Сергей Лавров на встрече с бразильским коллегой "
        "обсудил урегулирование конфликта на Украине.",
        "peace-plan",
    ),
    # An official visit that also opens an embassy is a visit (labeling rules).
    (
        "official-visit-is-a-visit",
        "en",
        "Ukraine's foreign minister arrives in Lima to open an embassy",
        "Ukraine's foreign minister began an official visit to Peru, where he will open the "
        "new Ukrainian embassy and sign agreements with the Peruvian government.",
        "summit-visit",
    ),
    (
        "official-visit-is-a-visit",
        "es",
        "Canciller de Ucrania llega a Chile para inaugurar la embajada",
        "El ministro de Relaciones Exteriores de Ucrania inicia una visita oficial a Chile "
        "que incluye la inauguración de la nueva embajada ucraniana en Santiago.",
        "summit-visit",
    ),
    (
        "official-visit-is-a-visit",
        "pt",
        "Chanceler ucraniano chega ao Uruguai para abrir embaixada",
        "O chanceler da Ucrânia faz uma visita oficial ao Uruguai, com a abertura da nova "
        "embaixada ucraniana em Montevidéu e reuniões bilaterais com o governo uruguaio.",
        "summit-visit",
    ),
]


@pytest.mark.parametrize(
    ("rule", "lang", "title", "text", "category"),
    RULE_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in RULE_CASES],
)
def test_each_precedence_rule_decides_and_is_named(
    topic: Topic, rule: str, lang: str, title: str, text: str, category: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant
    assert result.category == category
    assert any(e.rule == f"category:{rule}" for e in result.matched)


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Mexico votes for UN resolution on Ukraine peace",
            "Mexico voted in favour of the UN General Assembly resolution calling for a "
            "peace plan and the withdrawal of Russian troops from Ukraine.",
        ),
        (
            "es",
            "Chile vota a favor de la resolución de paz sobre Ucrania en la ONU",
            "Chile votó a favor de la resolución de la Asamblea General de la ONU que pide "
            "una iniciativa de paz y la retirada de las tropas rusas de Ucrania.",
        ),
        (
            "pt",
            "Brasil se abstém em resolução da ONU sobre plano de paz para a Ucrânia",
            "O Brasil se absteve na votação da Assembleia Geral da ONU sobre a resolução "
            "que propõe um plano de paz para a Ucrânia.",
        ),
    ],
)
def test_a_vote_at_the_un_stays_a_vote(topic: Topic, lang: str, title: str, text: str) -> None:
    result = classify(topic, title, text, lang)
    assert result.category == "un-multilateral"
    # the vote's own named rule (so the category opinion cannot override it), no other
    decided = {e.rule for e in result.matched if e.rule.startswith("category:")}
    assert decided == {"category:un-vote-is-multilateral"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Mulino meets Zelensky in New York",
            "Panama's President José Raúl Mulino met Volodymyr Zelensky in New York; both "
            "leaders agreed on the need to end the war.",
        ),
        (
            "es",
            "Mulino se reúne con Zelenski en Nueva York",
            "El presidente de Panamá, José Raúl Mulino, se reunió con Volodímir Zelenski; "
            "ambos coincidieron en la necesidad de poner fin a la guerra.",
        ),
        (
            "pt",
            "Lula se reúne com Zelensky em Nova York",
            "O presidente Lula se reuniu com Volodymyr Zelensky em Nova York; os dois "
            "defenderam o fim da guerra.",
        ),
    ],
)
def test_a_meeting_with_a_general_wish_for_peace_stays_a_meeting(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant
    assert result.category == "summit-visit"
    assert not any(e.rule.startswith("category:") for e in result.matched)


def test_decide_category_takes_the_first_applicable_rule_and_names_it() -> None:
    rules = (
        PrecedenceRule("a", "trade-economy", frozenset({"x", "y"})),
        PrecedenceRule("b", "peace-plan", frozenset({"x"}), unless=frozenset({"z"})),
        PrecedenceRule("c", "other", frozenset({"x"}), over=frozenset({"humanitarian"})),
    )
    scores = {"summit-visit": 3.0, "humanitarian": 1.0}
    kwargs = {"categories": ("summit-visit", "humanitarian", "other"), "minimum": 1.0}
    decide = decide_category
    assert decide(rules, scores, {"x", "y"}, fallback="other", **kwargs).rule == "a"  # type: ignore[arg-type]
    assert decide(rules, scores, {"x"}, fallback="other", **kwargs).category == "peace-plan"  # type: ignore[arg-type]
    unless = decide(rules, scores, {"x", "z"}, fallback="other", **kwargs)  # type: ignore[arg-type]
    assert (unless.category, unless.rule) == ("summit-visit", HEAVIEST_CUES)
    weak = decide(rules, {"humanitarian": 0.5}, set(), fallback="other", **kwargs)  # type: ignore[arg-type]
    assert (weak.category, weak.rule) == ("other", FALLBACK)
