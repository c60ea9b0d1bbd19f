"""Digest emails: grouping, ordering, counts and stable ids per period."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from monitor.notify.compose import compose_digest
from monitor.notify.messages import DigestEntry, StoryForEmail
from monitor.notify.policy import DeliverySettings, digest_period

from .helpers import (
    LIST_ID,
    NOW,
    RECIPIENT,
    SENDER,
    audit_html,
    body,
    make_links,
    make_story,
    parse,
)

PERIOD = digest_period(DeliverySettings(mode="daily", time_zone="America/Sao_Paulo"), NOW)


def at(hour: int) -> datetime:
    return datetime(2026, 11, 27, hour, 0, tzinfo=UTC)


STORIES = [
    make_story(
        story_id=1,
        title="Trade deal with Brazil",
        category="trade-economy",
        countries=("BR",),
        published=at(5),
        matched=(),
    ),
    make_story(
        story_id=2,
        title="Peace summit Argentina early",
        category="peace-plan",
        countries=("AR", "UY"),
        published=at(3),
        matched=(),
    ),
    make_story(
        story_id=3,
        title="Peace summit Argentina late",
        category="peace-plan",
        countries=("AR",),
        published=at(9),
        matched=(),
    ),
    make_story(
        story_id=4,
        title="Peace plan Chile",
        category="peace-plan",
        countries=("CL",),
        published=at(7),
        matched=(),
    ),
    make_story(
        story_id=5,
        title="Regional peace call",
        category="peace-plan",
        countries=(),
        published=at(10),
        matched=(),
    ),
    make_story(
        story_id=6,
        title="Odd category story",
        category="astrology",
        countries=("PE",),
        published=at(11),
        matched=(),
    ),
    make_story(
        story_id=7,
        title="Aid to Ukraine from Mexico",
        category="humanitarian",
        countries=("MX",),
        published=at(1),
        matched=(),
    ),
]


def digest(stories: list[StoryForEmail] | None = None, **overrides: Any) -> EmailMessage:
    entries = [
        DigestEntry(story, why=f"query for {story.story_id}") for story in (stories or STORIES)
    ]
    arguments: dict[str, Any] = {
        "period": PERIOD,
        "subscription_name": "Ukraine – Latin America",
        "links": make_links(),
        "sender": SENDER,
        "list_id": LIST_ID,
        "now": NOW,
    }
    arguments.update(overrides)
    return compose_digest(entries, RECIPIENT, **arguments)


def test_subject_and_summary_count_the_stories() -> None:
    message = digest()
    assert parse(message)["Subject"] == "[monitor] Daily digest: 7 stories (2026-11-27)"
    text = body(message, "plain")
    assert "7 stories: Peace plan 4, Trade and economy 1, Humanitarian 1, Other 1." in text
    assert text.index("7 stories") < text.index("Trade deal with Brazil")


def test_stories_are_grouped_by_category_then_country_newest_first() -> None:
    text = body(digest(), "plain")
    order = [
        "== Peace plan (4) ==",
        "-- Argentina --",
        "Peace summit Argentina late",
        "Peace summit Argentina early",
        "-- Chile --",
        "Peace plan Chile",
        "-- Other or no country --",
        "Regional peace call",
        "== Trade and economy (1) ==",
        "Trade deal with Brazil",
        "== Humanitarian (1) ==",
        "Aid to Ukraine from Mexico",
        "== Other (1) ==",
        "-- Peru --",
        "Odd category story",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_html_part_has_the_same_order_and_is_well_formed() -> None:
    html = body(digest(), "html")
    headings = re.findall(r"<h[234][^>]*>(?:<a [^>]*>)?([^<]+)", html)
    assert headings[:5] == [
        "Peace plan (4)",
        "Argentina",
        "Peace summit Argentina late",
        "Peace summit Argentina early",
        "Chile",
    ]
    audit = audit_html(html)
    assert audit.errors == [] and audit.stack == []
    assert html.count("Why it matched:") == 7


def test_each_entry_shows_outlet_date_and_why() -> None:
    text = body(digest(), "plain")
    assert text.count("The Rio Times, republished by MENAFN") == 7
    assert "Fri, 27 Nov 2026, 06:00 UTC-03" in text  # story 3, 09:00Z in São Paulo
    assert "Why it matched: query for 3" in text


def test_highlights_in_digest_entries() -> None:
    text = body(digest([make_story(story_id=9)]), "plain")
    assert "*Zelenskiy*" in text and "*Latin America*" in text
    html = body(digest([make_story(story_id=9)]), "html")
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", html) == [
        "Latin America",
        "Zelenskiy",
        "Paraguay",
    ]


def test_message_id_is_stable_per_subscriber_and_period() -> None:
    first = parse(digest())["Message-ID"]
    assert parse(digest(now=NOW + timedelta(minutes=5)))["Message-ID"] == first
    later = digest_period(
        DeliverySettings(mode="daily", time_zone="America/Sao_Paulo"), NOW + timedelta(days=1)
    )
    assert parse(digest(period=later))["Message-ID"] != first
    assert parse(digest())["X-Monitor-Delivery"] == "digest:7:daily-20261127T1100Z"
    assert parse(digest())["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_entry_names_its_subscription_when_given() -> None:
    entries = [DigestEntry(STORIES[0], why="brazil", subscription_name="Trade watch")]
    message = compose_digest(
        entries,
        RECIPIENT,
        period=PERIOD,
        subscription_name="All my alerts",
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
    )
    assert "Why it matched: Trade watch: brazil" in body(message, "plain")


def test_duplicate_stories_appear_once() -> None:
    message = digest([STORIES[0], STORIES[0], STORIES[1]])
    assert parse(message)["Subject"] == "[monitor] Daily digest: 2 stories (2026-11-27)"
    assert body(message, "plain").count("Trade deal with Brazil") == 1


def test_very_large_digest_shows_the_newest_hundred_but_counts_all() -> None:
    many = [
        replace(
            STORIES[0],
            story_id=n,
            title=f"Story number {n}",
            published=at(0) + timedelta(minutes=n),
        )
        for n in range(150)
    ]
    message = digest(many)
    text = body(message, "plain")
    assert parse(message)["Subject"] == "[monitor] Daily digest: 150 stories (2026-11-27)"
    assert "Showing the 100 newest." in text
    assert "Story number 149" in text and "Story number 49\n" not in text
    assert text.count("Why it matched:") == 100


def test_empty_digest_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one story"):
        compose_digest(
            [],
            RECIPIENT,
            period=PERIOD,
            subscription_name="x",
            links=make_links(),
            sender=SENDER,
            list_id=LIST_ID,
            now=NOW,
        )


def test_a_digest_of_the_header_injection_corpus_has_only_our_headers() -> None:
    from .injection import (
        ALERT_HEADERS,
        HOSTILE_NAME,
        HOSTILE_NAME_READ,
        hostile_items,
        read_clean_email,
        subject_read,
    )

    stories = [
        replace(STORIES[0], story_id=n, title=item.title, credited_outlet=item.outlet)
        for n, item in enumerate(hostile_items(), start=100)
    ]
    recipient = replace(RECIPIENT, display_name=HOSTILE_NAME)
    entries = [
        DigestEntry(story, why=HOSTILE_NAME, subscription_name=HOSTILE_NAME) for story in stories
    ]
    message = compose_digest(
        entries,
        recipient,
        period=PERIOD,
        subscription_name=HOSTILE_NAME,
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
    )
    parsed = read_clean_email(message.as_bytes(), RECIPIENT.email, ALERT_HEADERS)
    assert subject_read(parsed) == f"[monitor] Daily digest: {len(stories)} stories (2026-11-27)"
    assert parsed["To"].addresses[0].display_name == HOSTILE_NAME_READ
    assert parsed["List-Id"] == f'"{HOSTILE_NAME_READ}" <{LIST_ID}>'
