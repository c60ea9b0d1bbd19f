"""The shape of the blind sets blind5 to blind13: fields, ids, labels and mix, never the
classifier's scores.

Each set is sealed for evaluation until it has been run once (docs/evaluation.md says how
each was built and why nobody tunes on it). These tests only guard their form and their
independence from every other labelled set, so an edit that breaks the schema, the agreed
mix or the no-overlap promise fails here; how well anything does on a set is measured by
`monitor eval` and written down in docs/evaluation.md, not asserted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.data import blind_shape


@dataclass(frozen=True)
class BlindSet:
    """A set and what was agreed for it when it was built."""

    number: int
    minimum_items: int
    minimum_per_lang: dict[str, int]
    # the sets it follows by name: the likeliest sources of a story found again
    follows: frozenset[str] = field(default_factory=frozenset)
    near_copies_checked: bool = True

    @property
    def path(self) -> Path:
        return blind_shape.DATA / f"blind{self.number}.jsonl"

    @property
    def notes(self) -> Path:
        return blind_shape.DATA / f"blind{self.number}-notes.md"

    @property
    def required_earlier(self) -> set[str]:
        return blind_shape.BASE_EARLIER | set(self.follows)


def _earlier(*numbers: int) -> frozenset[str]:
    return frozenset(f"blind{n}.jsonl" for n in numbers)


SETS = [
    BlindSet(5, 240, {"en": 55, "es": 55, "pt": 55, "uk": 20, "ru": 20}, near_copies_checked=False),
    BlindSet(6, 240, {"en": 55, "es": 55, "pt": 55, "uk": 20, "ru": 20}, _earlier(5)),
    BlindSet(7, 240, {"en": 55, "es": 55, "pt": 55, "uk": 25, "ru": 25}, _earlier(5, 6)),
    BlindSet(8, 220, {"en": 55, "es": 55, "pt": 45, "uk": 25, "ru": 35}, _earlier(5, 6, 7)),
    BlindSet(9, 200, {"en": 40, "es": 50, "pt": 35, "uk": 20, "ru": 20}, _earlier(5, 6, 7, 8)),
    BlindSet(10, 200, {"en": 35, "es": 60, "pt": 35, "uk": 25, "ru": 30}, _earlier(5, 6, 7, 8, 9)),
    BlindSet(
        11, 200, {"en": 35, "es": 60, "pt": 35, "uk": 25, "ru": 30}, _earlier(5, 6, 7, 8, 9, 10)
    ),
    BlindSet(
        12, 200, {"en": 35, "es": 60, "pt": 35, "uk": 25, "ru": 30}, _earlier(5, 6, 7, 8, 9, 10, 11)
    ),
    # blind13 fell short of the 200 stories asked for (161; docs/evaluation.md says why)
    BlindSet(
        13,
        160,
        {"en": 25, "es": 45, "pt": 30, "uk": 15, "ru": 30},
        _earlier(5, 6, 7, 8, 9, 10, 11, 12),
    ),
]
each_set = pytest.mark.parametrize("blind", SETS, ids=[f"blind{s.number}" for s in SETS])


@each_set
def test_every_line_has_exactly_the_dev_set_fields_in_order(blind: BlindSet) -> None:
    blind_shape.check_fields(blind.path)


@each_set
def test_ids_are_unique_and_numbered_from_one(blind: BlindSet) -> None:
    blind_shape.check_ids(blind.path, f"b{blind.number}")


@each_set
def test_the_agreed_number_of_items_and_share_per_language(blind: BlindSet) -> None:
    blind_shape.check_language_mix(
        blind.path, minimum_items=blind.minimum_items, minimum_per_lang=blind.minimum_per_lang
    )


@each_set
def test_about_forty_percent_are_relevant_and_negatives_are_mostly_hard(blind: BlindSet) -> None:
    blind_shape.check_relevance_mix(blind.path, low=0.35, high=0.45, hard_share=0.8)


@each_set
def test_a_good_share_is_from_2025_and_2026(blind: BlindSet) -> None:
    blind_shape.check_recent_share(blind.path, share=0.3)


@each_set
def test_labels_are_consistent(blind: BlindSet) -> None:
    blind_shape.check_labels(blind.path)


@each_set
def test_every_category_has_positives(blind: BlindSet) -> None:
    blind_shape.check_every_category(blind.path)


@each_set
def test_texts_titles_dates_sources_and_urls_are_filled_in(blind: BlindSet) -> None:
    blind_shape.check_filled_in(blind.path)


@each_set
def test_no_item_repeats_a_story_from_any_earlier_set(blind: BlindSet) -> None:
    blind_shape.check_no_repeat_of_earlier(blind.path, blind.required_earlier)


@each_set
def test_every_borderline_item_is_listed_in_the_notes(blind: BlindSet) -> None:
    blind_shape.check_borderline_listed(blind.path, blind.notes)


@pytest.mark.parametrize(
    "blind",
    [s for s in SETS if s.near_copies_checked],
    ids=[f"blind{s.number}" for s in SETS if s.near_copies_checked],
)
def test_no_title_or_text_is_a_near_copy_of_another_sets_or_of_another_item(
    blind: BlindSet,
) -> None:
    blind_shape.check_no_near_copies(blind.path)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (
            "https://www.site.com/news/a-story/?utm_source=feed",
            "http://site.com/news/a-story",
            True,
        ),
        (
            "http://site.com/noticias.asp?codigo=101372",
            "http://site.com/noticias.asp?codigo=105582",
            False,
        ),
        ("https://site.com/?p=4387", "https://site.com/?p=2296", False),
        ("https://site.com/?p=4387", "https://www.site.com/?p=4387#top", True),
    ],
)
def test_addresses_drop_the_query_unless_it_names_the_page(
    first: str, second: str, same: bool
) -> None:
    assert (blind_shape.address(first) == blind_shape.address(second)) is same
