"""What queries match: operators, precedence, case, accents, wildcards, proximity, fields."""

from __future__ import annotations

import pytest

from monitor.matching.query import MatchDoc, matches, parse

DOCS = {
    "lula": MatchDoc(
        "Lula meets Zelensky in New York",
        "Brazilian President Luiz Inácio Lula da Silva met Ukrainian President Volodymyr "
        "Zelenskiy on the sidelines of the UN General Assembly. The peace formula was "
        "discussed; Brasília wants peace.",
        outlet="The Rio Times",
        site="www.riotimesonline.com",
        lang="en",
        countries=("BR",),
        category="summit-visit",
    ),
    # text tokens: one(0) two(1) three(2) four(3) five(4) two(5) one(6)
    "positions": MatchDoc("alpha beta", "one two three four five two one"),
    "cyrillic": MatchDoc("Зеленський у Бразилії", "Президент України Володимир Зеленський."),
    # Ukrainian apostrophes written three ways, ё, ґ
    "ukru": MatchDoc(
        "Сибіга: зв’язок з Бразилією зміцнюється",
        "Ціни на мʼясо і п'ять угод. Лавров провёл переговоры. Ґуайдо виступив.",
    ),
    "empty": MatchDoc("", ""),
}

CASES = [
    # words, case and accents
    ("lula", "lula", True),
    ("LULA", "lula", True),
    ("inácio", "lula", True),
    ("INACIO", "lula", True),
    ("brasilia", "lula", True),
    ("Brasília", "lula", True),
    ("zelenskyy", "lula", False),
    ("messi", "lula", False),
    ("зеленський", "cyrillic", True),
    ("ЗЕЛЕНСЬКИЙ", "cyrillic", True),
    # Cyrillic: apostrophes ' ’ ʼ are one, an apostrophe word is one word, ё→е, ґ→г
    ("зв'язок", "ukru", True),
    ("ЗВʼЯЗОК", "ukru", True),
    ("зв'яз*", "ukru", True),
    ("язок", "ukru", False),  # not a word of its own
    ("звязок", "ukru", False),
    ("м'ясо", "ukru", True),
    ("мясо", "ukru", False),  # the Russian word is another word
    ('"п’ять угод"', "ukru", True),
    ("зв'язок NEAR/1 бразилією", "ukru", True),
    ("провел", "ukru", True),
    ("ПРОВЁЛ", "ukru", True),
    ("гуайдо", "ukru", True),
    ("Ґуайдо", "ukru", True),
    ("title:бразилі*", "ukru", True),
    ("text:бразилі*", "ukru", False),
    # wildcards
    ("zelensk*", "lula", True),
    ("ZELENSK*", "lula", True),
    ("zelenskiy*", "lula", True),  # the prefix may be the whole word
    ("zelenskyy*", "lula", False),
    ("ukrain*", "lula", True),
    ("україн*", "cyrillic", True),
    # phrases
    ('"Luiz Inácio Lula"', "lula", True),
    ('"luiz inacio lula da silva"', "lula", True),
    ('"Lula Luiz"', "lula", False),
    ('"peace formula"', "lula", True),
    ('"formula peace"', "lula", False),
    ('"Lula meets"', "lula", True),
    ('"york brazilian"', "lula", False),  # a phrase never spans title and text
    # boolean operators
    ("lula AND zelensky", "lula", True),
    ("lula AND messi", "lula", False),
    ("lula zelensky", "lula", True),  # implicit AND
    ("lula messi", "lula", False),
    ("lula OR messi", "lula", True),
    ("messi OR maradona", "lula", False),
    ("lula AND NOT messi", "lula", True),
    ("lula NOT zelensky", "lula", False),
    ("NOT messi", "lula", True),
    ("NOT messi", "empty", True),
    ("NOT lula", "lula", False),
    # precedence: NOT > AND > OR
    ("lula OR messi AND maradona", "lula", True),
    ("(lula OR messi) AND maradona", "lula", False),
    ("messi AND maradona OR lula", "lula", True),
    ("NOT messi AND lula", "lula", True),
    ("NOT lula OR zelensky", "lula", True),
    ("NOT (lula OR messi)", "lula", False),
    ("NOT lula AND NOT messi", "lula", False),
    # fields
    ("title:zelensky", "lula", True),
    ("text:zelensky", "lula", False),
    ("text:zelenskiy", "lula", True),
    ("title:brazilian", "lula", False),
    ("title:(york OR messi)", "lula", True),
    ('text:"general assembly"', "lula", True),
    ('title:"general assembly"', "lula", False),
    # metadata
    ("country:BR", "lula", True),
    ("country:br", "lula", True),
    ("country:AR", "lula", False),
    ("country:BR", "positions", False),
    ("lang:en", "lula", True),
    ("lang:EN-us", "lula", True),
    ("lang:pt", "lula", False),
    ("category:summit-visit", "lula", True),
    ("category:peace-plan", "lula", False),
    ('outlet:"rio times"', "lula", True),
    ('outlet:"times rio"', "lula", False),
    ("outlet:rio*", "lula", True),
    ("outlet:mercopress", "lula", False),
    ("site:riotimesonline.com", "lula", True),
    ("site:www.riotimesonline.com", "lula", True),
    ("site:news.riotimesonline.com", "lula", False),
    ("site:com", "lula", False),
    ("country:BR AND lang:en AND zelensk*", "lula", True),
    ("country:(AR OR BR)", "lula", True),
    ("zelensky AND NOT country:BR", "lula", False),
    # proximity: NEAR/n = at most n words between, either order, same field
    ("one NEAR/0 two", "positions", True),
    ("one ONEAR/0 two", "positions", True),
    ("two ONEAR/0 one", "positions", True),  # two(5) one(6)
    ("three NEAR/0 two", "positions", True),  # two(1) three(2)
    ("three ONEAR/0 two", "positions", False),  # next two is at 5: 2 words between
    ("three ONEAR/2 two", "positions", True),
    ("three ONEAR/1 two", "positions", False),
    ("one NEAR/1 five", "positions", True),  # five(4) two(5) one(6)
    ("three NEAR/0 five", "positions", False),  # four between
    ("three NEAR/1 five", "positions", True),
    ("three ONEAR/1 five", "positions", True),
    ("five ONEAR/1 three", "positions", False),
    ("four NEAR/0 four", "positions", False),  # one occurrence cannot be both sides
    ("four NEAR/10 four", "positions", False),
    ("two NEAR/3 two", "positions", True),  # two(1) and two(5): 3 words between
    ("two NEAR/2 two", "positions", False),
    ('"two three" NEAR/0 four', "positions", True),
    ('"two three" ONEAR/0 one', "positions", False),  # one(6) is 3 words after
    ('"two three" NEAR/0 one', "positions", True),  # one(0) just before
    ('"one two" NEAR/0 two', "positions", False),  # overlapping occurrence excluded
    ('"one two" NEAR/3 two', "positions", True),  # two(5): 3 words after the phrase
    ("fiv* NEAR/0 two*", "positions", True),
    ("(three OR five) ONEAR/0 two", "positions", True),
    ("(three OR four) ONEAR/0 two", "positions", False),
    ("(one NEAR/0 two) NEAR/0 three", "positions", True),
    ("(one ONEAR/0 two) ONEAR/0 one", "positions", False),
    ("(two ONEAR/0 one) NEAR/1 four", "positions", True),  # span two..one at 5..6, five between
    ("alpha NEAR/5 one", "positions", False),  # title and text are separate
    ("title:alpha NEAR/0 beta", "positions", True),
    ("alpha ONEAR/0 beta", "positions", True),
    ("beta ONEAR/0 alpha", "positions", False),
    ("lula NEAR/3 zelensky", "lula", True),
    ("brasilia NEAR/5 peace", "lula", True),
    ("NOT (one NEAR/0 three)", "positions", True),
]


@pytest.mark.parametrize(("query", "doc", "expected"), CASES)
def test_query_matches(query: str, doc: str, expected: bool) -> None:
    assert matches(parse(query), DOCS[doc]) is expected


def test_prepared_document_is_reusable_and_unchanged_by_queries() -> None:
    doc = DOCS["positions"]
    first = [matches(parse(q), doc) for q, name, _ in CASES if name == "positions"]
    second = [matches(parse(q), doc) for q, name, _ in CASES if name == "positions"]
    assert first == second
    assert doc.sequences["text"] == ["one", "two", "three", "four", "five", "two", "one"]
