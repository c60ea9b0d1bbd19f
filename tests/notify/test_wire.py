"""The fast path writes the same bytes as the email package, and keeps its guarantees."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.headerregistry import Address

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import UnsafeMessageError
from monitor.notify.compose import draft_alert, draft_digest
from monitor.notify.headers import mailbox
from monitor.notify.messages import DigestEntry, Recipient
from monitor.notify.policy import DigestPeriod
from monitor.notify.wire import Draft, draft_bytes, fold_header, plain_header, slow_bytes
from tests.notify.helpers import LIST_ID, NOW, SENDER, make_links, make_story
from tests.notify.injection import HOSTILE_NAME

# Printable ASCII with the characters headers treat specially, and text from anywhere.
ASCII = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120)
ANY_TEXT = st.text(max_size=120)
TEXT = st.one_of(ASCII, ANY_TEXT, st.sampled_from(["=?utf-8?q?a=0D=0AX:_y?=", HOSTILE_NAME]))


def alert_draft(title: str, name: str, why: str, subscription: str) -> Draft:
    recipient = Recipient(7, "ana@example.org", name, "America/Sao_Paulo")
    return draft_alert(
        make_story(title=title),
        recipient,
        subscription_name=subscription,
        why=why,
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
        update=True,
        revision=2,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, name=TEXT, why=TEXT, subscription=TEXT)
def test_fast_and_slow_paths_write_the_same_bytes(
    title: str, name: str, why: str, subscription: str
) -> None:
    draft = alert_draft(title, name, why, subscription)
    try:
        slow = slow_bytes(draft, "ana@example.org")
    except UnsafeMessageError:
        with pytest.raises(UnsafeMessageError):
            draft_bytes(draft, "ana@example.org")
        return
    assert draft_bytes(draft, "ana@example.org") == slow


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["Subject", "List-Id", "X-Monitor-Delivery", "References"]), value=TEXT)
def test_a_header_folds_as_the_email_package_folds_it(name: str, value: str) -> None:
    from monitor.notify.headers import MAIL_POLICY

    try:
        expected = MAIL_POLICY.fold_binary(name, MAIL_POLICY.header_store_parse(name, value)[1])
    except ValueError:  # a line break: the email package refuses it, so must we
        with pytest.raises(UnsafeMessageError):
            fold_header(name, value)
        return
    assert fold_header(name, value) == expected


@settings(max_examples=200, deadline=None)
@given(name=TEXT)
def test_mailboxes_fold_as_the_email_package_folds_them(name: str) -> None:
    from monitor.notify.headers import MAIL_POLICY

    address = mailbox(name, "ana@example.org")
    expected = MAIL_POLICY.fold_binary("To", MAIL_POLICY.header_store_parse("To", address)[1])
    assert fold_header("To", address) == expected


def test_the_fast_path_is_taken_for_plain_headers_only() -> None:
    assert plain_header("Subject", "[monitor] Peace talks") == "Subject: [monitor] Peace talks"
    assert plain_header("To", Address("Reader 5", addr_spec="r@x.example")) == (
        "To: Reader 5 <r@x.example>"
    )
    for value in ("Café", "a  b", " a", "=?utf-8?q?x?=", "x" * 80, "a\r\nB: c"):
        assert plain_header("Subject", value) is None
    assert plain_header("To", Address('A "B"', addr_spec="r@x.example")) is None


def test_a_value_that_would_start_a_header_is_refused_not_written() -> None:
    draft = alert_draft("Peace", "Ana", "why", "Watch")
    evil = replace(draft, tail=(*draft.tail, ("X-Note", "ok\r\nBcc: victim@evil.example")))
    with pytest.raises(UnsafeMessageError):
        draft_bytes(evil, "ana@example.org")


def test_a_digest_is_the_same_bytes_both_ways() -> None:
    stories = [make_story(story_id=n, title=f"Story {n} — ñ") for n in range(1, 8)]
    period = DigestPeriod("Daily digest", NOW - timedelta(days=1), NOW, "daily.x", "2026-11-27")
    draft = draft_digest(
        [DigestEntry(story, "peace", "Watch") for story in stories],
        Recipient(7, "ana@example.org", "Ana Pérez", "America/Sao_Paulo"),
        period=period,
        subscription_name="Ukraine – Latin America",
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
    )
    assert draft_bytes(draft, "ana@example.org") == slow_bytes(draft, "ana@example.org")


PIECES = st.sampled_from(["a", "b", " ", "=", "\t", "\n", "\r", ".", "é", "€", "\x0b", "\u2028"])
LONG = st.sampled_from(["x" * 40, "y" * 77, "z" * 78, " " * 3, "é" * 30])


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.lists(st.one_of(PIECES, LONG), max_size=60).map("".join), ANY_TEXT))
def test_bodies_are_encoded_as_the_email_package_encodes_them(text: str) -> None:
    from monitor.notify.wire import _reference_body, encoded_body

    assert encoded_body(text) == _reference_body(text)


URI_TEXT = st.text(st.sampled_from("abcXYZ019._-~/:?=@&%+!#$*'\"\\()[];"), min_size=1, max_size=140)


@settings(max_examples=400, deadline=None)
@given(
    url=URI_TEXT,
    mailto=URI_TEXT,
    value=st.one_of(TEXT, st.just("<https://a.example/u/t>, <mailto:u@a.example>")),
)
def test_list_unsubscribe_folds_as_the_email_package_folds_it(
    url: str, mailto: str, value: str
) -> None:
    """Short or long items, and any other value (which the email package then folds)."""
    from monitor.notify.headers import MAIL_POLICY

    for given_value in (f"<{url}>, <{mailto}>", value):
        try:
            parsed = MAIL_POLICY.header_store_parse("List-Unsubscribe", given_value)[1]
            expected = MAIL_POLICY.fold_binary("List-Unsubscribe", parsed)
        except ValueError:
            with pytest.raises(UnsafeMessageError):
                fold_header("List-Unsubscribe", given_value)
            continue
        assert fold_header("List-Unsubscribe", given_value) == expected


@settings(max_examples=300, deadline=None)
@given(address=st.emails(), name=ASCII)
def test_a_mailbox_holds_what_the_address_parser_reads_from_it(address: str, name: str) -> None:
    from monitor.notify.headers import is_plain_mailbox

    if not is_plain_mailbox(address):
        return
    built = mailbox(name, address)
    parsed = Address(addr_spec=address)
    assert (built.username, built.domain, built.addr_spec) == (
        parsed.username,
        parsed.domain,
        parsed.addr_spec,
    )


@settings(max_examples=500, deadline=None)
@given(raw=st.text(st.sampled_from("ab=é€ \t.-"), max_size=300))
def test_a_long_line_is_cut_as_the_email_package_cuts_it(raw: str) -> None:
    """One line (UTF-8 read as latin-1), escaped and cut with soft breaks: the same as the
    email package's whole-body loop gives for that line."""
    from email import quoprimime

    from monitor.notify.wire import _encoded_line

    latin = raw.encode("utf-8").decode("latin-1")
    assert _encoded_line(latin) == quoprimime.body_encode(latin, 78, eol="\r\n")


def test_the_line_cache_keeps_recurring_lines_across_generations() -> None:
    from monitor.notify.wire import _encoded_line, _LineCache

    cache = _LineCache(limit=2)
    shared = "Peace talks résumé " * 6  # long, escaped and cut
    for n in range(5):  # each reader's own line fills the generation in turn
        assert cache.encoded(shared) == _encoded_line(shared)
        assert cache.encoded(f"reader {n}") == f"reader {n}"
    assert shared in cache.current or shared in cache.older
    assert "reader 0" not in cache.current and "reader 0" not in cache.older
    assert len(cache.current) <= 2 and len(cache.older) <= 2
