"""The links an email may carry: story URLs vetted for ``href``, and our own token links.

A feed can put ``javascript:`` or ``data:`` in a link; only plain http(s) URLs without
credentials or whitespace become links, anything else is shown without one. Our own links
(unsubscribe, preferences, confirm) are built here from the web base URL and signed tokens,
so the paths the web server must serve are written down in one place: ``/u/``, ``/p/``
and ``/c/`` followed by the token, and a subscription's private feeds ``/f/KEY.atom`` and
``/f/KEY.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.errors import ConfigError
from monitor.notify.headers import is_plain_mailbox

MAX_URL_LENGTH = 2048
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{1,512}")
# Controls (C0, DEL, C1), any whitespace (``\s`` is ``str.isspace``), and the characters
# that end an attribute or a URL in HTML or in a header.
_UNSAFE_IN_URL = re.compile(r'[\x00-\x20\x7f-\x9f\s"<>\\`]')


@dataclass(frozen=True, slots=True)
class EmailLinks:
    """Per-recipient links every list email carries (footer and List-Unsubscribe)."""

    unsubscribe_url: str
    unsubscribe_mailto: str
    preferences_url: str


def safe_http_url(url: str | None) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL safe to put in ``href``, else None.

    Rejected: other schemes (``javascript:``, ``data:``, ``mailto:``), missing host,
    embedded credentials (``https://bank@evil``), whitespace or control characters, and
    URLs longer than 2048 characters.
    """
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    if _UNSAFE_IN_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not hostname or "@" in parts.netloc:
        return None
    return url


def _web_base(web_base_url: str) -> str:
    base = safe_http_url(web_base_url)
    if base is None or "?" in base or "#" in base or "," in base:
        raise ConfigError(f"web base URL must be a plain http(s) URL, got {web_base_url!r}")
    return base.rstrip("/")


def _checked_token(token: str) -> str:
    if not _TOKEN.fullmatch(token):
        raise ValueError("tokens must be URL-safe (letters, digits, '-', '_', '.')")
    return token


def build_links(
    web_base_url: str, unsubscribe_address: str, *, unsubscribe_token: str, preferences_token: str
) -> EmailLinks:
    """Links for one recipient: ``{base}/u/TOKEN``, ``mailto:…?subject=TOKEN``, ``{base}/p/TOKEN``."""
    base = _web_base(web_base_url)
    if not is_plain_mailbox(unsubscribe_address):
        raise ConfigError(f"unsubscribe address is not a plain mailbox: {unsubscribe_address!r}")
    unsubscribe = _checked_token(unsubscribe_token)
    return EmailLinks(
        unsubscribe_url=f"{base}/u/{unsubscribe}",
        unsubscribe_mailto=f"mailto:{unsubscribe_address}?subject={unsubscribe}",
        preferences_url=f"{base}/p/{_checked_token(preferences_token)}",
    )


def sign_in_url(web_base_url: str, token: str) -> str:
    """The workspace's magic link: ``{base}/signin/TOKEN`` (a page with a sign-in button)."""
    return f"{_web_base(web_base_url)}/signin/{_checked_token(token)}"


def confirm_url(web_base_url: str, confirm_token: str) -> str:
    """The double opt-in link: ``{base}/c/TOKEN``."""
    return f"{_web_base(web_base_url)}/c/{_checked_token(confirm_token)}"


@dataclass(frozen=True, slots=True)
class FeedUrls:
    """A subscription's private feed URLs (the key in them is the credential)."""

    atom: str
    json: str


def feed_urls(web_base_url: str, feed_key: str) -> FeedUrls:
    """``{base}/f/KEY.atom`` and ``{base}/f/KEY.json``."""
    base, key = _web_base(web_base_url), _checked_token(feed_key)
    return FeedUrls(atom=f"{base}/f/{key}.atom", json=f"{base}/f/{key}.json")
