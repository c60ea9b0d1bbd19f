"""Snippet windows around the first match, with highlight offsets carried through."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from monitor.models import Evidence
from monitor.notify.snippets import Segment, Snippet, build_snippet, highlight
from monitor.notify.text import ELLIPSIS

from .helpers import SEED_TEXT, evidence


def marked(snippet: Snippet) -> list[str]:
    return [segment.text for segment in highlight(snippet) if segment.marked]


def test_seed_article_window_starts_near_the_first_match_and_marks_it() -> None:
    text = SEED_TEXT.read_text(encoding="utf-8")
    term = "Buenos Aires"  # far into the article, after many blank lines
    snippet = build_snippet(text, [evidence(text, term), evidence(text, "Paraguay")])
    assert snippet.text.startswith(ELLIPSIS)
    assert len(snippet.text) <= 300 + 2 * len(ELLIPSIS)
    assert "\n" not in snippet.text and "  " not in snippet.text
    # Paraguay comes first in the text, so the window is anchored on it.
    assert marked(snippet)[0] == "Paraguay"
    assert snippet.text.index("Paraguay") < 100


def test_highlight_offsets_survive_whitespace_collapsing() -> None:
    text = "Intro.\n\n\n\n   Zelenskiy\t\tmet\n\nPeña   in Asunción."
    spans = [evidence(text, "Zelenskiy"), evidence(text, "Peña"), evidence(text, "Asunción")]
    snippet = build_snippet(text, spans)
    assert snippet.text == "Intro. Zelenskiy met Peña in Asunción."
    assert marked(snippet) == ["Zelenskiy", "Peña", "Asunción"]


def test_text_without_evidence_starts_at_the_beginning_and_is_cut_at_a_word() -> None:
    text = "word " * 200
    snippet = build_snippet(text, [])
    assert snippet.text.startswith("word word")
    assert snippet.text.endswith("word" + ELLIPSIS)
    assert snippet.matched == ()


def test_evidence_for_other_fields_or_out_of_range_is_ignored() -> None:
    text = "Milei receives Zelensky in Buenos Aires"
    bad = [
        Evidence("r", "x", "title", 0, 5),
        Evidence("r", "x", "text", 30, 500),
        Evidence("r", "x", "text", 10, 10),
        Evidence("r", "x", "text", -3, 2),
    ]
    snippet = build_snippet(text, bad)
    assert snippet.text == text
    assert snippet.matched == ()


def test_match_near_the_end_of_a_long_text_keeps_it_inside_the_window() -> None:
    text = "filler " * 1000 + "Lacalle Pou spoke with Zelensky." + " tail" * 3
    snippet = build_snippet(text, [evidence(text, "Lacalle Pou")])
    assert snippet.text.startswith(ELLIPSIS)
    assert marked(snippet) == ["Lacalle Pou"]
    assert snippet.text.endswith("tail tail tail")


def test_overlapping_matches_merge_into_one_mark() -> None:
    text = "the peace plan summit"
    spans = [
        Evidence("a", "peace plan", "text", 4, 14),
        Evidence("b", "plan summit", "text", 10, 21),
    ]
    assert highlight(build_snippet(text, spans)) == (
        Segment("the ", False),
        Segment("peace plan summit", True),
    )


def test_megabyte_text_is_cut_to_a_short_snippet() -> None:
    text = ("x" * 50 + " ") * 20_000 + "Noboa"
    snippet = build_snippet(text, [evidence(text, "Noboa")])
    assert len(snippet.text) <= 302
    assert marked(snippet) == ["Noboa"]


words = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)
gaps = st.sampled_from([" ", "  ", "\n\n", "\t", " \n \n "])


@given(st.lists(st.tuples(words, gaps), min_size=1, max_size=150), st.data())
def test_every_kept_highlight_covers_exactly_its_word(
    parts: list[tuple[str, str]], data: st.DataObject
) -> None:
    text = "".join(word + gap for word, gap in parts)
    starts = []
    position = 0
    for word, gap in parts:
        starts.append((position, word))
        position += len(word) + len(gap)
    chosen = data.draw(st.lists(st.sampled_from(starts), min_size=1, max_size=5, unique=True))
    spans = [Evidence("r", word, "text", start, start + len(word)) for start, word in chosen]
    snippet = build_snippet(text, spans, width=120)
    earliest = min(snippet.matched, key=lambda kept: kept.start)
    assert earliest.term == min(chosen)[1]
    for kept in snippet.matched:
        assert snippet.text[kept.start : kept.end] == kept.term
