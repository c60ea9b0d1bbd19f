"""Signed link tokens: round trip, tampering, expiry, purpose, key rotation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ConfigError, InvalidToken, MonitorError
from monitor.notify.tokens import (
    CLOCK_SKEW,
    LIFETIMES,
    RENEWABLE_FOR,
    TokenClaims,
    make_token,
    verify_token,
    weak_secret_reason,
)

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


@pytest.mark.parametrize(
    ("purpose", "lifetime"),
    [
        ("confirm", timedelta(days=7)),
        ("preferences", timedelta(days=60)),
        ("unsubscribe", timedelta(days=365)),
    ],
)
def test_each_purpose_expires_after_its_lifetime_without_being_told(
    purpose: str, lifetime: timedelta
) -> None:
    assert LIFETIMES[purpose] == lifetime  # type: ignore[index]
    token = make_token(NEW, purpose, 7, None, ISSUED)  # type: ignore[arg-type]
    last_moment = ISSUED + lifetime
    assert verify_token(token, NEW, purpose, last_moment).subscriber_id == 7  # type: ignore[arg-type]
    assert reason(token, purpose=purpose, now=last_moment + timedelta(seconds=1)) == "expired"
    # The audit's examples: a 400-day-old confirmation, a 5-year-old unsubscribe link.
    assert reason(token, purpose=purpose, now=ISSUED + timedelta(days=5 * 365)) == "expired"


def test_an_expired_confirmation_may_still_ask_for_a_fresh_one_for_a_while() -> None:
    token = make_token(NEW, "confirm", 7, None, ISSUED)
    later = ISSUED + RENEWABLE_FOR
    assert verify_token(token, NEW, "confirm", later, RENEWABLE_FOR).subscriber_id == 7
    assert reason(token, purpose="confirm", now=later, max_age=None) == "expired"
    too_late = later + timedelta(seconds=1)
    assert reason(token, purpose="confirm", now=too_late, max_age=RENEWABLE_FOR) == "expired"


def test_claims_only_reach_rows_created_by_the_time_of_issue() -> None:
    claims = verify_token(make_token(NEW, "unsubscribe", 7, 3, ISSUED), NEW, "unsubscribe", LATER)
    assert claims.rows_created_by == ISSUED + CLOCK_SKEW


@pytest.mark.parametrize(
    "secret",
    [
        "change-me-in-production",
        "CHANGE_ME_please_0123456789abcdef0123",
        "changeme",
        "secret",
        "Secret-Key-0123456789abcdef-0123456789",
        "test-secret-0123456789abcdef-0123456789",
        "your-secret-here-0123456789abcdef-01234",
        "placeholder",
        "password1234567890password1234567890",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "0f1e2d3c4b5a69788796a5b4c3d2e1f",  # 31 characters
        "",
    ],
)
def test_weak_secrets_have_a_reason(secret: str) -> None:
    assert weak_secret_reason(secret)


@pytest.mark.parametrize(
    "secret",
    [
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",  # token_hex(16)
        "9b0c3f6e1d4a7b2c5e8f0a3d6c9b2e5f8a1d4c7b0e3f6a9c2d5b8e1f4a7c0d3",
        "Zq3_vP9xLr2-Kt7mWs4YbN8cHj5gFd1Ua6Ee0Ri",  # token_urlsafe(30)
    ],
)
def test_random_secrets_pass(secret: str) -> None:
    assert weak_secret_reason(secret) is None
