"""Header values: stable Message-IDs, subjects, addresses, the list headers."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ConfigError, PermanentDeliveryError
from monitor.notify.headers import (
    MAIL_POLICY,
    SUBJECT_LIMIT,
    alert_subject,
    delivery_key,
    digest_subject,
    list_id,
    list_unsubscribe,
    mailbox,
    message_id_for,
)

from .helpers import parse


def test_message_id_is_stable_readable_and_distinct() -> None:
    first = message_id_for("alert", (42, 7), "monitor.example.org")
    assert first == message_id_for("alert", (42, 7), "monitor.example.org")
    assert re.fullmatch(r"<alert\.42\.7\.[0-9a-f]{16}@monitor\.example\.org>", first)
    others = {
        message_id_for("alert", (42, 8), "monitor.example.org"),
        message_id_for("alert", (43, 7), "monitor.example.org"),
        message_id_for("update", (42, 7), "monitor.example.org"),
        message_id_for("alert", (427,), "monitor.example.org"),
    }
    assert first not in others and len(others) == 4


def test_message_id_parts_that_clean_to_the_same_text_still_differ() -> None:
    a = message_id_for("digest", (7, "daily 2026"), "m.example.org")
    b = message_id_for("digest", (7, "daily/2026"), "m.example.org")
    assert a != b
    assert a.split(".")[:3] == b.split(".")[:3]


@given(st.text(max_size=80), st.integers(min_value=0))
def test_message_id_survives_the_email_parser(part: str, number: int) -> None:
    value = message_id_for("digest", (number, part), "monitor.example.org")
    assert len(value) <= 64
    message = EmailMessage(policy=MAIL_POLICY)
    message["Message-ID"] = value
    assert parse(message)["Message-ID"] == value


def test_bad_message_id_domain_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        message_id_for("alert", (1,), "bad domain>\r\nX: y")


def test_delivery_key_is_readable() -> None:
    assert delivery_key("alert", (42, 7)) == "alert:42:7"
    assert delivery_key("digest", (7, "daily.20261127T1100Z")) == "digest:7:daily-20261127T1100Z"


def test_alert_subjects_are_prefixed_one_line_and_short() -> None:
    assert alert_subject("Zelensky meets Peña") == "[monitor] Zelensky meets Peña"
    assert (
        alert_subject("Zelensky meets Peña", update=True) == "[monitor] Update: Zelensky meets Peña"
    )
    assert alert_subject("  \r\n ") == "[monitor] (untitled story)"
    long = alert_subject("Zelensky " * 40)
    assert len(long) <= SUBJECT_LIMIT and long.endswith("…") and "\n" not in long


def test_digest_subject_counts_stories() -> None:
    assert (
        digest_subject("Daily digest", 5, "2026-11-27")
        == "[monitor] Daily digest: 5 stories (2026-11-27)"
    )
    assert (
        digest_subject("Daily digest", 1, "2026-11-27")
        == "[monitor] Daily digest: 1 story (2026-11-27)"
    )


@pytest.mark.parametrize(
    "address",
    [
        "ana@example.org\r\nBcc: x@evil.org",
        "ana@example.org, x@evil.org",
        "Ana <ana@example.org>",
        "ana",
        "ána@example.org",
        "ana@localhost",
    ],
)
def test_unusable_recipient_addresses_fail_permanently(address: str) -> None:
    with pytest.raises(PermanentDeliveryError):
        mailbox("Ana", address)


def test_display_name_is_cleaned_and_quoted() -> None:
    address = mailbox('Eve\r\nBcc: evil@example.org, "Boss"', "eve@example.org")
    assert address.addr_spec == "eve@example.org"
    assert "\n" not in address.display_name and "\r" not in address.display_name


@pytest.mark.parametrize(
    "name",
    [
        "0" * 74 + ":;",  # found by hypothesis: folded without its quotes, it read as a group
        '"quoted" ' + "z" * 70,
        "ñ" * 30 + ":;",
        "O'Brien, Jane",
    ],
)
def test_long_display_names_with_specials_still_reach_one_reader(name: str) -> None:
    message = EmailMessage(policy=MAIL_POLICY)
    message["To"] = mailbox(name, "reader@example.org")
    (address,) = parse(message)["To"].addresses
    assert address.addr_spec == "reader@example.org"
    letters = [c for c in name if c.isalnum()]
    assert [c for c in address.display_name if c.isalnum()] == letters


def test_list_id_quotes_the_description() -> None:
    assert (
        list_id('UA "LatAm"\r\nX: y', "ua.monitor.example.org")
        == "\"UA 'LatAm' X: y\" <ua.monitor.example.org>"
    )
    with pytest.raises(ConfigError):
        list_id("x", "not an id")


def test_list_unsubscribe_is_folded_between_items_never_encoded() -> None:
    url = "https://monitor.example.org/u/" + "T" * 90
    mailto = "mailto:unsubscribe@monitor.example.org?subject=" + "T" * 90
    message = EmailMessage(policy=MAIL_POLICY)
    message["List-Unsubscribe"] = list_unsubscribe(url, mailto)
    raw = message.as_bytes()
    assert f"List-Unsubscribe: <{url}>,\r\n <{mailto}>\r\n".encode() in raw
    assert b"=?utf-8?" not in raw
    assert parse(message)["List-Unsubscribe"] == f"<{url}>, <{mailto}>"
    with pytest.raises(ConfigError):
        list_unsubscribe("https://x.example.org/u/a b", mailto)
