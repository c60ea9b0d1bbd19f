"""Story blocks rendered once and reused: same emails, escaping kept, edits never stale."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.notify.compose import _footer_context, _footer_shell, draft_alert, draft_digest
from monitor.notify.fragments import FragmentCache
from monitor.notify.messages import DigestEntry, Recipient, StoryForEmail, _story_values
from monitor.notify.policy import DigestPeriod
from monitor.notify.render import environment, render_footer
from monitor.notify.views import story_view
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
    # Two alert stories, then four digest stories rendered once for both zones (each
    # zone's date filled in): ten blocks shown, six rendered.
    assert cache.misses == 2 + 4
    assert len(cache) == 2 + 8


def test_a_story_view_hashes_by_the_fields_it_is_compared_by() -> None:
    # Its hash is made once, from a list of its fields: a field added to the view but not
    # to that list would let two different views share a cached block.
    compared = [f.name for f in fields(StoryForEmail) if f.compare]
    story = make_story()
    assert _story_values(story) == tuple(getattr(story, name) for name in compared)
    edits: list[tuple[str, Any]] = [("title", "Ceasefire"), ("also_reported", 3), ("matched", ())]
    for name, other in edits:
        changed = replace(story, **{name: other})
        assert changed != story and hash(changed) != hash(story)
        assert hash(replace(changed, **{name: getattr(story, name)})) == hash(story)


def test_the_cache_is_bounded() -> None:
    cache = FragmentCache(limit=3)
    digest(cache, "q")
    assert len(cache) == 3


ZONES = st.sampled_from(
    ["UTC", "Pacific/Kiritimati", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Pago_Pago"]
)
OUTLETS = st.one_of(
    st.sampled_from(["The Rio Times", "", "O Globo <b>&</b>", "x" * 70, "Agência " * 9]),
    st.text(max_size=90),
)


@settings(max_examples=150, deadline=None)
@given(
    zone=ZONES,
    language=st.sampled_from(["en", "es", "pt"]),
    outlet=OUTLETS,
    republishers=st.lists(st.sampled_from(["MENAFN", "Yahoo News " * 4, "Reuters"]), max_size=3),
    estimated=st.booleans(),
    why=st.one_of(st.just(HOSTILE_WHY), st.text(max_size=60)),
    layout=st.sampled_from(["alert", "digest"]),
)
def test_a_block_filled_in_for_a_zone_is_the_block_rendered_for_it(
    zone: str,
    language: str,
    outlet: str,
    republishers: list[str],
    estimated: bool,
    why: str,
    layout: str,
) -> None:
    """The oracle is the template macro itself, given the reader's whole view: the block
    rendered once for all zones and filled in per zone must be exactly that."""
    story = make_story(
        credited_outlet=outlet, republishers=tuple(republishers), published_estimated=estimated
    )
    where = ZoneInfo(zone)
    cache = FragmentCache()
    cache.block(story, "warm", ZoneInfo("Europe/Kyiv"), layout, language)  # zone-free render
    shown = cache.block(story, why, where, layout, language)
    view = story_view(story, why, where, language)
    env = environment()
    tag = "h2" if layout == "alert" else "h4"
    html_module: Any = env.get_template("_story.html.j2").module
    text_module: Any = env.get_template("_story.txt.j2").module
    html = str(html_module.story_block(view, tag=tag))
    text = str(text_module.story_block(view))
    assert (str(shown.html), shown.text) == (html, text)
    assert cache.misses == 1  # the second zone was filled in, not rendered


@settings(max_examples=100, deadline=None)
@given(
    language=st.sampled_from(["en", "es", "pt"]),
    name=st.one_of(st.just('O Globo <b>&</b> "q"'), st.text(max_size=80)),
    zone=ZONES,
    query=st.sampled_from(["", "?a=1&b=2", "?q='x'", "?t=" + "A" * 120]),
)
def test_a_footer_filled_in_with_a_readers_links_is_the_footer_rendered_for_them(
    language: str, name: str, zone: str, query: str
) -> None:
    recipient = replace(RECIPIENT, language=language, time_zone=zone)
    links = replace(
        make_links(),
        preferences_url=f"https://alerts.example.org/p{query}",
        unsubscribe_url=f"https://alerts.example.org/u{query}",
    )
    context = _footer_context(recipient, name, links)
    assert _footer_shell(language, zone) is not None  # filled in, not rendered whole
    assert (context["footer_text"], context["footer_html"]) == render_footer(context)


def test_an_equal_view_rebuilt_later_finds_the_cached_block() -> None:
    """The assembler rebuilds views each pass: an equal view (another object) is a hit and
    gives the same email."""
    cache = FragmentCache()
    first = alert(cache, "q")
    story = make_story(title="Peace")
    rebuilt = replace(story, title="Peace")
    assert rebuilt is not story and rebuilt == story
    again = draft_alert(
        rebuilt,
        RECIPIENT,
        subscription_name="Watch",
        why="q",
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
        fragments=cache,
    )
    assert again == first and cache.misses == 1
