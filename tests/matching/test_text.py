"""Folding keeps offsets honest: every folded span maps back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.matching.text import fold, fold_text, sentence_starts, tokens


@pytest.mark.parametrize(
    ("original", "folded"),
    [
        ("México", "mexico"),
        ("SÃO PAULO", "sao paulo"),
        ("Díaz-Canel", "diaz canel"),
        ("Ukraine’s", "ukraine's"),
        ("Зеленський", "зеленськии"),
        ("Київ", "киів"),
        ("ПРОВЁЛ", "провел"),  # ё→е
        ("Ґуайдо", "гуаидо"),  # ґ→г, й→и
        ("м’ясо мʼясо м'ясо", "м'ясо м'ясо м'ясо"),  # one apostrophe
        ("İstanbul", "istanbul"),
        ("a\u00a0b", "a b"),
        ("Me\u0301xico", "mexico"),  # decomposed accent
        ("Buenos  Aires", "buenos aires"),  # runs of spaces collapse
    ],
)
def test_fold(original: str, folded: str) -> None:
    assert fold(original) == folded


def test_fast_path_keeps_offsets_identical() -> None:
    folded = fold_text("Lula e Zelensky")
    assert folded.offsets is None
    assert folded.original_span(7, 15) == (7, 15)


def test_slow_path_maps_back_to_original_including_accent() -> None:
    original = "O presidente Me\u0301xico  e Ucra\u0302nia"
    folded = fold_text(original)
    assert folded.offsets is not None
    start = folded.folded.index("mexico")
    begin, end = folded.original_span(start, start + len("mexico"))
    assert original[begin:end] == "Me\u0301xico"
    start = folded.folded.index("ucrania")
    begin, end = folded.original_span(start, start + len("ucrania"))
    assert original[begin:end] == "Ucra\u0302nia"


def test_tokens_are_letter_and_digit_runs() -> None:
    assert tokens(fold("G20: Brazil's Lula, 10-point plan!")) == [
        "g20",
        "brazil",
        "s",
        "lula",
        "10",
        "point",
        "plan",
    ]


def test_an_apostrophe_joins_cyrillic_letters_only() -> None:
    assert tokens(fold("Зв’язок і мʼясо, Ukraine's l'Europe 'лапки'")) == [
        "зв'язок", "і", "м'ясо", "ukraine", "s", "l", "europe", "лапки",
    ]  # fmt: skip


def test_sentences_split_on_punctuation_and_line_breaks() -> None:
    text = "Uno. Dos! Tres\nCuatro"
    starts = sentence_starts(fold(text))
    assert [text[s:].split()[0] for s in starts] == ["Uno.", "Dos!", "Tres", "Cuatro"]


@given(st.text(max_size=200))
def test_every_folded_character_maps_inside_the_original(text: str) -> None:
    folded = fold_text(text)
    for index in range(len(folded.folded)):
        begin, end = folded.original_span(index, index + 1)
        assert 0 <= begin < end <= len(text)
        # The original character folds to the folded one (or is a collapsed space).
        assert fold(text[begin]) in (folded.folded[index], "", " ")


FOLDING_ALPHABET = ["a", "B", "é", " ", "\t", "\u00a0", "\u0301", "\u2014", "-", "\n", "İ", "ß"]


@given(
    st.one_of(
        st.text(alphabet=st.sampled_from(FOLDING_ALPHABET), max_size=40),
        st.text(max_size=40),
    )
)
def test_folding_matches_its_character_by_character_definition(text: str) -> None:
    # Each character folds on its own; dropped characters vanish and runs of spaces
    # collapse to the first one. Both folding paths must agree with this definition.
    chars: list[str] = []
    offsets: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        piece = fold(char)
        if not piece or (piece == " " and previous_space):
            continue
        previous_space = piece == " "
        chars.append(piece)
        offsets.append(index)
    folded = fold_text(text)
    assert folded.folded == "".join(chars)
    got = folded.offsets if folded.offsets is not None else tuple(range(len(text)))
    assert got == tuple(offsets)


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(max_codepoint=127), min_size=1, max_size=12),
            st.sampled_from(FOLDING_ALPHABET),
        ),
        max_size=40,
    )
)
def test_the_run_by_run_fold_of_mostly_ascii_text_equals_the_plain_one(pieces: list[str]) -> None:
    from monitor.matching.text import _TABLE, _translate

    text = "".join(pieces)
    assert _translate(text) == text.translate(_TABLE)


def test_no_folded_character_is_changed_again_by_the_ascii_table() -> None:
    """What makes folding non-ASCII runs first and the rest by the ASCII table correct."""
    from monitor.matching.text import _ASCII_TABLE, _TABLE

    for code, folded in _TABLE.items():
        if code >= 128:
            assert folded.translate(_ASCII_TABLE) == folded, hex(code)


def test_folding_takes_any_string_even_lone_surrogates() -> None:
    """Feeds drop lone surrogates before matching, but the pure function must not rely on it."""
    folded = fold_text("Zelensky\ud800 met Lula")
    assert folded.folded.startswith("zelensky") and "lula" in folded.folded
