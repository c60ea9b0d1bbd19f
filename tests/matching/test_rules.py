"""General rules of the classifier, each checked on handmade stories in en, es and pt.

The rules were added after the blind development set ``dev2.jsonl`` showed where the
classifier, tuned on ``dev-news.jsonl``, failed on new stories. Every story below was
written for this file (no labeled item is quoted) and states one rule; most of them
failed before the rule existed. A story is (title, text, category or None when not
relevant, countries).
"""

from __future__ import annotations

import pytest

from monitor.matching.classifier import classify, explain
from monitor.matching.topic import Topic

Story = tuple[str, str, str | None, tuple[str, ...]]

RULES: dict[str, list[Story]] = {
    # A side named only in the lede stands in for the headline (3/4 of its weight) when
    # the text names it more than once; sides in adjacent sentences count half.
    "lede-and-adjacent-sentences": [
        (
            "México vota a favor en la ONU",
            "La Asamblea General de la ONU aprobó una resolución que exige a Rusia retirar "
            "sus tropas de Ucrania. México votó a favor, junto con otros 140 países.",
            "un-multilateral",
            ("MX",),
        ),
        (
            "Chile backs UN resolution",
            "The UN General Assembly adopted a resolution demanding that Russia withdraw "
            "from Ukraine. Chile voted in favour, its foreign ministry said.",
            "un-multilateral",
            ("CL",),
        ),
        (
            "Brasil se abstém em votação na ONU",
            "A Assembleia Geral da ONU aprovou resolução que condena a anexação de "
            "territórios da Ucrânia pela Rússia. O Brasil se absteve.",
            "un-multilateral",
            ("BR",),
        ),
        (  # one mention in a list of recipients is still a passing mention
            "Perú envía ayuda humanitaria a Haití",
            "El Gobierno del Perú envió diez toneladas de ayuda humanitaria a Haití. En años "
            "anteriores también ayudó a Ucrania, Turquía y Marruecos.",
            None,
            (),
        ),
    ],
    # Formats that exist only because of Ukraine's war count as Ukraine's side.
    "ukraine-events": [
        (
            "Petro no irá a Bürgenstock",
            "El presidente Gustavo Petro anunció que no asistirá a la cumbre por la paz en "
            "Ucrania en Suiza porque Rusia no fue invitada.",
            "peace-plan",
            ("CO",),
        ),
        (
            "Brazil attends Ramstein meeting as observer",
            "Brazil sent a defence ministry official to the Ramstein meeting of Ukraine's "
            "backers as an observer, without committing weapons.",
            "security-military",
            ("BR",),
        ),
    ],
    # State acts that admit people: visas, residence permits, refugee status; plural
    # state nouns ("consulados brasileiros") make a demonym a state actor.
    "visas-and-residence": [
        (
            "Argentina otorga residencia temporal a ucranianos",
            "El Gobierno argentino concederá residencia temporal por dos años a ciudadanos "
            "ucranianos que la soliciten en sus consulados.",
            "humanitarian",
            ("AR",),
        ),
        (
            "Uruguay to issue residence permits to Ukrainians",
            "Uruguay's government will issue two-year residence permits to Ukrainian "
            "citizens who apply at its consulates, the interior ministry said.",
            "humanitarian",
            ("UY",),
        ),
        (
            "Governo concede autorização de residência a ucranianos",
            "Portaria dos ministérios da Justiça e das Relações Exteriores concede "
            "autorização de residência a cidadãos ucranianos. Os pedidos podem ser feitos "
            "nos consulados brasileiros na Europa.",
            "humanitarian",
            ("BR",),
        ),
    ],
    # Nationals evacuated or repatriated are the object of their own state's act.
    "evacuated-nationals": [
        (
            "Colombianos evacuados de Ucrania llegan al país",
            "Cincuenta colombianos evacuados de Ucrania llegaron al país en un vuelo que "
            "partió de Polonia.",
            "humanitarian",
            ("CO",),
        ),
        (
            "Mexicans evacuated from Ukraine land home",
            "Eighty Mexicans evacuated from Ukraine landed on Sunday on a flight from Romania.",
            "humanitarian",
            ("MX",),
        ),
        (
            "Chegam a Lisboa brasileiros retirados da Ucrânia",
            "Um grupo de brasileiros repatriados da Ucrânia chegou a Lisboa, de onde seguirá "
            "para o Brasil em voo comercial.",
            "humanitarian",  # a commercial flight is not trade
            ("BR",),
        ),
    ],
    # Sanctions, embargoes, price caps and trade talks are trade-economy acts, and they
    # void the "economic side effects" negative cue.
    "sanctions-and-trade-talks": [
        (
            "Lula rejeita sanções contra a Rússia",
            "O presidente Luiz Inácio Lula da Silva disse que o Brasil não aplicará sanções "
            "econômicas contra a Rússia pela guerra na Ucrânia e que seguirá comprando "
            "fertilizantes russos.",
            "trade-economy",
            ("BR",),
        ),
        (
            "Argentina joins sanctions on Russia over Ukraine",
            "Argentina's government said it would join Western sanctions against Russia over "
            "the invasion of Ukraine, freezing assets of Russian banks.",
            "trade-economy",
            ("AR",),
        ),
        (
            "Precios del trigo suben en Argentina por sanciones a Rusia",
            "Los precios del trigo subieron en Argentina tras las sanciones a Rusia por la "
            "guerra en Ucrania.",
            "trade-economy",
            ("AR",),
        ),
        (  # …while prices alone stay a side effect
            "Precios del trigo suben en Argentina por la guerra en Ucrania",
            "Los precios del trigo subieron en Argentina por la guerra en Ucrania.",
            None,
            (),
        ),
    ],
    # A cue right after a venue phrase is the setting of a meeting: summit-visit.
    "venue-cues": [
        (
            "Noboa y Zelenski se reúnen en Nueva York",
            "El presidente Daniel Noboa se reunió con Volodímir Zelenski al margen de la "
            "Asamblea General de la ONU para hablar del apoyo de Ecuador a Ucrania.",
            "summit-visit",
            ("EC",),
        ),
        (
            "Boric meets Zelensky at UN",
            "Chilean President Gabriel Boric met Ukrainian President Volodymyr Zelensky on "
            "the sidelines of the UN General Assembly in New York.",
            "summit-visit",
            ("CL",),
        ),
        (
            "Lula e Zelensky conversam em Nova York",
            "Lula e Zelensky conversaram à margem da Assembleia Geral da ONU, em Nova York, "
            "sobre a guerra na Ucrânia.",
            "summit-visit",
            ("BR",),
        ),
    ],
    # A capital after a static locative is a place; the host of an inauguration is the
    # occasion. Such countries are listed only when no other country is an actor.
    "places-and-occasions": [
        (
            "Ucrania abre embajada en Montevideo",
            "El Ministerio de Asuntos Exteriores de Ucrania abrió una embajada en Uruguay, "
            "que hasta ahora era atendida desde la sede en Buenos Aires.",
            "other",
            ("UY",),
        ),
        (
            "Zelensky meets Paraguay's Peña in Buenos Aires",
            "Ukrainian President Volodymyr Zelensky met Paraguayan President Santiago Peña in "
            "Buenos Aires on the sidelines of the inauguration of Javier Milei.",
            "summit-visit",
            ("PY",),
        ),
        (
            "Ukrainian envoy arrives in Brasília",
            "Ukraine's new ambassador arrived in Brasília on Monday to take up his post.",
            "other",
            ("BR",),  # the only country named, so the place is listed
        ),
    ],
    # Bloc statements; "calls for" is a demand, not a phone call.
    "blocs-and-demands": [
        (
            "CELAC calls for end to war in Ukraine",
            "The Community of Latin American and Caribbean States adopted a declaration "
            "calling for an end to the war in Ukraine and respect for the UN Charter.",
            "un-multilateral",
            (),
        ),
        (
            "SICA condena la invasión rusa de Ucrania",
            "El Sistema de la Integración Centroamericana emitió una declaración que condena "
            "la invasión rusa de Ucrania y llama al diálogo.",
            "un-multilateral",
            (),
        ),
    ],
    # Category cue families.
    "category-families": [
        (  # mine action is humanitarian work
            "Colombia ofrece a Ucrania su experiencia en desminado",
            "La Cancillería de Colombia ofreció a Ucrania capacitación en desminado "
            "humanitario, tras décadas de experiencia en la limpieza de minas.",
            "humanitarian",
            ("CO",),
        ),
        (  # former soldiers who went to fight are a security matter, even when repatriated
            "Cancillería repatría restos de excombatientes peruanos muertos en Ucrania",
            "El Ministerio de Relaciones Exteriores del Perú coordina con las autoridades "
            "ucranianas la repatriación de los cuerpos de exmilitares peruanos que combatían "
            "en Ucrania.",
            "security-military",
            ("PE",),
        ),
        (  # rounds of political consultations are meetings
            "Ucrania y Chile celebran consultas políticas en Santiago",
            "Los vicecancilleres de Ucrania y Chile celebraron en Santiago la primera ronda "
            "de consultas políticas bilaterales.",
            "summit-visit",
            ("CL",),
        ),
        (  # a summit *on* peace is a peace event
            "Milei asistirá a la cumbre sobre la paz en Ucrania",
            "El presidente Javier Milei confirmó que viajará a Suiza para la conferencia "
            "sobre la paz en Ucrania.",
            "peace-plan",
            ("AR",),
        ),
        (  # food aid programmes are humanitarian even when the commodity is wheat
            "Ukraine sends wheat to Guatemala under Grain from Ukraine",
            "Ukraine shipped wheat to Guatemala through its Grain from Ukraine humanitarian "
            "programme after talks with the Guatemalan government.",
            "humanitarian",
            ("GT",),
        ),
        (  # government metonyms
            "Itamaraty convoca encarregado de negócios ucraniano",
            "O Itamaraty convocou o encarregado de negócios da Ucrânia para pedir "
            "explicações sobre declarações de Kiev.",
            "other",
            ("BR",),
        ),
    ],
    # Private cultural acts are not diplomacy.
    "culture-is-private": [
        (
            "Orquesta ucraniana inicia gira por México",
            "La Orquesta Filarmónica de Kiev inicia una gira de conciertos por cinco "
            "ciudades mexicanas.",
            None,
            (),
        ),
        (
            "Orquestra de Kiev faz concertos no Brasil",
            "A Orquestra Sinfônica de Kiev fará concertos em Brasília e São Paulo a convite "
            "de produtores brasileiros.",
            None,
            (),
        ),
        (
            "Ukrainian ballet opens Argentine tour",
            "A Kyiv ballet company opened its Argentine tour in Buenos Aires, with dancers "
            "dedicating the show to Ukraine.",
            None,
            (),
        ),
    ],
}

CASES = [
    pytest.param(*story, id=f"{rule}-{index}")
    for rule, stories in RULES.items()
    for index, story in enumerate(stories)
]


@pytest.mark.parametrize(("title", "text", "category", "countries"), CASES)
def test_rule_stories(
    topic: Topic, title: str, text: str, category: str | None, countries: tuple[str, ...]
) -> None:
    result = classify(topic, title, text)
    assert result.relevant is (category is not None), result.score
    assert result.category == category
    assert set(result.countries) == set(countries)


def test_lede_counts_only_for_a_repeated_side(topic: Topic) -> None:
    title = "Chile envía ayuda a Haití y Turquía"
    once = "El Gobierno de Chile envió ayuda humanitaria a Haití, Turquía y Ucrania."
    twice = once + " El cargamento para Ucrania incluye generadores."
    assert explain(topic, title, once).side_lede == 1.0
    assert not classify(topic, title, once).relevant
    assert classify(topic, title, twice).relevant


@pytest.mark.parametrize(
    ("text", "same_sentence"),
    [
        ("Brasil e Ucrânia assinaram um acordo.", 1.0),
        ("A Ucrânia assinou um acordo. O Brasil também assinou.", 0.5),
        ("A Ucrânia assinou. Nada mais. O Brasil também assinou.", 0.0),
    ],
)
def test_adjacent_sentences_count_half(topic: Topic, text: str, same_sentence: float) -> None:
    assert explain(topic, "", text).same_sentence == same_sentence


def test_headline_and_lede_are_adjacent(topic: Topic) -> None:
    features = explain(topic, "Brasil vota na ONU", "A ONU aprovou uma resolução sobre a Ucrânia.")
    assert features.same_sentence == 0.5


@pytest.mark.parametrize(
    ("text", "un_cue"),
    [
        ("Lula met Zelensky on the sidelines of the UN General Assembly.", False),
        ("Lula se reunió con Zelenski al margen de la Asamblea General.", False),
        ("Lula spoke at the UN General Assembly about Ukraine.", True),
    ],
)
def test_cue_after_a_venue_phrase_counts_as_a_meeting(
    topic: Topic, text: str, un_cue: bool
) -> None:
    scores = explain(topic, "", text).cue_scores
    assert (scores["un-multilateral"] > 0) is un_cue
    assert (scores["summit-visit"] > 0) is not un_cue


@pytest.mark.parametrize(
    ("text", "voided"),
    [
        ("Los precios del pan subieron por la guerra en Ucrania.", False),
        ("Los precios del pan subieron por las sanciones a Rusia.", True),
        ("O preço do diesel caiu com o teto de preços ao petróleo russo.", True),
    ],
)
def test_unless_terms_void_a_negative_cue(topic: Topic, text: str, voided: bool) -> None:
    negatives = explain(topic, "", text).negatives
    assert ("economic-effects" not in negatives) is voided


@pytest.mark.parametrize(
    ("text", "summit"),
    [
        ("CARICOM calls for a ceasefire in Ukraine.", False),
        ("Argentina called on Russia to withdraw.", False),
        ("Cuba hizo un llamado a la paz en Ucrania.", False),
        ("Petro calls Zelensky.", True),
    ],
)
def test_neutral_phrases_mask_cue_words(topic: Topic, text: str, summit: bool) -> None:
    assert (explain(topic, "", text).cue_scores["summit-visit"] > 0) is summit
    evidence = classify(topic, "Ukraine and Argentina", text).matched
    assert all(not e.rule.startswith("neutral") for e in evidence)


@pytest.mark.parametrize(
    ("title", "text", "countries"),
    [
        (
            "Santiago Peña meets Zelensky in Buenos Aires",
            "Santiago Peña met Zelensky in Buenos Aires.",
            ("PY",),
        ),
        ("Ucrania abre embajada en Lima", "Ucrania abrió una embajada en Lima.", ("PE",)),
        (  # destinations are left alone: the host of a visit is a party
            "Lavrov viaja a Caracas tras pasar por Brasil",
            "Lavrov viajó a Caracas tras visitar Brasil para hablar de Ucrania.",
            ("VE", "BR"),
        ),
    ],
)
def test_located_capitals_are_listed_only_without_other_actors(
    topic: Topic, title: str, text: str, countries: tuple[str, ...]
) -> None:
    result = classify(topic, title, text)
    assert result.relevant
    assert set(result.countries) == set(countries)
