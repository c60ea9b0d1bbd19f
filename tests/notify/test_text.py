"""Cleaning untrusted text for one-line display and headers."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.notify.text import ELLIPSIS, clean_inline, truncate

LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zelensky\r\nBcc: evil@example.org", "Zelensky Bcc: evil@example.org"),
        ("  many   \t spaces\n\n\nand lines  ", "many spaces and lines"),
        ("nul\x00 esc\x1b[31m del\x7f", "nul esc[31m del"),
        ("line\u2028sep\u2029para\x85nel", "line sep para nel"),
        ("bidi \u202egnp.exe\u202c safe", "bidi gnp.exe safe"),
        ("isolate \u2067x\u2069 end", "isolate x end"),
        ("zero\u200bwidth \ufeffbom", "zerowidth bom"),
        ("Ze\u0301lensky", "Zélensky"),  # combining accent composes (NFC)
    ],
)
def test_clean_inline_removes_structure_changing_characters(raw: str, expected: str) -> None:
    assert clean_inline(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "Зеленський зустрівся з президентом Парагваю",
        "زيلينسكي يلتقي رئيس باراغواي",
        "שלום עולם",
        "family 👨\u200d👩\u200d👧 and flag 🇺🇦",
        "می\u200cخواهم",  # zero-width non-joiner is meaningful in Persian
        "left\u200emark",
    ],
)
def test_clean_inline_keeps_what_people_read(kept: str) -> None:
    assert clean_inline(kept) == unicodedata.normalize("NFC", kept)


@given(st.text())
def test_clean_inline_never_leaves_a_line_break_or_control(raw: str) -> None:
    cleaned = clean_inline(raw)
    assert not any(char in LINE_BREAKS for char in cleaned)
    assert all(unicodedata.category(char) not in {"Cc", "Cs"} for char in cleaned)
    assert cleaned == cleaned.strip()
    cleaned.encode("utf-8")  # lone surrogates would raise here


def test_truncate_keeps_short_text_and_cuts_long_text_at_a_word() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("Zelensky meets Peña in Asunción to talk peace", 30)
    assert cut == "Zelensky meets Peña in" + ELLIPSIS
    assert len(cut) <= 30


def test_truncate_does_not_separate_a_letter_from_its_accent() -> None:
    decomposed = "Pen\u0303a" * 10
    cut = truncate(decomposed, 4)
    assert not unicodedata.combining(cut[-2])
    assert cut.endswith(ELLIPSIS)
    assert cut == "Pe" + ELLIPSIS


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_truncate_respects_the_limit(raw: str, limit: int) -> None:
    cut = truncate(raw, limit)
    assert len(cut) <= max(limit, 1)
    assert cut == raw or cut.endswith(ELLIPSIS)


WRAP_PIECES = st.sampled_from(
    ["a", "word", " ", "  ", "\t", "\n", "\xa0", "\u3000", "\u2028", "-", "é", "x" * 30, "\x85"]
)


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        st.lists(WRAP_PIECES, max_size=14).map("".join),
        st.text(max_size=90),
        # Plain words, some longer than a line: the path that skips textwrap.
        st.lists(st.text(st.sampled_from("abé-./x"), min_size=1, max_size=80), max_size=30).map(
            " ".join
        ),
    ),
    indent=st.sampled_from(["", "  "]),
)
def test_wrap_gives_what_textwrap_gives(text: str, indent: str) -> None:
    """Plain text skips textwrap; it must come out as textwrap would give it."""
    import textwrap

    from monitor.notify.render import TEXT_WIDTH, wrap

    expected = textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert wrap.__wrapped__(text, indent) == expected
