"""The fifth blind set's shape: fields, ids, labels and mix, never the classifier's scores.

tests/data/blind5.jsonl was sealed for evaluation until its one blind run; it is now retired
into the dev pool (docs/evaluation.md says how it was built and learned from). These tests
only guard its form and its independence from every other labelled set, so an edit that
breaks the schema, the agreed mix or the no-overlap promise fails here. The checks live in
blind_shape.py, shared with the later blind sets.
"""

from __future__ import annotations

from tests.data import blind_shape

BLIND5 = blind_shape.DATA / "blind5.jsonl"
NOTES = blind_shape.DATA / "blind5-notes.md"


def test_every_line_has_exactly_the_dev_set_fields_in_order() -> None:
    blind_shape.check_fields(BLIND5)


def test_ids_are_unique_and_numbered_from_b5_001() -> None:
    blind_shape.check_ids(BLIND5, "b5")


def test_there_are_240_items_with_the_agreed_share_per_language() -> None:
    minima = {"en": 55, "es": 55, "pt": 55, "uk": 20, "ru": 20}
    blind_shape.check_language_mix(BLIND5, minimum_items=240, minimum_per_lang=minima)


def test_about_forty_percent_are_relevant_and_negatives_are_mostly_hard() -> None:
    blind_shape.check_relevance_mix(BLIND5, low=0.35, high=0.45, hard_share=0.8)


def test_a_good_share_is_from_2025_and_2026() -> None:
    blind_shape.check_recent_share(BLIND5, share=0.3)


def test_labels_are_consistent() -> None:
    blind_shape.check_labels(BLIND5)


def test_every_category_has_positives() -> None:
    blind_shape.check_every_category(BLIND5)


def test_texts_titles_dates_sources_and_urls_are_filled_in() -> None:
    blind_shape.check_filled_in(BLIND5)


def test_no_item_repeats_a_story_from_any_earlier_set() -> None:
    blind_shape.check_no_repeat_of_earlier(BLIND5, blind_shape.BASE_EARLIER)


def test_every_borderline_item_is_listed_in_the_notes() -> None:
    blind_shape.check_borderline_listed(BLIND5, NOTES)
