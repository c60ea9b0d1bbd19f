"""Story blocks rendered once and reused: same emails, escaping kept, edits never stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from monitor.notify.compose import draft_alert, draft_digest
from monitor.notify.fragments import FragmentCache
from monitor.notify.messages import DigestEntry, Recipient
from monitor.notify.policy import DigestPeriod
from monitor.notify.wire import Draft
from tests.notify.helpers import LIST_ID, NOW, RECIPIENT, SENDER, make_links, make_story

HOSTILE_WHY = '</bdi><script>alert(1)</script> "q" & <b>'
PERIOD = DigestPeriod("Daily digest", NOW - timedelta(days=1), NOW, "daily.x", "2026-11-27")


def digest(cache: FragmentCache | None, why: str, recipient: Recipient = RECIPIENT) -> Draft:
    stories = [make_story(story_id=n, title=f"Story {n}") for n in range(1, 5)]
    return draft_digest(
        [DigestEntry(story, why, "Watch") for story in stories],
        recipient,
        period=PERIOD,
        subscription_name="Watch",
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
        fragments=cache,
    )


def alert(cache: FragmentCache | None, why: str, title: str = "Peace") -> Draft:
    return draft_alert(
        make_story(title=title),
        RECIPIENT,
        subscription_name="Watch",
        why=why,
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
        fragments=cache,
    )


def test_a_cached_block_gives_the_same_email_as_a_fresh_render() -> None:
    cache = FragmentCache()
    first = digest(cache, "peace AND kyiv")
    again = digest(cache, HOSTILE_WHY)  # every story from the cache, another reader's reason
    assert (cache.misses, cache.hits) == (4, 4)
    assert first == digest(None, "peace AND kyiv")
    assert again == digest(None, HOSTILE_WHY)
    assert alert(cache, HOSTILE_WHY) == alert(None, HOSTILE_WHY)


def test_the_reason_is_escaped_in_html_and_kept_in_text() -> None:
    cache = FragmentCache()
    digest(cache, "x")
    html, text = digest(cache, HOSTILE_WHY).html, digest(cache, HOSTILE_WHY).text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "</bdi><script>" in text  # plain text shows what was typed


def test_an_edited_story_is_rendered_again_and_zones_are_apart() -> None:
    cache = FragmentCache()
    assert "Peace" in alert(cache, "q").html
    edited = alert(cache, "q", title="Ceasefire")
    assert 'none;">Ceasefire</a>' in edited.html and 'none;">Peace</a>' not in edited.html
    sao_paulo = digest(cache, "q").text
    tokyo = digest(cache, "q", replace(RECIPIENT, time_zone="Asia/Tokyo")).text
    assert "09:30 UTC-03" in sao_paulo and "21:30 JST" in tokyo
    assert cache.misses == 2 + 8  # two alert stories, then four digest stories in two zones


def test_the_cache_is_bounded() -> None:
    cache = FragmentCache(limit=3)
    digest(cache, "q")
    assert len(cache) == 3
