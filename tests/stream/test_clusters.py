"""The worker's clustering plan (pure): which story each fresh item joins, by the one
same-story rule the identity tests pin down."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from monitor.feeds.identity import item_likeness, likeness
from monitor.feeds.normalize import normalize_entry
from monitor.models import FeedItem
from monitor.stream.clusters import KnownStory, PlannedStory, mark_alerted, plan_clusters
from tests.feeds.feed_samples import FETCHED_AT, entry

BRIEF = "Latin America Daily Brief"
MONDAY = (
    "Argentine President Javier Milei received Ukrainian President Volodymyr Zelensky at the "
    "Casa Rosada in Buenos Aires on Monday, and the two leaders discussed the peace formula."
)
TUESDAY = (
    "Brazil's foreign minister Mauro Vieira spoke by telephone with Ukrainian foreign minister "
    "Dmytro Kuleba on Tuesday about a possible visit to Kyiv and a proposal for peace talks."
)


def item(
    title: str,
    text: str,
    *,
    hours: float = 0,
    outlet: str = "LatAm Wire",
    original: str | None = None,
    guid: str | None = None,
) -> FeedItem:
    made = normalize_entry(
        entry(title_html=title, summary_html=text, guid=guid or f"{outlet}-{title}-{hours}"),
        feed_url=f"https://{outlet.lower().replace(' ', '')}.example/feed",
        outlet=outlet,
        feed_lang="en",
        fetched_at=FETCHED_AT,
    )
    return replace(
        made,
        published=FETCHED_AT - timedelta(days=3) + timedelta(hours=hours),
        published_estimated=False,
        original_outlet=original,
    )


def stored(story_id: int, of: FeedItem, *, outlet: str | None = None) -> KnownStory:
    """A story in the store, read back as the worker reads it (text cut to its opening)."""
    return KnownStory(
        id=story_id,
        likeness=likeness(of.title_key, of.simhash, of.text[:1001], of.published),
        credited_outlet=outlet or of.credited_outlet,
        text_len=len(of.text),
    )


def plan(fresh: list[FeedItem], known: Sequence[KnownStory] = ()) -> list[PlannedStory]:
    return plan_clusters([(i, None) for i in fresh], known)


def groups(planned: list[PlannedStory]) -> list[tuple[int | None, list[str]]]:
    return [(s.id, [i.item_id for i, _ in s.copies]) for s in planned]


def test_a_recurring_headline_over_another_days_text_is_a_new_story() -> None:
    monday, tuesday = item(BRIEF, MONDAY), item(BRIEF, TUESDAY, hours=24)
    planned = plan([tuesday], [stored(7, monday)])
    assert groups(planned) == [(None, [tuesday.item_id])]
    assert planned[0].classify_with == tuesday, "a new story is classified, so it can alert"


def test_recurring_headlines_in_one_batch_stay_apart() -> None:
    days = [item(BRIEF, MONDAY), item(BRIEF, TUESDAY, hours=24)]
    assert groups(plan(days)) == [(None, [days[0].item_id]), (None, [days[1].item_id])]


def test_a_syndicated_copy_joins_its_stored_original_and_credits_it() -> None:
    original = item(BRIEF, TUESDAY, hours=24)
    excerpt = " ".join(TUESDAY.split()[:14]) + "..."
    copy = item(BRIEF.title(), excerpt, hours=30, outlet="MENAFN", original="LatAm Wire")
    planned = plan([copy], [stored(3, item(BRIEF, MONDAY)), stored(4, original, outlet="MENAFN")])
    assert groups(planned) == [(4, [copy.item_id])]
    assert planned[0].changes == {"credited_outlet": "LatAm Wire"}
    assert planned[0].classify_with is None, "a shorter copy does not re-classify its story"


def test_a_copy_in_the_same_batch_joins_the_new_story() -> None:
    original = item(BRIEF, TUESDAY)
    copy = item(BRIEF.upper(), TUESDAY + " More paragraphs follow.", hours=2, outlet="Other")
    planned = plan([original, copy])
    assert groups(planned) == [(None, [original.item_id, copy.item_id])]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (item("Brazil", "Lula told Zelensky in a call that Brazil backs peace negotiations."),
         item("Brazil", "Ukraine's embassy hosted senators to discuss grain exports.", hours=5)),
        (item("Statement", ""), item("Statement", "", hours=1)),
        (item("Morning Call", "Markets open higher."), item("Morning Call", "Markets open higher.", hours=24)),
    ],
)  # fmt: skip
def test_short_generic_headlines_never_merge_stories(a: FeedItem, b: FeedItem) -> None:
    assert len(plan([a, b])) == 2
    assert len(plan([b], [stored(1, a)])) == 1 and plan([b], [stored(1, a)])[0].id is None


def test_a_headline_only_item_joins_within_the_window_and_not_after() -> None:
    first = item("Zelensky calls Lula to discuss peace formula", "")
    soon = item("Zelensky Calls Lula To Discuss Peace Formula", "", hours=3, outlet="Other")
    months = item("Zelensky calls Lula to discuss peace formula", "", hours=24 * 90, outlet="Other")
    assert plan([soon], [stored(5, first)])[0].id == 5
    assert plan([months], [stored(5, first)])[0].id is None


def test_an_item_joins_the_story_with_its_headline_before_a_nearer_fingerprint() -> None:
    original = item(BRIEF, TUESDAY)
    rewrite = replace(original, item_id="g:rewrite", title="Brazil and Ukraine talk peace",
                      title_key="brazil and ukraine talk peace", simhash=original.simhash ^ 0b1)
    copy = item(BRIEF, TUESDAY, hours=1, outlet="Other")
    planned = plan([copy], [stored(1, rewrite), stored(2, original)])
    assert groups(planned) == [(2, [copy.item_id])]


def test_the_nearest_fingerprint_wins_and_ties_go_to_the_oldest() -> None:
    base = item("Ukraine and Guatemala agree to expand grain trade", TUESDAY + " " + MONDAY)
    near = replace(base, item_id="g:near", title_key="other headline one", simhash=base.simhash ^ 0b1)
    far = replace(base, item_id="g:far", title_key="other headline two", simhash=base.simhash ^ 0b111)
    twin = replace(near, item_id="g:twin", title_key="other headline three")
    probe = replace(base, item_id="g:probe", title_key="yet another headline")
    assert plan([probe], [stored(1, far), stored(2, near), stored(3, twin)])[0].id == 2


def test_a_fuller_copy_replaces_the_text_of_a_new_or_stored_story() -> None:
    stub = item(BRIEF, "Read more.")
    full = item(BRIEF, TUESDAY, hours=1, outlet="Other")
    (new,) = plan([stub, full])
    assert new.first.text == full.text and new.classify_with == full
    (old,) = plan([full], [stored(9, stub)])
    assert old.id == 9 and old.changes["text"] == full.text and old.classify_with == full


def test_alerted_stories_keep_their_text_and_are_classified_for_the_other_topics() -> None:
    stub = item(BRIEF, "Read more.")
    full = item(BRIEF, TUESDAY, hours=1, outlet="Other", original="LatAm Wire")
    planned = plan([full], [stored(9, stub, outlet="Other")])
    mark_alerted(planned, {9: frozenset({"ukraine-latam"})})
    (story,) = planned
    assert story.alerted_topics == {"ukraine-latam"} and story.classify_with == full
    assert story.changes == {"credited_outlet": "LatAm Wire"}
    unalerted = plan([full], [stored(9, stub, outlet="Other")])
    mark_alerted(unalerted, {})
    assert not unalerted[0].alerted_topics and "text" in unalerted[0].changes


def test_the_store_reads_enough_text_to_judge_like_the_whole_item() -> None:
    """Stored stories come back cut to their opening; the rule must see the same words."""
    long = item(BRIEF, (TUESDAY + " ") * 40)
    assert likeness(long.title_key, long.simhash, long.text[:1001], long.published) == (
        item_likeness(long)
    )
