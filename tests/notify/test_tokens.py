"""Signed link tokens: round trip, tampering, expiry, purpose, key rotation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ConfigError, MonitorError
from monitor.notify.tokens import InvalidToken, TokenClaims, make_token, verify_token

OLD = b"old-secret-0123456789abcdef-0000"
NEW = b"new-secret-0123456789abcdef-1111"
ISSUED = datetime(2026, 11, 27, 11, 0, 5, tzinfo=UTC)
LATER = ISSUED + timedelta(days=3)


def reason(token: str, **kwargs: object) -> str:
    arguments: dict[str, object] = {"secrets": NEW, "purpose": "unsubscribe", "now": LATER}
    arguments.update(kwargs)
    with pytest.raises(InvalidToken) as caught:
        verify_token(token, **arguments)  # type: ignore[arg-type]
    assert isinstance(caught.value, MonitorError)
    return caught.value.reason


def test_round_trip_returns_the_claims() -> None:
    token = make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    claims = verify_token(token, NEW, "unsubscribe", LATER, max_age=timedelta(days=30))
    assert claims == TokenClaims("unsubscribe", 7, 3, ISSUED)


def test_subscription_none_means_all_subscriptions() -> None:
    token = make_token(NEW, "preferences", 7, None, ISSUED)
    assert verify_token(token, NEW, "preferences", LATER).subscription_id is None


def test_tokens_are_url_safe_deterministic_and_distinct_per_claim() -> None:
    token = make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    assert re.fullmatch(r"[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+", token)
    assert token == make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    others = {
        make_token(NEW, "unsubscribe", 8, 3, ISSUED),
        make_token(NEW, "unsubscribe", 7, 4, ISSUED),
        make_token(NEW, "confirm", 7, 3, ISSUED),
        make_token(NEW, "unsubscribe", 7, 3, ISSUED + timedelta(seconds=1)),
        make_token(OLD, "unsubscribe", 7, 3, ISSUED),
    }
    assert token not in others and len(others) == 5


def test_wrong_purpose_is_rejected() -> None:
    token = make_token(NEW, "confirm", 7, 3, ISSUED)
    assert reason(token, purpose="unsubscribe") == "purpose"


def test_expiry_is_enforced_at_the_boundary() -> None:
    token = make_token(NEW, "confirm", 7, 3, ISSUED)
    max_age = timedelta(days=7)
    assert verify_token(token, NEW, "confirm", ISSUED + max_age, max_age).subscriber_id == 7
    assert (
        reason(
            token, purpose="confirm", now=ISSUED + max_age + timedelta(seconds=1), max_age=max_age
        )
        == "expired"
    )


def test_token_from_the_future_is_rejected_beyond_clock_skew() -> None:
    token = make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    assert verify_token(token, NEW, "unsubscribe", ISSUED - timedelta(minutes=4)).subscriber_id == 7
    assert reason(token, now=ISSUED - timedelta(hours=1)) == "future"


def test_key_rotation_accepts_any_listed_secret() -> None:
    old_token = make_token(OLD, "unsubscribe", 7, 3, ISSUED)
    new_token = make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    for token in (old_token, new_token):
        assert verify_token(token, [NEW, OLD], "unsubscribe", LATER).subscriber_id == 7
    assert reason(old_token, secrets=[NEW]) == "signature"


@pytest.mark.parametrize("position", [0, 5, 20, -1, -10])
def test_any_tampered_character_breaks_the_signature(position: int) -> None:
    token = make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    index = position % len(token)
    if token[index] == ".":
        index += 1
    flipped = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
    assert reason(flipped) in {"signature", "malformed"}


def test_unused_base64_bits_cannot_spell_the_same_token_twice() -> None:
    token = make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # A 32-byte MAC is 43 characters; the last one carries 4 bits and 2 unused ones.
    last = alphabet.index(token[-1])
    twin = token[:-1] + alphabet[last ^ 1]
    assert reason(twin) == "malformed"


def test_payload_swapped_from_another_token_fails() -> None:
    mine = make_token(NEW, "unsubscribe", 7, 3, ISSUED)
    theirs = make_token(NEW, "unsubscribe", 8, 3, ISSUED)
    forged = theirs.split(".")[0] + "." + mine.split(".")[1]
    assert reason(forged) == "signature"


@pytest.mark.parametrize(
    "token", ["", ".", "abc", "a.b.c", "a" * 600, "ab$.cd", "aGk.!!", "\u00e9.x"]
)
def test_malformed_tokens_are_rejected(token: str) -> None:
    assert reason(token) in {"malformed", "signature"}


@given(st.text(max_size=200))
def test_arbitrary_input_never_verifies_and_only_raises_invalid_token(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(token, NEW, "unsubscribe", LATER)


def test_short_or_missing_secrets_are_configuration_errors() -> None:
    with pytest.raises(ConfigError):
        make_token(b"short", "unsubscribe", 7, 3, ISSUED)
    with pytest.raises(ConfigError):
        verify_token(make_token(NEW, "unsubscribe", 7, 3, ISSUED), [], "unsubscribe", LATER)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_token(NEW, "unsubscribe", 7, 3, datetime(2026, 11, 27, 11, 0))
