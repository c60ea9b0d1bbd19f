"""The topic classifier on short handmade stories in English, Spanish and Portuguese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.matching.classifier import classify, explain
from monitor.matching.text import fold
from monitor.matching.topic import Topic

SEED_STORY = Path(__file__).resolve().parents[2] / "seeds" / "fixtures" / "seed-story.txt"

# (title, text, category or None when not relevant, countries)
STORIES: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    # --- relevant: Ukraine with a Latin American state as an actor ---
    (
        "Zelensky thanks Chile's Boric for humanitarian aid",
        "Ukrainian President Volodymyr Zelensky thanked Chilean President Gabriel Boric on "
        "Tuesday for a shipment of humanitarian aid and generators sent to Kyiv.",
        "humanitarian",
        ("CL",),
    ),
    (
        "El canciller ucraniano Sybiha visitará Argentina y Chile",
        "El ministro de Asuntos Exteriores de Ucrania, Andrii Sybiha, realizará la próxima "
        "semana una gira por Argentina y Chile, donde se reunirá con sus homólogos.",
        "summit-visit",
        ("AR", "CL"),
    ),
    (
        "Petro se niega a enviar armas rusas a Ucrania",
        "El presidente de Colombia, Gustavo Petro, rechazó la petición de Estados Unidos de "
        "enviar a Ucrania el armamento de fabricación rusa que posee el ejército colombiano.",
        "security-military",
        ("CO",),
    ),
    (
        "Brasil e Ucrânia assinam acordo de cooperação em defesa",
        "Os ministros da Defesa do Brasil e da Ucrânia assinaram nesta terça-feira um "
        "memorando de cooperação em defesa, informou o Ministério da Defesa.",
        "security-military",
        ("BR",),
    ),
    (
        "Zelenski agradece a México su voto en la ONU",
        "El presidente de Ucrania, Volodímir Zelenski, agradeció a México su voto a favor de "
        "la resolución de la Asamblea General de la ONU que condena la invasión rusa.",
        "un-multilateral",
        ("MX",),
    ),
    (
        "Ukraine and Guatemala sign free trade agreement",
        "Ukraine and Guatemala signed a free trade agreement during a meeting in the "
        "Dominican Republic, Ukraine's economy ministry said.",
        "trade-economy",
        ("GT",),  # the Dominican Republic is only the venue
    ),
    (
        "Zelensky nombra nuevo embajador en Perú",
        "El presidente ucraniano, Volodímir Zelenski, firmó un decreto que nombra a un nuevo "
        "embajador de Ucrania en Perú, según el sitio web de la Presidencia.",
        "other",
        ("PE",),
    ),
    (
        "Lula defende clube da paz para acabar com a guerra na Ucrânia",
        "O presidente Luiz Inácio Lula da Silva voltou a defender a criação de um clube da "
        "paz, formado por países neutros, para mediar negociações entre Rússia e Ucrânia.",
        "peace-plan",
        ("BR",),
    ),
    # --- relevant: Russia with a Latin American state, tied to the war ---
    (
        "Maduro y Putin conversan sobre la guerra en Ucrania",
        "El presidente venezolano, Nicolás Maduro, conversó por teléfono con Vladimir Putin "
        "sobre la situación en Ucrania y expresó su apoyo a Moscú.",
        "summit-visit",
        ("VE",),
    ),
    (
        "Cuba denuncia red de reclutamiento de cubanos para la guerra en Ucrania",
        "El Ministerio de Relaciones Exteriores de Cuba denunció una red que recluta a "
        "ciudadanos cubanos para combatir en la guerra de Rusia contra Ucrania.",
        "security-military",
        ("CU",),
    ),
    # --- not relevant ---
    (  # Russia–Venezuela without the war
        "Putin y Maduro firman acuerdo de asociación estratégica",
        "El presidente ruso, Vladimir Putin, y su homólogo venezolano, Nicolás Maduro, "
        "firmaron en Moscú un acuerdo de asociación estratégica por diez años.",
        None,
        (),
    ),
    (  # Colombia's own peace process
        "Gobierno colombiano y ELN retoman diálogos de paz",
        "El Gobierno de Colombia y la guerrilla del ELN retomaron este martes en Caracas los "
        "diálogos de paz, suspendidos desde enero.",
        None,
        (),
    ),
    (  # Ukraine news in a Latin American outlet, dateline only
        "Rusia lanza misiles contra Kiev",
        "CIUDAD DE MÉXICO (EFE).- Rusia lanzó este domingo decenas de misiles y drones contra "
        "Kiev y otras ciudades de Ucrania, informaron las autoridades ucranianas.",
        None,
        (),
    ),
    (  # footballer, private act
        "Shakhtar contrata atacante brasileiro",
        "O Shakhtar Donetsk, da Ucrânia, anunciou a contratação do atacante brasileiro de 19 "
        "anos, que assinou contrato de cinco anos com o clube.",
        None,
        (),
    ),
    (  # passing mention in a roundup of aid
        "Chile envía ayuda a Haití tras el huracán",
        "El Gobierno de Chile envió 20 toneladas de ayuda humanitaria a Haití. En los últimos "
        "años también ha enviado ayuda a Turquía, Ucrania y Marruecos.",
        None,
        (),
    ),
    (  # economic effect of the war, no diplomatic act
        "Ukraine war pushes up fertilizer prices for Brazilian farmers",
        "The war in Ukraine has pushed up fertilizer prices in Brazil, the world's largest "
        "soybean exporter, squeezing farmers' margins.",
        None,
        (),
    ),
    (  # Spain is not Latin America
        "España y Ucrania firman un acuerdo de seguridad",
        "El presidente del Gobierno, Pedro Sánchez, y Volodímir Zelenski firmaron en Madrid un "
        "acuerdo de seguridad por diez años.",
        None,
        (),
    ),
    (  # diaspora march
        "Ucranianos marchan en Buenos Aires contra la invasión",
        "Cientos de ucranianos y argentinos marcharon el domingo por el centro de Buenos Aires; "
        "los manifestantes pidieron el fin de la guerra.",
        None,
        (),
    ),
]


@pytest.mark.parametrize(("title", "text", "category", "countries"), STORIES)
def test_handmade_stories(
    topic: Topic, title: str, text: str, category: str | None, countries: tuple[str, ...]
) -> None:
    result = classify(topic, title, text)
    assert result.relevant is (category is not None)
    assert result.category == category
    assert set(result.countries) == set(countries)
    assert (result.score >= topic.relevance.threshold) is result.relevant


def test_seed_dev_item(topic: Topic, dev_items: list[dict[str, Any]]) -> None:
    seed = dev_items[0]
    assert seed["id"] == "d000"
    result = classify(topic, seed["title"], seed["text"])
    assert result.relevant
    assert result.category == "peace-plan"
    assert {"PY", "EC", "UY", "AR"} <= set(result.countries)
    assert result.countries[:3] == ("PY", "EC", "UY")  # order of first mention
    assert result.lang == "en"


def test_full_seed_story(topic: Topic) -> None:
    text = SEED_STORY.read_text(encoding="utf-8")
    result = classify(topic, "Ukraine's New Diplomatic Horizon In Latin America", text)
    assert result.relevant and result.category == "peace-plan"
    assert set(result.countries) == {"PY", "EC", "UY", "AR"}


def test_menafn_marker_gives_no_country_and_no_evidence(topic: Topic) -> None:
    text = "(MENAFN- The Rio Times) Zelensky spoke with the German chancellor about air defence."
    result = classify(topic, "Zelensky calls Scholz", text)
    assert not result.relevant and result.countries == ()
    marker_end = text.index(")")
    assert all(e.start > marker_end for e in result.matched if e.field == "text")


def test_evidence_offsets_point_at_the_original_words(topic: Topic) -> None:
    title = "ZELENSKYY se reúne con Lula en Nueva York"
    text = (
        "El presidente de Ucra\u0301nia, Volodímir Zelenski, y Luiz Inácio Lula da Silva hablaron."
    )
    result = classify(topic, title, text)
    fields = {"title": title, "text": text}
    surfaces = {(e.field, fields[e.field][e.start : e.end]) for e in result.matched}
    assert ("title", "ZELENSKYY") in surfaces
    assert ("title", "Lula") in surfaces
    assert ("text", "Ucra\u0301nia") in surfaces  # decomposed accent kept in the span
    assert ("text", "Luiz Inácio Lula da Silva") in surfaces  # longest name wins
    for evidence in result.matched:
        surface = fields[evidence.field][evidence.start : evidence.end]
        stem = fold(evidence.term.lstrip("=").rstrip("*"))
        assert fold(surface).startswith(stem)


def test_language_is_passed_through_or_detected(topic: Topic) -> None:
    assert classify(topic, "Lula", "texto", lang="pt").lang == "pt"
    spanish = classify(
        topic, "Argentina recibirá refugiados", "El Gobierno argentino anunció visas."
    )
    assert spanish.lang == "es"
    assert classify(topic, "", "").lang is None


@pytest.mark.parametrize(
    ("title", "text", "country", "lang"),
    [
        (
            "Зеленський провів розмову з президентом Бразилії",
            "Президент України Володимир Зеленський провів телефонну розмову з Бразилією.",
            "BR",
            "uk",
        ),
        (
            "Зеленский обсудил с Мексикой поставки зерна",
            "Президент Украины Владимир Зеленский провел переговоры с президентом Мексики.",
            "MX",
            "ru",
        ),
    ],
)
def test_ukrainian_and_russian_spellings(
    topic: Topic, title: str, text: str, country: str, lang: str
) -> None:
    result = classify(topic, title, text)
    assert result.relevant
    assert result.countries == (country,)
    assert result.lang == lang


def test_explain_exposes_the_features(topic: Topic) -> None:
    features = explain(topic, "Lula recebe Zelensky", "Lula recebeu Zelensky em Brasília.")
    assert features.side_title == 1.0 and features.latam_title == 1.0
    assert features.same_sentence == 1.0
    assert features.cue_scores["summit-visit"] > 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=1500), st.sampled_from([None, "en", "xx"]))
def test_classify_never_raises(topic: Topic, title: str, text: str, lang: str | None) -> None:
    result = classify(topic, title, text, lang)
    assert 0.0 <= result.score <= 1.0
    assert (result.score >= topic.relevance.threshold) is result.relevant
    assert result.relevant or (result.category is None and result.countries == ())
    for evidence in result.matched:
        value = title if evidence.field == "title" else text
        assert 0 <= evidence.start < evidence.end <= len(value)


WORDS = [
    "Zelensky",
    "Ucrânia",
    "Lula",
    "México",
    "embajada",
    "paz",
    "Rusia",
    "Putin",
    "Venezuela",
    "guerra",
    "(MENAFN-",
    "The",
    "Rio",
    "Times)",
    "clube",
    ".",
    "\n",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))
def test_classify_on_topic_word_soup_is_consistent(topic: Topic, text: str) -> None:
    result = classify(topic, text[:60], text)
    assert (result.score >= topic.relevance.threshold) is result.relevant
    assert classify(topic, text[:60], text, lean=True).relevant is result.relevant
    assert all(len(code) == 2 and code.isupper() for code in result.countries)


def test_lean_verdicts_agree_with_full_ones(
    topic: Topic, dev_items: list[dict[str, Any]]
) -> None:
    """The worker's lean mode changes nothing for relevant stories and no verdict at all.

    Irrelevant stories lose their evidence, and those where one side is never named lose
    their score (0.0, not computed); both kinds must occur in the sample.
    """
    relevant = with_evidence = unscored = 0
    for row in dev_items[:200]:
        full = classify(topic, row["title"], row["text"], row.get("lang"))
        lean = classify(topic, row["title"], row["text"], row.get("lang"), lean=True)
        assert lean.relevant is full.relevant
        assert lean.lang == full.lang
        if full.relevant:
            assert lean == full and full.matched
            relevant += 1
            continue
        assert lean.matched == () and lean.category is None and lean.countries == ()
        with_evidence += bool(full.matched)
        gates_open = explain(topic, row["title"], row["text"]).gates_open
        if lean.score != full.score:
            assert lean.score == 0.0 and not gates_open
            unscored += 1
        else:
            assert gates_open or full.score == 0.0
    assert relevant and with_evidence and unscored, "the sample needs every kind"
