"""Destination input checked at the door: a URL we may post to, or a Telegram chat id.

Refused with a message that says what to do: anything but http(s); http unless
``destinations_allow_http``; credentials in the URL; a host the feed poller's address
policy refuses (private, loopback, link-local and metadata addresses, unless
``allow_private_addresses``), checked here for literal addresses and ``localhost``, and
again on every connection by the resolver (monitor.feeds.hosts.PolicyResolver).
"""

from __future__ import annotations

import re

from yarl import URL

from monitor.errors import BadDestinationError
from monitor.feeds.hosts import AddressPolicy

__all__ = ["BadDestinationError", "check_chat_id", "check_url"]

MAX_URL = 2048
_CHAT_ID = re.compile(r"^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def check_url(url: str, *, policy: AddressPolicy, allow_http: bool) -> str:
    """``url`` if monitor may post to it; :class:`BadDestinationError` otherwise."""
    url = url.strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise BadDestinationError(
            "the destination URL is empty, too long or has spaces; paste the whole URL"
        )
    try:
        parsed = URL(url)
    except ValueError as exc:
        raise BadDestinationError(f"the destination URL does not parse: {exc}") from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise BadDestinationError(
            "the destination URL must start with https:// and name a host"
        )
    if parsed.scheme == "http" and not allow_http:
        raise BadDestinationError(
            "the destination URL uses plain http, which would send alerts unencrypted; "
            "use https (or set MONITOR_DESTINATIONS_ALLOW_HTTP=true for an intranet)"
        )
    if parsed.user or parsed.password:
        raise BadDestinationError("the destination URL must not carry a user name or password")
    refusal = policy.url_refusal(parsed)
    if refusal is None and not policy.allow_private and parsed.host.lower() in _LOCAL_NAMES:
        refusal = f"host {parsed.host} is this machine"
    if refusal is not None:
        raise BadDestinationError(
            f"the destination URL is refused ({refusal}): monitor posts only to public "
            "addresses unless MONITOR_ALLOW_PRIVATE_ADDRESSES=true"
        )
    return url


def check_chat_id(chat_id: str) -> str:
    """A Telegram chat id (a number, negative for groups) or a public @channel name."""
    chat_id = chat_id.strip()
    if not _CHAT_ID.match(chat_id):
        raise BadDestinationError(
            f"{chat_id!r} is not a Telegram chat id: use the number the Bot API reports "
            "(e.g. -1001234567890 for a group) or a public channel's @name"
        )
    return chat_id
