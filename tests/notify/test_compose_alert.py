"""One-story alert emails, checked the way a mail client would read them."""

from __future__ import annotations

import re
from dataclasses import replace
from email.message import EmailMessage

import pytest

from monitor.errors import ConfigError, PermanentDeliveryError
from monitor.notify.links import EmailLinks
from monitor.notify.messages import Recipient, Sender

from .helpers import (
    LIST_ID,
    NOW,
    RECIPIENT,
    audit_html,
    body,
    make_alert,
    make_links,
    make_story,
    parse,
)
from .injection import (
    ALERT_HEADERS,
    HOSTILE_NAME,
    HOSTILE_NAME_READ,
    expected_subjects,
    hostile_items,
    item_key,
    read_clean_email,
    subject_read,
)

LIST_HEADERS = set(ALERT_HEADERS)


def header_names(message: EmailMessage) -> set[str]:
    return {name.lower() for name, _ in parse(message).items()}


def test_alert_is_multipart_alternative_with_utf8_text_and_html() -> None:
    parsed = parse(make_alert())
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    for part in parts:
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"


def test_serialized_message_uses_crlf_and_short_lines() -> None:
    raw = make_alert().as_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert raw.isascii()


def test_alert_carries_every_list_header() -> None:
    parsed = parse(make_alert())
    assert header_names(make_alert()) == LIST_HEADERS
    links = make_links()
    assert parsed["List-Unsubscribe"] == f"<{links.unsubscribe_url}>, <{links.unsubscribe_mailto}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == f'"Ukraine – Latin America" <{LIST_ID}>'
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Monitor-Delivery"] == "alert:42:7"
    assert parsed["Subject"] == "[monitor] Ukraine's New Diplomatic Horizon In Latin America"
    assert parsed["Date"].datetime == NOW
    assert parsed["From"].addresses[0].addr_spec == "alerts@monitor.example.org"
    to = parsed["To"].addresses
    assert [(a.display_name, a.addr_spec) for a in to] == [("Ana Pérez", "ana@example.org")]


def test_message_id_is_stable_per_story_and_subscriber() -> None:
    first = parse(make_alert())["Message-ID"]
    again = parse(make_alert(now=NOW.replace(hour=12)))["Message-ID"]
    other_subscriber = parse(make_alert(recipient=replace(RECIPIENT, subscriber_id=8)))[
        "Message-ID"
    ]
    other_story = parse(make_alert(make_story(story_id=43)))["Message-ID"]
    assert first == again
    assert len({first, other_subscriber, other_story}) == 3
    assert re.fullmatch(r"<alert\.42\.7\.[0-9a-f]{16}@monitor\.example\.org>", first)


def test_same_inputs_give_identical_bodies() -> None:
    assert body(make_alert(), "plain") == body(make_alert(), "plain")
    assert body(make_alert(), "html") == body(make_alert(), "html")
    assert body(make_alert(), "html") != body(make_alert(why="other query"), "html")


def test_update_threads_to_the_original_alert() -> None:
    original = parse(make_alert())["Message-ID"]
    update = parse(make_alert(update=True, revision=2))
    assert update["Subject"].startswith("[monitor] Update: ")
    assert update["In-Reply-To"] == original
    assert update["References"] == original
    assert update["Message-ID"] not in {
        original,
        parse(make_alert(update=True, revision=3))["Message-ID"],
    }
    assert update["Message-ID"] == parse(make_alert(update=True, revision=2))["Message-ID"]
    assert "Update to a story you were alerted about" in body(make_alert(update=True), "html")


def test_update_threads_to_a_given_previous_update() -> None:
    original = parse(make_alert())["Message-ID"]
    previous = parse(make_alert(update=True, revision=1))["Message-ID"]
    update = parse(make_alert(update=True, revision=2, previous_message_id=previous))
    assert update["In-Reply-To"] == previous
    assert update["References"] == f"{original} {previous}"
    garbage = parse(
        make_alert(update=True, revision=2, previous_message_id="x\r\nBcc: evil@example.org")
    )
    assert garbage["In-Reply-To"] == original
    assert "bcc" not in header_names(
        make_alert(update=True, previous_message_id="x\r\nBcc: e@x.org")
    )


def test_plain_http_unsubscribe_does_not_promise_one_click() -> None:
    message = make_alert(links=make_links(base="http://localhost:8080"))
    assert "list-unsubscribe-post" not in header_names(message)
    assert parse(message)["List-Unsubscribe"].startswith("<http://localhost:8080/u/")


def test_text_part_shows_everything_a_reader_needs() -> None:
    text = body(make_alert(), "plain")
    assert "Ukraine's New Diplomatic Horizon In *Latin America*" in text
    assert "The Rio Times, republished by MENAFN - Mon, 11 Dec 2023, 09:30 UTC-03" in text
    assert "*Zelenskiy*" in text and "*Paraguay*" in text
    assert "Peace plan - Paraguay, Ecuador, Uruguay, Argentina - relevance 0.91" in text
    assert "Why it matched: zelensk* AND (paraguay OR ecuador)" in text
    assert "Read: https://menafn.com/1107613421/ukraines-new-diplomatic-horizon" in text
    links = make_links()
    assert f"Unsubscribe: {links.unsubscribe_url}" in text
    assert f"Change preferences: {links.preferences_url}" in text
    assert "<" not in text.replace("<http", "")  # no markup leaks into the plain part
    assert max(len(line) for line in text.splitlines() if "://" not in line) <= 72


def test_html_part_highlights_the_matched_words() -> None:
    html = body(make_alert(), "html")
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", html)
    assert marks == ["Latin America", "Zelenskiy", "Paraguay"]
    assert "<bdi>The Rio Times, republished by MENAFN</bdi>" in html
    assert "Mon, 11 Dec 2023, 09:30 UTC-03" in html
    assert 'href="https://menafn.com/1107613421/ukraines-new-diplomatic-horizon"' in html
    audit = audit_html(html)
    assert audit.errors == [] and audit.stack == []
    assert "img" not in audit.tags  # no remote images, no tracking pixels


def test_dates_follow_the_recipient_zone_and_unknown_zones_fall_back_to_utc() -> None:
    kyiv = make_alert(recipient=replace(RECIPIENT, time_zone="Europe/Kyiv"))
    assert "Mon, 11 Dec 2023, 14:30 EET" in body(kyiv, "plain")
    unknown = make_alert(recipient=replace(RECIPIENT, time_zone="Nowhere/Special"))
    assert "Mon, 11 Dec 2023, 12:30 UTC" in body(unknown, "plain")
    assert "Dates are shown in UTC." in body(unknown, "plain")


def test_story_without_a_safe_url_has_no_link() -> None:
    message = make_alert(make_story(url="javascript:alert(document.cookie)"))
    html = body(message, "html")
    assert "javascript:" not in html
    assert "No link available for this story." in html
    assert "No link available for this story." in body(message, "plain")
    hrefs = [value for _, name, value in audit_html(html).attributes if name == "href"]
    assert hrefs and all(
        value and value.startswith("https://monitor.example.org/") for value in hrefs
    )


@pytest.mark.parametrize(
    "field",
    ["title", "credited_outlet", "republishers", "snippet"],
)
def test_crlf_in_story_fields_never_makes_a_header(field: str) -> None:
    hostile = "Zelensky\r\nBcc: evil@example.org\r\n\r\n<script>alert(1)</script>"
    value: object = (hostile,) if field == "republishers" else hostile
    message = make_alert(make_story(**{field: value}))
    assert header_names(message) == LIST_HEADERS
    assert "Zelensky" in body(message, "plain")


def test_crlf_in_names_and_queries_never_makes_a_header() -> None:
    hostile = "Ana\r\nBcc: evil@example.org\nX-Evil: 1"
    message = make_alert(
        recipient=replace(RECIPIENT, display_name=hostile),
        subscription_name=hostile,
        why=hostile,
    )
    parsed = parse(message)
    assert header_names(message) == LIST_HEADERS
    assert len(parsed["To"].addresses) == 1
    assert parsed["To"].addresses[0].addr_spec == "ana@example.org"
    assert "Bcc: evil@example.org" in parsed["To"].addresses[0].display_name


@pytest.mark.parametrize("item", hostile_items(), ids=item_key)
def test_the_header_injection_corpus_never_makes_a_header_or_a_body(item: object) -> None:
    from monitor.models import FeedItem

    assert isinstance(item, FeedItem)
    story = make_story(
        title=item.title,
        credited_outlet=item.outlet,
        republishers=(item.original_outlet or HOSTILE_NAME,),
        matched=(),
    )
    message = make_alert(
        story,
        recipient=replace(RECIPIENT, display_name=HOSTILE_NAME),
        subscription_name=HOSTILE_NAME,
        why=HOSTILE_NAME,
    )
    parsed = read_clean_email(message.as_bytes(), RECIPIENT.email, ALERT_HEADERS)
    assert subject_read(parsed) == expected_subjects()[item_key(item)]
    assert parsed["To"].addresses[0].display_name == HOSTILE_NAME_READ
    assert parsed["List-Id"] == f'"{HOSTILE_NAME_READ}" <{LIST_ID}>'


def test_odd_unicode_renders_readably() -> None:
    title = "Зеленський \u202eи\u202c Пенья 🇺🇦 زيلينسكي Pen\u0303a\u200b"
    story = make_story(title=title, matched=(), credited_outlet="Ukrinform 🇺🇦", republishers=())
    message = make_alert(story)
    parsed = parse(message)
    assert parsed["Subject"] == "[monitor] Зеленський и Пенья 🇺🇦 زيلينسكي Peña"
    html = body(message, "html")
    assert "Зеленський и Пенья 🇺🇦 زيلينسكي Peña" in html
    assert "\u202e" not in html and "\u200b" not in html
    assert "Ukrinform 🇺🇦" in body(message, "plain")


def test_huge_fields_are_truncated() -> None:
    story = make_story(
        title="Zelensky " * 5000,
        snippet="Peña " * 200_000,
        matched=(),
        republishers=("X" * 10_000,),
    )
    message = make_alert(story, why="q " * 100_000)
    assert len(message.as_bytes()) < 40_000
    parsed = parse(message)
    assert len(parsed["Subject"]) <= 120


def test_invalid_recipient_address_fails_permanently() -> None:
    with pytest.raises(PermanentDeliveryError):
        make_alert(recipient=Recipient(7, "ana@example.org\r\nBcc: x@example.org"))


def test_invalid_sender_address_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        make_alert(sender=Sender("monitor alerts", "x"))


def test_footer_links_must_be_http() -> None:
    links = EmailLinks(
        "javascript:alert(1)", "mailto:u@example.org?subject=t", "https://m.example.org/p/t"
    )
    with pytest.raises(ConfigError):
        make_alert(links=links)
