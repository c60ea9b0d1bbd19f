"""The classes blind9's half A showed (issue 16): topic-file rules, and one countries rule.

Sentences written for this file in the style of the dev stories, not copied from blind9:
each case failed with the topic file and classifier of commit d93695f (before these
classes) unless its comment says it is a guard. Rules only: no learned model.
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
            "Uruguay ready to send a military contingent to Ukraine after a peace deal",
            "Uruguay's defence minister said the country could send a military contingent to "
            "Ukraine to guarantee a future peace initiative, the ministry said.",
        ),
        (
            "es",
            "Chile ofrece fuerzas de paz para Ucrania",
            "El canciller de Chile dijo que su gobierno está dispuesto a aportar fuerzas de paz "
            "para Ucrania si se alcanza un plan de paz.",
        ),
        (
            "pt",
            "Brasil admite enviar forças de paz à Ucrânia",
            "O chanceler brasileiro disse que o Brasil poderia participar com forças de paz na "
            "Ucrânia como parte de uma iniciativa de paz.",
        ),
        (
            "ru",
            "Уругвай заявил о готовности рассмотреть отправку военного контингента на Украину",
            "Власти Уругвая готовы рассмотреть отправку военного контингента на Украину в "
            "рамках мирной инициативы, заявил посол страны.",
        ),
    ],
)
def test_a_military_contingent_or_peacekeepers_are_security(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "security-military", result.matched
    assert _rules_named(result) == {"category:troops-are-security"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Chile rules out sending weapons to Ukraine, offers humanitarian aid",
            "Chile's government ruled out sending weapons to Ukraine but promised humanitarian "
            "aid and help with demining, the presidential spokesman said.",
        ),
        (
            "es",
            "Ayuda de México a Ucrania",
            "El gobierno de México descartó enviar armas a Ucrania, pero prometió ayuda "
            "humanitaria y logística, informó la vocera presidencial.",
        ),
        (
            "pt",
            "Ajuda do Brasil à Ucrânia",
            "O governo do Brasil descartou enviar armas à Ucrânia, mas prometeu ajuda "
            "humanitária e logística, disse o porta-voz da Presidência.",
        ),
        (
            "uk",
            "Допомога Україні від Чилі",
            "Уряд Чилі виключив можливість відправки озброєння в Україну, але пообіцяв "
            "гуманітарну допомогу.",
        ),
    ],
)
def test_refusing_to_send_weapons_is_security_even_with_aid(
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
            "Costa Rica looks for new banana buyers after Russian ban",
            "Russia's halt on Costa Rican banana imports came after Costa Rica said it would "
            "transfer old military helicopters to the United States for Ukraine.",
        ),
        (
            "es",
            "Rusia suspende las importaciones de banano de Ecuador",
            "Rusia suspendió las importaciones de banano de cinco exportadores ecuatorianos "
            "después de que Ecuador anunciara que entregaría armas a Estados Unidos para "
            "Ucrania.",
        ),
        (
            "pt",
            "Rússia suspende as importações de banana do Equador",
            "A Rússia suspendeu as importações de banana do Equador depois que o governo "
            "equatoriano anunciou a transferência de armas para os Estados Unidos destinadas "
            "à Ucrânia.",
        ),
    ],
)
def test_an_import_halt_over_an_arms_transfer_is_trade(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "trade-economy", result.matched
    assert _rules_named(result) == {"category:retaliation-over-arms-is-trade"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Boric condemns Russia's violation of Ukraine's territory",
            "Chile's President Gabriel Boric said his government condemns the violation of "
            'Ukraine\'s territorial integrity and defends a "political and negotiated" '
            "solution to the conflict.",
        ),
        (
            "es",
            "Petro condena la violación territorial de Rusia en Ucrania",
            "El presidente Gustavo Petro reafirmó que el gobierno de Colombia condena la "
            "violación de la integridad territorial de Ucrania y defiende una solución "
            '"política y negociada" al conflicto.',
        ),
        (
            "pt",
            "Lula condena violação territorial da Rússia na Ucrânia",
            "O presidente Lula reafirmou que o governo brasileiro condena a violação da "
            'integridade territorial da Ucrânia e defende uma solução "política e '
            'negociada" para o conflito.',
        ),
    ],
)
def test_a_stance_with_a_position_on_negotiations_is_peace(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "peace-plan", result.matched
    assert _rules_named(result) == {"category:stance-with-a-peace-position-is-peace"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Brazil's president declines to condemn Russia over Ukraine",
            "Brazil does not condemn Russia for the invasion of Ukraine, President Jair "
            'Bolsonaro said. "There will be no sanctions", he added, saying Brazil\'s trade '
            "and exports would not take sides.",
        ),
        (
            "es",
            "El presidente de México no condenará a Rusia por Ucrania",
            'México no condena a Rusia por la invasión de Ucrania, dijo el presidente. "No '
            'habrá sanciones", añadió, y afirmó que el comercio y las exportaciones no '
            "tomarán partido.",
        ),
        (
            "pt",
            "Presidente do Brasil não condena a Rússia pela guerra na Ucrânia",
            'O Brasil não condena a Rússia pela invasão da Ucrânia, disse o presidente. "Não '
            'haverá sanções", acrescentou, e afirmou que o comércio e as exportações não '
            "tomarão partido.",
        ),
        (
            "ru",
            "Президент Бразилии не стал осуждать Россию за операцию на Украине",
            "Бразилия не осуждает Россию за спецоперацию на Украине, заявил президент. "
            "«Никаких санкций не будет», — добавил он.",
        ),
    ],
)
def test_refusing_to_condemn_or_sanction_is_a_stance_not_trade(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "other", result.matched
    assert _rules_named(result) == {"category:stance-without-act-is-other"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Chile's Senate adopts resolution of solidarity with Ukraine",
            "Chile's Senate unanimously adopted a resolution of solidarity with Ukraine, "
            "promoted by Ukraine's embassy and a group of senators.",
        ),
        (
            "es",
            "El Senado de Argentina aprueba una resolución de solidaridad con Ucrania",
            "El Senado de Argentina aprobó por unanimidad una resolución de solidaridad con "
            "Ucrania, impulsada por la embajada ucraniana y un grupo de senadores.",
        ),
        (
            "pt",
            "Senado do Brasil aprova resolução de solidariedade à Ucrânia",
            "O Senado do Brasil aprovou por unanimidade uma resolução de solidariedade à "
            "Ucrânia, promovida pela embaixada ucraniana e por um grupo de senadores.",
        ),
        (
            "uk",
            "Сенат Чилі ухвалив резолюцію солідарності з Україною",
            "Сенат Чилі одноголосно ухвалив резолюцію солідарності з Україною завдяки "
            "зусиллям Посольства України та групи сенаторів.",
        ),
    ],
)
def test_a_national_legislature_resolution_is_a_stance(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "other", result.matched
    assert _rules_named(result) == {"category:legislature-resolution-is-a-stance"}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        # guard: a resolution of the UN General Assembly stays un-multilateral
        (
            "es",
            "Argentina apoya resolución de la Asamblea General de la ONU sobre Ucrania",
            "Argentina votó a favor de la resolución de la Asamblea General de la ONU que "
            "exige la retirada de las tropas rusas de Ucrania.",
        ),
        # guard: the OAS's resolution is the bloc's decision
        (
            "en",
            "OAS adopts resolution on Ukraine",
            "The Organization of American States adopted a resolution on Ukraine; Brazil "
            "and Mexico's delegations spoke in the Permanent Council.",
        ),
    ],
)
def test_a_multilateral_resolution_stays_multilateral(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.category == "un-multilateral", result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Peru's pineapple shipments to Russia must find new buyers",
            "Shipments of pineapple and mango from Peru to Russia and Ukraine must find new "
            "buyers after the armed conflict between the two countries escalated.",
        ),
        (
            "es",
            "Envíos de banano de Guatemala a Rusia se suspenden",
            "Los cargamentos de banano que se exportan desde Guatemala hacia Rusia y Ucrania "
            "deberán buscar nuevos compradores, ante el conflicto armado entre ambas naciones.",
        ),
        (
            "pt",
            "Rússia recomenda suspender exportação de fertilizantes; Brasil pode ser afetado",
            "O governo da Rússia recomendou aos fabricantes de fertilizantes que suspendam as "
            "exportações por causa da guerra na Ucrânia. A medida pode afetar o Brasil, "
            "grande importador desses insumos.",
        ),
    ],
)
def test_exporters_looking_for_buyers_are_a_war_effect(
    topic: Topic, lang: str, title: str, text: str
) -> None:
    result = classify(topic, title, text, lang)
    assert not result.relevant, result.matched
    assert any(e.rule == "negative:war-effects" for e in result.matched), result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text", "countries"),
    [
        (
            "en",
            "Russian exports to Brazil doubled despite sanctions over Ukraine",
            "Russia nearly doubled its exports to Brazil in the first half of the year, the "
            "Uruguayan news agency MercoPress reported, despite sanctions over the war in "
            "Ukraine. Brazil abstained in UN votes condemning Moscow.",
            ("BR",),
        ),
        (
            "es",
            "Exportaciones rusas a Brasil se duplicaron pese a sanciones por Ucrania",
            "Rusia casi duplicó sus exportaciones a Brasil en el primer semestre, según la "
            "agencia uruguaya MercoPress, pese a las sanciones por la guerra en Ucrania. "
            "Brasil se abstuvo en las votaciones de la ONU.",
            ("BR",),
        ),
        (
            "pt",
            "Exportações russas ao Brasil dobram apesar das sanções pela Ucrânia",
            "A Rússia quase dobrou suas exportações ao Brasil no semestre, segundo a agência "
            "uruguaia MercoPress, apesar das sanções pela guerra na Ucrânia. O Brasil se "
            "absteve nas votações da ONU.",
            ("BR",),
        ),
        (
            "ru",
            "Бразилия покупает больше российских удобрений",
            "Москва почти вдвое увеличила экспорт в Бразилию, подчеркивает уругвайское "
            "новостное агентство, несмотря на санкции. Бразилия воздерживалась на "
            "голосованиях в ООН по спецоперации на Украине.",
            ("BR",),
        ),
        # guard: a demonym is still listed when no country is named as an actor
        (
            "es",
            "Combatientes colombianos en Ucrania",
            "Decenas de combatientes colombianos luchan en las filas de Ucrania, según un "
            "informe de la Legión Internacional.",
            ("CO",),
        ),
    ],
)
def test_a_country_named_only_by_a_bare_demonym_is_named_in_passing(
    topic: Topic, lang: str, title: str, text: str, countries: tuple[str, ...]
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.countries == countries, result.matched


@pytest.mark.parametrize(
    ("lang", "title", "text", "countries"),
    [
        (
            "ru",
            "Аргентина готова рассмотреть отправку военного контингента на Украину",
            "Аргентинские власти готовы рассмотреть отправку военного контингента на Украину, "
            "сообщил посол страны в России Энрике Феррер Виейра.",
            ("AR",),
        ),
        # guard: Brazil's foreign minister with his first name still names Brazil
        (
            "ru",
            "Мауро Виейра обсудил с Кулебой мирный план",
            "Министр иностранных дел Мауро Виейра обсудил с Дмитрием Кулебой мирный план Украины.",
            ("BR",),
        ),
    ],
)
def test_vieira_names_brazil_only_with_his_first_name(
    topic: Topic, lang: str, title: str, text: str, countries: tuple[str, ...]
) -> None:
    result = classify(topic, title, text, lang)
    assert result.relevant and result.countries == countries, result.matched
