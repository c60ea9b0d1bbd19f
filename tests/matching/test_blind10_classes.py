"""The classes blind10's half A showed (issue 16): topic-file rules only.

Sentences written for this file in the style of the dev stories, not copied from blind10:
each case failed with the topic file of commit 20481dc (before these classes) unless its
comment says it is a guard. Rules only: no learned model.
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
            "Chile to facilitate the departure of its citizens from Ukraine",
            "Chile's foreign ministry said it will facilitate the departure of 25 Chilean "
            "students who are still in Ukraine.",
        ),
        (
            "es",
            "Ecuador busca facilitar la salida de sus ciudadanos de Ucrania",
            "La Cancillería de Ecuador informó que trabaja para facilitar la salida de 30 "
            "estudiantes ecuatorianos que permanecen en Ucrania tras la invasión rusa.",
        ),
        (
            "pt",
            "Itamaraty vai facilitar a saída de brasileiros da Ucrânia",
            "O governo do Brasil vai facilitar a saída de seus cidadãos que ainda estão na "
            "Ucrânia, informou o Itamaraty nesta sexta-feira.",
        ),
        (
            "ru",
            "Перу организует выезд граждан с Украины",
            "Правительство Перу организует выезд граждан страны с Украины через Польшу, "
            "сообщил министр иностранных дел Перу.",
        ),
    ],
)
def test_helping_nationals_leave_ukraine_is_humanitarian(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "humanitarian", result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Paraguay offers Ukraine humanitarian aid and help for refugees",
            "Paraguay will not provide military aid to Ukraine but will send humanitarian "
            "aid, medicines and food for refugees, the presidential spokesman told reporters.",
        ),
        (
            "es",
            "Uruguay ofrece ayuda humanitaria y apoyo a los refugiados de Ucrania",
            "El gobierno uruguayo no aportará ayuda militar a Ucrania, pero enviará ayuda "
            "humanitaria, medicamentos y alimentos para refugiados, dijo el vocero presidencial.",
        ),
        (
            "pt",
            "Brasil oferece ajuda humanitária e apoio aos refugiados da Ucrânia",
            "O governo brasileiro não fornecerá ajuda militar à Ucrânia, mas enviará ajuda "
            "humanitária, medicamentos e alimentos para refugiados, disse o porta-voz.",
        ),
        (
            "uk",
            "Бразилія надішле Україні гуманітарну допомогу для біженців",
            "Уряд Бразилії не надаватиме військової допомоги Україні, але надішле гуманітарну "
            "допомогу та ліки для біженців, заявив речник президента.",
        ),
        (
            "ru",
            "Мексика не будет предоставлять военную помощь Украине",
            "Правительство Мексики не будет предоставлять военную помощь Украине, но отправит "
            "гуманитарную помощь и лекарства, заявил представитель президента.",
        ),
    ],
)
def test_refusing_military_aid_is_security_even_with_aid(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "security-military", result.matched
    assert _rules_named(result) == {"category:arms-refusal-is-security"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Zelensky seeks bilateral meeting with Mexico's president at UN General Assembly",
            "Ukraine's president asked for a bilateral meeting with Mexico's president during "
            "the United Nations General Assembly in New York next week.",
        ),
        (
            "es",
            "Zelenski pide una reunión bilateral con Petro en la Asamblea General de la ONU",
            "El presidente de Ucrania pidió una reunión bilateral con el presidente de "
            "Colombia, Gustavo Petro, durante la Asamblea General de las Naciones Unidas.",
        ),
        (
            "pt",
            "Zelensky pede reunião bilateral com Lula na Assembleia Geral da ONU",
            "O presidente da Ucrânia pediu uma reunião bilateral com o presidente do Brasil "
            "durante a Assembleia Geral das Nações Unidas, em Nova York.",
        ),
        (
            "uk",
            "Зеленський попросив про двосторонню зустріч з президентом Бразилії в ООН",
            "Президент України попросив про двосторонню зустріч з президентом Бразилії під "
            "час Генеральної Асамблеї ООН у Нью-Йорку.",
        ),
    ],
)
def test_a_bilateral_meeting_at_the_un_is_a_visit(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "summit-visit", result.matched
    assert _rules_named(result) == {"category:bilateral-meeting-is-a-visit"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Chile's president speaks with Zelensky by telephone",
            "Chile's president spoke by phone with Ukraine's president Volodymyr Zelensky, "
            "reaffirmed Chile's support and recalled the humanitarian aid and medicines sent "
            "to the Ukrainian people.",
        ),
        (
            "es",
            "Panamá reitera su ayuda humanitaria a Ucrania",
            "El presidente de Panamá habló por teléfono con su homólogo de Ucrania y recordó "
            "la ayuda humanitaria, los medicamentos y los alimentos enviados a los refugiados "
            "ucranianos.",
        ),
        (
            "pt",
            "Uruguai reitera ajuda humanitária à Ucrânia",
            "O presidente do Uruguai falou por telefone com o presidente da Ucrânia e lembrou "
            "a ajuda humanitária, os medicamentos e os alimentos enviados aos refugiados "
            "ucranianos.",
        ),
        (
            "ru",
            "Гватемала напомнила о гуманитарной помощи Украине",
            "Президент Гватемалы по телефону с Зеленским напомнил о гуманитарной помощи, "
            "лекарствах и продуктах, отправленных украинским беженцам.",
        ),
    ],
)
def test_a_phone_call_that_recalls_aid_is_a_call(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "summit-visit", result.matched
    assert _rules_named(result) == {"category:phone-call-is-a-call"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Lula and Zelensky discuss peace talks by phone",
            "Brazil's president spoke by phone with Zelensky about peace talks and a "
            "negotiated solution to the war, the presidency said.",
        ),
        (
            "ru",
            "Зеленский провел телефонный разговор с президентом Чили",
            "В телефонном разговоре президенты Украины и Чили обсудили мирный план и "
            "подготовку мирного саммита.",
        ),
    ],
)
def test_a_phone_call_about_peace_stays_peace(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    # Guard: the call's own signal must not take a call about peace away from peace-plan.
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "peace-plan", result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Ukrainian cultural society in Brazil marks its anniversary",
            "The Ukrainian cultural society of Curitiba, Brazil, celebrated its 90th "
            "anniversary with a concert of Ukrainian songs and a dinner for its members.",
        ),
        (
            "es",
            "Sociedad cultural ucraniana de Paraguay celebra su aniversario",
            "La sociedad cultural ucraniana de Encarnación, en Paraguay, celebró su "
            "aniversario con danzas de Ucrania y una cena para sus socios.",
        ),
        (
            "pt",
            "Sociedade cultural ucraniana de Prudentópolis faz festa",
            "A sociedade cultural ucraniana de Prudentópolis, no Brasil, fez festa com danças "
            "típicas da Ucrânia e uma feira de artesanato.",
        ),
        (
            "uk",
            "Українці Бразилії відзначили ювілей культурного товариства",
            "Українське культурне товариство в Куритибі, Бразилія, відзначило 90-річчя "
            "концертом українських пісень, повідомила Українська центральна репрезентація.",
        ),
        (
            "ru",
            "Украинское культурное общество в Аргентине отметило юбилей",
            "Украинское культурное общество в Буэнос-Айресе, Аргентина, отметило юбилей "
            "концертом украинских песен.",
        ),
    ],
)
def test_a_diaspora_society_s_event_is_not_a_state_act(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "New EU sanctions on Russia could affect Chile's fuel market",
            "The European Union's new sanctions package against Russia over the war in Ukraine "
            "could affect the fuel market in Chile, analysts said.",
        ),
        (
            "es",
            "Sanciones a Rusia podrían afectar el mercado de combustibles de Perú",
            "El nuevo paquete de sanciones de la Unión Europea contra Rusia por la guerra en "
            "Ucrania podría afectar el mercado de combustibles de Perú, dijeron analistas.",
        ),
        (
            "pt",
            "Sanções contra a Rússia podem afetar o diesel no Brasil",
            "O novo pacote de sanções da União Europeia contra a Rússia pela guerra na Ucrânia "
            "pode afetar o mercado de combustíveis do Brasil, segundo analistas.",
        ),
    ],
)
def test_what_others_sanctions_may_do_to_a_market_is_not_an_act(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched
