"""Header values: stable Message-IDs, subjects, addresses, the list headers."""

from __future__ import annotations

import base64
import re
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ConfigError, PermanentDeliveryError, UnsafeMessageError
from monitor.notify.headers import (
    MAIL_POLICY,
    NAME_LIMIT,
    SUBJECT_LIMIT,
    alert_subject,
    delivery_key,
    digest_subject,
    header_text,
    list_id,
    list_unsubscribe,
    mailbox,
    message_id_for,
    wire_bytes,
)
from monitor.notify.text import clean_inline

from .helpers import parse
from .injection import raw_header_names


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


def q_word(text: str, charset: str = "utf-8") -> str:
    """``text`` as one RFC 2047 Q-encoded word, every byte escaped."""
    return f"=?{charset}?q?" + "".join(f"={byte:02X}" for byte in text.encode()) + "?="


def b_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def nested(text: str, depth: int, *, binary: bool = False) -> str:
    for _ in range(depth):
        text = b_word(text) if binary else q_word(text)
    return text


ENCODED_WORDS = [
    (
        q_word("Peña in Asunción\r\nReply-To: x@evil.example\r\n\r\nbody"),
        "Peña in Asunción Reply-To: x@evil.example body",
    ),
    (b_word("Kyiv\r\nBcc: victim@evil.example"), "Kyiv Bcc: victim@evil.example"),
    (nested("Lula\r\nX-Evil: 2", 2), "Lula X-Evil: 2"),
    (nested("Lula\r\nX-Evil: 3", 3), "Lula X-Evil: 3"),
    (nested("Lula\r\nX-Evil: 7", 7, binary=True), "Lula X-Evil: 7"),
    (q_word("Milei\rX-Evil: bare CR"), "Milei X-Evil: bare CR"),
    (
        q_word("Petro\u2028X-Evil: 1\u2029X-Evil: 2\x85X-Evil: 3"),
        "Petro X-Evil: 1 X-Evil: 2 X-Evil: 3",
    ),
    (q_word("Pe\x00ru\x07\x1b[31m\u202eabc"), "Peru[31mabc"),
    (
        q_word("Guatemala\r\nBcc: x@evil.example", "x-no-such-charset"),
        "Guatemala Bcc: x@evil.example",
    ),
    ("=?utf-8*es?q?Costa_Rica=0AX-Evil:_1?=", "Costa Rica X-Evil: 1"),
    ("Panama=?utf-8?q?=0D=0AX-Evil:_1?=canal", "Panama X-Evil: 1canal"),
    ('"=?utf-8?q?Abinader=0AX-Evil:_1?="', '"Abinader X-Evil: 1"'),
    ("=?utf-8?q?Bolivia_?= =?utf-8?q?=0D=0ABcc:_x@evil.example?=", "Bolivia Bcc: x@evil.example"),
    ("=?utf-8?q?a_b=0A?= =?UTF-8?B?Yw0KZA==?=", "a b c d"),
    # Not encoded words: shown as written.
    ("=?utf-8?q?never closed", "=?utf-8?q?never closed"),
    ("2+2=? and x=?y", "2+2=? and x=?y"),
]


@pytest.mark.parametrize(("value", "expected"), ENCODED_WORDS)
def test_encoded_words_are_decoded_before_cleaning(value: str, expected: str) -> None:
    assert header_text(value, 200) == expected


def test_deep_nesting_stops_decoding_and_breaks_the_syntax() -> None:
    text = header_text(nested("Lula\r\nX-Evil: 1", 12, binary=True), 1000)
    assert "\n" not in text and "\r" not in text and "=?" not in text
    assert header_text(text, 1000) == text


def test_subject_shows_the_decoded_headline() -> None:
    title = q_word("Zelensky in Asunción\r\nReply-To: x@evil.example")
    assert alert_subject(title) == "[monitor] Zelensky in Asunción Reply-To: x@evil.example"
    assert alert_subject(q_word("\r\n \x00")) == "[monitor] (untitled story)"
    long = alert_subject(q_word("é" * 400))
    assert len(long) == SUBJECT_LIMIT and long.endswith("é…")


_HOSTILE_CHARS = st.sampled_from(
    [
        "\r",
        "\n",
        "\r\n",
        "\x00",
        "\u2028",
        "\x85",
        "\t",
        "=?",
        "?=",
        "_",
        " ",
        ":",
        "Bcc: x@evil.example",
        "é",
        "\u202e",
        '"',
    ]
)


@st.composite
def hostile_values(draw: st.DrawFn) -> str:
    """Text with line breaks and controls, wrapped in 0–4 layers of encoded words."""
    text = "".join(draw(st.lists(st.text(max_size=4) | _HOSTILE_CHARS, max_size=12)))
    for layer in draw(st.lists(st.sampled_from(["q", "b"]), max_size=4)):
        word = q_word(text) if layer == "q" else b_word(text)
        text = (
            draw(st.sampled_from(["", "a", "a ", '"']))
            + word
            + draw(st.sampled_from(["", "z", " z"]))
        )
    return text


@given(hostile_values(), st.integers(min_value=10, max_value=200))
def test_header_text_is_one_line_that_reads_back_as_itself(value: str, limit: int) -> None:
    text = header_text(value, limit)
    assert len(text) <= limit
    assert text == clean_inline(text)  # one line: no breaks, no controls
    assert header_text(text, limit) == text
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = text
    message["To"] = mailbox(value, "reader@example.org")
    message.set_content("body")
    raw = message.as_bytes()
    assert raw_header_names(raw) == [
        "subject",
        "to",
        "content-type",
        "content-transfer-encoding",
        "mime-version",
    ]
    parsed = parse(message)
    # Python 3.11's folder can drop a space between two encoded words it writes (found by
    # hypothesis: "example ¡ ¡" reads back as "example¡ ¡"); the words all arrive.
    assert "".join(parsed["Subject"].split()) == "".join(text.split())
    (address,) = parsed["To"].addresses
    assert address.addr_spec == "reader@example.org"
    assert "\n" not in address.display_name and "\r" not in address.display_name


def test_encoded_word_display_names_stay_one_mailbox() -> None:
    name = q_word("Ana\r\nBcc: victim@evil.example")
    address = mailbox(name, "ana@example.org")
    assert address.display_name == "Ana Bcc: victim@evil.example"
    message = EmailMessage(policy=MAIL_POLICY)
    message["To"] = address
    assert raw_header_names(message.as_bytes()) == ["to"]
    (parsed,) = parse(message)["To"].addresses
    assert (parsed.display_name, parsed.addr_spec) == (
        "Ana Bcc: victim@evil.example",
        "ana@example.org",
    )
    assert len(header_text(q_word("x" * 500), NAME_LIMIT)) == NAME_LIMIT


def test_list_id_description_is_decoded_text() -> None:
    value = list_id(q_word("UA\r\nX-Evil: 1"), "ua.monitor.example.org")
    assert value == '"UA X-Evil: 1" <ua.monitor.example.org>'


def test_a_header_that_became_two_lines_is_never_written() -> None:
    # A Subject set without header_text, as the email package would take it from a feed.
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = q_word("Hi\r\nReply-To: x@evil.example\r\n\r\nfake body")
    message["To"] = "ana@example.org"
    message.set_content("real body")
    try:
        raw = wire_bytes(message, "ana@example.org")
    except UnsafeMessageError as exc:  # this Python writes the lines (or refuses to)
        assert exc.address == "ana@example.org"
        return
    # A Python whose email package encodes the breaks instead: then nothing was injected.
    assert raw_header_names(raw) == [name.lower() for name in message]


def test_wire_bytes_of_a_clean_message_are_its_bytes() -> None:
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = header_text(q_word("Hi\r\nReply-To: x@evil.example"), SUBJECT_LIMIT)
    message["To"] = mailbox("Ana", "ana@example.org")
    message.set_content("real body")
    assert wire_bytes(message, "ana@example.org") == message.as_bytes()
