"""API keys: random, shown once, stored as a SHA-256; scopes say what a key may do. Pure.

A key looks like ``mk_<8-char prefix>_<43-char secret>``: the prefix is stored in clear so
a person can tell their keys apart in ``monitor subscriber api-key list``; the whole key's
SHA-256 is what the database keeps and looks up. A key of any other shape is refused
before any look-up. ``write`` includes ``read``: a key that may change subscriptions may
also read them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

SCOPES = ("read", "write")
_KEY = re.compile(r"mk_([A-Za-z0-9]{8})_([A-Za-z0-9_\-]{43})")
_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made key: ``secret`` is shown once and never stored."""

    secret: str
    prefix: str
    key_hash: str


def new_api_key() -> NewKey:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
    secret = f"mk_{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(secret=secret, prefix=prefix, key_hash=api_key_hash(secret))


def looks_like_api_key(text: str) -> bool:
    return _KEY.fullmatch(text) is not None


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def granted_scopes(scope: str) -> tuple[str, ...]:
    """The scopes stored for ``--scope read|write`` (``write`` includes ``read``)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}; got {scope!r}")
    return ("read", "write") if scope == "write" else ("read",)


def bearer_key(authorization: str | None) -> str | None:
    """The key in an ``Authorization: Bearer KEY`` header, or None when there is none."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value or None
