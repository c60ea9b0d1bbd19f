"""Signed tokens for the links in emails: unsubscribe, confirm, preferences and sign-in.

A token binds a purpose, a subscriber, an optional subscription and the time it was issued,
and is signed with HMAC-SHA256 under a server secret, so it cannot be guessed or edited.
Format (URL-safe, no padding): ``base64url(payload) "." base64url(mac)`` where the payload
is ``"m1|purpose|subscriber_id|subscription_id|issued_at"``. Tokens are deterministic: the
same claims and secret give the same token, so a resent email carries the same links.

Each purpose has its lifetime (``LIFETIMES``): a confirmation link lives as long as the
confirmation email says, a preferences link a couple of months (every email carries a fresh
one), an unsubscribe link a year. Whoever still gets alerts has a newer email with a live link.

Key rotation: sign with the newest secret, verify against every secret still accepted.
Nothing is stored server-side; revocation is by rotating the secret or by the state the
token acts on (an unsubscribed subscription stays unsubscribed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from monitor.errors import ConfigError, InvalidToken

Purpose = Literal["unsubscribe", "confirm", "preferences", "sign_in"]
PURPOSES: dict[str, Purpose] = {
    "unsubscribe": "unsubscribe",
    "confirm": "confirm",
    "preferences": "preferences",
    "sign_in": "sign_in",
}

MIN_SECRET_BYTES = 16
MAX_TOKEN_LENGTH = 512
# Clocks of the web server and the mailer may disagree a little.
CLOCK_SKEW = timedelta(minutes=5)

LIFETIMES: dict[Purpose, timedelta] = {
    # The confirmation email states this ("The link is valid for 7 days").
    "confirm": timedelta(days=7),
    # Every alert and digest carries a fresh preferences link.
    "preferences": timedelta(days=60),
    # Long: CAN-SPAM asks that an opt-out link work for at least 30 days after sending, and
    # anyone still receiving alerts has a newer email with a live link.
    "unsubscribe": timedelta(days=365),
    # A workspace sign-in link (``subscription_id`` carries the sign-in request's id, which
    # makes it single use): minutes, since whoever reads the mailbox later could use it.
    "sign_in": timedelta(minutes=15),
}
# How long after it was sent an expired confirmation link may still ask for a fresh one.
RENEWABLE_FOR = timedelta(days=90)

# A configured secret must be at least this long; ``secrets.token_hex(32)`` gives 64.
MIN_CONFIGURED_SECRET_CHARS = 32
GENERATE_SECRET_HINT = "python -c 'import secrets; print(secrets.token_hex(32))'"
# Normalised (lower case, letters and digits only) beginnings of values copied from examples.
_PLACEHOLDERS = (
    "change",
    "replace",
    "placeholder",
    "example",
    "default",
    "insecure",
    "secret",
    "password",
    "test",
    "dummy",
    "your",
    "xxx",
)

_VERSION = "m1"
_DOMAIN = b"monitor.notify.token\x00"
_B64 = re.compile(r"[A-Za-z0-9_\-]+")
_NUMBER = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified token says. ``subscription_id`` None means "all subscriptions"."""

    purpose: Purpose
    subscriber_id: int
    subscription_id: int | None
    issued_at: datetime

    @property
    def rows_created_by(self) -> datetime:
        """Rows created after this moment postdate the token: an id the token names but a
        row created later belongs to someone else (SQLite reuses deleted ids)."""
        return self.issued_at + CLOCK_SKEW


def weak_secret_reason(secret: str, min_chars: int = MIN_CONFIGURED_SECRET_CHARS) -> str | None:
    """Why ``secret`` must not sign links (a known placeholder, too short, too uniform), or
    None. Anyone who read the example configuration can sign links with a placeholder."""
    normalised = re.sub(r"[^a-z0-9]", "", secret.lower())
    if not normalised or normalised.startswith(_PLACEHOLDERS):
        return "looks like a placeholder from an example configuration"
    if len(secret) < min_chars:
        return f"is {len(secret)} characters long; use at least {min_chars} random characters"
    if len(set(secret)) < 8:
        return "has fewer than 8 distinct characters; use random characters"
    return None


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not _B64.fullmatch(text):
        raise InvalidToken("malformed", "not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("malformed", "not base64url") from exc
    # Only the canonical spelling is accepted: unused low bits in the last character
    # would otherwise let several strings stand for the same token.
    if _b64encode(raw) != text:
        raise InvalidToken("malformed", "not canonical base64url")
    return raw


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _DOMAIN + payload, hashlib.sha256).digest()


def _check_secret(secret: bytes) -> bytes:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(f"token secret must be at least {MIN_SECRET_BYTES} bytes")
    return secret


def _timestamp(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("token times must be timezone-aware")
    return int(moment.timestamp())


def make_token(
    secret: bytes,
    purpose: Purpose,
    subscriber_id: int,
    subscription_id: int | None,
    issued_at: datetime,
) -> str:
    """Sign the claims with ``secret`` (the newest one) and return a URL-safe token."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    if subscriber_id < 0 or (subscription_id is not None and subscription_id < 0):
        raise ValueError("ids must be non-negative")
    subscription = "" if subscription_id is None else str(subscription_id)
    text = f"{_VERSION}|{purpose}|{subscriber_id}|{subscription}|{_timestamp(issued_at)}"
    payload = text.encode("ascii")
    return f"{_b64encode(payload)}.{_b64encode(_mac(_check_secret(secret), payload))}"


def verify_token(
    token: str,
    secrets: bytes | Sequence[bytes],
    purpose: Purpose,
    now: datetime,
    max_age: timedelta | None = None,
) -> TokenClaims:
    """Check the signature (against any accepted secret), purpose and age; return the claims.

    ``max_age`` defaults to the purpose's lifetime (``LIFETIMES``). Raises
    :class:`InvalidToken`. The payload is only parsed after its MAC matched, so a forged
    token learns nothing from the error but "signature", and "expired" means genuine.
    """
    candidates = [secrets] if isinstance(secrets, bytes) else list(secrets)
    if not candidates:
        raise ConfigError("at least one token secret is required")
    keys = [_check_secret(secret) for secret in candidates]
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise InvalidToken("malformed")
    encoded_payload, encoded_mac = token.split(".")
    payload, mac = _b64decode(encoded_payload), _b64decode(encoded_mac)
    # Compare against every key so timing does not reveal which one (if any) matched.
    matches = [hmac.compare_digest(_mac(key, payload), mac) for key in keys]
    if not any(matches):
        raise InvalidToken("signature")
    claims = _parse_payload(payload)
    if claims.purpose != purpose:
        raise InvalidToken("purpose", f"expected {purpose}, got {claims.purpose}")
    age = timedelta(seconds=_timestamp(now) - _timestamp(claims.issued_at))
    if age < -CLOCK_SKEW:
        raise InvalidToken("future")
    if age > (LIFETIMES[purpose] if max_age is None else max_age):
        raise InvalidToken("expired")
    return claims


def _parse_payload(payload: bytes) -> TokenClaims:
    """Parse a payload whose MAC already matched; still strict, in case of old formats."""
    try:
        fields = payload.decode("ascii").split("|")
    except UnicodeDecodeError as exc:
        raise InvalidToken("malformed") from exc
    if len(fields) != 5 or fields[0] != _VERSION or fields[1] not in PURPOSES:
        raise InvalidToken("malformed")
    _, purpose, subscriber, subscription, issued = fields
    if not _NUMBER.fullmatch(subscriber) or not _NUMBER.fullmatch(issued):
        raise InvalidToken("malformed")
    if subscription and not _NUMBER.fullmatch(subscription):
        raise InvalidToken("malformed")
    try:
        issued_at = datetime.fromtimestamp(int(issued), tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise InvalidToken("malformed") from exc
    return TokenClaims(
        purpose=PURPOSES[purpose],
        subscriber_id=int(subscriber),
        subscription_id=int(subscription) if subscription else None,
        issued_at=issued_at,
    )
