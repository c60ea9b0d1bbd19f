"""Destination secrets at rest: encrypted with the destination key, shown only redacted.

A webhook URL (Slack's and Teams' carry their credential in the path) or a Telegram chat
id lets anyone who reads it post to that room, so the store keeps them encrypted (Fernet:
AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` package) under
``Settings.destination_keys()``; lists and logs show :func:`hint_of` only.

Several keys make rotation possible without a moment when a stored destination cannot be
read: the first key seals, any of them opens (``MultiFernet``), and :meth:`reseal` moves
a sealed value onto the first key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from yarl import URL

from monitor.errors import ConfigError

MASK = "****"


class DestinationCipher:
    """Encrypts and decrypts destination targets and signing secrets."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ConfigError("no destination key: set MONITOR_DESTINATION_SECRET")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ConfigError(UNREADABLE) from None

    def reseal(self, sealed: str) -> str:
        """``sealed`` encrypted again under the first key (ConfigError if no key opens it)."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise ConfigError(UNREADABLE) from None


UNREADABLE = (
    "a stored destination cannot be decrypted with any destination key "
    "(MONITOR_DESTINATION_SECRET or var_dir/destination.key changed?); add the key it was "
    "sealed with after the first one in MONITOR_DESTINATION_SECRET, or remove and add the "
    "destination again"
)


@dataclass(frozen=True, slots=True)
class Resealed:
    """A key rotation's plan: new sealed values per destination id, and the ids no key
    opens (then nothing is written)."""

    values: dict[int, tuple[str, str | None]]
    unreadable: list[int]


def reseal_all(cipher: DestinationCipher, rows: Iterable[tuple[int, str, str | None]]) -> Resealed:
    """Each (id, sealed target, sealed secret) sealed again under the cipher's first key."""
    values: dict[int, tuple[str, str | None]] = {}
    unreadable = []
    for destination_id, target, secret in rows:
        try:
            values[destination_id] = (
                cipher.reseal(target),
                cipher.reseal(secret) if secret else None,
            )
        except ConfigError:
            unreadable.append(destination_id)
    return Resealed(values, unreadable)


def hint_of(kind: str, target: str) -> str:
    """What lists show of a target: scheme and host of a URL, the path masked; a chat id's
    last three characters."""
    if kind == "telegram":
        return f"chat {MASK}{target[-3:]}" if len(target) > 6 else f"chat {MASK}"
    try:
        url = URL(target)
    except ValueError:
        return MASK
    port = f":{url.explicit_port}" if url.explicit_port else ""
    return f"{url.scheme}://{url.host}{port}/{MASK}"
