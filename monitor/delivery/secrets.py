"""Destination secrets at rest: encrypted with the destination key, shown only redacted.

A webhook URL (Slack's and Teams' carry their credential in the path) or a Telegram chat
id lets anyone who reads it post to that room, so the store keeps them encrypted (Fernet:
AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` package) under
``Settings.destination_key()``; lists and logs show :func:`hint_of` only.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from yarl import URL

from monitor.errors import ConfigError

MASK = "****"


class DestinationCipher:
    """Encrypts and decrypts destination targets and signing secrets."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ConfigError(
                "a stored destination cannot be decrypted with this destination key "
                "(MONITOR_DESTINATION_SECRET or var_dir/destination.key changed?); restore "
                "the key, or remove and add the destination again"
            ) from None


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
