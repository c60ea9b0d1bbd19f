"""The private key in a subscription feed's URL: unguessable, revocable, stored hashed.

A feed reader polls a URL without cookies or sign-in, so the URL itself is the credential.
The key is 32 random bytes (256 bits) in base64url; the database keeps only its SHA-256,
so a copy of the database does not hand out working feed URLs. Rotating the key (a new
one) or revoking it (none) makes every old URL answer 404.
"""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_BYTES = 32
# base64url of 32 bytes without padding is 43 characters.
_KEY = re.compile(r"[A-Za-z0-9_\-]{43}")


def new_feed_key() -> str:
    """A fresh random key for a subscription's feed URLs."""
    return secrets.token_urlsafe(KEY_BYTES)


def looks_like_feed_key(text: str) -> bool:
    """True when ``text`` has a key's shape; anything else is refused before any look-up."""
    return bool(_KEY.fullmatch(text))


def feed_key_hash(key: str) -> str:
    """What the database stores and looks up: the key's SHA-256, in hex."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()
