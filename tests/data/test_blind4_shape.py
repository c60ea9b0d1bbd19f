"""The fourth blind set's shape: fields, ids, labels and mix, never the classifier's scores.

tests/data/blind4.jsonl was sealed for evaluation until its one blind run; it is now retired
into the dev pool (docs/evaluation.md says how it was built and learned from). These tests
only guard its form and its independence from every other labelled set. The checks live in
blind_shape.py, shared with the later blind sets; blind4's own mix (at least 200 items,
twenty in Ukrainian or Russian, 30–50 % relevant) is the one part written here.
"""

from __future__ import annotations

from tests.data import blind_shape

BLIND4 = blind_shape.DATA / "blind4.jsonl"
NOTES = blind_shape.DATA / "blind4-notes.md"


def test_every_line_has_exactly_the_dev_set_fields_in_order() -> None:
    blind_shape.check_fields(BLIND4)


def test_ids_are_unique_and_numbered_from_b4_001() -> None:
    blind_shape.check_ids(BLIND4, "b4")


def test_there_are_at_least_200_items_and_twenty_in_ukrainian_or_russian() -> None:
    items = blind_shape.items(BLIND4)
    assert len(items) >= 200
    assert sum(item["lang"] in {"uk", "ru"} for item in items) >= 20
    assert {item["lang"] for item in items} == blind_shape.LANGS


def test_between_thirty_and_fifty_percent_are_relevant_and_negatives_are_mostly_hard() -> None:
    blind_shape.check_relevance_mix(BLIND4, low=0.3, high=0.5, hard_share=0.5)


def test_labels_are_consistent() -> None:
    blind_shape.check_labels(BLIND4)


def test_every_category_has_positives() -> None:
    blind_shape.check_every_category(BLIND4)


def test_texts_titles_dates_sources_and_urls_are_filled_in() -> None:
    blind_shape.check_filled_in(BLIND4)


# The sets that existed when blind4 was built (the timeline gold and the later blind sets
# quote blind4's stories or were checked against it themselves).
EARLIER_SETS = [
    blind_shape.DATA / name
    for name in (
        "dev-news.jsonl",
        "dev2.jsonl",
        "dev3.jsonl",
        "dev-ukru.jsonl",
        "holdout.jsonl",
        "blind3.jsonl",
        "russia-latam/dev.jsonl",
        "russia-latam/blind.jsonl",
    )
]


def test_no_item_repeats_a_story_from_any_earlier_set() -> None:
    blind_shape.check_no_repeat_of_earlier(BLIND4, blind_shape.BASE_EARLIER, others=EARLIER_SETS)


def test_every_borderline_item_is_listed_in_the_notes() -> None:
    blind_shape.check_borderline_listed(BLIND4, NOTES)
