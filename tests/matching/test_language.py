"""One language detector for the poller and the classifier; Ukrainian told from Russian."""

from __future__ import annotations

import pytest

from monitor.language import detect_language, resolve_language, tell_ukrainian_from_russian
from monitor.matching.classifier import classify
from monitor.matching.topic import Topic

UKRAINIAN = (
    "Міністр закордонних справ України Андрій Сибіга провів телефонну розмову з міністром "
    "закордонних справ Бразилії Мауро Вієйрою. Сторони обговорили мирні зусилля та "
    "підготовку до візиту президента до Латинської Америки."
)
RUSSIAN = (
    "Министр иностранных дел России Сергей Лавров провел телефонный разговор с министром "
    "иностранных дел Бразилии Мауро Виейрой. Стороны обсудили ситуацию на Украине и "
    "подготовку к визиту президента в Латинскую Америку."
)
# Long enough (200 letters) to override a feed's declaration.
LONG_UKRAINIAN = f"{UKRAINIAN} {UKRAINIAN}"
LONG_RUSSIAN = f"{RUSSIAN} {RUSSIAN}"
BULGARIAN = "Министърът на външните работи на България се срещна с посланика на Бразилия."
SERBIAN = "Министар спољних послова Србије састао се са амбасадором Бразила у Београду."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Зеленський зустрівся з Лулою", "uk"),  # і, з
        ("Зеленский встретился с Лулой", "ru"),  # ы, с
        ("Україна і Мексика", "uk"),  # letters only
        ("Сибіга: Україна відкриє посольство в Перу", "uk"),
        ("Лавров: Россия и Венесуэла подпишут соглашение", "ru"),  # и, э
        ("Путин провел переговоры с Мадуро", "ru"),  # words only: с
        ("Президент Бразилии прибыл в Москву", "ru"),
        ("Президент Бразилії прибув до Києва", "uk"),
        ("Ґрунтовна розмова", "uk"),
        ("Объявлены выборы", "ru"),  # ъ with ы
        (UKRAINIAN, "uk"),
        (RUSSIAN, "ru"),
        ("Мадуро", None),  # no evidence either way
        ("Бразилия", None),
        (BULGARIAN, None),  # ъ without ы or э: Bulgarian, the model decides
        (SERBIAN, None),  # ј and others: not ours to decide
        ("", None),
    ],
)  # fmt: skip
def test_tell_ukrainian_from_russian(text: str, language: str | None) -> None:
    verdict = tell_ukrainian_from_russian(text)
    assert (verdict[0] if verdict else None) == language


def test_evidence_share_is_a_probability() -> None:
    verdict = tell_ukrainian_from_russian(UKRAINIAN)
    assert verdict is not None and verdict == ("uk", 1.0)
    mixed = tell_ukrainian_from_russian("Україна і Россия")  # mostly Ukrainian evidence
    assert mixed is not None and 0.5 < mixed[1] < 1.0


@pytest.mark.parametrize(
    ("text", "languages", "language"),
    [
        (UKRAINIAN, (), "uk"),
        (RUSSIAN, (), "ru"),
        (UKRAINIAN, ("en", "es", "pt", "uk", "ru"), "uk"),
        (RUSSIAN, ("en", "es", "pt", "uk", "ru"), "ru"),
        (BULGARIAN + " " + BULGARIAN, (), "bg"),  # left to the model, which knows it
    ],
)  # fmt: skip
def test_detect_language(text: str, languages: tuple[str, ...], language: str) -> None:
    detected = detect_language(text, languages)
    assert detected is not None and detected[0] == language


@pytest.mark.parametrize(
    ("declared", "text", "language"),
    [
        (None, UKRAINIAN, "uk"),
        (None, RUSSIAN, "ru"),
        ("ru", LONG_UKRAINIAN, "uk"),  # one feed, both languages (UNIAN): long text overrides
        ("uk", LONG_RUSSIAN, "ru"),
        ("en-US", LONG_UKRAINIAN, "uk"),  # a CMS default on a Ukrainian site
        ("ru", UKRAINIAN[:150], "ru"),  # under 200 letters: the declaration stands
        ("ru", "Зеленський зустрівся з Лулою", "ru"),  # short text never overrides
    ],
)
def test_resolve_language_for_cyrillic(declared: str | None, text: str, language: str) -> None:
    assert resolve_language(declared, text) == language


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Зеленський зустрівся з Лулою", "uk"),
        ("Зеленский встретился с Лулой", "ru"),
    ],
)
def test_the_classifier_detects_with_the_same_rule(topic: Topic, title: str, language: str) -> None:
    assert classify(topic, title, "").lang == language


@pytest.mark.parametrize(
    ("headline", "language"),
    [
        ("Лула і Мілей", "uk"),  # py3langid alone: Belarusian
        ("Лула и Милей", "ru"),  # py3langid alone: unsure (None)
        ("Посол России в Бразилии", "ru"),  # py3langid alone: 0.55
        ("Лавров прибыл в Каракас", "ru"),  # py3langid alone: 0.87
    ],
)
def test_short_cyrillic_headlines_are_told_apart_with_confidence(
    headline: str, language: str
) -> None:
    detected = detect_language(headline, min_letters=3)
    assert detected is not None
    assert detected[0] == language and detected[1] >= 0.95
