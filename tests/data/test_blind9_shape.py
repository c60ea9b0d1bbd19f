"""The ninth blind set's shape: fields, ids, labels and mix, never the classifier's scores.

tests/data/blind9.jsonl is sealed for evaluation (docs/evaluation.md says how it was built
and why nobody tunes on it). These tests only guard its form and its independence from every
other labelled set (blind5 to blind8 included), so an edit that breaks the schema, the agreed
mix or the no-overlap promise fails here; how well anything does on it is measured by
`monitor eval` and written down in docs/evaluation.md, not asserted.
"""

from __future__ import annotations

from tests.data import blind_shape

BLIND9 = blind_shape.DATA / "blind9.jsonl"
NOTES = blind_shape.DATA / "blind9-notes.md"
# Blind8 is the set blind9 follows, blind7, blind6 and blind5 the ones before it: the likeliest
# sources of a story found again, so all four are required by name.
REQUIRED_EARLIER = blind_shape.BASE_EARLIER | {
    "blind5.jsonl",
    "blind6.jsonl",
    "blind7.jsonl",
    "blind8.jsonl",
}


def test_every_line_has_exactly_the_dev_set_fields_in_order() -> None:
    blind_shape.check_fields(BLIND9)


def test_ids_are_unique_and_numbered_from_b9_001() -> None:
    blind_shape.check_ids(BLIND9, "b9")


def test_there_are_200_items_with_the_agreed_share_per_language() -> None:
    minima = {"en": 40, "es": 50, "pt": 35, "uk": 20, "ru": 20}
    blind_shape.check_language_mix(BLIND9, minimum_items=200, minimum_per_lang=minima)


def test_about_forty_percent_are_relevant_and_negatives_are_mostly_hard() -> None:
    blind_shape.check_relevance_mix(BLIND9, low=0.35, high=0.45, hard_share=0.8)


def test_a_good_share_is_from_2025_and_2026() -> None:
    blind_shape.check_recent_share(BLIND9, share=0.3)


def test_labels_are_consistent() -> None:
    blind_shape.check_labels(BLIND9)


def test_every_category_has_positives() -> None:
    blind_shape.check_every_category(BLIND9)


def test_texts_titles_dates_sources_and_urls_are_filled_in() -> None:
    blind_shape.check_filled_in(BLIND9)


def test_no_item_repeats_a_story_from_any_earlier_set() -> None:
    blind_shape.check_no_repeat_of_earlier(BLIND9, REQUIRED_EARLIER)


def test_every_borderline_item_is_listed_in_the_notes() -> None:
    blind_shape.check_borderline_listed(BLIND9, NOTES)


def test_no_title_or_text_is_a_near_copy_of_another_sets_or_of_another_item() -> None:
    blind_shape.check_no_near_copies(BLIND9)
