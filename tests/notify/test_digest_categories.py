"""Digest groups for the categories of every loaded topic, not only the founding one's."""

from __future__ import annotations

import email
import email.policy
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


def test_a_digest_of_several_topics_groups_by_topic_then_category() -> None:
    ru, ua = "Russia–Latin America relations", "Ukraine–Latin America diplomacy"

    def under(story_id: int, category: str, topic: str) -> DigestEntry:
        story = replace(make_story(), story_id=story_id, category=category, topic=topic)
        return DigestEntry(story=story, why="q")

    mixed = [
        under(1, "peace-plan", ua),
        under(2, "energy-nuclear", ru),
        under(3, "trade-economy", ru),
        under(4, "trade-economy", ua),
        under(5, "other", "All stories (no topic alerted it)"),
    ]
    groups = digest_groups(mixed, lambda e: e.story.story_id)
    assert [(g.name, [s for c in g.countries for s in c.stories]) for g in groups] == [
        ("All stories (no topic alerted it): Other", [5]),
        (f"{ru}: Trade and economy", [3]),
        (f"{ru}: Energy and nuclear", [2]),
        (f"{ua}: Peace plan", [1]),
        (f"{ua}: Trade and economy", [4]),
    ]
    # One topic (a topic subscription's digest): categories alone, as before.
    single = digest_groups(mixed[1:3], lambda e: e.story.story_id)
    assert [g.name for g in single] == ["Trade and economy", "Energy and nuclear"]


def test_alert_and_digest_emails_say_which_topic_a_story_is_for() -> None:
    from datetime import timedelta

    from monitor.notify.compose import draft_digest
    from monitor.notify.messages import Recipient
    from monitor.notify.policy import DigestPeriod
    from monitor.notify.wire import draft_bytes
    from tests.notify.helpers import LIST_ID, NOW, SENDER, body, make_alert, make_links

    story = replace(make_story(), topic="Russia–Latin America relations")
    alert = make_alert(story)
    assert "Topic: Russia–Latin America relations" in body(alert, "plain")
    assert "Topic: <bdi>Russia–Latin America relations</bdi>" in body(alert, "html")
    assert "Topic:" not in body(make_alert(make_story()), "plain")  # no topic, no line
    period = DigestPeriod("Daily digest", NOW - timedelta(days=1), NOW, "daily.x", "2026-11-27")
    draft = draft_digest(
        [
            DigestEntry(story, "q", "Watch"),
            DigestEntry(replace(make_story(), story_id=2, topic="Ukraine–Latin America diplomacy"),
                        "q", "Watch"),
        ],
        Recipient(7, "ana@example.org", "Ana", "UTC"),
        period=period,
        subscription_name="Watch",
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
    )
    parsed = email.message_from_bytes(
        draft_bytes(draft, "ana@example.org"), policy=email.policy.default
    )
    plain = parsed.get_body(("plain",))
    assert plain is not None
    text = " ".join(plain.get_content().split())
    assert "== Russia–Latin America relations: Peace plan (1) ==" in text
    assert "== Ukraine–Latin America diplomacy: Peace plan (1) ==" in text
