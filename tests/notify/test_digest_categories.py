"""Digest groups for the categories of every loaded topic, not only the founding one's."""

from __future__ import annotations

from dataclasses import replace

from monitor.notify.messages import DigestEntry
from monitor.notify.views import digest_groups, digest_summary
from tests.notify.helpers import make_story


def entry(story_id: int, category: str | None) -> DigestEntry:
    return DigestEntry(story=replace(make_story(), story_id=story_id, category=category), why="q")


def test_another_topics_categories_get_their_own_groups_before_other() -> None:
    entries = [
        entry(1, "other"),
        entry(2, "energy-nuclear"),
        entry(3, "peace-plan"),
        entry(4, "media-influence"),
        entry(5, None),
        entry(7, "astrology"),
        entry(6, "energy-nuclear"),
    ]
    groups = digest_groups(entries, lambda e: e.story.story_id)
    assert [g.name for g in groups] == [
        "Peace plan",
        "Energy and nuclear",
        "Media and influence",
        "Other",
    ]
    assert digest_summary(entries) == (
        "7 stories: Peace plan 1, Energy and nuclear 2, Media and influence 1, Other 3."
    )
